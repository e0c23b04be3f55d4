"""Every supervision event is a log record on roost.supervisor and a published event."""

import logging

import pytest
import trio
import trio.testing
from sup_helpers import Boom, failure_of

from roost.supervisor import Supervisor, SupervisorEvent, events


async def test_a_crash_and_restart_produce_events_and_log_records(kids, recorder, caplog):
    caplog.set_level(logging.INFO, logger="roost.supervisor")
    sup = Supervisor([kids.spec("a")], name="web")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("a", Boom("kaput"))
        await recorder.wait_for("restarted", child="a")
        await sup.stop()
    assert recorder.kinds() == [
        "started",
        "supervisor_started",
        "exited",
        "restarted",
        "shutdown",
        "supervisor_stopped",
    ]
    records = [r for r in caplog.records if r.name == "roost.supervisor"]
    assert [r.event for r in records] == recorder.kinds()
    exited = next(r for r in records if r.event == "exited")
    assert (exited.supervisor, exited.child, exited.reason) == ("web", "a", "Boom('kaput')")
    assert exited.levelno == logging.WARNING and exited.exc_info[1].args == ("kaput",)
    assert exited.getMessage() == ("web/a: exited (Boom('kaput')); restarting (one_for_one)")
    assert all(r.levelno == logging.INFO for r in records if r.event != "exited")


async def test_escalation_is_logged_at_error(kids, recorder, caplog):
    sup = Supervisor([kids.spec("a")], max_restarts=0, name="s")

    async def crash():
        kids.crash("a")

    await failure_of(sup, crash)
    levels = {r.event: r.levelno for r in caplog.records if r.name == "roost.supervisor"}
    assert levels["intensity_reached"] == logging.ERROR
    assert levels["escalated"] == logging.ERROR


async def test_subscribe_returns_an_unsubscribe(kids):
    seen: list[SupervisorEvent] = []
    unsubscribe = events.subscribe(seen.append)
    sup = Supervisor([kids.spec("a")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        unsubscribe()
        await sup.stop()
    assert [e.kind for e in seen] == ["started", "supervisor_started"]
    unsubscribe()  # twice is harmless


async def test_a_failing_subscriber_is_logged_and_does_not_disturb_supervision(
    kids, recorder, caplog
):
    def broken(event):
        raise RuntimeError("subscriber bug")

    unsubscribe = events.subscribe(broken)
    try:
        sup = Supervisor([kids.spec("a")], name="s")
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            kids.crash("a")
            await recorder.wait_for("restarted", child="a")
            await sup.stop()
    finally:
        unsubscribe()
    assert any("subscriber" in r.getMessage() for r in caplog.records)


async def test_listen_can_follow_one_supervisor(kids):
    with events.listen(supervisor="two") as only_two:
        one = Supervisor([kids.spec("a")], name="one")
        two = Supervisor([kids.spec("b")], name="two")
        async with trio.open_nursery() as nursery:
            await nursery.start(one.run)
            await nursery.start(two.run)
            await one.stop()
            await two.stop()
    assert {e.supervisor for e in only_two.events} == {"two"}


async def test_wait_for_returns_past_events_and_waits_for_future_ones(kids, recorder):
    sup = Supervisor([kids.spec("a")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        assert (await recorder.wait_for("started", child="a")).child == "a"
        got = []

        async def waiter():
            got.append(await recorder.wait_for("restarted", child="a", count=2))

        nursery.start_soon(waiter)
        kids.crash("a")
        await recorder.wait_for("restarted", child="a")
        assert got == []
        kids.crash("a")
        await recorder.wait_for("restarted", child="a", count=2)
        await trio.testing.wait_all_tasks_blocked()
        assert got and got[0].kind == "restarted"
        await sup.stop()


async def test_wait_for_rejects_an_unknown_kind(recorder):
    with pytest.raises(ValueError, match="unknown event kind"):
        await recorder.wait_for("restrated")


def test_every_kind_has_a_readable_message():
    for kind in events.KINDS:
        event = SupervisorEvent(kind=kind, supervisor="s", child="c", reason="why")
        text = events._describe(event)
        assert text.startswith(("supervisor 's'", "s/c:"))
        assert "\n" not in text.split("Its stack")[0]


async def test_progress_is_logged_at_the_supervisors_progress_level_failures_as_ever(
    kids, recorder, caplog
):
    caplog.set_level(logging.DEBUG, logger="roost.supervisor")
    sup = Supervisor([kids.spec("a")], name="many")
    sup.progress_level = logging.DEBUG
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        kids.crash("a", Boom("kaput"))
        await recorder.wait_for("restarted", child="a")
        await sup.stop()
    levels = [(r.event, r.levelno) for r in caplog.records if r.name == "roost.supervisor"]
    assert levels == [
        ("started", logging.DEBUG),
        ("supervisor_started", logging.DEBUG),
        ("exited", logging.WARNING),
        ("restarted", logging.INFO),
        ("shutdown", logging.DEBUG),
        ("supervisor_stopped", logging.DEBUG),
    ]
