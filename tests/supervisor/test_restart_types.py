"""Every strategy x restart type x normal/abnormal exit, as in OTP's supervisor_SUITE."""

import pytest
import trio

from roost.supervisor import DynamicSupervisor, Supervisor

STRATEGIES = ["one_for_one", "one_for_all", "rest_for_one"]
RESTARTS = ["permanent", "transient", "temporary"]
EXITS = ["normal", "abnormal"]

# Which of x, t, y (t being the child that exits) a restart starts again.
RESTARTED_WITH_T = {
    "one_for_one": {"t"},
    "one_for_all": {"x", "t", "y"},
    "rest_for_one": {"t", "y"},
}


def is_restarted(restart: str, exit: str) -> bool:
    return restart == "permanent" or (restart == "transient" and exit == "abnormal")


@pytest.mark.parametrize("exit", EXITS)
@pytest.mark.parametrize("restart", RESTARTS)
@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_exit_of_a_child_under_a_supervisor(strategy, restart, exit, kids, recorder):
    sup = Supervisor(
        [kids.spec("x"), kids.spec("t", restart=restart), kids.spec("y")],
        strategy=strategy,
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("t") if exit == "abnormal" else kids.exit("t")
        exited = await recorder.wait_for("exited", child="t")
        assert exited.reason == ("normal" if exit == "normal" else "Boom('t crashed')")
        if is_restarted(restart, exit):
            restarted = RESTARTED_WITH_T[strategy]
            last = "y" if "y" in restarted else "t"
            await recorder.wait_for("restarted", child=last)
            assert {c for c in "xty" if kids.starts[c] == 2} == restarted
            assert {c for c in "xty" if kids.starts[c] == 1} == {"x", "t", "y"} - restarted
            assert sup.which_children() == [(c, f"{c}#{kids.starts[c]}", "worker") for c in "xty"]
            # Siblings taken down by the strategy were stopped last-started first.
            assert kids.stops()[1:] == [c for c in "yx" if c in restarted]
        else:
            assert kids.starts == {"x": 1, "t": 1, "y": 1}
            expected = [("x", "x#1", "worker"), ("y", "y#1", "worker")]
            if restart == "transient":  # kept, not running; temporary: forgotten
                expected.insert(1, ("t", None, "worker"))
            assert sup.which_children() == expected
            assert recorder.of("restarted") == []
        await sup.stop()


@pytest.mark.parametrize("exit", EXITS)
@pytest.mark.parametrize("restart", RESTARTS)
async def test_exit_of_a_child_under_a_dynamic_supervisor(restart, exit, kids, recorder):
    dyn = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        await dyn.start_child(kids.spec("x"))
        await dyn.start_child(kids.spec("t", restart=restart))
        kids.crash("t") if exit == "abnormal" else kids.exit("t")
        await recorder.wait_for("exited", child="t")
        if is_restarted(restart, exit):
            await recorder.wait_for("restarted", child="t")
            assert dyn.which_children() == [("x", "x#1", "worker"), ("t", "t#2", "worker")]
        else:
            # Elixir's DynamicSupervisor forgets a child that will not run again.
            assert dyn.which_children() == [("x", "x#1", "worker")]
        assert kids.starts["x"] == 1
        await dyn.stop()


async def test_a_temporary_sibling_taken_down_by_one_for_all_is_not_restarted(kids, recorder):
    sup = Supervisor(
        [kids.spec("a"), kids.spec("tmp", restart="temporary"), kids.spec("b")],
        strategy="one_for_all",
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("b")
        await recorder.wait_for("restarted", child="b")
        assert sup.which_children() == [("a", "a#2", "worker"), ("b", "b#2", "worker")]
        assert kids.starts["tmp"] == 1
        await sup.stop()


@pytest.mark.parametrize("strategy", ["one_for_all", "rest_for_one"])
async def test_stopped_siblings_in_range_are_started_again_as_in_otp(strategy, kids, recorder):
    sup = Supervisor(
        [kids.spec("a"), kids.spec("b"), kids.spec("c", restart="transient")],
        strategy=strategy,
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.exit("c")  # transient, normal exit: stays stopped...
        await recorder.wait_for("exited", child="c")
        kids.crash("b")  # ...until a sibling's restart takes its whole range down and up
        await recorder.wait_for("restarted", child="c")
        assert sup.which_children()[1:] == [("b", "b#2", "worker"), ("c", "c#2", "worker")]
        await sup.stop()


async def test_rest_for_one_leaves_earlier_children_alone(kids, recorder):
    sup = Supervisor([kids.spec(c) for c in "abcd"], strategy="rest_for_one", name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("b")
        await recorder.wait_for("restarted", child="d")
        assert kids.log[4:] == [
            ("stop", "b"),
            ("stop", "d"),
            ("stop", "c"),
            ("start", "b"),
            ("start", "c"),
            ("start", "d"),
        ]
        assert kids.starts["a"] == 1
        await sup.stop()


async def test_one_for_all_stops_the_others_in_reverse_then_starts_all_in_order(kids, recorder):
    sup = Supervisor([kids.spec(c) for c in "abc"], strategy="one_for_all", name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("b")
        await recorder.wait_for("restarted", child="c")
        assert kids.log[3:] == [
            ("stop", "b"),
            ("stop", "c"),
            ("stop", "a"),
            ("start", "a"),
            ("start", "b"),
            ("start", "c"),
        ]
        assert [e.child for e in recorder.of("restarted")] == ["a", "b", "c"]
        await sup.stop()
