"""LiveClient acts as the browser does for JS hooks and JS commands: a hook's
pushEvent goes to its element's actor and returns the handler's reply; a click
whose binding is JS commands sends each `push` (the DOM commands need a browser)."""

from __future__ import annotations

from roost import protocol
from roost.testing import LiveClient
from tests.apps.hooked import app


async def test_hook_event_goes_to_the_elements_actor_and_returns_the_reply():
    async with LiveClient.mount(app, "/") as view:
        assert await view.hook_event("#chart", "ping", {"a": 1}) == {"pong": {"a": 1}, "n": 0}
        reply = await view.hook_event("#side", "hello", {"b": 2})
        assert reply == {"from": "side", "hellos": 1, "got": {"b": 2}}
        assert view.text("#side") == "side 1"
        assert await view.hook_event("#chart", "silent") is None


async def test_a_click_on_js_commands_sends_their_push_with_its_value():
    async with LiveClient.mount(app, "/") as view:
        reply = await view.click("#open")
        assert isinstance(reply, protocol.Ack)
        assert view.text("#opened") == "1"


async def test_a_click_on_commands_without_push_sends_nothing():
    async with LiveClient.mount(app, "/") as view:
        sent = len([f for f in view.frames if f.sent])
        assert await view.click("#flip") is None
        assert len([f for f in view.frames if f.sent]) == sent
