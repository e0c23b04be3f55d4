# Wall-clock bounds for the client's waits. Under Trio's MockClock (autojump)
# Trio's own deadlines are virtual, so a thread keeps the real-time ones.
from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import trio


class Watchdog:
    """Cancels a wait's scope when its wall-clock deadline passes.

    A client's safety timeout means seconds on the wall, whatever clock the
    Trio run uses: with ``autojump_clock`` a view's 30-second timer fires at
    once, and a wait that can never end still fails after ``timeout`` real
    seconds. One thread per client, started by :meth:`run`.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._armed: dict[int, tuple[float, trio.CancelScope]] = {}
        self._keys = itertools.count()
        self._stopped = False
        self._token: trio.lowlevel.TrioToken | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Watch until cancelled (the thread then ends at once)."""
        self._token = trio.lowlevel.current_trio_token()
        task_status.started()
        try:
            await trio.to_thread.run_sync(
                self._watch, abandon_on_cancel=True, limiter=trio.CapacityLimiter(1)
            )
        finally:
            with self._condition:
                self._stopped = True
                self._condition.notify()

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[trio.CancelScope]:
        """A cancel scope that is cancelled ``seconds`` of real time from now."""
        scope = trio.CancelScope()
        key = next(self._keys)
        with self._condition:
            self._armed[key] = (time.monotonic() + seconds, scope)
            self._condition.notify()
        try:
            with scope:
                yield scope
        finally:
            with self._condition:
                self._armed.pop(key, None)

    def _watch(self) -> None:
        with self._condition:
            while not self._stopped:
                now = time.monotonic()
                for key, (due, scope) in list(self._armed.items()):
                    if due <= now:
                        del self._armed[key]
                        self._cancel(scope)
                soonest = min((due for due, _ in self._armed.values()), default=None)
                self._condition.wait(None if soonest is None else max(soonest - now, 0))

    def _cancel(self, scope: trio.CancelScope) -> None:
        assert self._token is not None
        try:
            self._token.run_sync_soon(scope.cancel)
        except trio.RunFinishedError:  # pragma: no cover - the run ended under us
            self._stopped = True
