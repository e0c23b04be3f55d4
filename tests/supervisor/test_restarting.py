"""A child whose restart keeps failing: shown as RESTARTING, retried without holding
the supervisor, so calls are answered between attempts.

OTP's hanging_restart_loop, hanging_restart_loop_rest_for_one and
hanging_restart_loop_simple (supervisor_deadlock: each failing start takes 2.5 s,
so 8 restarts in 10 s are never reached and the supervisor retries forever).
Every test runs on the autojump clock; a call that waited for the retry loop to
end would wait forever, and ``answered()`` fails it instead.
"""

import pytest
import trio
import trio.testing
from sup_helpers import Boom

from roost.supervisor import (
    RESTARTING,
    AlreadyPresent,
    ChildRunning,
    ChildSpec,
    DynamicSupervisor,
    Supervisor,
)


def answered() -> trio.CancelScope:
    """The call inside is answered between two attempts (each takes 2.5 s), not after
    the retry loop (which never ends)."""
    return trio.fail_after(3)


class Deadlock:
    """supervisor_deadlock: the starts of the ids in ``failing`` take 2.5 s, then fail."""

    def __init__(self) -> None:
        self.failing: set[str] = set()
        self.attempts = 0
        self.crash: dict[str, trio.Event] = {}

    def spec(self, id: str) -> ChildSpec:
        return ChildSpec(id, self.run, args=(id,), shutdown="brutal_kill")

    async def run(self, id: str, *, task_status):
        if id in self.failing:
            self.attempts += 1
            await trio.sleep(2.5)
            raise Boom(f"{id} cannot start")
        crash = self.crash[id] = trio.Event()
        task_status.started(f"{id} running")
        await crash.wait()
        raise Boom(f"{id} crashed")


@pytest.fixture
def deadlock(no_leaks) -> Deadlock:
    return Deadlock()


async def into_the_loop(deadlock: Deadlock, recorder, id: str, failures: int = 2) -> None:
    deadlock.failing.add(id)
    deadlock.crash[id].set()
    with trio.fail_after(60):
        await recorder.wait_for("start_failed", child=id, count=failures)


@pytest.mark.parametrize("strategy", ["one_for_one", "one_for_all", "rest_for_one"])
async def test_a_failing_restart_shows_as_restarting_and_calls_are_answered_between_attempts(
    deadlock, recorder, autojump_clock, strategy
):
    sup = Supervisor([], strategy=strategy, max_restarts=8, max_seconds=10, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        for id in ("child1", "child2", "child3"):
            await sup.start_child(deadlock.spec(id))
        await into_the_loop(deadlock, recorder, "child2")
        with answered():
            with pytest.raises(AlreadyPresent, match="restarting"):
                await sup.start_child(deadlock.spec("child2"))
        with answered():
            with pytest.raises(ChildRunning, match="restarting"):
                await sup.restart_child("child2")
        with answered():
            with pytest.raises(ChildRunning, match="restarting"):
                await sup.delete_child("child2")
        children = dict((id, value) for id, value, _ in sup.which_children())
        assert children["child2"] is RESTARTING
        # one_for_all: child1 was started again before child2 failed (and will be
        # stopped and started again with the next attempt, as in OTP).
        assert children["child1"] == "child1 running"
        expected_child3 = "child3 running" if strategy == "one_for_one" else None
        assert children["child3"] == expected_child3
        assert sup.count_children() == {
            "specs": 3,
            "active": sum(v is not None and v is not RESTARTING for v in children.values()),
            "supervisors": 0,
            "workers": 3,
        }

        with answered():
            await sup.terminate_child("child2")  # calls the restart off
        attempts = deadlock.attempts
        await trio.sleep(60)
        assert deadlock.attempts == attempts  # no more attempts
        assert [v for id, v, _ in sup.which_children() if id == "child2"] == [None]

        deadlock.failing.clear()
        with answered():
            assert await sup.restart_child("child2") == "child2 running"
        assert [v for id, v, _ in sup.which_children() if id == "child2"] == ["child2 running"]
        await sup.stop()


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
async def test_other_children_can_be_started_and_stopped_while_a_restart_is_failing(
    deadlock, recorder, autojump_clock, strategy
):
    sup = Supervisor([], strategy=strategy, max_restarts=8, max_seconds=10, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        for id in ("child1", "child2"):
            await sup.start_child(deadlock.spec(id))
        await into_the_loop(deadlock, recorder, "child2")
        with answered():
            await sup.terminate_child("child1")
        deadlock.failing.clear()  # child4 starts; and then child2's next attempt succeeds
        with answered():
            assert await sup.start_child(deadlock.spec("child4")) == "child4 running"
        await recorder.wait_for("restarted", child="child2")
        assert [id for id, _, _ in sup.which_children()] == ["child1", "child2", "child4"]
        await sup.stop()


async def test_a_failing_dynamic_restart_shows_as_restarting(deadlock, recorder, autojump_clock):
    # OTP's hanging_restart_loop_simple.
    dyn = DynamicSupervisor(max_restarts=8, max_seconds=10, name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        await dyn.start_child(deadlock.spec("x"))
        await into_the_loop(deadlock, recorder, "x")
        with answered():
            with pytest.raises(AlreadyPresent, match="restarting"):
                await dyn.start_child(deadlock.spec("x"))
        assert dyn.which_children() == [("x", RESTARTING, "worker")]
        assert dyn.count_children() == {"specs": 1, "active": 0, "supervisors": 0, "workers": 1}
        with answered():
            await dyn.terminate_child("x")
        assert dyn.which_children() == []
        await dyn.stop()


async def test_a_restart_that_succeeds_after_failing_shows_its_value_again(
    deadlock, recorder, autojump_clock
):
    sup = Supervisor([], max_restarts=8, max_seconds=10, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.start_child(deadlock.spec("a"))
        await into_the_loop(deadlock, recorder, "a", failures=1)
        deadlock.failing.clear()
        await recorder.wait_for("restarted", child="a")
        assert sup.which_children() == [("a", "a running", "worker")]
        await sup.stop()
