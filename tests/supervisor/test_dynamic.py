"""DynamicSupervisor: children started on demand, one_for_one, max_children."""

import pytest
import trio
import trio.testing
from sup_helpers import Boom

from roost.supervisor import (
    AlreadyStarted,
    ChildNotFound,
    DynamicSupervisor,
    MaxChildrenReached,
    NotRunning,
)


@pytest.fixture
async def dyn(kids, recorder):
    sup = DynamicSupervisor(max_children=3, name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        yield sup
        await sup.stop()


async def test_it_starts_with_no_children(dyn):
    assert dyn.which_children() == []
    assert dyn.count_children() == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}


async def test_start_child_returns_the_started_value_and_counts_it(dyn, kids):
    assert await dyn.start_child(kids.spec("x")) == "x#1"
    assert await dyn.start_child(kids.spec("y")) == "y#1"
    assert dyn.which_children() == [("x", "x#1", "worker"), ("y", "y#1", "worker")]
    assert dyn.count_children() == {"specs": 2, "active": 2, "supervisors": 0, "workers": 2}


async def test_max_children_is_enforced_with_a_clear_error(dyn, kids):
    for id in "abc":
        await dyn.start_child(kids.spec(id))
    with pytest.raises(MaxChildrenReached, match="max_children=3"):
        await dyn.start_child(kids.spec("d"))
    assert "d" not in kids.starts
    await dyn.terminate_child("a")
    assert await dyn.start_child(kids.spec("d")) == "d#1"


async def test_a_start_failure_raises_the_childs_own_error(dyn, kids):
    error = Boom("nope")
    kids.fail_start["x"] = error
    with pytest.raises(Boom) as info:
        await dyn.start_child(kids.spec("x"))
    assert info.value is error
    assert dyn.which_children() == []


async def test_ids_must_be_unique_among_current_children(dyn, kids):
    await dyn.start_child(kids.spec("x"))
    with pytest.raises(AlreadyStarted):
        await dyn.start_child(kids.spec("x"))


async def test_terminate_child_stops_and_forgets_it(dyn, kids, recorder):
    await dyn.start_child(kids.spec("x"))
    await dyn.start_child(kids.spec("y"))
    await dyn.terminate_child("x")
    assert dyn.which_children() == [("y", "y#1", "worker")]
    assert kids.stops() == ["x"]
    assert recorder.of("restarted") == []
    with pytest.raises(ChildNotFound):
        await dyn.terminate_child("x")


async def test_a_crashed_child_is_restarted_alone(dyn, kids, recorder):
    await dyn.start_child(kids.spec("x"))
    await dyn.start_child(kids.spec("y"))
    kids.crash("x")
    await recorder.wait_for("restarted", child="x")
    assert dyn.which_children() == [("x", "x#2", "worker"), ("y", "y#1", "worker")]


async def test_stop_stops_every_child_at_once(dyn, kids):
    # As OTP stops a simple_one_for_one supervisor's children: no order among them
    # (tests/supervisor/test_scale.py shows that none waits for another).
    for id in "abc":
        await dyn.start_child(kids.spec(id))
    await dyn.stop()
    assert sorted(kids.stops()) == ["a", "b", "c"]


async def test_start_child_after_stop_raises_not_running(dyn, kids):
    await dyn.stop()
    with pytest.raises(NotRunning):
        await dyn.start_child(kids.spec("x"))


async def test_children_are_not_kept_across_runs(kids, recorder):
    dyn = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        await dyn.start_child(kids.spec("x"))
        await dyn.stop()
        await nursery.start(dyn.run)
        assert dyn.which_children() == []
        await dyn.stop()


async def test_nested_supervisors_count_as_supervisors(dyn, kids):
    inner = DynamicSupervisor(name="inner")
    assert await dyn.start_child(inner.child_spec()) is inner
    await inner.start_child(kids.spec("deep"))
    assert dyn.count_children() == {"specs": 1, "active": 1, "supervisors": 1, "workers": 0}
    await dyn.stop()
    assert kids.stops() == ["deep"]


async def test_many_children_start_and_stop_cleanly(kids):
    dyn = DynamicSupervisor(name="many")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        for n in range(200):
            await dyn.start_child(kids.spec(n, shutdown="brutal_kill"))
        assert dyn.count_children()["active"] == 200
        await dyn.stop()
    assert sorted(kids.stops()) == list(range(200))


async def test_concurrent_start_child_calls_start_their_children_concurrently(dyn, kids):
    gates = {id: kids.hold(id) for id in "pq"}
    async with trio.open_nursery() as nursery:
        for id in "pq":  # one after the other: the list is in the order of the calls
            nursery.start_soon(dyn.start_child, kids.spec(id))
            await trio.testing.wait_all_tasks_blocked()
        assert kids.waiting == {"p", "q"}  # both are in their start at once
        assert dyn.which_children() == [("p", None, "worker"), ("q", None, "worker")]
        gates["q"].set()  # the second one may even finish first
        await trio.testing.wait_all_tasks_blocked()
        assert dyn.which_children() == [("p", None, "worker"), ("q", "q#1", "worker")]
        gates["p"].set()
    assert dyn.which_children() == [("p", "p#1", "worker"), ("q", "q#1", "worker")]
    assert dyn.count_children()["active"] == 2
