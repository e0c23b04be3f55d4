"""The dashboard example: tabs and pagination are their own actors, talking to
the view by send_parent; each change re-renders only the actor it belongs to."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from examples.dashboard import app
from roost import protocol
from roost.testing import LiveClient
from tests.actors.conftest import session_of

SETTINGS = 'nav.tabs button[roost-value-tab="Settings"]'
PROFILE = 'nav.tabs button[roost-value-tab="Profile"]'
NEXT = 'nav.pagination button[roost-click="next"]'
PREV = 'nav.pagination button[roost-click="prev"]'


def render_counts(view: LiveClient) -> dict[str, int]:
    """How many times each actor of the tab's session has rendered."""
    session = session_of(view)
    counts = {}
    for target in ["0", *session.components]:
        runtime = session.runtime(target)
        assert runtime is not None
        counts[target] = runtime.renders
    return counts


async def settle(view: LiveClient, *targets: str) -> None:
    """Return once each target has handled what was queued to it before now and
    sent what that made it render.

    Two replies in a row from the target's mailbox: an unknown event is answered
    while its batch is handled, so the first reply means everything queued before
    it was handled, the second that the batch it was in has rendered too.
    """
    for target in targets:
        for _ in range(2):
            error = await view.event("settle?", target=target, expect_error=True)
            assert error.code == "unknown_event"


def changes_since(view: LiveClient, before: int) -> list[tuple[protocol.Patch, int]]:
    """The Render and Patch messages received since frame ``before``, with their sizes."""
    out = []
    for frame in view.frames[before:]:
        if not frame.sent:
            message = protocol.decode_server(frame.text)
            if isinstance(message, protocol.Render | protocol.Patch):
                out.append((message, frame.size))
    return out


def items(view: LiveClient) -> list[str]:
    return [li.text() for li in LexborHTMLParser(view.html("#items")).css("li")]


async def test_a_tab_click_rerenders_only_the_tabs_actor_with_one_small_patch():
    async with LiveClient.mount(app) as view:
        assert view.attr(PROFILE, "class") == "active"
        counts = render_counts(view)
        before = len(view.frames)

        await view.click(SETTINGS)
        await settle(view, "0", "tabs", "pages")

        assert view.attr(SETTINGS, "class") == "active"
        assert view.attr(PROFILE, "class") is None
        assert render_counts(view) == {**counts, "tabs": counts["tabs"] + 1}
        [(patch, size)] = changes_since(view, before)
        assert isinstance(patch, protocol.Patch) and patch.target == "tabs"
        assert size <= 80


async def test_tab_changed_reaches_the_view_by_send_parent():
    async with LiveClient.mount(app) as view:
        await view.click(SETTINGS)
        await settle(view, "0")
        # The view keeps the tab privately: it knows it without re-rendering for it.
        assert session_of(view).view.state._tab == "Settings"
        await view.click(PROFILE)
        await settle(view, "0")
        assert session_of(view).view.state._tab == "Profile"


async def test_clicking_the_active_tab_changes_nothing_and_sends_no_patch():
    async with LiveClient.mount(app) as view:
        counts = render_counts(view)
        before = len(view.frames)
        await view.click(PROFILE)
        await settle(view, "0", "tabs")
        assert changes_since(view, before) == []
        assert render_counts(view) == counts


async def test_page_changed_reaches_the_view_and_changes_its_items():
    async with LiveClient.mount(app) as view:
        assert items(view) == ["Item 1", "Item 2", "Item 3"]
        assert view.attr(PREV, "disabled") == ""

        await view.click(NEXT)
        await view.wait_for("#items li", "Item 4")  # the view's patch, after page_changed
        assert items(view) == ["Item 4", "Item 5", "Item 6"]
        assert view.text("nav.pagination .page") == "2"
        assert view.attr(PREV, "disabled") is None

        await view.click(PREV)
        await view.wait_for("#items li", "Item 1")
        assert items(view) == ["Item 1", "Item 2", "Item 3"]
        assert view.text("nav.pagination .page") == "1"


async def test_pagination_stops_at_the_last_page():
    async with LiveClient.mount(app) as view:
        for _ in range(4):
            await view.click(NEXT)
        await view.wait_for("#items li", "Item 13")
        assert view.text("nav.pagination .page") == "5"
        assert view.attr(NEXT, "disabled") == ""
        counts = render_counts(view)
        before = len(view.frames)

        await view.click(NEXT)  # what a stale page could still send
        await settle(view, "0", "pages")
        assert changes_since(view, before) == []
        assert render_counts(view) == counts
        assert items(view) == ["Item 13", "Item 14", "Item 15"]


async def test_the_badge_follows_the_counter():
    async with LiveClient.mount(app) as view:
        assert view.text(".badge") == "0"
        for expected in ("1", "2", "3"):
            await view.click("#inc")
            assert view.text("#count") == expected
            assert view.text(".badge") == expected


async def test_the_counter_rerenders_the_view_but_not_tabs_or_pagination():
    async with LiveClient.mount(app) as view:
        await view.click(SETTINGS)
        await view.click(NEXT)
        await view.wait_for("#items li", "Item 4")
        await settle(view, "0", "tabs", "pages")
        counts = render_counts(view)
        before = len(view.frames)

        await view.click("#inc")
        await settle(view, "tabs", "pages")

        # Same props for tabs and pagination: neither re-rendered, both kept their state.
        assert render_counts(view) == {**counts, "0": counts["0"] + 1}
        assert [patch.target for patch, _ in changes_since(view, before)] == ["0"]
        assert view.attr(SETTINGS, "class") == "active"
        assert view.text("nav.pagination .page") == "2"
        assert items(view) == ["Item 4", "Item 5", "Item 6"]
