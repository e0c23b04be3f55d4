"""A start function with nothing to run returns IGNORE (OTP's ``ignore``).

OTP's sup_start_ignore_child, sup_start_ignore_temporary_child(_start_child),
sup_start_ignore_*_start_child_simple and simple_one_for_one_restart_ignore.
"""

import pytest
import trio
import trio.testing
from sup_helpers import Boom

from roost.supervisor import (
    IGNORE,
    ChildSpec,
    ChildStartError,
    DynamicSupervisor,
    Supervisor,
)


class Switch:
    """Children whose next starts return IGNORE while ``ignoring`` says so."""

    def __init__(self) -> None:
        self.ignoring: set[str] = set()
        self.crash: dict[str, trio.Event] = {}

    def spec(self, id: str, **options) -> ChildSpec:
        return ChildSpec(id, self.run, args=(id,), **options)

    async def run(self, id: str, *, task_status):
        if id in self.ignoring:
            return IGNORE
        crash = self.crash[id] = trio.Event()
        task_status.started(f"{id} running")
        await crash.wait()
        raise Boom(f"{id} crashed")


@pytest.fixture
def switch(no_leaks) -> Switch:
    return Switch()


async def test_a_static_child_that_ignores_keeps_its_spec_and_is_not_running(
    switch, recorder, autojump_clock
):
    # OTP's sup_start_ignore_child.
    sup = Supervisor([], name="s")
    switch.ignoring.add("child1")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        assert await sup.start_child(switch.spec("child1")) is IGNORE
        assert await sup.start_child(switch.spec("child2")) == "child2 running"
        assert sup.which_children() == [
            ("child1", None, "worker"),
            ("child2", "child2 running", "worker"),
        ]
        assert sup.count_children() == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
        assert [e.child for e in recorder.of("ignored")] == ["child1"]
        assert await sup.restart_child("child1") is IGNORE
        switch.ignoring.clear()
        assert await sup.restart_child("child1") == "child1 running"
        await sup.stop()


async def test_an_initial_child_that_ignores_is_kept_and_the_next_ones_start(
    switch, autojump_clock
):
    switch.ignoring.add("a")
    sup = Supervisor([switch.spec("a"), switch.spec("b")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        assert sup.which_children() == [("a", None, "worker"), ("b", "b running", "worker")]
        await sup.stop()


async def test_a_temporary_child_that_ignores_is_not_kept(switch, autojump_clock):
    # OTP's sup_start_ignore_temporary_child and ..._start_child.
    switch.ignoring.update({"child1", "child3"})
    sup = Supervisor(
        [switch.spec("child1", restart="temporary"), switch.spec("child2", restart="temporary")],
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        assert await sup.start_child(switch.spec("child3", restart="temporary")) is IGNORE
        assert sup.which_children() == [("child2", "child2 running", "worker")]
        assert sup.count_children() == {"specs": 1, "active": 1, "supervisors": 0, "workers": 1}
        await sup.stop()


@pytest.mark.parametrize("restart", ["permanent", "temporary"])
async def test_a_dynamic_child_that_ignores_is_not_added(switch, restart, autojump_clock):
    # OTP's sup_start_ignore_{permanent,temporary}_child_start_child_simple.
    switch.ignoring.add("x")
    dyn = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        assert await dyn.start_child(switch.spec("x", restart=restart)) is IGNORE
        assert await dyn.start_child(switch.spec("y", restart=restart)) == "y running"
        assert dyn.which_children() == [("y", "y running", "worker")]
        assert dyn.count_children() == {"specs": 1, "active": 1, "supervisors": 0, "workers": 1}
        await dyn.stop()  # and it stops without error


async def test_a_static_restart_that_ignores_counts_as_done(switch, recorder, autojump_clock):
    sup = Supervisor([switch.spec("a"), switch.spec("b")], max_restarts=2, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        switch.ignoring.add("a")
        switch.crash["a"].set()
        await recorder.wait_for("ignored", child="a")
        await trio.testing.wait_all_tasks_blocked()
        assert sup.which_children() == [("a", None, "worker"), ("b", "b running", "worker")]
        assert recorder.kinds("a") == ["started", "exited", "ignored"]  # not retried
        switch.crash["b"].set()  # the second restart allowed: a's counted once only
        await recorder.wait_for("restarted", child="b")
        assert recorder.of("intensity_reached") == []
        await sup.stop()


async def test_a_dynamic_restart_that_ignores_removes_the_child(switch, recorder, autojump_clock):
    # OTP's simple_one_for_one_restart_ignore.
    dyn = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        await dyn.start_child(switch.spec("x"))
        switch.ignoring.add("x")
        switch.crash["x"].set()
        await recorder.wait_for("ignored", child="x")
        assert dyn.which_children() == []
        assert dyn.count_children()["specs"] == 0
        await dyn.stop()


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
async def test_a_child_that_ignores_in_a_strategys_restart_does_not_stop_the_rest(
    switch, recorder, strategy, autojump_clock
):
    sup = Supervisor(
        [switch.spec("a"), switch.spec("b"), switch.spec("c")], strategy=strategy, name="s"
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        switch.ignoring.add("b")
        switch.crash["a"].set()
        await recorder.wait_for("restarted", child="c")
        assert sup.which_children() == [
            ("a", "a running", "worker"),
            ("b", None, "worker"),
            ("c", "c running", "worker"),
        ]
        await sup.stop()


async def test_reporting_ignore_through_started_is_a_start_failure(no_leaks, autojump_clock):
    async def confused(*, task_status):
        task_status.started(IGNORE)

    sup = Supervisor([ChildSpec("c", confused)], name="s")
    with pytest.raises(ChildStartError) as info:
        await sup.run()
    assert isinstance(info.value.__cause__, RuntimeError)
    assert "returns IGNORE" in str(info.value.__cause__)


def test_ignore_prints_and_pickles_as_itself():
    import pickle

    assert repr(IGNORE) == "roost.supervisor.IGNORE"
    assert pickle.loads(pickle.dumps(IGNORE)) is IGNORE
