"""A child's start holds no lock: one slow start blocks no other operation.

Children here wait, before they report started, on an event the test sets
(``kids.hold(id)``): no test sleeps on a clock. Every test runs on the
autojump clock, so a call that should not wait but does fails at once in
``promptly()`` instead of hanging the suite.
"""

import pytest
import trio
import trio.testing
from sup_helpers import Boom

from roost.supervisor import (
    RESTARTING,
    AlreadyPresent,
    AlreadyStarted,
    ChildRunning,
    ChildSpec,
    ChildTerminated,
    DynamicSupervisor,
    MaxChildrenReached,
    Supervisor,
)


def promptly() -> trio.CancelScope:
    """The call inside must not wait for anything: on the autojump clock, if it
    did, time would jump and this would raise ``TooSlowError`` at once."""
    return trio.fail_after(60)


@pytest.fixture
async def dyn(kids, recorder):
    sup = DynamicSupervisor(max_children=3, name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        yield sup
        await sup.stop()


@pytest.fixture
async def static(kids, recorder):
    """A running one_for_one Supervisor with children a and b."""
    sup = Supervisor([kids.spec("a"), kids.spec("b")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        yield sup
        await sup.stop()


class Outcome:
    """What a call run in the background returned or raised."""

    def __init__(self) -> None:
        self.value: object = None
        self.error: BaseException | None = None
        self.done = trio.Event()

    async def run(self, fn, *args) -> None:
        try:
            self.value = await fn(*args)
        except Exception as exc:
            self.error = exc
        finally:
            self.done.set()


async def begin(nursery, fn, *args) -> Outcome:
    """Call ``fn(*args)`` in the background; return once everything else is blocked."""
    outcome = Outcome()
    nursery.start_soon(outcome.run, fn, *args)
    await trio.testing.wait_all_tasks_blocked()
    return outcome


# -- DynamicSupervisor -----------------------------------------------------------


async def test_a_child_stuck_in_its_start_does_not_block_starting_another(
    dyn, kids, autojump_clock
):
    gate = kids.hold("slow")
    async with trio.open_nursery() as nursery:
        slow = await begin(nursery, dyn.start_child, kids.spec("slow"))
        assert kids.waiting == {"slow"}
        with promptly():
            assert await dyn.start_child(kids.spec("quick")) == "quick#1"
        assert not slow.done.is_set()
        gate.set()
    assert slow.value == "slow#1"
    assert dyn.which_children() == [("slow", "slow#1", "worker"), ("quick", "quick#1", "worker")]


async def test_a_child_stuck_in_its_start_does_not_block_terminating_another(
    dyn, kids, recorder, autojump_clock
):
    await dyn.start_child(kids.spec("other"))
    gate = kids.hold("slow")
    async with trio.open_nursery() as nursery:
        slow = await begin(nursery, dyn.start_child, kids.spec("slow"))
        with promptly():
            await dyn.terminate_child("other")
        assert kids.stops() == ["other"] and recorder.of("shutdown", child="other")
        assert not slow.done.is_set()
        gate.set()
    assert dyn.which_children() == [("slow", "slow#1", "worker")]


async def test_a_starting_child_is_listed_and_counted_but_not_active(
    dyn, kids, recorder, autojump_clock
):
    await dyn.start_child(kids.spec("x"))
    gate = kids.hold("slow")
    async with trio.open_nursery() as nursery:
        await begin(nursery, dyn.start_child, kids.spec("slow"))
        assert dyn.which_children() == [("x", "x#1", "worker"), ("slow", None, "worker")]
        assert dyn.count_children() == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
        assert recorder.of("started", child="slow") == []  # not until it calls started()
        gate.set()
    assert dyn.count_children() == {"specs": 2, "active": 2, "supervisors": 0, "workers": 2}
    assert recorder.kinds("slow") == ["started"]


async def test_terminating_a_starting_child_cancels_its_start(dyn, kids, recorder, autojump_clock):
    kids.hold("slow")
    async with trio.open_nursery() as nursery:
        slow = await begin(nursery, dyn.start_child, kids.spec("slow"))
        with promptly():
            await dyn.terminate_child("slow")
        assert kids.waiting == set()  # its start function was cancelled, and has ended
        await slow.done.wait()
    assert isinstance(slow.error, ChildTerminated)
    assert (slow.error.supervisor, slow.error.child) == ("d", "slow")
    assert "terminated while starting" in str(slow.error)
    assert "slow" not in kids.starts  # it never reported started
    assert dyn.which_children() == []
    assert recorder.kinds("slow") == ["shutdown"]
    assert recorder.of("shutdown", child="slow")[0].reason == "shutdown"
    # Its id and slot are free again.
    assert await dyn.start_child(kids.spec("slow")) == "slow#1"


async def test_a_child_reporting_started_as_it_is_terminated_is_stopped_and_awaited(
    dyn, recorder, autojump_clock
):
    release = trio.Event()
    log = []

    async def stubborn(*, task_status):
        try:
            await trio.sleep_forever()
        finally:
            with trio.CancelScope(shield=True):
                await release.wait()
                task_status.started("too late")
                log.append("cleaned up")

    with promptly():
        async with trio.open_nursery() as nursery:
            starting = await begin(nursery, dyn.start_child, ChildSpec("st", stubborn))
            terminating = await begin(nursery, dyn.terminate_child, "st")
            assert not terminating.done.is_set()  # it waits for the child to end
            release.set()
    assert log == ["cleaned up"]
    assert isinstance(starting.error, ChildTerminated)
    assert terminating.error is None
    assert recorder.kinds("st") == ["shutdown"]
    assert dyn.which_children() == []


async def test_terminating_a_start_stuck_past_its_shutdown_timeout_reports_it(
    kids, recorder, autojump_clock
):
    async def deaf(*, task_status):
        with trio.CancelScope(shield=True):
            await trio.sleep(30)

    sup = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        starting = await begin(nursery, sup.start_child, ChildSpec("deaf", deaf, shutdown=5))
        before = trio.current_time()
        await sup.terminate_child("deaf")
        assert trio.current_time() - before == pytest.approx(30)
        await sup.stop()
    assert isinstance(starting.error, ChildTerminated)
    assert recorder.kinds("deaf") == ["shutdown_overdue", "shutdown"]


async def test_a_start_failure_frees_its_id_and_its_slot(kids, recorder, autojump_clock):
    sup = DynamicSupervisor(max_children=1, name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.fail_start["x"] = Boom("no")
        with pytest.raises(Boom):
            await sup.start_child(kids.spec("x"))
        assert sup.count_children()["specs"] == 0
        assert await sup.start_child(kids.spec("x")) == "x#1"
        await sup.stop()


async def test_max_children_counts_children_that_are_starting(kids, recorder, autojump_clock):
    sup = DynamicSupervisor(max_children=1, name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.hold("slow")
        slow = await begin(nursery, sup.start_child, kids.spec("slow"))
        with promptly(), pytest.raises(MaxChildrenReached):
            await sup.start_child(kids.spec("other"))
        assert "other" not in kids.starts
        await sup.terminate_child("slow")
        await slow.done.wait()
        assert await sup.start_child(kids.spec("other")) == "other#1"
        await sup.stop()


async def test_the_id_of_a_starting_child_is_taken(dyn, kids, autojump_clock):
    gate = kids.hold("x")
    async with trio.open_nursery() as nursery:
        await begin(nursery, dyn.start_child, kids.spec("x"))
        with promptly(), pytest.raises(AlreadyStarted, match="starting"):
            await dyn.start_child(kids.spec("x"))
        gate.set()
    assert kids.starts["x"] == 1


async def test_stopping_the_supervisor_cancels_starts_under_way(kids, recorder, autojump_clock):
    sup = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.start_child(kids.spec("a"))
        kids.hold("slow")
        slow = await begin(nursery, sup.start_child, kids.spec("slow"))
        with promptly():
            await sup.stop()
        assert slow.done.is_set()
    assert isinstance(slow.error, ChildTerminated)
    assert "shut down with its supervisor" in str(slow.error)
    assert kids.stops() == ["a"] and "slow" not in kids.starts
    # A DynamicSupervisor stops its children at once, starting or started: no order.
    assert sorted(e.child for e in recorder.of("shutdown")) == ["a", "slow"]


async def test_a_slow_restart_blocks_no_other_operation(dyn, kids, recorder, autojump_clock):
    for id in "xz":
        await dyn.start_child(kids.spec(id))
    gate = kids.hold("x")
    kids.crash("x")
    await recorder.wait_for("exited", child="x")
    await trio.testing.wait_all_tasks_blocked()
    assert kids.waiting == {"x"}
    assert dyn.which_children() == [("x", RESTARTING, "worker"), ("z", "z#1", "worker")]
    with promptly():
        assert await dyn.start_child(kids.spec("y")) == "y#1"
        await dyn.terminate_child("z")
        kids.crash("y")  # another child's exit is handled meanwhile
        await recorder.wait_for("restarted", child="y")
    assert dyn.count_children() == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
    gate.set()
    await recorder.wait_for("restarted", child="x")
    assert dyn.which_children() == [("x", "x#2", "worker"), ("y", "y#2", "worker")]


async def test_terminating_a_child_whose_restart_is_starting_calls_the_restart_off(
    dyn, kids, recorder, autojump_clock
):
    await dyn.start_child(kids.spec("x"))
    kids.hold("x")
    kids.crash("x")
    await recorder.wait_for("exited", child="x")
    await trio.testing.wait_all_tasks_blocked()
    with promptly():
        await dyn.terminate_child("x")
    await trio.testing.wait_all_tasks_blocked()
    assert dyn.which_children() == [] and kids.waiting == set()
    assert recorder.kinds("x") == ["started", "exited", "shutdown"]


async def test_a_start_function_may_start_a_sibling_through_its_own_supervisor(
    dyn, kids, autojump_clock
):
    async def spawner(*, task_status):
        await dyn.start_child(kids.spec("helper"))
        task_status.started("spawner")
        await trio.sleep_forever()

    with promptly():  # it would wait for itself if starts were serialised
        assert await dyn.start_child(ChildSpec("spawner", spawner)) == "spawner"
    assert [id for id, _, _ in dyn.which_children()] == ["spawner", "helper"]


# -- Supervisor ------------------------------------------------------------------


async def test_one_for_one_a_stuck_start_blocks_no_other_operation(static, kids, autojump_clock):
    await static.terminate_child("a")
    gate = kids.hold("c")
    async with trio.open_nursery() as nursery:
        c = await begin(nursery, static.start_child, kids.spec("c"))
        with promptly():
            assert await static.restart_child("a") == "a#2"
            await static.terminate_child("b")
            await static.delete_child("b")
            assert await static.start_child(kids.spec("d")) == "d#1"
        assert static.which_children() == [
            ("a", "a#2", "worker"),
            ("c", None, "worker"),
            ("d", "d#1", "worker"),
        ]
        assert static.count_children() == {
            "specs": 3,
            "active": 2,
            "supervisors": 0,
            "workers": 3,
        }
        assert not c.done.is_set()
        gate.set()
    assert c.value == "c#1"


async def test_operations_on_a_starting_child(static, kids, autojump_clock):
    gate = kids.hold("c")
    async with trio.open_nursery() as nursery:
        await begin(nursery, static.start_child, kids.spec("c"))
        with promptly():
            with pytest.raises(AlreadyStarted):
                await static.start_child(kids.spec("c"))
            with pytest.raises(ChildRunning, match="starting"):
                await static.restart_child("c")
            with pytest.raises(ChildRunning, match="starting"):
                await static.delete_child("c")
        gate.set()


async def test_a_child_terminated_while_start_child_adds_it_is_not_kept(
    static, kids, recorder, autojump_clock
):
    kids.hold("c")
    async with trio.open_nursery() as nursery:
        c = await begin(nursery, static.start_child, kids.spec("c"))
        with promptly():
            await static.terminate_child("c")
    assert isinstance(c.error, ChildTerminated)
    assert [id for id, _, _ in static.which_children()] == ["a", "b"]
    assert await static.start_child(kids.spec("c")) == "c#1"  # no AlreadyPresent


async def test_a_child_terminated_while_restart_child_starts_it_keeps_its_spec(
    static, kids, autojump_clock
):
    await static.terminate_child("a")
    kids.hold("a")
    async with trio.open_nursery() as nursery:
        restarting = await begin(nursery, static.restart_child, "a")
        with promptly():
            await static.terminate_child("a")
    assert isinstance(restarting.error, ChildTerminated)
    assert static.which_children()[0] == ("a", None, "worker")
    with pytest.raises(AlreadyPresent):
        await static.start_child(kids.spec("a"))
    assert await static.restart_child("a") == "a#2"


async def test_a_start_failure_of_a_one_for_one_restart_is_retried_without_blocking(
    static, kids, recorder, autojump_clock
):
    kids.fail_start["a"] = Boom("first restart fails")
    kids.crash("a")
    await recorder.wait_for("restarted", child="a")
    assert recorder.kinds("a")[-3:] == ["exited", "start_failed", "restarted"]
    assert static.which_children()[0] == ("a", "a#2", "worker")


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
async def test_strategies_that_restart_in_order_serialise_operations(
    strategy, kids, recorder, autojump_clock
):
    sup = Supervisor([kids.spec("a"), kids.spec("b")], strategy=strategy, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        gate = kids.hold("c")
        c = await begin(nursery, sup.start_child, kids.spec("c"))
        terminating = await begin(nursery, sup.terminate_child, "a")
        # "a" stays up until c has started: c may depend on it.
        assert "a" in kids.running() and not terminating.done.is_set()
        gate.set()
        await terminating.done.wait()
        assert c.value == "c#1" and "a" not in kids.running()
        await sup.stop()


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
async def test_terminating_a_starting_child_never_waits_whatever_the_strategy(
    strategy, kids, recorder, autojump_clock
):
    sup = Supervisor([kids.spec("a")], strategy=strategy, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.hold("c")
        c = await begin(nursery, sup.start_child, kids.spec("c"))
        with promptly():
            await sup.terminate_child("c")
            await c.done.wait()
        assert isinstance(c.error, ChildTerminated)
        assert [id for id, _, _ in sup.which_children()] == ["a"]
        await sup.stop()


async def test_a_child_terminated_during_a_one_for_all_restart_stays_stopped(
    kids, recorder, autojump_clock
):
    sup = Supervisor([kids.spec(id) for id in "abc"], strategy="one_for_all", name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.hold("b")
        kids.crash("a")
        await trio.testing.wait_all_tasks_blocked()
        assert kids.waiting == {"b"}  # a restarted; b starting; c waits its turn
        with promptly():
            await sup.terminate_child("b")
        await recorder.wait_for("restarted", child="c")
        assert sup.which_children() == [
            ("a", "a#2", "worker"),
            ("b", None, "worker"),
            ("c", "c#2", "worker"),
        ]
        await sup.stop()
