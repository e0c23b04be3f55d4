# Why not a writer task: a component's click that tells its view makes two
# patches, in two actors' steps one scheduler batch apart, and the first waits
# for the second so that both share a frame. A task spawned to bound that wait
# cost a spawn, two steps, its exit and a pass of the scheduler of its own on
# every such click; Trio's hook between batches bounds it for nothing.
"""Frames left for the actor about to run, with a bound on how long they wait."""

from __future__ import annotations

import logging
from collections.abc import Callable

import trio

log = logging.getLogger("roost.server")

Release = Callable[[], bool]
"""Writes what was left waiting (or starts a task that will); True if it started a task."""


class DeferredWrites(trio.abc.Instrument):
    """Calls each deferred ``release`` between two batches of Trio's scheduler:
    once the batch after the one that deferred it has run (the batch in which
    the actor it waits for runs), or at once when no task is left to run.

    That is no later than a writer task started instead would have written:
    its first step yields once, its second writes. A release that starts a
    task while the scheduler is about to sleep wakes the scheduler, so that
    the task runs now rather than at the next I/O. Installed for the run of
    roost's own socket path (``Runtime`` under ``roost run``).
    """

    def __init__(self) -> None:
        self._waiting: dict[Release, bool] = {}
        """Each release, and whether a batch has ended since it was deferred."""

    def defer(self, release: Release) -> None:
        self._waiting.setdefault(release, False)

    def cancel(self, release: Release) -> None:
        """``release`` is not needed any more (what waited went out)."""
        self._waiting.pop(release, None)

    def __len__(self) -> int:
        return len(self._waiting)

    def before_io_wait(self, timeout: float) -> None:
        waiting = self._waiting
        if not waiting:
            return
        started = False
        for release, ended in list(waiting.items()):
            if not ended and timeout == 0:  # its actor runs in the next batch
                waiting[release] = True
                continue
            del waiting[release]
            try:
                started = release() or started
            except Exception:  # an instrument that raises is removed by Trio
                log.exception("writing a deferred frame failed")
        if started and timeout > 0:
            trio.lowlevel.current_trio_token().run_sync_soon(_nothing)


def _nothing() -> None:
    pass
