"""The counter example: + and - change the count, for a few bytes a click."""

from __future__ import annotations

import pytest

from examples.counter import app
from roost.testing import LiveClient

PLUS = 'button[aria-label="increment"]'
MINUS = 'button[aria-label="decrement"]'


async def test_plus_and_minus_change_the_count():
    async with LiveClient.mount(app) as view:
        assert view.text("#count") == "0"
        await view.click(PLUS)
        await view.click(PLUS)
        assert view.text("#count") == "2"
        await view.click(MINUS)
        assert view.text("#count") == "1"
        for _ in range(3):
            await view.click(MINUS)
        assert view.text("#count") == "-2"


async def test_the_count_starts_at_the_start_parameter():
    async with LiveClient.mount(app, "/?start=41") as view:
        assert view.text("#count") == "41"
        await view.click(PLUS)
        assert view.text("#count") == "42"


@pytest.mark.parametrize("button", [PLUS, MINUS], ids=["plus", "minus"])
async def test_a_click_costs_under_80_bytes_for_event_patch_and_ack(button):
    async with LiveClient.mount(app) as view:
        before = len(view.frames)
        await view.click(button)
        event, patch, ack = view.frames[before:]
        assert (event.sent, patch.sent, ack.sent) == (True, False, False)
        assert event.size + patch.size + ack.size < 80
