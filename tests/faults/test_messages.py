"""Message faults on the examples: messages that reach an actor late, are
lost, or find its mailbox full, and what the user sees meanwhile."""

from __future__ import annotations

import anyio
import pytest
import trio

from examples.counter import Counter
from examples.dashboard import DashboardView
from roost import App, protocol
from roost.testing import LiveClient, WaitTimeout

counter = App({"/": Counter}, title="roost counter")
dashboard = App({"/": DashboardView}, title="roost dashboard")

PLUS = "[aria-label=increment]"
NEXT = 'nav.pagination button[roost-click="next"]'
SETTINGS = 'nav.tabs button[roost-value-tab="Settings"]'


async def test_a_delayed_click_counts_late_and_nothing_is_lost(autojump_clock):
    async with LiveClient.mount(counter) as view:
        view.delay_messages("0", 30)
        before = trio.current_time()
        await view.click(PLUS)
        assert trio.current_time() - before >= 30  # the reply waited the 30 s
        assert view.text("#count") == "1"
        view.delay_messages("0", 0)
        await view.click(PLUS)
        assert view.text("#count") == "2"


async def test_a_view_slow_to_hear_from_its_pagination_shows_the_new_page_number_first(
    autojump_clock,
):
    async with LiveClient.mount(dashboard) as view:
        view.delay_messages("0", 5)

        await view.click(NEXT)  # answered by the pagination at once

        # For 5 s the pagination says page 2 over page 1's items.
        assert view.text("nav.pagination .page") == "2"
        assert view.text("#items li:first-child") == "Item 1"
        before = trio.current_time()
        await view.wait_for("#items li", "Item 4")
        assert trio.current_time() - before >= 5


async def test_a_lost_click_does_nothing_and_the_next_one_counts():
    async with LiveClient.mount(counter, timeout=0.5) as view:
        view.drop_messages("0", 1)
        with pytest.raises(WaitTimeout):
            await view.click(PLUS)  # never answered: the user sees nothing happen
        assert view.text("#count") == "0"
        await view.click(PLUS)
        assert view.text("#count") == "1"


async def test_a_component_losing_every_message_leaves_the_rest_of_the_page_working():
    async with LiveClient.mount(dashboard, timeout=0.5) as view:
        view.drop_messages("tabs")  # all of them, until healed
        with pytest.raises(WaitTimeout):
            await view.click(SETTINGS)
        await view.click("#inc")
        await view.click(NEXT)
        assert view.text("#count") == "1"
        assert view.text("nav.pagination .page") == "2"
        assert view.text("nav.tabs button.active") == "Profile"
        view.heal("tabs")
        await view.click(SETTINGS)
        assert view.text("nav.tabs button.active") == "Settings"


async def test_a_full_mailbox_refuses_clicks_as_overloaded_and_they_are_not_replayed():
    async with LiveClient.mount(counter) as view:
        async with view.full_mailbox("0") as capacity:
            assert capacity > 0 and view.mailbox_depth("0") == capacity
            for _ in range(3):
                error = await view.click(PLUS, expect_error=True)
                assert error.code == protocol.OVERLOADED
            assert view.text("#count") == "0"
        # What waited in the mailbox is handled; the refused clicks are gone.
        assert view.mailbox_depth("0") == 0
        assert view.text("#count") == "0"
        await view.click(PLUS)
        assert view.text("#count") == "1"


async def test_an_overloaded_component_does_not_hold_up_the_view():
    async with LiveClient.mount(dashboard) as view:
        async with view.full_mailbox("pages"):
            error = await view.click(NEXT, expect_error=True)
            assert error.code == protocol.OVERLOADED
            await view.click("#inc")
            await view.click(SETTINGS)
            assert view.text("#count") == "1"
            assert view.text("nav.tabs button.active") == "Settings"
        assert view.text("nav.pagination .page") == "1"


async def test_clicks_sent_while_the_view_is_slow_all_count(autojump_clock):
    async with LiveClient.mount(counter) as view:
        view.delay_messages("0", 2)
        replies: list[protocol.Ack | protocol.Error] = []

        async def click() -> None:
            replies.append(await view.click(PLUS))

        async with anyio.create_task_group() as tg:
            for _ in range(3):  # three quick clicks, none waiting for the last
                tg.start_soon(click)
        assert len(replies) == 3
        assert all(isinstance(reply, protocol.Ack) for reply in replies)
        assert view.text("#count") == "3"
