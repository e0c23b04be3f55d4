"""The crashy example: a crash in a component restarts that component alone;
crashing it too often escalates and the view re-mounts."""

from __future__ import annotations

import pytest

from examples.crashy import app
from roost import protocol
from roost.testing import EventError, LiveClient
from tests.actors.conftest import session_of


async def fresh_render(view: LiveClient, target: str, since: int) -> protocol.Render:
    """The first full render of ``target`` received since message ``since``."""

    def found(v: LiveClient) -> protocol.Render | None:
        for message in v.messages[since:]:
            if isinstance(message, protocol.Render) and message.target == target:
                return message
        return None

    found.__name__ = f"a fresh render of {target!r}"
    return await view.wait_for(found)


async def click_crash(view: LiveClient) -> protocol.Render:
    """Click Crash; returns the restarted component's first render."""
    since = len(view.messages)
    error = await view.click("#crash", expect_error=True)
    assert error.code == "crashed"
    return await fresh_render(view, "child", since)


async def crash_past_the_limit(view: LiveClient) -> protocol.Render:
    """Click Crash once more than the components' restart limit allows (three
    restarts just happened); returns the view's fresh render, once its component
    has rendered into it too."""
    since = len(view.messages)
    error = await view.click("#crash", expect_error=True)
    assert error.code == "crashed"
    render = await fresh_render(view, "0", since)
    await view.wait_for("#child-count")  # the view's render left the component's place empty
    return render


async def test_the_crash_button_restarts_only_the_component():
    async with LiveClient.mount(app) as view:
        for _ in range(2):
            await view.click("#parent-inc")
        await view.click("#child-inc")
        assert view.text("#child-count") == "1"
        view_renders = session_of(view).view.renders
        since = len(view.messages)

        with pytest.raises(EventError) as info:
            await view.click("#crash")
        assert info.value.code == "crashed"
        render = await fresh_render(view, "child", since)

        assert render.version == 1
        assert view.text("#child-count") == "0"  # re-mounted with its props
        assert view.text("h2") == "child: 0"
        assert view.text("#parent-count") == "2"
        assert session_of(view).view.renders == view_renders
        changes = (
            m for m in view.messages[since:] if isinstance(m, protocol.Render | protocol.Patch)
        )
        assert [m.target for m in changes] == ["child"]


async def test_the_restarted_component_keeps_responding_and_so_does_the_parent():
    async with LiveClient.mount(app) as view:
        await view.click("#parent-inc")
        await click_crash(view)
        await view.click("#child-inc")
        await view.click("#child-inc")
        assert view.text("#child-count") == "2"
        await view.click("#parent-inc")
        assert view.text("#parent-count") == "2"


async def test_four_quick_crashes_escalate_and_the_view_remounts(autojump_clock):
    async with LiveClient.mount(app) as view:
        for _ in range(2):
            await view.click("#parent-inc")
        for _ in range(3):  # within the components' restart limit
            await click_crash(view)
            assert view.text("#parent-count") == "2"

        render = await crash_past_the_limit(view)

        assert render.version == 1
        assert view.text("#parent-count") == "0"
        assert view.text("#child-count") == "0"
        assert not view.exists('[role="alert"]')
        # The re-mounted page works.
        await view.click("#parent-inc")
        await view.click("#child-inc")
        assert view.text("#parent-count") == "1"
        assert view.text("#child-count") == "1"


async def test_after_an_escalation_a_single_crash_restarts_only_the_component_again(
    autojump_clock,
):
    async with LiveClient.mount(app) as view:
        for _ in range(3):
            await click_crash(view)
        await crash_past_the_limit(view)
        await view.click("#parent-inc")
        view_renders = session_of(view).view.renders

        await click_crash(view)

        assert view.text("#parent-count") == "1"
        assert view.text("#child-count") == "0"
        assert session_of(view).view.renders == view_renders
