"""kill_child: OTP's exit(Child, kill): cancelled at once, whatever its shutdown,
an abnormal exit its supervisor restarts and counts toward the intensity."""

from __future__ import annotations

import pytest
import trio

from roost.supervisor import (
    ChildNotFound,
    ChildSpec,
    Killed,
    NotRunning,
    RestartIntensityExceeded,
    Supervisor,
    events,
)


def worker(log: list[str]):
    async def run(*, task_status=trio.TASK_STATUS_IGNORED):
        log.append("started")
        task_status.started()
        try:
            await trio.sleep_forever()
        finally:
            log.append("ended")

    return run


async def test_a_killed_child_is_cancelled_at_once_and_restarted_as_after_a_crash(
    no_leaks, autojump_clock
):
    log: list[str] = []
    sup = Supervisor([ChildSpec("w", worker(log), shutdown="infinity")], name="s")
    with events.listen() as recorder:
        async with trio.open_nursery() as nursery:
            await nursery.start(sup.run)
            sup.kill_child("w")
            await recorder.wait_for(kind="restarted", child="w")
            [exited] = recorder.of("exited", child="w")
            assert isinstance(exited.exception, Killed)
            assert sup.describe()["children"][0]["restarts"] == 1
            await sup.stop()
    assert log == ["started", "ended", "started", "ended"]


async def test_kills_count_toward_the_restart_intensity(no_leaks, autojump_clock):
    sup = Supervisor([ChildSpec("w", worker([]))], name="s", max_restarts=1)
    with pytest.raises(BaseExceptionGroup) as info:
        async with trio.open_nursery() as nursery:
            with events.listen() as recorder:
                await nursery.start(sup.run)
                sup.kill_child("w", Killed("first"))
                await recorder.wait_for(kind="restarted", child="w")
                sup.kill_child("w", Killed("second"))
                await trio.sleep_forever()
    assert info.group_contains(RestartIntensityExceeded)


async def test_only_a_running_child_can_be_killed(no_leaks, autojump_clock):
    sup = Supervisor([ChildSpec("w", worker([]))], name="s")
    async with trio.open_nursery() as nursery:
        await nursery.start(sup.run)
        with pytest.raises(ChildNotFound):
            sup.kill_child("nope")
        await sup.terminate_child("w")
        with pytest.raises(NotRunning):
            sup.kill_child("w")
        await sup.stop()
