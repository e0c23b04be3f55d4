"""Significant children and auto_shutdown: a supervisor that ends itself when they end.

OTP's significant_temporary, significant_transient, significant_simple and
significant_bystander, and its validation rules (bad_combination).
"""

import pytest
import trio
import trio.testing

from roost.supervisor import (
    ChildSpec,
    DynamicSupervisor,
    InvalidChildSpec,
    NotRunning,
    Supervisor,
)

STRATEGIES = ["one_for_one", "one_for_all", "rest_for_one"]


async def run_until_it_ends(sup, scenario) -> None:
    """Run ``sup``, drive it with ``scenario()``; return once ``run`` returned normally."""
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await scenario()
        await trio.testing.wait_all_tasks_blocked()
        assert not sup.running, f"{sup!r} did not shut itself down"


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("how", ["exit", "crash"])
async def test_any_significant_a_temporary_significant_child_ending_ends_the_supervisor(
    kids, recorder, strategy, how, autojump_clock
):
    sup = Supervisor(
        [kids.spec("a"), kids.spec("sig", restart="temporary", significant=True), kids.spec("c")],
        strategy=strategy,
        auto_shutdown="any_significant",
        name="s",
    )

    async def end_it() -> None:
        getattr(kids, how)("sig")

    await run_until_it_ends(sup, end_it)
    assert kids.running() == set() and kids.stops() == ["sig", "c", "a"]
    assert recorder.of("auto_shutdown")[0].child == "sig"
    assert [e.reason for e in recorder.of("supervisor_stopped")] == ["auto_shutdown"]
    assert recorder.of("restarted") == []
    with pytest.raises(NotRunning):
        sup.which_children()


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_any_significant_a_transient_significant_child_ends_it_only_by_a_normal_exit(
    kids, recorder, strategy, autojump_clock
):
    sup = Supervisor(
        [kids.spec("a"), kids.spec("sig", restart="transient", significant=True)],
        strategy=strategy,
        auto_shutdown="any_significant",
        name="s",
    )

    async def crash_then_exit() -> None:
        kids.crash("sig")  # abnormal: restarted, the supervisor goes on
        await recorder.wait_for("restarted", child="sig")
        assert sup.running
        kids.exit("sig")

    await run_until_it_ends(sup, crash_then_exit)
    assert kids.starts["sig"] == 2 and kids.running() == set()


@pytest.mark.parametrize("strategy", STRATEGIES)
async def test_all_significant_the_last_significant_child_to_end_ends_the_supervisor(
    kids, recorder, strategy, autojump_clock
):
    sup = Supervisor(
        [
            kids.spec("sig1", restart="temporary", significant=True),
            kids.spec("a"),
            kids.spec("sig2", restart="transient", significant=True),
        ],
        strategy=strategy,
        auto_shutdown="all_significant",
        name="s",
    )

    async def end_both() -> None:
        kids.exit("sig1")
        await recorder.wait_for("exited", child="sig1")
        await trio.testing.wait_all_tasks_blocked()
        assert sup.running  # sig2 still runs
        kids.crash("sig2")  # restarted, still running
        await recorder.wait_for("restarted", child="sig2")
        assert sup.running
        kids.exit("sig2")

    await run_until_it_ends(sup, end_both)
    assert recorder.of("auto_shutdown")[0].child == "sig2"


async def test_terminating_a_significant_child_does_not_end_the_supervisor(
    kids, recorder, autojump_clock
):
    sup = Supervisor(
        [kids.spec("a"), kids.spec("sig", restart="transient", significant=True)],
        auto_shutdown="any_significant",
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.terminate_child("sig")
        await trio.testing.wait_all_tasks_blocked()
        assert sup.running and sup.which_children()[1] == ("sig", None, "worker")
        await sup.stop()
    assert recorder.of("auto_shutdown") == []


async def test_a_significant_bystander_of_a_restart_does_not_end_the_supervisor(
    kids, recorder, autojump_clock
):
    # OTP's significant_bystander: taken down by a sibling's one_for_all restart.
    sup = Supervisor(
        [kids.spec("a"), kids.spec("sig", restart="temporary", significant=True)],
        strategy="one_for_all",
        auto_shutdown="any_significant",
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("a")
        await recorder.wait_for("restarted", child="a")
        assert sup.running
        assert sup.which_children() == [("a", "a#2", "worker")]  # temporary: gone
        await sup.stop()
    assert recorder.of("auto_shutdown") == []


async def test_a_non_significant_child_ending_ends_nothing(kids, recorder, autojump_clock):
    sup = Supervisor(
        [
            kids.spec("t", restart="temporary"),
            kids.spec("sig", restart="temporary", significant=True),
        ],
        auto_shutdown="any_significant",
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.exit("t")
        await recorder.wait_for("exited", child="t")
        await trio.testing.wait_all_tasks_blocked()
        assert sup.running
        await sup.stop()


@pytest.mark.parametrize("auto_shutdown", ["any_significant", "all_significant"])
async def test_a_dynamic_supervisor_ends_when_its_significant_children_end(
    kids, recorder, auto_shutdown, autojump_clock
):
    # OTP's significant_simple.
    dyn = DynamicSupervisor(auto_shutdown=auto_shutdown, name="d")

    async def start_and_end() -> None:
        for id in ("x", "y"):
            await dyn.start_child(kids.spec(id, restart="temporary", significant=True))
        kids.exit("x")
        if auto_shutdown == "all_significant":
            await recorder.wait_for("exited", child="x")
            await trio.testing.wait_all_tasks_blocked()
            assert dyn.running
            kids.exit("y")

    await run_until_it_ends(dyn, start_and_end)
    assert kids.running() == set()


async def test_a_tab_ends_itself_when_its_view_ends_and_its_parent_forgets_it(
    kids, recorder, autojump_clock
):
    # The shape roost's sessions can take: the view is the tab's significant child.
    sessions = DynamicSupervisor(name="sessions")
    tab = Supervisor(
        [kids.spec("view", restart="transient", significant=True), kids.spec("helper")],
        auto_shutdown="any_significant",
        name="tab",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sessions.run)
        await sessions.start_child(tab.child_spec(restart="transient"))
        kids.exit("view")
        await recorder.wait_for("exited", supervisor="sessions")
        assert sessions.which_children() == []  # a normal exit: not restarted
        assert kids.running() == set()
        await sessions.stop()


def test_significant_children_are_refused_where_otp_refuses_them():
    significant = ChildSpec(
        "sig", Supervisor([]).run, restart="temporary", significant=True, type="supervisor"
    )
    with pytest.raises(InvalidChildSpec, match="auto_shutdown='never'"):
        Supervisor([significant])
    with pytest.raises(InvalidChildSpec, match="transient or temporary"):
        ChildSpec("sig", Supervisor([]).run, significant=True)
    with pytest.raises(InvalidChildSpec, match="transient or temporary"):
        Supervisor([], name="x").child_spec(significant=True)


async def test_start_child_refuses_a_significant_child_without_auto_shutdown(kids, autojump_clock):
    for sup in (Supervisor([], name="s"), DynamicSupervisor(name="d")):
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            with pytest.raises(InvalidChildSpec, match="auto_shutdown='never'"):
                await sup.start_child(kids.spec("sig", restart="temporary", significant=True))
            assert sup.which_children() == []
            await sup.stop()
