"""Crash points on the examples: an actor made to fail at its mount, update,
render, event or info, once or every time, and what the user sees."""

from __future__ import annotations

import trio
import trio.testing

from examples.chat import ChatView
from examples.counter import Counter
from examples.crashy import CrashyView
from examples.dashboard import DashboardView
from roost import App, protocol
from roost.testing import LiveClient

counter = App({"/": Counter}, title="roost counter")
crashy = App({"/": CrashyView}, title="roost crashy")
chat = App({"/": ChatView}, title="roost chat")
dashboard = App({"/": DashboardView}, title="roost dashboard")

FAILED = "This part of the page failed to load."


def rendered_since(start: int, target: str):
    def check(view: LiveClient) -> bool:
        return any(
            isinstance(m, protocol.Render) and m.target == target for m in view.messages[start:]
        )

    check.__name__ = f"a fresh render of {target!r}"
    return check


async def test_a_click_that_crashes_at_the_event_is_refused_and_the_child_restarts():
    async with LiveClient.mount(crashy) as view:
        await view.click("#parent-inc")
        await view.click("#child-inc")
        start = len(view.messages)
        view.crash_at("child", "event")

        error = await view.click("#child-inc", expect_error=True)

        assert error.code == protocol.CRASHED
        await view.wait_for(rendered_since(start, "child"))
        assert view.text("#child-count") == "0"  # the click did not count, the 1 is lost too
        assert view.text("#parent-count") == "1"
        await view.click("#child-inc")  # once only
        assert view.text("#child-count") == "1"


async def test_a_view_that_crashes_rendering_a_click_comes_back_with_the_click_kept():
    async with LiveClient.mount(counter, "/?start=5") as view:
        await view.click("[aria-label=increment]")
        start = len(view.messages)
        view.crash_at("0", "render")

        error = await view.click("[aria-label=increment]", expect_error=True)

        # The handler ran and its snapshot was saved before the render, which
        # failed: the user is told the click crashed, and the view (it persists
        # its count) comes back with the click counted.
        assert error.code == protocol.CRASHED
        await view.wait_for(rendered_since(start, "0"))
        assert view.text("#count") == "7"
        await view.click("[aria-label=increment]")
        assert view.text("#count") == "8"


async def test_a_component_failing_its_first_remount_is_retried_and_comes_back():
    async with LiveClient.mount(crashy) as view:
        await view.click("#parent-inc")
        view.crash_at("child", "mount")

        render = await view.crash("child")

        assert isinstance(render, protocol.Render)
        kinds = [e.kind for e in view.supervision if e.child == "child"]
        assert kinds.count("start_failed") == 1  # the first restart failed, the next mounted it
        assert view.text("#child-count") == "0"
        assert view.text("#parent-count") == "1"


async def test_a_tab_whose_message_crashes_it_at_info_loses_that_message_only():
    async with (
        LiveClient.mount(chat, "/?name=ann") as ann,
        LiveClient.mount(chat, "/?name=bob") as bob,
    ):
        await ann.event("post", text="first", name="ann")
        await bob.wait_for("#messages li", "ann: first")
        await ann.wait_for("#messages li", "ann: first")
        start = len(bob.messages)
        bob.crash_at("0", "info")

        await ann.event("post", text="second", name="ann")

        await bob.wait_for(rendered_since(start, "0"))
        # Bob's view crashed taking the message in, and re-mounted; his page
        # keeps the history it held (a stream) but never gets the message
        # that crashed it. Ann sees both.
        assert [li.text() for li in bob._page.select("#messages li")] == ["ann: first"]
        await ann.wait_for("#messages li", "ann: second")
        assert bob.restarts("0") == 1 and ann.restarts("0") == 0
        await ann.event("post", text="third", name="ann")
        await bob.wait_for("#messages li", "ann: third")


async def test_components_whose_props_never_change_never_reach_update():
    # The dashboard's view gives its tabs and pagination the same props on
    # every render: their `update` never runs, so a crash armed there waits.
    async with LiveClient.mount(dashboard) as view:
        view.crash_at("tabs", "update")
        view.crash_at("pages", "update")
        await view.click("#inc")
        await view.click('nav.tabs button[roost-value-tab="Settings"]')
        await view.click('nav.pagination button[roost-click="next"]')
        await view.wait_for("#items li", "Item 4")
        await trio.testing.wait_all_tasks_blocked()
        assert view.restarts() == 0 and view.crashes == []
        assert view.text("#count") == "1"


async def test_a_component_crashing_every_time_escalates_and_its_place_shows_an_error(
    autojump_clock,
):
    async with LiveClient.mount(crashy) as view:
        await view.click("#parent-inc")
        view.crash_at("child", "render", times=None)

        gone = await view.crash("child")

        # Each restart failed: the components' supervisor gave up, the view
        # re-mounted (its count is lost), and the child's place says it failed.
        assert isinstance(gone, protocol.Crash) and gone.target == "child"
        assert gone.message == FAILED
        kinds = [e.kind for e in view.supervision]
        assert "intensity_reached" in kinds and "escalated" in kinds
        assert view.restarts("0") == 1
        assert view.text('[data-roost-id="child"] [role="alert"]') == FAILED
        assert view.text("#parent-count") == "0"
        assert not view.exists("#child-inc")
        # The rest of the page works.
        await view.click("#parent-inc")
        assert view.text("#parent-count") == "1"


async def test_a_component_that_failed_for_good_stays_failed_until_the_page_is_reloaded(
    autojump_clock,
):
    async with LiveClient.mount(crashy) as view:
        view.crash_at("child", "mount", times=None)
        await view.crash("child")
        view.heal()
        # Healed, the child is not tried again with the same props, even
        # after a reconnect: the tab resumes with the error in its place.
        await view.disconnect()
        await view.reconnect()
        assert view.text('[data-roost-id="child"] [role="alert"]') == FAILED
        # A new page load mounts it afresh.
        async with LiveClient.mount(crashy) as reloaded:
            assert reloaded.text("#child-count") == "0"
