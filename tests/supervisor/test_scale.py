"""Supervisors with thousands of children: finding one by id costs the same with ten
or ten thousand, a DynamicSupervisor shuts its children down at once (as OTP's
simple_one_for_one does), and a child is reported as shielding itself only when
it really holds out past its deadline, not when it merely waits for its turn."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import trio
import trio.testing
from sup_helpers import failure_of

from roost.supervisor import (
    AlreadyPresent,
    AlreadyStarted,
    ChildNotFound,
    ChildSpec,
    DynamicSupervisor,
    RestartIntensityExceeded,
    Supervisor,
)


class CountedId:
    """A child id that counts how often it is compared with another id."""

    comparisons = 0

    def __init__(self, n: int) -> None:
        self.n = n

    def __hash__(self) -> int:
        return hash(self.n)

    def __eq__(self, other: object) -> bool:
        CountedId.comparisons += 1
        return isinstance(other, CountedId) and other.n == self.n

    def __repr__(self) -> str:
        return f"CountedId({self.n})"


async def test_start_child_does_not_compare_a_new_id_with_every_existing_one(kids):
    CountedId.comparisons = 0
    ids = [CountedId(n) for n in range(1000)]
    dyn = DynamicSupervisor(name="many")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        for id in ids:
            await dyn.start_child(kids.spec(id, shutdown="brutal_kill"))
        for id in ids[::100]:
            await dyn.terminate_child(id)
        # One comparison per child at most (a dict lookup), not one per pair of children.
        assert CountedId.comparisons <= len(ids)
        with pytest.raises(AlreadyStarted):
            await dyn.start_child(kids.spec(CountedId(501)))
        await dyn.stop()


async def test_many_children_keep_their_order_their_ids_and_their_counts(kids, recorder):
    dyn = DynamicSupervisor(name="many")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        for n in range(300):
            await dyn.start_child(kids.spec(n))
        for n in range(100, 200):
            await dyn.terminate_child(n)
        kids.crash(250)
        await recorder.wait_for("restarted", child=250)
        expected = [n for n in range(300) if not 100 <= n < 200]
        assert [id for id, _, _ in dyn.which_children()] == expected  # restarted in place
        assert [v for id, v, _ in dyn.which_children() if id == 250] == ["250#2"]
        assert dyn.count() == 200
        assert dyn.count_children() == {
            "specs": 200,
            "active": 200,
            "supervisors": 0,
            "workers": 200,
        }
        with pytest.raises(ChildNotFound):
            await dyn.terminate_child(150)
        assert await dyn.start_child(kids.spec(150)) == "150#2"  # its id is free again
        assert dyn.which_children()[-1] == (150, "150#2", "worker")  # added last
        await dyn.stop()
    assert sorted(kids.stops()) == sorted([*range(300), 250, 150])


async def test_a_static_supervisor_finds_its_children_by_id_too(kids):
    sup = Supervisor([kids.spec(n) for n in range(50)], name="static")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.terminate_child(10)
        with pytest.raises(AlreadyPresent):
            await sup.start_child(kids.spec(10))
        with pytest.raises(AlreadyStarted):
            await sup.start_child(kids.spec(11))
        await sup.delete_child(10)
        await sup.start_child(kids.spec(10))
        ids = [id for id, _, _ in sup.which_children()]
        assert ids == [*range(10), *range(11, 50), 10]
        await sup.stop()
    # A static supervisor still stops its children one by one, last started first.
    assert kids.stops() == [10, 10, *range(49, 10, -1), *range(9, -1, -1)]


# -- a DynamicSupervisor stops its children at once ------------------------------------


def barrier_children(count: int, log: list[str]) -> list[ChildSpec]:
    """Children whose cleanup (shielded) waits until every one of them has been cancelled,
    or 10 s (past their 5 s shutdown) if that does not happen."""
    cancelled: set[int] = set()
    everyone = trio.Event()

    def make(n: int) -> ChildSpec:
        async def child(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
            task_status.started(n)
            try:
                await trio.sleep_forever()
            finally:
                with trio.CancelScope(shield=True):
                    cancelled.add(n)
                    if len(cancelled) == count:
                        everyone.set()
                    with trio.move_on_after(10):
                        await everyone.wait()
                    log.append(f"stopped {n}" if everyone.is_set() else f"gave up {n}")

        return ChildSpec(n, child, shutdown=5, restart="temporary")

    return [make(n) for n in range(count)]


async def test_stop_cancels_every_dynamic_child_at_once(recorder, autojump_clock):
    # Sequential shutdown would wait for child 99 before cancelling child 98,
    # and child 99 waits for all of them: it would only end by reporting them.
    log: list[str] = []
    dyn = DynamicSupervisor(name="sessions")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        for spec in barrier_children(100, log):
            await dyn.start_child(spec)
        start = trio.current_time()
        await dyn.stop()
        assert trio.current_time() == start  # no deadline had to run out
    assert sorted(log) == sorted(f"stopped {n}" for n in range(100))
    assert recorder.of("shutdown_overdue") == []
    assert len(recorder.of("shutdown", supervisor="sessions")) == 100


async def test_a_dynamic_supervisor_escalating_also_stops_its_children_at_once(
    no_leaks, autojump_clock
):
    log: list[str] = []
    dyn = DynamicSupervisor(name="sessions", max_restarts=0)

    async def crasher(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        await trio.sleep(1)
        raise RuntimeError("boom")

    async def scenario() -> None:
        for spec in barrier_children(20, log):
            await dyn.start_child(spec)
        await dyn.start_child(ChildSpec("crasher", crasher))

    start = trio.current_time()
    failure = await failure_of(dyn, scenario)
    assert isinstance(failure, RestartIntensityExceeded)
    assert sorted(log) == sorted(f"stopped {n}" for n in range(20))
    assert trio.current_time() == start + 1  # the crash, then no deadline ran out


# -- only a child that really holds out is reported -----------------------------------


@pytest.fixture
def mock_clock() -> trio.testing.MockClock:
    return trio.testing.MockClock()


async def busy_loop(clock: trio.testing.MockClock, stop: trio.Event) -> None:
    """A task that makes a second pass on every turn of the event loop: as if the loop
    were busy with thousands of others, or stopped for a garbage collection each turn."""
    while not stop.is_set():
        clock.jump(1)
        await trio.lowlevel.checkpoint()


def stepping_child(steps: int, log: list[str]) -> Any:
    """A child whose cleanup takes ``steps`` turns of the loop (shielded, never blocked)."""

    async def child(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            with trio.CancelScope(shield=True):
                for _ in range(steps):
                    await trio.lowlevel.checkpoint()
                log.append("cleanup done")

    return child


async def test_a_child_past_its_deadline_only_for_want_of_turns_is_not_reported(
    recorder, mock_clock
):
    # Its cleanup takes 12 turns of the loop, every turn takes a second: it ends
    # some 13 s after it was cancelled, past its 10 s, without ever holding out.
    log: list[str] = []
    sup = Supervisor([ChildSpec("busy", stepping_child(12, log), shutdown=10)], name="s")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        nursery.start_soon(busy_loop, mock_clock, stop)
        start = trio.current_time()
        await sup.stop()
        stop.set()
    assert log == ["cleanup done"]
    assert trio.current_time() - start > 10  # it did outlast its deadline on the clock
    assert recorder.of("shutdown_overdue") == []


async def test_a_child_that_keeps_running_past_a_second_deadline_is_reported(recorder, mock_clock):
    log: list[str] = []
    sup = Supervisor([ChildSpec("spinner", stepping_child(60, log), shutdown=10)], name="s")
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        nursery.start_soon(busy_loop, mock_clock, stop)
        await sup.stop()
        stop.set()
    assert log == ["cleanup done"]
    (overdue,) = recorder.of("shutdown_overdue", child="spinner")
    assert "in child" in overdue.detail["stack"]  # the child's own frame


async def test_with_no_grace_a_child_is_still_given_its_turns_to_end(recorder, mock_clock):
    log: list[str] = []
    sup = Supervisor([ChildSpec("c", stepping_child(3, log), shutdown=0)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    assert log == ["cleanup done"]
    assert recorder.of("shutdown_overdue") == []


async def test_with_no_grace_a_child_that_holds_out_is_reported_at_once(recorder, autojump_clock):
    log: list[str] = []
    sup = Supervisor([ChildSpec("c", shielded_sleeper(5, log), shutdown=0)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        assert trio.current_time() - start == 5
    assert log == ["cleanup done"]
    (overdue,) = recorder.of("shutdown_overdue")
    assert overdue.child == "c" and "in child" in overdue.detail["stack"]


def shielded_sleeper(seconds: float, log: list[str]) -> Any:
    """A child whose cleanup blocks for ``seconds``, shielded from cancellation."""

    async def child(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            with trio.CancelScope(shield=True):
                await trio.sleep(seconds)
                log.append("cleanup done")

    return child


def _alive(*kinds: type) -> int:
    """How many objects of these types the process holds now."""
    return sum(1 for o in gc.get_objects() if isinstance(o, kinds))


async def test_a_running_child_does_not_keep_the_nursery_its_start_used(kids):
    # Trio's start() runs a child in a temporary nursery until it reports
    # started; a task status kept for the child's lifetime kept that nursery
    # (with its cancel scope) too: about 0.6 KiB for every child and session.
    dyn = DynamicSupervisor(name="many")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        before = _alive(trio.Nursery)
        for n in range(200):
            await dyn.start_child(kids.spec(n, shutdown="brutal_kill"))
        assert len(dyn.which_children()) == 200
        assert _alive(trio.Nursery) - before < 20
        await dyn.stop()


async def test_supervisors_waiting_for_their_children_hold_no_event_each(no_leaks):
    # A session's supervisor waits on its children for all its life: an
    # event (and its parking lot) for each was about 1 KiB per session.
    async def child(*, task_status: Any) -> None:
        task_status.started()
        await trio.sleep_forever()

    sups = [
        Supervisor([ChildSpec("c", child, shutdown="brutal_kill")], name=f"s{n}")
        for n in range(100)
    ]
    async with trio.open_nursery() as nursery:
        before = _alive(trio.Event, trio.lowlevel.ParkingLot)
        for sup in sups:
            await nursery.start(sup.run)
        await trio.testing.wait_all_tasks_blocked()
        assert _alive(trio.Event, trio.lowlevel.ParkingLot) - before < 20
        for sup in sups:
            await sup.stop()
