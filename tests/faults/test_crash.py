"""Crashes on the examples: what a user sees when an actor fails, and how a
test finds out about a crash it did not inject."""

from __future__ import annotations

import pytest

from examples.chat import TOPIC, ChatView
from examples.counter import Counter
from examples.crashy import CrashyView
from roost import App, protocol
from roost.testing import EventError, InjectedCrash, LiveClient, UnexpectedCrash

counter = App({"/": Counter}, title="roost counter")
crashy = App({"/": CrashyView}, title="roost crashy")
chat = App({"/": ChatView}, title="roost chat")


async def test_a_crashed_view_comes_back_with_the_count_it_kept():
    # examples.counter opts in (persist = True): its count is in a snapshot,
    # saved before each click's ack, and a restart resumes it.
    async with LiveClient.mount(counter, "/?start=41") as view:
        await view.click("[aria-label=increment]")
        await view.click("[aria-label=increment]")
        assert view.text("#count") == "43"

        render = await view.crash("0")

        # Re-rendered in place, not reloaded: a full Render of the view alone.
        assert isinstance(render, protocol.Render) and render.version == 1
        assert view.text("#count") == "43"  # the acknowledged clicks are kept
        assert view.restarts("0") == 1
        [report] = view.crashes
        assert report.target == "0" and isinstance(report.exception, InjectedCrash)
        await view.click("[aria-label=increment]")
        assert view.text("#count") == "44"


async def test_a_crashed_component_restarts_alone_and_the_parent_keeps_its_count():
    async with LiveClient.mount(crashy) as view:
        await view.click("#parent-inc")
        await view.click("#parent-inc")
        await view.click("#child-inc")

        render = await view.crash("child")

        assert isinstance(render, protocol.Render) and render.target == "child"
        assert view.text("#parent-count") == "2"
        assert view.text("#child-count") == "0"  # the child's own count is lost
        assert view.text("h2") == "child: 0"  # re-mounted from its props
        assert (view.restarts("0"), view.restarts("child")) == (0, 1)


async def test_the_crash_button_is_answered_crashed_and_then_the_child_works_again():
    async with LiveClient.mount(crashy) as view:
        await view.click("#child-inc")
        with pytest.raises(EventError) as info:
            await view.click("#crash")
        assert info.value.code == protocol.CRASHED
        await view.wait_for(lambda v: v.restarts("child") == 1)
        await view.wait_for("#child-count", "0")
        await view.click("#child-inc")
        assert view.text("#child-count") == "1"
        # The crash came back to the test as the click's reply: no surprise.
        assert [type(r.exception) for r in view.crashes] == [RuntimeError]


async def test_past_the_restart_limit_the_user_sees_an_error_in_place_of_the_view(
    autojump_clock,
):
    async with LiveClient.mount(counter) as view:
        for _ in range(counter.max_restarts):
            render = await view.crash("0")
            assert isinstance(render, protocol.Render)

        crash = await view.crash("0")

        assert isinstance(crash, protocol.Crash) and crash.target == "0"
        assert view.text('[role="alert"]') == crash.message
        assert "Reload" in crash.message
        assert not view.exists("[aria-label=increment]")


async def test_a_crash_the_test_did_not_inject_fails_it_at_its_next_call():
    # Another process publishing on the chat's topic what the chat cannot
    # read crashes every tab in the room, from handle_info, unprompted.
    async with LiveClient.mount(chat, "/?name=ann") as view:
        await view.event("post", text="hello", name="ann")
        await chat.runtime.pubsub.broadcast(TOPIC, "not a chat message")
        await view.wait_for(lambda v: v.restarts("0") == 1)  # the call it happened in
        with pytest.raises(UnexpectedCrash) as info:
            view.text("h1")
        assert "actor '0'" in str(info.value) and "TypeError" in str(info.value)
        # Said once; the tab itself carries on, re-mounted: the room's history
        # stays on the page (a stream the page holds).
        assert view.text("#messages li") == "ann: hello"


async def test_a_crash_after_the_tests_last_call_fails_the_test_when_the_block_ends():
    with pytest.raises(UnexpectedCrash, match="TypeError"):
        async with LiveClient.mount(chat) as view:
            await view.event("post", text="hello", name="ann")
            await chat.runtime.pubsub.broadcast(TOPIC, 42)


async def test_allow_crashes_names_the_actors_a_test_lets_crash():
    async with LiveClient.mount(chat, allow_crashes={"0"}) as view:
        await chat.runtime.pubsub.broadcast(TOPIC, None)
        await view.wait_for(lambda v: v.restarts("0") == 1)
        [report] = view.crashes
        assert report.target == "0" and isinstance(report.exception, TypeError)
        await view.event("post", text="still here", name="ann")
        await view.wait_for("#messages li", "ann: still here")
