"""How `roost run` has the garbage collector work, and ROOST_GC_STATS."""

from __future__ import annotations

import gc
import signal

import pytest

from roost.cli import GcPolicy, GcStats, YoungCollections
from tests.serve import roost_run


@pytest.fixture
def restore_gc():
    threshold = gc.get_threshold()
    yield
    gc.set_threshold(*threshold)
    gc.unfreeze()
    gc.enable()


def test_the_policy_freezes_start_up_and_leaves_full_collections_to_itself(restore_gc):
    ended, live = [0], [100]
    policy = GcPolicy(lambda: ended[0], lambda: live[0])
    before = gc.get_threshold()
    policy.install()
    assert gc.get_freeze_count() > 0  # what start-up built is never scanned again
    assert gc.get_threshold() == (before[0], before[1], GcPolicy.NEVER)
    policy.uninstall()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_full_collection_is_due_once_a_quarter_of_the_sessions_have_ended(restore_gc):
    ended, live = [0], [1000]
    policy = GcPolicy(lambda: ended[0], lambda: live[0])
    policy.install()
    try:
        ended[0], live[0] = 199, 801
        assert not policy.due()  # 199 of the 801 there are now: less than a quarter
        ended[0], live[0] = 200, 800
        assert policy.due()
        policy.collect()
        assert policy.full_collections == 1 and not policy.due()
        ended[0], live[0] = 350, 650  # 150 more: not a quarter of 650
        assert not policy.due()
        ended[0], live[0] = 370, 630  # 170 more
        assert policy.due()
    finally:
        policy.uninstall()


def test_with_no_session_left_any_ended_session_makes_a_collection_due(restore_gc):
    ended, live = [0], [2]
    policy = GcPolicy(lambda: ended[0], lambda: live[0], min_ended=50)
    policy.install()
    try:
        ended[0], live[0] = 1, 1
        assert not policy.due()  # one tab of two closed: fewer than min_ended
        ended[0], live[0] = 2, 0
        assert policy.due()  # none left: collecting costs next to nothing
        policy.collect()
        assert not policy.due()
    finally:
        policy.uninstall()


def test_gc_stats_record_the_longest_pause_of_each_generation():
    ticks = iter([0.0, 0.002, 1.0, 1.5, 2.0, 2.001])
    stats = GcStats(clock=lambda: next(ticks))
    stats._callback("start", {"generation": 0})
    stats._callback("stop", {"generation": 0, "collected": 3})
    stats._callback("start", {"generation": 2})
    stats._callback("stop", {"generation": 2, "collected": 10})
    stats._callback("start", {"generation": 0})
    stats._callback("stop", {"generation": 0, "collected": 0})
    assert stats.collections == [2, 0, 1] and stats.collected == 13
    report = stats.report("now")
    assert "max_pause_ms=500.0 gen2_max_pause_ms=500.0" in report
    stats.reset()
    assert stats.collections == [0, 0, 0] and "max_pause_ms=0.0" in stats.report()


def test_roost_gc_stats_reports_on_sigusr1_and_at_exit(monkeypatch):
    monkeypatch.setenv("ROOST_GC_STATS", "1")
    with roost_run("examples.counter:app") as served:
        served.process.send_signal(signal.SIGUSR1)
        assert served.process.stdout is not None
        while "roost: gc:" not in (line := served.process.stdout.readline()):
            assert line, "the server exited without reporting"
        assert "roost: gc: sessions=0 started=0 policy_collections=0 collections=" in line
        status = served.stop(signal.SIGINT)
    out = "".join(served.output)
    assert status == 0
    assert "roost: gc: at exit collections=" in out
    assert "Traceback" not in served.stderr


def test_without_roost_gc_stats_there_is_no_report(monkeypatch):
    monkeypatch.delenv("ROOST_GC_STATS", raising=False)
    with roost_run("examples.counter:app") as served:
        status = served.stop(signal.SIGINT)
    assert status == 0
    assert "roost: gc:" not in "".join(served.output)


def young_left_after_replacing(instrument: YoungCollections | None, n: int = 60_000) -> int:
    """Replace ``n`` old objects with new ones in 120 tasks that all run in one
    batch of the scheduler, each beginning an actor's batch as the views of a
    broadcast do; the objects in the young generation at the end."""
    import trio

    gc.collect()
    old = [[i] for i in range(n)]
    gc.collect()  # all old now: the young generation starts empty
    kept: list[int] = []

    def replace(start: int) -> None:
        if instrument is not None:
            instrument.tick()  # (what roost run has each actor do: call_on_each_batch)
        for i in range(start, start + 500):
            old[i] = [-i]  # one allocated, one freed: CPython's count stays put

    async def replacing() -> None:
        if instrument is not None:
            trio.lowlevel.add_instrument(instrument)
        async with trio.open_nursery() as nursery:
            for start in range(0, n, 500):
                nursery.start_soon(_step, replace, start)
        kept.append(len(gc.get_objects(0)))

    trio.run(replacing)
    return kept[0]


async def _step(work, *args) -> None:
    work(*args)


def test_young_collections_keep_the_young_generation_small_while_frees_match_allocations():
    ticks = iter(range(1_000_000))
    # A check every actor batch, the clock a tick a check: a collection every 2nd batch.
    instrument = YoungCollections(interval=2, every=1, clock=lambda: next(ticks))
    assert young_left_after_replacing(None) > 50_000  # what CPython alone lets pile up
    assert young_left_after_replacing(instrument) < 5_000
    assert instrument.collections > 50


def test_the_young_generation_is_collected_when_the_server_is_about_to_idle_not_mid_work():
    import trio
    import trio.testing

    # An interval never reached while busy: only idling collects.
    instrument = YoungCollections(interval=1e9, every=1, idle_gap=0)
    seen: dict[str, int] = {}

    async def main() -> None:
        trio.lowlevel.add_instrument(instrument)
        gc.collect()
        kept = [[i] for i in range(2_000)]  # a click's work: young objects left
        for _ in range(5):
            await trio.lowlevel.checkpoint()  # busy: tasks keep running
        seen["busy"] = instrument.collections
        seen["young before"] = len(gc.get_objects(0))
        await trio.sleep(1)  # nothing left to run: the scheduler waits
        seen["idle"] = instrument.collections
        seen["young after"] = len(gc.get_objects(0))
        del kept

    # The clock jumps once the scheduler has waited 1 ms with nothing to run.
    gc.disable()  # (CPython's own trigger would collect as the objects are made)
    try:
        trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0.001))
    finally:
        gc.enable()
    assert seen["busy"] == 0
    assert seen["idle"] == 1
    assert seen["young before"] > 2_000 > seen["young after"]


def test_the_policy_counts_actor_batches_only_while_it_runs(restore_gc):
    import trio
    import trio.testing

    from roost.actors import loop

    policy = GcPolicy(lambda: 0, lambda: 1)
    seen = {}

    async def main() -> None:
        async with trio.open_nursery() as nursery:
            nursery.start_soon(policy.run)
            await trio.testing.wait_all_tasks_blocked()
            hook = loop._on_batch
            seen["running"] = getattr(hook, "__self__", None)
            nursery.cancel_scope.cancel()
        seen["after"] = loop._on_batch

    trio.run(main)
    assert isinstance(seen["running"], YoungCollections)
    assert seen["after"] is None
