"""Ordered start: each child is started when it says so, failures reach the caller."""

import anyio
import pytest
import trio
import trio.testing
from sup_helpers import Boom

from roost.supervisor import ChildNeverStarted, ChildSpec, ChildStartError, Supervisor


async def test_children_start_in_order_and_run_reports_the_supervisor(kids):
    sup = Supervisor([kids.spec("a"), kids.spec("b"), kids.spec("c")], name="s")
    async with trio.open_nursery() as nursery:
        assert await nursery.start(sup.run) is sup
        assert kids.log == [("start", "a"), ("start", "b"), ("start", "c")]
        assert sup.which_children() == [
            ("a", "a#1", "worker"),
            ("b", "b#1", "worker"),
            ("c", "c#1", "worker"),
        ]
        await sup.stop()


async def test_the_next_child_starts_only_after_the_previous_one_reported_started(kids):
    release = trio.Event()
    order = []

    async def slow(*, task_status):
        order.append("slow begins")
        await release.wait()
        order.append("slow started")
        task_status.started("slow")
        await trio.sleep_forever()

    sup = Supervisor([ChildSpec("slow", slow), kids.spec("b")], name="s")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(sup.run)
        await trio.testing.wait_all_tasks_blocked()
        assert order == ["slow begins"] and kids.log == []
        release.set()
        await trio.testing.wait_all_tasks_blocked()
        assert order == ["slow begins", "slow started"] and kids.log == [("start", "b")]
        await sup.stop()


async def test_a_start_failure_in_the_middle_stops_the_started_children_in_reverse(kids, recorder):
    kids.fail_start["c"] = Boom("c cannot start")
    sup = Supervisor([kids.spec(x) for x in "abcd"], name="s")
    async with trio.open_nursery() as nursery:
        with pytest.raises(ChildStartError) as info:
            await nursery.start(sup.run)
    assert info.value.child == "c" and info.value.supervisor == "s"
    assert isinstance(info.value.__cause__, Boom)
    assert kids.log == [("start", "a"), ("start", "b"), ("stop", "b"), ("stop", "a")]
    assert "d" not in kids.starts
    assert recorder.kinds() == [
        "started",
        "started",
        "start_failed",
        "shutdown",
        "shutdown",
        "escalated",
        "supervisor_stopped",
    ]


async def test_a_start_failure_without_task_group_raises_to_the_caller_of_run(kids):
    kids.fail_start["a"] = Boom("no")
    with pytest.raises(ChildStartError) as info:
        await Supervisor([kids.spec("a")], name="s").run()
    assert isinstance(info.value.__cause__, Boom)


async def test_a_start_function_that_returns_without_started_is_a_start_failure(no_leaks):
    async def forgetful(*, task_status):
        return

    with pytest.raises(ChildStartError) as info:
        await Supervisor([ChildSpec("f", forgetful)], name="s").run()
    assert isinstance(info.value.__cause__, ChildNeverStarted)


async def test_cancelling_the_parent_during_start_stops_the_children_already_started(
    kids, autojump_clock
):
    async def never_ready(*, task_status):
        await trio.sleep_forever()

    sup = Supervisor([kids.spec("a"), ChildSpec("stuck", never_ready)], name="s")
    with trio.move_on_after(1) as scope:
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
    assert scope.cancelled_caught
    assert kids.log == [("start", "a"), ("stop", "a")]


async def test_an_empty_supervisor_starts_and_stops(no_leaks):
    sup = Supervisor([], name="empty")
    async with anyio.create_task_group() as tg:
        await tg.start(sup.run)
        assert sup.count_children() == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
        await sup.stop()


async def test_a_supervisor_can_run_again_after_it_stopped(kids):
    sup = Supervisor([kids.spec("a")], name="s")
    for _ in range(2):
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            await sup.stop()
    assert kids.starts["a"] == 2


async def test_running_the_same_supervisor_twice_at_once_is_refused(kids):
    sup = Supervisor([kids.spec("a")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        with pytest.raises(RuntimeError, match="already running"):
            await sup.run()
        await sup.stop()
