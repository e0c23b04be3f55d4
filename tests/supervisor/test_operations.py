"""start_child / terminate_child / restart_child / delete_child / which_ / count_children."""

import pytest
import trio
import trio.testing
from sup_helpers import Boom, failure_of

from roost.supervisor import (
    AlreadyPresent,
    AlreadyStarted,
    ChildNotFound,
    ChildRunning,
    ChildSpec,
    DynamicSupervisor,
    NotRunning,
    Supervisor,
)


@pytest.fixture
async def running(kids, recorder):
    """A running supervisor with children a and b."""
    sup = Supervisor([kids.spec("a"), kids.spec("b")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        yield sup
        await sup.stop()


async def test_start_child_appends_and_returns_the_started_value(
    running, kids, recorder, autojump_clock
):
    assert await running.start_child(kids.spec("c")) == "c#1"
    assert [id for id, _, _ in running.which_children()] == ["a", "b", "c"]
    assert recorder.of("started", child="c")
    await running.stop()
    assert kids.stops() == ["c", "b", "a"]


async def test_a_dynamically_added_child_is_restarted_like_the_others(
    running, kids, recorder, autojump_clock
):
    await running.start_child(kids.spec("c"))
    kids.crash("c")
    await recorder.wait_for("restarted", child="c")
    assert running.which_children()[-1] == ("c", "c#2", "worker")


async def test_start_child_failure_raises_the_childs_own_error_and_keeps_nothing(
    running, kids, autojump_clock
):
    error = Boom("cannot start")
    kids.fail_start["c"] = error
    with pytest.raises(Boom) as info:
        await running.start_child(kids.spec("c"))
    assert info.value is error
    assert [id for id, _, _ in running.which_children()] == ["a", "b"]


async def test_start_child_with_a_taken_id(running, kids, autojump_clock):
    with pytest.raises(AlreadyStarted):
        await running.start_child(kids.spec("a"))
    await running.terminate_child("a")
    with pytest.raises(AlreadyPresent):
        await running.start_child(kids.spec("a"))


async def test_terminate_child_stops_it_for_good_and_keeps_its_spec(
    running, kids, recorder, autojump_clock
):
    await running.terminate_child("a")
    assert running.which_children() == [("a", None, "worker"), ("b", "b#1", "worker")]
    assert running.count_children() == {"specs": 2, "active": 1, "supervisors": 0, "workers": 2}
    assert recorder.of("shutdown", child="a")[0].reason == "shutdown"
    await trio.testing.wait_all_tasks_blocked()
    assert recorder.of("restarted") == [] and "a" not in kids.running()
    await running.terminate_child("a")  # terminating a stopped child is a no-op


async def test_terminate_child_of_a_temporary_child_forgets_it(running, kids, autojump_clock):
    await running.start_child(kids.spec("tmp", restart="temporary"))
    await running.terminate_child("tmp")
    assert [id for id, _, _ in running.which_children()] == ["a", "b"]


async def test_restart_child_starts_a_terminated_child_again(running, kids, autojump_clock):
    await running.terminate_child("a")
    assert await running.restart_child("a") == "a#2"
    assert running.which_children()[0] == ("a", "a#2", "worker")
    with pytest.raises(ChildRunning):
        await running.restart_child("a")


async def test_restart_child_failure_raises_the_childs_error_and_keeps_the_spec(
    running, kids, autojump_clock
):
    await running.terminate_child("a")
    kids.fail_start["a"] = Boom("no")
    with pytest.raises(Boom):
        await running.restart_child("a")
    assert running.which_children()[0] == ("a", None, "worker")


async def test_restart_child_does_not_count_towards_the_intensity(kids, autojump_clock):
    sup = Supervisor([kids.spec("a")], max_restarts=0, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        for _ in range(3):
            await sup.terminate_child("a")
            await sup.restart_child("a")
        await sup.stop()


async def test_delete_child_forgets_a_stopped_child_only(running, autojump_clock):
    with pytest.raises(ChildRunning):
        await running.delete_child("a")
    await running.terminate_child("a")
    await running.delete_child("a")
    assert [id for id, _, _ in running.which_children()] == ["b"]


@pytest.mark.parametrize("operation", ["terminate_child", "restart_child", "delete_child"])
async def test_operations_on_an_unknown_child_raise_child_not_found(
    running, operation, autojump_clock
):
    with pytest.raises(ChildNotFound):
        await getattr(running, operation)("nope")
    with pytest.raises(LookupError):  # ChildNotFound is a LookupError too
        await getattr(running, operation)("nope")


async def test_a_transient_child_that_exited_normally_can_be_restarted_by_hand(
    running, kids, recorder, autojump_clock
):
    await running.start_child(kids.spec("t", restart="transient"))
    kids.exit("t")
    await recorder.wait_for("exited", child="t")
    assert running.which_children()[-1] == ("t", None, "worker")
    assert await running.restart_child("t") == "t#2"


async def test_count_children_counts_specs_by_type(running, kids, autojump_clock):
    inner = Supervisor([], name="inner")
    await running.start_child(inner.child_spec())
    assert running.count_children() == {"specs": 3, "active": 3, "supervisors": 1, "workers": 2}
    await running.terminate_child("inner")
    assert running.count_children() == {"specs": 3, "active": 2, "supervisors": 1, "workers": 2}


@pytest.mark.parametrize(
    ("operation", "args"),
    [
        ("start_child", (ChildSpec("x", Boom),)),
        ("terminate_child", ("a",)),
        ("restart_child", ("a",)),
        ("delete_child", ("a",)),
    ],
)
async def test_operations_on_a_supervisor_that_is_not_running_raise(
    operation, args, kids, autojump_clock
):
    sup = Supervisor([kids.spec("a")], name="s")
    with pytest.raises(NotRunning):
        await getattr(sup, operation)(*args)
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    with pytest.raises(NotRunning):
        await getattr(sup, operation)(*args)


async def test_cancelling_a_start_child_caller_cancels_the_starting_child(
    running, kids, autojump_clock
):
    started_to_start = trio.Event()

    async def slow(*, task_status):
        started_to_start.set()
        await trio.sleep_forever()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(running.start_child, ChildSpec("slow", slow))
        await started_to_start.wait()
        nursery.cancel_scope.cancel()
    assert [id for id, _, _ in running.which_children()] == ["a", "b"]


async def test_a_child_can_terminate_a_sibling_through_its_supervisor(
    kids, recorder, autojump_clock
):
    holder = {}

    async def boss(*, task_status):
        task_status.started()
        await holder["sup"].terminate_child("a")
        await trio.sleep_forever()

    sup = Supervisor([kids.spec("a"), ChildSpec("boss", boss)], name="s")
    holder["sup"] = sup
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await recorder.wait_for("shutdown", child="a")
        assert sup.which_children()[0] == ("a", None, "worker")
        await sup.stop()


async def test_a_child_can_stop_its_own_supervisor(kids, autojump_clock):
    holder = {}

    async def quitter(*, task_status):
        task_status.started()
        await holder["sup"].stop()

    sup = Supervisor([kids.spec("a"), ChildSpec("q", quitter)], name="s")
    holder["sup"] = sup
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
    assert kids.stops() == ["a"]


async def test_a_start_cancelled_just_as_the_child_reports_started_leaves_nothing_behind(
    running,
    autojump_clock,
):
    with trio.CancelScope() as scope:

        async def late(*, task_status):
            scope.cancel()
            task_status.started("late")
            await trio.sleep_forever()

        await running.start_child(ChildSpec("late", late))
    assert scope.cancelled_caught
    assert [id for id, _, _ in running.which_children()] == ["a", "b"]


def _questions(sup):
    return [
        sup.which_children,
        sup.count_children,
        sup.count,
        lambda: sup.get_childspec("a"),
    ]


@pytest.mark.parametrize("dynamic", [False, True], ids=["static", "dynamic"])
async def test_questions_to_a_supervisor_not_running_raise_not_running(
    kids, recorder, dynamic, autojump_clock
):
    sup = DynamicSupervisor(name="s") if dynamic else Supervisor([kids.spec("a")], name="s")
    for question in _questions(sup):  # not started yet
        with pytest.raises(NotRunning):
            question()
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        if dynamic:
            await sup.start_child(kids.spec("a"))
        assert sup.count() == 1 and sup.get_childspec("a").id == "a"
        await sup.stop()
    for question in _questions(sup):  # stopped
        with pytest.raises(NotRunning):
            question()


async def test_questions_to_a_supervisor_that_gave_up_raise_not_running(
    kids, recorder, autojump_clock
):
    sup = Supervisor([kids.spec("a")], max_restarts=0, name="s")

    async def crash():
        kids.crash("a")

    await failure_of(sup, crash)
    for question in _questions(sup):
        with pytest.raises(NotRunning):
            question()


async def test_child_adm(kids, recorder, autojump_clock):
    # OTP's child_adm, on one child, in order.
    sup = Supervisor([kids.spec("child1")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        assert sup.which_children() == [("child1", "child1#1", "worker")]
        assert sup.count_children() == {"specs": 1, "active": 1, "supervisors": 0, "workers": 1}
        with pytest.raises(AlreadyStarted):
            await sup.start_child(kids.spec("child1"))
        with pytest.raises(ChildNotFound):
            await sup.terminate_child("hej")
        await sup.terminate_child("child1")
        assert sup.which_children() == [("child1", None, "worker")]
        assert sup.count_children() == {"specs": 1, "active": 0, "supervisors": 0, "workers": 1}
        await sup.terminate_child("child1")  # like deleting what is gone: fine
        with pytest.raises(AlreadyPresent):
            await sup.start_child(kids.spec("child1"))
        assert await sup.restart_child("child1") == "child1#2"
        with pytest.raises(ChildRunning):
            await sup.restart_child("child1")
        with pytest.raises(ChildNotFound):
            await sup.restart_child("child2")
        with pytest.raises(ChildRunning):
            await sup.delete_child("child1")
        with pytest.raises(ChildNotFound):
            await sup.delete_child("hej")
        await sup.terminate_child("child1")
        await sup.delete_child("child1")
        with pytest.raises(ChildNotFound):
            await sup.restart_child("child1")
        assert sup.which_children() == [] and sup.count() == 0
        assert await sup.start_child(kids.spec("child1")) == "child1#3"
        assert sup.get_childspec("child1") == kids.spec("child1")
        await sup.stop()
    with pytest.raises(NotRunning):
        await sup.start_child(kids.spec("child1"))
