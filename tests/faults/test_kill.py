"""Kills on the dashboard: an actor cancelled where it is, restarted by its
supervisor, and what the user's page looks like after."""

from __future__ import annotations

import trio
from selectolax.lexbor import LexborHTMLParser

from examples.dashboard import DashboardView
from roost import App, protocol
from roost.testing import LiveClient, WaitTimeout, no_leaked_tasks

dashboard = App({"/": DashboardView}, title="roost dashboard")

SETTINGS = 'nav.tabs button[roost-value-tab="Settings"]'
NEXT = 'nav.pagination button[roost-click="next"]'


def items(view: LiveClient) -> list[str]:
    return [li.text() for li in LexborHTMLParser(view.html("#items")).css("li")]


async def kill_view(view: LiveClient) -> protocol.Render:
    """Kill the view; return its fresh render once both components re-rendered too.

    ``kill`` itself returns before them: the page keeps the old components'
    content in their places until their own renders come, as the browser
    does, and ``kill`` takes the filled places for rendered (see
    :func:`test_killing_the_view_returns_once_its_components_rendered_again`).
    """
    start = len(view.messages)
    render = await view.kill("0")
    assert isinstance(render, protocol.Render)

    def rerendered(v: LiveClient) -> bool:
        fresh = {m.target for m in v.messages[start:] if isinstance(m, protocol.Render)}
        return {"tabs", "pages"} <= fresh

    await view.wait_for(rerendered)
    return render


async def on_page_3_with_settings(view: LiveClient) -> None:
    """The user's clicks before the kill: + twice, the Settings tab, Next twice."""
    await view.click("#inc")
    await view.click("#inc")
    await view.click(SETTINGS)
    await view.click(NEXT)
    await view.click(NEXT)
    await view.wait_for("#items li", "Item 7")


async def test_a_killed_view_remounts_and_takes_its_components_with_it():
    async with LiveClient.mount(dashboard) as view:
        await on_page_3_with_settings(view)

        render = await kill_view(view)

        assert render.version == 1
        # Everything the user did is gone: the view and both components re-mounted.
        assert view.text("#count") == view.text(".badge") == "0"
        assert view.text("nav.tabs button.active") == "Profile"
        assert view.text("nav.pagination .page") == "1"
        assert items(view) == ["Item 1", "Item 2", "Item 3"]
        assert view.restarts("0") == 1
        assert {row["target"]: row["state"] for row in view.tree()} == {
            "0": "running",
            "tabs": "running",
            "pages": "running",
        }


async def test_a_killed_tab_bar_forgets_the_chosen_tab_but_not_the_count():
    async with LiveClient.mount(dashboard) as view:
        await on_page_3_with_settings(view)

        await view.kill("tabs")

        assert view.text("nav.tabs button.active") == "Profile"  # re-mounted from its props
        assert view.session.runtime("0").state._tab == "Settings"  # the view still thinks so
        assert view.text("#count") == "2"
        assert view.text("nav.pagination .page") == "3"
        assert (view.restarts("0"), view.restarts("tabs"), view.restarts("pages")) == (0, 1, 0)


async def test_a_killed_pagination_shows_page_1_over_the_items_of_page_3():
    async with LiveClient.mount(dashboard) as view:
        await on_page_3_with_settings(view)

        await view.kill("pages")

        # The view passes the pagination its first page as props and never
        # updates them: re-mounted, it says page 1 while the list the view
        # keeps is still page 3's, until the user pages again.
        assert view.text("nav.pagination .page") == "1"
        assert items(view) == ["Item 7", "Item 8", "Item 9"]
        assert view.text("#count") == "2"
        await view.click(NEXT)
        await view.wait_for("#items li", "Item 4")
        assert view.text("nav.pagination .page") == "2"


async def test_a_kill_does_not_wait_behind_a_full_mailbox():
    async with LiveClient.mount(dashboard) as view:
        await view.click(NEXT)
        async with view.full_mailbox("pages"):
            error = await view.event("next", target="pages", expect_error=True)
            assert error.code == protocol.OVERLOADED
            # A crash would queue behind the full mailbox; a kill cancels at once.
            render = await view.kill("pages")
            assert isinstance(render, protocol.Render)
            assert view.text("nav.pagination .page") == "1"
        await view.click(NEXT)
        await view.wait_for("nav.pagination .page", "2")


async def test_kills_leave_no_task_behind():
    async with no_leaked_tasks():
        async with LiveClient.mount(dashboard) as view:
            for target in ("tabs", "pages", "0", "pages", "0", "tabs"):
                if target == "0":
                    await kill_view(view)
                else:
                    await view.kill(target)
            await view.click("#inc")
            assert view.text("#count") == "1"


async def test_killing_the_view_returns_once_its_components_rendered_again():
    async with LiveClient.mount(dashboard) as view:
        await view.click(SETTINGS)
        await view.kill("0")
        assert view.text("nav.tabs button.active") == "Profile"


async def test_an_event_a_kill_catches_while_delayed_is_answered(autojump_clock):
    replies: list[protocol.Ack | protocol.Error] = []
    async with LiveClient.mount(dashboard, timeout=1) as view:
        view.delay_messages("pages", 10)

        async def click_next() -> None:
            try:
                replies.append(await view.event("next", target="pages", expect_error=True))
            except WaitTimeout:
                pass

        async with trio.open_nursery() as nursery:
            nursery.start_soon(click_next)
            await trio.sleep(5)  # the event is with the actor, 5 s from being handled
            await view.kill("pages")
    assert replies, "the click was never answered"
    [error] = replies
    assert error.code in (protocol.CRASHED, protocol.UNKNOWN_TARGET)
