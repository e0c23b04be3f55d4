"""Restart intensity: at most max_restarts within max_seconds, a sliding window."""

import pytest
import trio
from sup_helpers import Boom, failure_of

from roost.supervisor import RestartIntensityExceeded, Supervisor
from roost.supervisor._intensity import RestartIntensity


def test_restarts_up_to_the_limit_are_allowed():
    window = RestartIntensity(3, 5.0)
    assert [window.add(t) for t in (0.0, 1.0, 2.0, 3.0)] == [True, True, True, False]


def test_a_restart_exactly_max_seconds_old_still_counts_as_in_otp():
    window = RestartIntensity(1, 5.0)
    assert window.add(0.0)
    assert not window.add(5.0)


def test_a_restart_older_than_max_seconds_leaves_the_window():
    window = RestartIntensity(1, 5.0)
    assert window.add(0.0)
    assert window.add(5.25)
    assert len(window) == 1


def test_zero_max_restarts_allows_none():
    assert not RestartIntensity(0, 5.0).add(0.0)


def test_the_defaults_are_elixirs_three_in_five_seconds():
    sup = Supervisor([])
    assert (sup.max_restarts, sup.max_seconds) == (3, 5.0)


async def crash_at(kids, recorder, when: float, count: int) -> None:
    await trio.sleep_until(when)
    kids.crash("a")
    await recorder.wait_for("exited", child="a", count=count)


@pytest.mark.parametrize(
    ("fourth_crash_at", "escalates"),
    [(5.0, True), (5.5, False)],
    ids=["exactly-max_seconds-later-escalates", "just-past-the-window-restarts"],
)
async def test_the_fourth_crash_relative_to_the_window(
    fourth_crash_at, escalates, kids, recorder, autojump_clock
):
    sup = Supervisor([kids.spec("a")], max_restarts=3, max_seconds=5, name="s")
    t0 = trio.current_time()

    async def scenario():
        for n, offset in enumerate([0.0, 1.0, 2.0], start=1):
            await crash_at(kids, recorder, t0 + offset, n)
            await recorder.wait_for("restarted", child="a", count=n)
        await crash_at(kids, recorder, t0 + fourth_crash_at, 4)

    if escalates:
        with pytest.RaisesGroup(RestartIntensityExceeded):
            async with trio.open_nursery() as nursery:
                await nursery.start(sup.run)
                await scenario()
                await trio.sleep_forever()
        # The crashed child is not running any more: nothing left to shut down.
        assert recorder.kinds()[-4:] == [
            "exited",
            "intensity_reached",
            "escalated",
            "supervisor_stopped",
        ]
        assert kids.starts["a"] == 4
    else:
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            await scenario()
            await recorder.wait_for("restarted", child="a", count=4)
            assert kids.starts["a"] == 5
            await sup.stop()


async def test_escalation_carries_the_childs_error_and_stops_the_others_in_reverse(kids, recorder):
    sup = Supervisor([kids.spec("a"), kids.spec("b"), kids.spec("c")], max_restarts=0, name="s")

    async def crash_b():
        kids.crash("b")

    error = await failure_of(sup, crash_b)
    assert isinstance(error, RestartIntensityExceeded)
    assert (error.supervisor, error.child, error.max_restarts) == ("s", "b", 0)
    assert isinstance(error.__cause__, Boom)
    assert kids.stops() == ["b", "c", "a"]
    (reached,) = recorder.of("intensity_reached")
    assert reached.child == "b" and reached.detail == {"max_restarts": 0, "max_seconds": 5.0}


async def test_normal_exits_of_permanent_children_count_too(kids, recorder):
    sup = Supervisor([kids.spec("a")], max_restarts=1, name="s")

    async def exit_twice():
        kids.exit("a")
        await recorder.wait_for("restarted", child="a")
        kids.exit("a")

    error = await failure_of(sup, exit_twice)
    assert isinstance(error, RestartIntensityExceeded) and error.__cause__ is None


async def test_a_failed_restart_is_retried_and_counts_as_a_restart(kids, recorder):
    sup = Supervisor([kids.spec("a")], max_restarts=2, name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.fail_start["a"] = Boom("first restart fails")
        kids.crash("a")
        await recorder.wait_for("restarted", child="a")
        assert recorder.kinds("a")[-3:] == ["exited", "start_failed", "restarted"]
        assert sup.which_children() == [("a", "a#2", "worker")]
        await sup.stop()


async def test_restarts_that_keep_failing_escalate_with_the_start_error(kids, recorder):
    sup = Supervisor([kids.spec("a")], max_restarts=1, name="s")
    start_error = Boom("restart fails")

    async def crash_and_fail_restart():
        kids.fail_start["a"] = start_error
        kids.crash("a")

    error = await failure_of(sup, crash_and_fail_restart)
    assert error.__cause__ is start_error
    assert kids.starts["a"] == 1
    assert recorder.kinds("a") == ["started", "exited", "start_failed", "intensity_reached"]


async def test_one_for_all_retries_a_failing_sibling_and_starts_the_rest(kids, recorder):
    sup = Supervisor(
        [kids.spec("a"), kids.spec("b"), kids.spec("c")],
        strategy="one_for_all",
        max_restarts=5,
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.fail_start["b"] = Boom("b fails once")
        kids.crash("a")
        await recorder.wait_for("restarted", child="c")
        assert {c: kids.starts[c] for c in "abc"} == {"a": 3, "b": 2, "c": 2}
        assert [v for _, v, _ in sup.which_children()] == ["a#3", "b#2", "c#2"]
        await sup.stop()
