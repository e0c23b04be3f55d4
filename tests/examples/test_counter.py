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


@pytest.mark.parametrize(("button", "start"), [(PLUS, 0), (MINUS, 1)], ids=["plus", "minus"])
async def test_a_click_costs_at_most_40_bytes_both_ways_answered_in_its_patch(button, start):
    # A one-character count each way (from 0 down, the "-" would be one byte more).
    async with LiveClient.mount(app, f"/?start={start}") as view:
        before = len(view.frames)
        await view.click(button)
        event, patch = view.frames[before:]  # no Ack frame: the patch answers the event
        assert (event.sent, patch.sent) == (True, False)
        assert event.size + patch.size <= 40, (event, patch)


# What a hostile (or careless) link can put in ?start=. '²'.isdigit() is True
# but int('²') raises; int() refuses more than 4,300 digits; and a count a few
# thousand digits long would be resent whole on every click.
BAD_STARTS = {
    "superscript": "%C2%B2",
    "arabic-indic": "%D9%A3",
    "fullwidth": "%EF%BC%95",
    "double-minus": "--5",
    "minus-only": "-",
    "empty": "",
    "float": "1.5",
    "exponent": "1e3",
    "hex": "0x10",
    "words": "ten",
    "5000-digits": "9" * 5000,
    "4000-digits": "9" * 4000,
    "negative-5000-digits": "-" + "9" * 5000,
    "20-digits": "1" * 20,
    "nul": "1%002",
}


@pytest.mark.parametrize("start", BAD_STARTS.values(), ids=BAD_STARTS.keys())
async def test_a_bad_start_parameter_gives_a_working_counter_from_zero(start):
    async with LiveClient.mount(app, f"/?start={start}") as view:
        assert view.text("#count") == "0"
        await view.click(PLUS)
        assert view.text("#count") == "1"


@pytest.mark.parametrize("start", BAD_STARTS.values(), ids=BAD_STARTS.keys())
async def test_a_bad_start_parameter_dead_renders_a_counter_from_zero(start):
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(f"start={start}", keep_blank_values=True))
    page = await app.dead_render("/", app.routes["/"], params)
    assert '<span id="count">0</span>' in page


@pytest.mark.parametrize(
    ("start", "count"),
    [("-7", "-7"), ("0", "0"), ("+3", "3"), ("007", "7"), ("-999999999", "-999999999")],
)
async def test_a_good_start_parameter_is_the_first_count(start, count):
    async with LiveClient.mount(app, f"/?start={start.replace('+', '%2B')}") as view:
        assert view.text("#count") == count
        await view.click(MINUS)
        assert view.text("#count") == str(int(count) - 1)
