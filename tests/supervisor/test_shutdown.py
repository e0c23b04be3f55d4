"""Reverse-ordered shutdown, shutdown timeouts, and children that ignore cancellation."""

import logging

import pytest
import trio
import trio.testing
from sup_helpers import Boom

from roost.supervisor import ChildSpec, Supervisor


async def test_cancelling_the_parent_stops_children_in_reverse_and_run_returns_normally(
    kids, recorder
):
    sup = Supervisor([kids.spec(x) for x in "abc"], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        nursery.cancel_scope.cancel()
    assert kids.stops() == ["c", "b", "a"]
    stopped = recorder.of("supervisor_stopped")
    assert [e.reason for e in stopped] == ["normal"]


async def test_stop_stops_children_in_reverse_and_run_returns_normally(kids):
    sup = Supervisor([kids.spec(x) for x in "abc"], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
        assert kids.stops() == ["c", "b", "a"]
        assert not sup.running
    await sup.stop()  # stopping a stopped supervisor is a no-op


async def test_each_child_is_cancelled_only_after_the_later_ones_have_ended(no_leaks):
    seen = []
    a_alive = True

    async def child(name, *, task_status):
        nonlocal a_alive
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            # b must see a still running: a is stopped after b has ended.
            seen.append((name, a_alive))
            if name == "a":
                a_alive = False

    sup = Supervisor([ChildSpec("a", child, args=("a",)), ChildSpec("b", child, args=("b",))])
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    assert seen == [("b", True), ("a", True)]


def shielded_child(cleanup_seconds: float, log: list[str]):
    async def child(*, task_status):
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            with trio.CancelScope(shield=True):
                await trio.sleep(cleanup_seconds)
                log.append("cleanup done")

    return child


async def test_a_child_that_cleans_up_within_its_timeout_is_not_reported(recorder, autojump_clock):
    log: list[str] = []
    sup = Supervisor([ChildSpec("slow", shielded_child(2, log), shutdown=5)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    assert log == ["cleanup done"]
    assert recorder.of("shutdown_overdue") == []


async def test_a_child_that_outlives_its_shutdown_timeout_is_reported_and_awaited(
    recorder, autojump_clock, caplog
):
    log: list[str] = []
    sup = Supervisor([ChildSpec("stubborn", shielded_child(30, log), shutdown=5)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        # The supervisor waited for the child: nothing of the tree outlives it.
        assert trio.current_time() - start == 30
    assert log == ["cleanup done"]
    (overdue,) = recorder.of("shutdown_overdue", child="stubborn")
    assert overdue.supervisor == "s" and overdue.detail["timeout"] == 5
    assert "test_shutdown.py" in overdue.detail["stack"]  # the child's own frames
    (record,) = [r for r in caplog.records if getattr(r, "event", None) == "shutdown_overdue"]
    assert record.levelno == logging.ERROR and record.name == "roost.supervisor"
    assert record.child == "stubborn" and record.supervisor == "s"
    assert "s/stubborn:" in record.getMessage() and "in child" in record.getMessage()
    assert recorder.kinds("stubborn")[-2:] == ["shutdown_overdue", "shutdown"]


async def test_the_overdue_report_includes_the_tasks_the_child_started(recorder, autojump_clock):
    async def child(*, task_status):
        async def helper():
            with trio.CancelScope(shield=True):
                await trio.sleep(10)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(helper, name="the-helper")
            task_status.started()

    sup = Supervisor([ChildSpec("parent", child, shutdown=1)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    (overdue,) = recorder.of("shutdown_overdue")
    assert "the-helper" in overdue.detail["stack"] and "in helper" in overdue.detail["stack"]


@pytest.mark.parametrize("shutdown", ["infinity", "brutal_kill"])
async def test_keyword_shutdowns_cancel_at_once_and_wait_without_reporting(
    shutdown, recorder, autojump_clock
):
    log: list[str] = []
    sup = Supervisor([ChildSpec("c", shielded_child(100, log), shutdown=shutdown)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        assert trio.current_time() - start == 100
    assert log == ["cleanup done"]
    assert recorder.of("shutdown_overdue") == []


async def test_a_child_that_exits_at_once_when_cancelled_costs_no_time(kids, autojump_clock):
    sup = Supervisor([kids.spec("a", shutdown=5)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        assert trio.current_time() == start


async def test_an_error_raised_while_shutting_down_is_reported_not_restarted(recorder):
    async def grumpy(*, task_status):
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            raise Boom("while cleaning up")

    sup = Supervisor([ChildSpec("g", grumpy)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.terminate_child("g")
        assert sup.which_children() == [("g", None, "worker")]
        await sup.stop()
    (shutdown,) = recorder.of("shutdown", child="g")
    assert isinstance(shutdown.exception, Boom) and "while cleaning up" in shutdown.reason
    assert recorder.of("restarted") == []


async def test_a_child_ending_by_itself_during_shutdown_is_not_restarted(kids, recorder):
    async def b_stops_and_a_crashes(*, task_status):
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            kids.crash("a")  # a crashes while its supervisor is already stopping

    sup = Supervisor([kids.spec("a"), ChildSpec("b", b_stops_and_a_crashes)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    assert kids.starts["a"] == 1
    assert recorder.of("restarted") == []
