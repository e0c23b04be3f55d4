"""Escalation: a supervisor past its intensity fails to its parent, up to the root."""

import pytest
import trio
from sup_helpers import Boom, failure_of

from roost.supervisor import (
    ChildStartError,
    DynamicSupervisor,
    RestartIntensityExceeded,
    Supervisor,
)


async def crash_until_mid_escalates(kids, recorder, round: int) -> None:
    kids.crash("w")
    await recorder.wait_for("restarted", child="w", supervisor="mid", count=round)
    kids.crash("w")
    await recorder.wait_for("escalated", supervisor="mid", count=round)


async def test_escalation_through_two_levels_ends_in_an_error_out_of_the_root(kids, recorder):
    mid = Supervisor([kids.spec("w")], max_restarts=1, name="mid")
    root = Supervisor([kids.spec("before"), mid.child_spec()], max_restarts=1, name="root")

    async def scenario():
        await crash_until_mid_escalates(kids, recorder, 1)
        # The root restarted mid, which started its children afresh.
        await recorder.wait_for("restarted", child="mid", supervisor="root")
        assert kids.starts["w"] == 3 and kids.starts["before"] == 1
        await crash_until_mid_escalates(kids, recorder, 2)

    error = await failure_of(root, scenario)
    assert isinstance(error, RestartIntensityExceeded)
    assert (error.supervisor, error.child) == ("root", "mid")
    assert isinstance(error.__cause__, RestartIntensityExceeded)
    assert (error.__cause__.supervisor, error.__cause__.child) == ("mid", "w")
    assert isinstance(error.__cause__.__cause__, Boom)
    assert kids.stops()[-1] == "before"  # the root shut its other child down last
    assert [e.supervisor for e in recorder.of("escalated")] == ["mid", "mid", "root"]
    (mid_exit, _) = recorder.of("exited", child="mid")
    assert "RestartIntensityExceeded" in mid_exit.reason


async def test_a_parent_strategy_applies_to_an_escalating_child_supervisor(kids, recorder):
    mid = Supervisor([kids.spec("w")], max_restarts=0, name="mid")
    root = Supervisor([mid.child_spec(), kids.spec("after")], strategy="rest_for_one", name="root")
    async with trio.open_nursery() as nursery:
        await nursery.start(root.run)
        kids.crash("w")
        await recorder.wait_for("restarted", child="after", supervisor="root")
        assert kids.starts == {"w": 2, "after": 2}
        await root.stop()


async def test_stopping_the_root_stops_the_whole_tree_depth_first_in_reverse(kids):
    mid = Supervisor([kids.spec("m1"), kids.spec("m2")], name="mid")
    root = Supervisor([kids.spec("first"), mid.child_spec(), kids.spec("last")], name="root")
    async with trio.open_nursery() as nursery:
        await nursery.start(root.run)
        assert root.which_children()[1] == ("mid", mid, "supervisor")
        assert root.count_children() == {"specs": 3, "active": 3, "supervisors": 1, "workers": 2}
        nursery.cancel_scope.cancel()
    assert kids.stops() == ["last", "m2", "m1", "first"]


async def test_a_nested_start_failure_reaches_the_root_caller_with_every_cause(kids):
    kids.fail_start["m2"] = Boom("m2 cannot start")
    mid = Supervisor([kids.spec("m1"), kids.spec("m2")], name="mid")
    root = Supervisor([kids.spec("first"), mid.child_spec()], name="root")
    with pytest.raises(ChildStartError) as info:
        await root.run()
    assert (info.value.supervisor, info.value.child) == ("root", "mid")
    inner = info.value.__cause__
    assert isinstance(inner, ChildStartError) and (inner.supervisor, inner.child) == ("mid", "m2")
    assert isinstance(inner.__cause__, Boom)
    assert kids.stops() == ["m1", "first"]


async def test_a_dynamic_supervisor_escalates_to_its_parent_too(kids, recorder):
    dyn = DynamicSupervisor(max_restarts=0, name="sessions")
    root = Supervisor([dyn.child_spec()], max_restarts=0, name="root")

    async def scenario():
        await dyn.start_child(kids.spec("s1"))
        kids.crash("s1")

    error = await failure_of(root, scenario)
    assert isinstance(error.__cause__, RestartIntensityExceeded)
    assert error.__cause__.supervisor == "sessions"
