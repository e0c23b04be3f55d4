"""The hook between scheduler batches that bounds how long a frame left for an
actor waits (roost/server/deferred.py)."""

from __future__ import annotations

import logging

import pytest
import trio
import trio.lowlevel

from roost.server.deferred import DeferredWrites


@pytest.fixture
def hook(deferred: DeferredWrites) -> DeferredWrites:
    return deferred  # (conftest.py installs it)


async def test_each_release_runs_once_the_batch_after_its_own_has_run(hook):
    ran: list[str] = []
    hook.defer(lambda: ran.append("first") or False)
    await trio.lowlevel.checkpoint()  # the batch in which the actor it waits for runs
    hook.defer(lambda: ran.append("second") or False)
    assert ran == []
    await trio.lowlevel.checkpoint()
    assert ran == ["first"]
    await trio.lowlevel.checkpoint()
    assert ran == ["first", "second"]


async def test_a_cancelled_release_never_runs(hook):
    ran: list[int] = []

    def release() -> bool:
        ran.append(1)
        return False

    hook.defer(release)
    hook.cancel(release)
    for _ in range(3):
        await trio.lowlevel.checkpoint()
    assert ran == [] and len(hook) == 0


async def test_a_release_that_fails_is_logged_and_the_others_still_run(hook, caplog):
    ran: list[str] = []

    def failing() -> bool:
        raise OSError("the socket is gone")

    hook.defer(failing)
    hook.defer(lambda: ran.append("other") or False)
    for _ in range(2):
        await trio.lowlevel.checkpoint()
    assert ran == ["other"]
    assert any(
        r.levelno == logging.ERROR and "deferred frame" in r.getMessage() for r in caplog.records
    )
    hook.defer(lambda: ran.append("later") or False)  # still installed: Trio kept it
    for _ in range(2):
        await trio.lowlevel.checkpoint()
    assert ran == ["other", "later"]


async def test_a_task_a_release_starts_while_the_server_would_sleep_runs_at_once(hook, nursery):
    # The release comes as the scheduler is about to wait for I/O with nothing
    # to run; the task it starts must not wait for that I/O.
    done = trio.Event()

    def release() -> bool:
        nursery.start_soon(_set, done)
        return True

    hook.defer(release)
    with trio.fail_after(5):
        await done.wait()


async def _set(event: trio.Event) -> None:
    event.set()
