"""Two-phase shutdown: a child is asked to stop, then cancelled at its deadline.

OTP's sup_stop_timeout, sup_stop_brutal_kill, sup_stop_infinity and shutdown 0,
with children that listen for the request (``on_stop_request`` /
``stop_requested``). Every test runs on the autojump clock: times are exact.
"""

import logging

import pytest
import trio
import trio.testing

from roost.supervisor import (
    ChildSpec,
    DynamicSupervisor,
    Supervisor,
    on_stop_request,
    stop_requested,
)


class Log:
    """What the children did, with the (mock) time since the test's mark."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, float]] = []
        self.t0 = 0.0
        self._added = trio.Event()

    def mark(self) -> None:
        self.t0 = trio.current_time()

    def add(self, name: str, what: str) -> None:
        self.entries.append((name, what, trio.current_time() - self.t0))
        self._added.set()
        self._added = trio.Event()

    async def wait_for(self, name: str, what: str) -> None:
        """Return once ``name`` has logged ``what``."""
        while not any(n == name and w == what for n, w, _ in self.entries):
            await self._added.wait()

    def of(self, name: str) -> list[tuple[str, float]]:
        return [(what, t) for n, what, t in self.entries if n == name]


def graceful(log: Log, cleanup: float = 0.0, honour: bool = True):
    """A child that waits for the stop request, then cleans up for ``cleanup``
    seconds (cancellable) and returns; or, ``honour=False``, goes on working."""

    async def child(name, *, task_status):
        task_status.started(name)
        try:
            await stop_requested()
            log.add(name, "asked")
            if not honour:
                await trio.sleep_forever()
            await trio.sleep(cleanup)
            log.add(name, "done")
        except trio.Cancelled:
            log.add(name, "cancelled")
            raise

    return child


def spec(log: Log, name: str, shutdown="infinity", **options) -> ChildSpec:
    return ChildSpec(name, graceful(log, **options), args=(name,), shutdown=shutdown)


async def run_then_stop(sup, log: Log) -> None:
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        await sup.stop()
        log.add("supervisor", "stopped")


# -- the deadline -------------------------------------------------------------------


async def test_a_listening_child_is_asked_and_finishes_its_cleanup_within_its_timeout(
    recorder, autojump_clock
):
    log = Log()
    await run_then_stop(Supervisor([spec(log, "c", shutdown=5, cleanup=2)], name="s"), log)
    assert log.of("c") == [("asked", 0), ("done", 2)]
    (shutdown,) = recorder.of("shutdown", child="c")
    assert shutdown.reason == "shutdown" and shutdown.detail["stopped_by"] == "request"
    assert recorder.of("shutdown_overdue") == []


async def test_a_child_still_running_at_its_deadline_is_cancelled_then(recorder, autojump_clock):
    # OTP's sup_stop_timeout: child1 stops when told, child2 is busy and is killed.
    log = Log()
    sup = Supervisor(
        [spec(log, "child1", shutdown=1), spec(log, "child2", shutdown=1, cleanup=200_000)],
        name="s",
    )
    await run_then_stop(sup, log)
    assert log.of("child2") == [("asked", 0), ("cancelled", 1)]
    assert log.of("child1") == [("asked", 1), ("done", 1)]
    stopped_by = {e.child: e.detail["stopped_by"] for e in recorder.of("shutdown")}
    assert stopped_by == {"child1": "request", "child2": "cancellation"}
    assert recorder.of("shutdown_overdue") == []  # it ended once cancelled


async def test_brutal_kill_cancels_at_once_without_asking(recorder, autojump_clock):
    # OTP's sup_stop_brutal_kill: child1 is told, child2 is killed.
    log = Log()
    sup = Supervisor(
        [spec(log, "child1", shutdown=1), spec(log, "child2", shutdown="brutal_kill")],
        name="s",
    )
    await run_then_stop(sup, log)
    assert log.of("child2") == [("cancelled", 0)]
    assert log.of("child1") == [("asked", 0), ("done", 0)]
    stopped_by = {e.child: e.detail["stopped_by"] for e in recorder.of("shutdown")}
    assert stopped_by == {"child1": "request", "child2": "cancellation"}


async def test_infinity_waits_as_long_as_the_child_takes_to_honour_the_request(
    recorder, autojump_clock
):
    # OTP's sup_stop_infinity, for a worker and for a supervisor-type child.
    log = Log()
    sup = Supervisor(
        [
            spec(log, "child1", shutdown="infinity", cleanup=1000),
            ChildSpec("child2", graceful(log, cleanup=50), args=("child2",), type="supervisor"),
        ],
        name="s",
    )
    await run_then_stop(sup, log)
    assert log.of("child2") == [("asked", 0), ("done", 50)]
    assert log.of("child1") == [("asked", 50), ("done", 1050)]
    assert log.of("supervisor") == [("stopped", 1050)]
    assert recorder.of("shutdown_overdue") == []


async def test_shutdown_zero_asks_and_cancels_at_once(recorder, autojump_clock):
    log = Log()
    await run_then_stop(Supervisor([spec(log, "c", shutdown=0, cleanup=1)], name="s"), log)
    assert log.of("c") == [("asked", 0), ("cancelled", 0)]  # no time for its cleanup
    assert log.of("supervisor") == [("stopped", 0)]
    assert recorder.of("shutdown_overdue") == []  # it ended once it had its turn


async def test_a_child_that_does_not_listen_is_cancelled_at_once_not_at_its_deadline(
    kids, recorder, autojump_clock
):
    sup = Supervisor([kids.spec("a", shutdown=60), kids.spec("b", shutdown="infinity")], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        assert trio.current_time() == start
    assert kids.stops() == ["b", "a"]
    assert {e.detail["stopped_by"] for e in recorder.of("shutdown")} == {"cancellation"}


async def test_a_listening_child_that_shields_itself_past_its_deadline_is_reported(
    recorder, autojump_clock
):
    log = Log()

    async def stubborn(*, task_status):
        task_status.started()
        await stop_requested()
        log.add("stubborn", "asked")
        with trio.CancelScope(shield=True):
            await trio.sleep(30)
        log.add("stubborn", "done")

    sup = Supervisor([ChildSpec("stubborn", stubborn, shutdown=5)], name="s")
    await run_then_stop(sup, log)
    assert log.of("stubborn") == [("asked", 0), ("done", 30)]
    (overdue,) = recorder.of("shutdown_overdue", child="stubborn")
    assert overdue.detail["timeout"] == 5 and "in stubborn" in overdue.detail["stack"]


# -- order ------------------------------------------------------------------------------


async def test_static_children_stop_in_reverse_order_each_with_its_own_grace(
    recorder, autojump_clock
):
    log = Log()
    sup = Supervisor(
        [
            spec(log, "a", shutdown=3, honour=False),  # asked, ignores it: cancelled at +3
            spec(log, "b", shutdown=10, cleanup=2),  # asked, done 2 s later
            spec(log, "c", shutdown="brutal_kill"),  # cancelled at once
        ],
        name="s",
    )
    await run_then_stop(sup, log)
    assert log.entries == [
        ("c", "cancelled", 0),
        ("b", "asked", 0),
        ("b", "done", 2),
        ("a", "asked", 2),
        ("a", "cancelled", 5),
        ("supervisor", "stopped", 5),
    ]


async def test_dynamic_children_are_all_asked_at_once_and_stop_concurrently(
    recorder, autojump_clock
):
    log = Log()
    dyn = DynamicSupervisor(name="d")
    async with trio.open_nursery() as nursery:
        await nursery.start(dyn.run)
        for name in "xyz":
            await dyn.start_child(spec(log, name, shutdown=5, cleanup=4))
        await dyn.start_child(spec(log, "slow", shutdown=2, honour=False))
        log.mark()
        await dyn.stop()
        log.add("supervisor", "stopped")
    assert sorted(e for e in log.entries if e[1] == "asked") == [
        (name, "asked", 0) for name in ["slow", "x", "y", "z"]
    ]
    assert log.of("slow") == [("asked", 0), ("cancelled", 2)]
    assert [log.of(name)[-1] for name in "xyz"] == [("done", 4)] * 3
    assert log.of("supervisor") == [("stopped", 4)]  # the slowest, not the sum


# -- the two ways to listen --------------------------------------------------------------


async def test_an_actor_finishes_the_message_in_hand_then_handles_its_stop(
    recorder, autojump_clock
):
    # The shape of roost's actor loop: the request becomes a message in its mailbox.
    handled: list[str] = []
    working = trio.Event()
    send, receive = trio.open_memory_channel[str](10)

    async def actor(*, task_status):
        on_stop_request(lambda: send.send_nowait("stop"))
        task_status.started()
        async for message in receive:
            if message == "stop":
                handled.append("terminate")
                return
            working.set()
            await trio.sleep(1)  # the message in hand
            handled.append(message)

    sup = Supervisor([ChildSpec("actor", actor, shutdown=5)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        send.send_nowait("work")
        await working.wait()
        await sup.stop()
    assert handled == ["work", "terminate"]
    assert recorder.of("shutdown")[0].detail["stopped_by"] == "request"


async def test_a_callback_registered_after_the_request_runs_at_once(no_leaks, autojump_clock):
    calls: list[str] = []

    async def child(*, task_status):
        task_status.started()
        await stop_requested()
        on_stop_request(lambda: calls.append("late"))
        assert calls == ["late"]

    sup = Supervisor([ChildSpec("c", child)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        await sup.stop()
    assert calls == ["late"]


async def test_a_child_that_stopped_listening_is_cancelled_at_once(recorder, autojump_clock):
    calls: list[str] = []

    async def child(*, task_status):
        unregister = on_stop_request(lambda: calls.append("asked"))
        unregister()
        task_status.started()
        await trio.sleep_forever()

    sup = Supervisor([ChildSpec("c", child, shutdown=60)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        assert trio.current_time() == start
    assert calls == []


async def test_a_failing_callback_is_logged_and_the_child_cancelled_at_once(
    recorder, autojump_clock, caplog
):
    def broken() -> None:
        raise RuntimeError("mailbox gone")

    async def child(*, task_status):
        on_stop_request(broken)
        task_status.started()
        await trio.sleep_forever()

    sup = Supervisor([ChildSpec("c", child, shutdown=60)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await sup.stop()
        assert trio.current_time() == start
    (record,) = [r for r in caplog.records if "stop request callback" in r.getMessage()]
    assert record.levelno == logging.ERROR and "mailbox gone" in str(record.exc_info[1])


async def test_outside_a_supervised_child_nothing_ever_asks(no_leaks, autojump_clock):
    on_stop_request(lambda: pytest.fail("nobody asks"))()
    with trio.move_on_after(10) as scope:
        await stop_requested()
    assert scope.cancelled_caught


async def test_a_task_the_child_started_can_listen_for_it(recorder, autojump_clock):
    log = Log()

    async def child(*, task_status):
        async with trio.open_nursery() as nursery:
            await nursery.start(graceful(log, cleanup=1), "helper")
            task_status.started()

    sup = Supervisor([ChildSpec("c", child, shutdown=5)], name="s")
    await run_then_stop(sup, log)
    assert log.of("helper") == [("asked", 0), ("done", 1)]
    assert recorder.of("shutdown")[0].detail["stopped_by"] == "request"


# -- who stops gracefully, and who at once ----------------------------------------------------


async def test_terminate_child_asks_first_too(recorder, autojump_clock):
    log = Log()
    sup = Supervisor([spec(log, "a", shutdown=5, cleanup=2)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        await sup.terminate_child("a")
        assert sup.which_children() == [("a", None, "worker")]
        await sup.stop()
    assert log.of("a") == [("asked", 0), ("done", 2)]


async def test_cancelling_the_caller_of_terminate_child_cancels_the_child_at_once(
    recorder, autojump_clock
):
    log = Log()
    sup = Supervisor([spec(log, "a", shutdown="infinity", cleanup=100)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        with trio.move_on_after(3):
            await sup.terminate_child("a")
        assert log.of("a") == [("asked", 0), ("cancelled", 3)]
        assert sup.which_children() == [("a", None, "worker")]  # accounted for
        await sup.stop()
    assert recorder.of("shutdown")[0].detail["stopped_by"] == "cancellation"


async def test_cancelling_a_supervisor_cancels_its_children_at_once_without_asking(
    recorder, autojump_clock
):
    log = Log()
    sup = Supervisor([spec(log, "a", cleanup=1), spec(log, "b", cleanup=1)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        nursery.cancel_scope.cancel()
    assert log.entries == [("b", "cancelled", 0), ("a", "cancelled", 0)]
    assert [e.reason for e in recorder.of("supervisor_stopped")] == ["normal"]


async def test_cancelling_a_graceful_stop_half_way_cancels_the_rest_at_once(
    recorder, autojump_clock
):
    log = Log()
    sup = Supervisor(
        [spec(log, "a", cleanup=10), spec(log, "b", cleanup=10), spec(log, "c", cleanup=10)],
        name="s",
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        nursery.start_soon(sup.stop)
        await trio.sleep(15)  # c is done, b is cleaning up
        nursery.cancel_scope.cancel()
    assert log.entries == [
        ("c", "asked", 0),
        ("c", "done", 10),
        ("b", "asked", 10),
        ("b", "cancelled", 15),
        ("a", "cancelled", 15),
    ]


async def test_a_child_supervisor_honours_its_parents_request_by_stopping_its_own_children(
    recorder, autojump_clock
):
    log = Log()
    mid = Supervisor([spec(log, "worker", shutdown=5, cleanup=3)], name="mid")
    root = Supervisor([mid.child_spec()], name="root")
    await run_then_stop(root, log)
    assert log.of("worker") == [("asked", 0), ("done", 3)]
    (mid_shutdown,) = recorder.of("shutdown", child="mid")
    assert mid_shutdown.detail["stopped_by"] == "request"


async def test_a_supervisor_run_by_the_childs_own_task_honours_the_childs_request(
    recorder, autojump_clock
):
    # A session's shape: its run awaits its own supervisor's, then cleans up.
    log = Log()
    inner = Supervisor([spec(log, "view", shutdown=5, cleanup=1)], name="inner")

    async def session(*, task_status):
        await inner.run(task_status=task_status)
        log.add("session", "ended")

    sessions = DynamicSupervisor(name="sessions")
    async with trio.open_nursery() as nursery:
        await nursery.start(sessions.run)
        await sessions.start_child(ChildSpec("tab", session, type="supervisor"))
        log.mark()
        await sessions.terminate_child("tab")
        await sessions.stop()
    assert log.entries == [("view", "asked", 0), ("view", "done", 1), ("session", "ended", 1)]


async def test_a_supervisor_in_a_task_beside_the_childs_own_work_leaves_the_request_to_it(
    recorder, autojump_clock
):
    log = Log()
    side = Supervisor([spec(log, "helper", cleanup=1)], name="side")

    async def child(*, task_status):
        async with trio.open_nursery() as nursery:
            await nursery.start(side.run)
            task_status.started()
            await trio.sleep_forever()  # its own work does not listen

    sup = Supervisor([ChildSpec("c", child, shutdown=60)], name="s")
    await run_then_stop(sup, log)
    assert log.entries == [("helper", "cancelled", 0), ("supervisor", "stopped", 0)]


async def test_a_one_for_all_restart_stops_the_siblings_gracefully(kids, recorder, autojump_clock):
    log = Log()
    sup = Supervisor(
        [kids.spec("a"), spec(log, "b", shutdown=5, cleanup=2)], strategy="one_for_all", name="s"
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        kids.crash("a")
        await recorder.wait_for("restarted", child="b")
        assert log.of("b") == [("asked", 0), ("done", 2)]
        await sup.stop()


async def test_stop_during_a_strategys_graceful_stop_lets_it_finish_first(
    kids, recorder, autojump_clock
):
    log = Log()
    sup = Supervisor(
        [kids.spec("a"), spec(log, "b", shutdown=5, cleanup=2)], strategy="one_for_all", name="s"
    )
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        log.mark()
        kids.crash("a")
        await log.wait_for("b", "asked")  # b is cleaning up for the restart
        await sup.stop()
    assert log.of("b") == [("asked", 0), ("done", 2)]
    assert recorder.of("restarted") == []  # the stop came before the restart's starts


async def test_a_supervisor_that_gives_up_stops_its_children_gracefully(
    kids, recorder, autojump_clock
):
    from sup_helpers import failure_of

    log = Log()
    sup = Supervisor([spec(log, "b", shutdown=5, cleanup=2), kids.spec("a")], max_restarts=0)

    async def crash():
        log.mark()
        kids.crash("a")

    await failure_of(sup, crash)
    assert log.of("b") == [("asked", 0), ("done", 2)]


# -- a stop its own child waits for ---------------------------------------------------


async def test_a_listening_child_that_stops_its_own_supervisor_is_cancelled_at_once(
    recorder, autojump_clock
):
    log = Log()
    holder = {}

    async def quitter(*, task_status):
        on_stop_request(lambda: log.add("quitter", "asked"))
        task_status.started()
        await holder["sup"].stop()  # it waits for the stop: it cannot honour a request

    sup = holder["sup"] = Supervisor(
        [spec(log, "a", shutdown=5, cleanup=1), ChildSpec("quitter", quitter, shutdown=60)],
        name="s",
    )
    async with trio.open_nursery() as nursery:
        log.mark()
        await nursery.start(sup.run)
    assert log.entries == [("a", "asked", 0), ("a", "done", 1)]  # no 60 s wait, no ask


async def test_a_listening_child_that_terminates_itself_is_cancelled_at_once(
    recorder, autojump_clock
):
    holder = {}

    async def self_terminating(*, task_status):
        on_stop_request(lambda: pytest.fail("it would wait for itself"))
        task_status.started()
        try:
            await holder["sup"].terminate_child("me")
        except trio.Cancelled:
            holder["cancelled"] = True
            raise

    sup = holder["sup"] = Supervisor([ChildSpec("me", self_terminating, shutdown=60)], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        start = trio.current_time()
        await recorder.wait_for("shutdown", child="me")
        assert trio.current_time() == start
        assert sup.which_children() == [("me", None, "worker")]
        assert holder["cancelled"]
        await sup.stop()


async def test_a_task_deep_inside_a_child_stopping_the_supervisor_above_cancels_that_child(
    recorder, autojump_clock
):
    holder = {}
    log = Log()

    async def leaf(*, task_status):
        on_stop_request(lambda: log.add("leaf", "asked"))
        task_status.started()
        await trio.sleep(1)
        await holder["root"].stop()

    inner = Supervisor([ChildSpec("leaf", leaf, shutdown=60)], name="inner")
    root = holder["root"] = Supervisor(
        [spec(log, "a", shutdown=5), inner.child_spec()], name="root"
    )
    async with trio.open_nursery() as nursery:
        log.mark()
        await nursery.start(root.run)
    assert log.entries == [("a", "asked", 1), ("a", "done", 1)]  # inner: cancelled at once
