"""An event handler's reply: the dict it returns reaches the client in the
event's Ack (for a JS hook's pushEvent), after the patches the event caused."""

from __future__ import annotations

import pytest

from roost import LiveView, event, protocol
from roost.server import App
from roost.testing import LiveClient


class Replying(LiveView):
    def mount(self, params, session):
        self.n = 0
        self.crashes = 0

    @event
    def inc(self):
        self.n += 1
        return {"n": self.n}

    @event
    def quiet(self):
        self.n += 1

    @event
    def bad_kind(self):
        return ["not", "a", "dict"]

    @event
    def bad_json(self):
        return {"when": object()}

    def render(self):
        return f'<p id="n">{self.n}</p><button id="inc" roost-click="inc">+</button>'


app = App({"/": Replying})


def test_an_ack_with_a_reply_carries_it_and_one_without_leaves_it_off():
    assert protocol.encode(protocol.Ack(3)) == "[3,3]"
    assert protocol.encode(protocol.Ack(3, {"ok": True})) == '[3,3,{"ok":true}]'
    assert protocol.decode_server('[3,3,{"ok":true}]') == protocol.Ack(3, {"ok": True})


async def test_a_returned_dict_is_the_reply_and_its_patch_is_applied_first():
    async with LiveClient.mount(app, "/") as view:
        ack = await view.event("inc")
        assert isinstance(ack, protocol.Ack)
        assert ack.reply == {"n": 1}
        assert view.text("#n") == "1"
        # The reply rides in an Ack of its own, after the patch (which carries no ack).
        patch = [m for m in view.renders if isinstance(m, protocol.Patch)][-1]
        assert patch.acked == []


async def test_a_handler_returning_nothing_replies_none_in_its_patch():
    async with LiveClient.mount(app, "/") as view:
        ack = await view.event("quiet")
        assert isinstance(ack, protocol.Ack) and ack.reply is None
        patch = [m for m in view.renders if isinstance(m, protocol.Patch)][-1]
        assert patch.acked == [ack.ref]


@pytest.mark.parametrize("handler", ["bad_kind", "bad_json"])
async def test_a_reply_that_is_not_a_json_dict_is_a_crash_of_the_handler(handler):
    async with LiveClient.mount(app, "/") as view:
        await view.event("inc")
        error = await view.event(handler, expect_error=True)
        assert error.code == protocol.CRASHED
        assert "TypeError" in error.message
        await view.next_message(protocol.Render)  # restarted from mount
        assert view.text("#n") == "0"
