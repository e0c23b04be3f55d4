"""LiveClient.keydown / keyup send what the browser's key bindings send."""

from __future__ import annotations

import json

import pytest

from roost import protocol
from roost.testing import LiveClient, SelectorError
from tests.apps.bindings import app


async def test_keydown_sends_the_key_the_fields_value_and_value_attributes():
    async with LiveClient.mount(app, "/") as view:
        reply = await view.keydown("#enter", "Enter")
        assert isinstance(reply, protocol.Ack)
        assert view.text("#n-enter") == "1"
        assert json.loads(view.text("#p-enter")) == {"key": "Enter", "value": "", "from": "box"}


async def test_a_key_the_filter_does_not_match_sends_nothing():
    async with LiveClient.mount(app, "/") as view:
        sent = len([f for f in view.frames if f.sent])
        assert await view.keydown("#enter", "a") is None
        assert len([f for f in view.frames if f.sent]) == sent
        assert await view.keydown("#enter", "ENTER") is not None
        assert view.text("#n-enter") == "1"


async def test_keyup_sends_every_key_without_a_filter():
    async with LiveClient.mount(app, "/") as view:
        await view.keyup("#up", "b")
        assert json.loads(view.text("#p-up")) == {"key": "b", "value": ""}


async def test_an_element_without_the_binding_is_refused():
    async with LiveClient.mount(app, "/") as view:
        with pytest.raises(SelectorError, match="no roost-keyup"):
            await view.keyup("#enter", "a")
