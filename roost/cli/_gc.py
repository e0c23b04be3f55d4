# How `roost run` has Python's garbage collector work, and the pauses it reports.
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import time
from collections.abc import Callable
from typing import Any

import trio

from ..actors import call_on_each_batch

log = logging.getLogger("roost")


class GcPolicy:
    """How ``roost run`` has Python's cyclic garbage collector work: no full
    collection while sessions join or idle, one after sessions have ended.

    A full collection scans every object the server holds and stops every
    task meanwhile: about 4 s with 10,000 sessions. CPython starts one each
    time its older objects have grown by a quarter, so while sessions joined
    the server stopped for seconds at 2,500, 3,100, 3,900, ... sessions, and
    once they had ended it never collected what their reference cycles kept.
    Here instead:

    - what start-up built (modules, classes, templates) is frozen
      (``gc.freeze``): no collection looks at it again;
    - young collections run as usual (``threshold0``, ``threshold1``), and
      free short-lived cycles in milliseconds; objects that outlive them are
      left to reference counting, which frees a session that holds no cycle
      the moment it ends;
    - full collections run only here (``run``): once the sessions ended
      since the last one number a quarter of the sessions there are now (and
      at least ``min_ended``), or as soon as none is left, to reclaim what
      ended sessions' reference cycles hold; then the C allocator is asked to
      give its free memory back to the system (``malloc_trim``, glibc).
      Sessions that leave no cycles would make these all but unneeded.
    """

    NEVER = 2**31 - 1
    """A ``threshold2`` that CPython never reaches: no full collection of its own."""

    def __init__(
        self,
        ended: Callable[[], int],
        live: Callable[[], int],
        *,
        share: float = 0.25,
        min_ended: int = 50,
        interval: float = 1.0,
    ) -> None:
        self._ended = ended
        self._live = live
        self.share = share
        self.min_ended = min_ended
        self.interval = interval
        self.full_collections = 0
        self._ended_then = 0
        self._saved: tuple[int, int, int] | None = None

    def install(self) -> None:
        """Once the server has started: freeze what start-up built, stop CPython's
        own full collections."""
        gc.collect()
        gc.freeze()
        self._saved = gc.get_threshold()
        threshold0, threshold1, _ = self._saved
        gc.set_threshold(threshold0, threshold1, self.NEVER)
        self._ended_then = self._ended()

    def uninstall(self) -> None:
        """Give CPython its own settings back (and its collections)."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        gc.unfreeze()
        gc.enable()

    def due(self) -> bool:
        """Whether enough sessions have ended since the last full collection: a
        quarter of those there are now (the collection's cost grows with them),
        or any at all once none is left."""
        ended = self._ended() - self._ended_then
        live = self._live()
        return ended >= max(self.min_ended, self.share * live) or (ended > 0 and live == 0)

    def collect(self) -> None:
        """A full collection, now; then free memory goes back to the system."""
        self._ended_then = self._ended()
        collected = gc.collect()
        self.full_collections += 1
        _trim_malloc()
        log.info("roost: garbage collected after sessions ended: %d objects", collected)

    async def run(self) -> None:
        """Check ``due`` every ``interval`` seconds and collect when it is; meanwhile
        keep the young generations small (:class:`YoungCollections`)."""
        young = YoungCollections()
        trio.lowlevel.add_instrument(young)
        call_on_each_batch(young.tick)
        try:
            while True:
                await trio.sleep(self.interval)
                if self.due():
                    self.collect()
        finally:
            call_on_each_batch(None)
            trio.lowlevel.remove_instrument(young)


class YoungCollections(trio.abc.Instrument):
    """Collects the young generations every ``interval`` seconds while the server
    works, so that no collection of them has a pile to go through.

    CPython collects its youngest generation once allocations outnumber
    deallocations by ``threshold0`` (700). A server that replaces what its
    sessions hold (a broadcast: each of 10,000 views renders anew and drops
    its previous render) frees about as much as it allocates, so that count
    barely moves while the generation's list grows: 240,000 objects by the
    end of one broadcast, and a collection of 120 ms once it finally came.
    Here the young generation is collected at most ``interval`` seconds
    after the last time, and the middle one every ``middle_every``-th time.
    It is checked as actors begin batches of messages (``tick``, every
    ``every``-th: one pass of the scheduler runs all 10,000 views of a
    broadcast), and only when they do: an idle server is not woken for it.
    (Not after each task step, as a Trio instrument could: that hook costs
    every step of every task, a click's included, about 2 % of a tab switch.)

    When the scheduler is about to wait with nothing left to run (a click
    answered, its frame written), the young generation is collected there
    if work ran since the last collection (an actor's batch, or a task
    another woke), at most once every ``idle_gap``
    seconds: the collection that would otherwise come in the middle of the
    next click's work is done while the server has nothing else to do. The
    ``interval`` then counts only time the server has been busy since.
    """

    def __init__(
        self,
        interval: float = 0.01,
        middle_every: int = 10,
        every: int = 16,
        clock: Callable[[], float] = time.perf_counter,
        idle_gap: float = 0.005,
    ) -> None:
        self.interval = interval
        self.middle_every = middle_every
        self.every = every
        self.idle_gap = idle_gap
        self.collections = 0
        self._clock = clock
        self._collected = self._busy_since = clock()
        self._steps = 0
        self._ran = False  # actors or woken tasks ran since the last collection

    def tick(self) -> None:
        """An actor begins a batch: work is under way (``call_on_each_batch``)."""
        self._ran = True
        self._steps += 1
        if self._steps < self.every:
            return
        self._steps = 0
        now = self._clock()
        if now - self._busy_since >= self.interval:
            self._collect(now)

    def before_io_wait(self, timeout: float) -> None:
        if timeout <= 0:  # tasks are waiting to run: not idle
            self._ran = True
            return
        now = self._clock()
        if self._ran and now - self._collected >= self.idle_gap:
            self._collect(now)
        self._busy_since = now

    def _collect(self, now: float) -> None:
        self._collected = self._busy_since = now
        self._steps = 0
        self._ran = False
        self.collections += 1
        gc.collect(1 if self.collections % self.middle_every == 0 else 0)


GC_STATS_ENV = "ROOST_GC_STATS"
"""``ROOST_GC_STATS=1 roost run ...`` reports the garbage collector's pauses (off by default)."""


def _trim_malloc() -> None:
    """Ask glibc's allocator to return the free memory it keeps (Linux; else nothing)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class GcStats:
    """The pauses of Python's cyclic garbage collector, from a ``gc.callbacks`` hook.

    Under ``ROOST_GC_STATS=1``, ``roost run`` prints one line of these on each
    SIGUSR1 (and starts counting afresh) and once more at exit: how many
    collections of each generation ran, the longest pause of each, and their
    total. A collection stops every task of the server, so its longest pause
    is the longest time a click can wait on it. The hook costs two clock
    reads per collection.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._began = 0.0
        self.reset()

    def reset(self) -> None:
        """Start counting afresh."""
        self.collections = [0, 0, 0]
        self.longest = [0.0, 0.0, 0.0]
        """The longest pause of each generation's collections, in seconds."""
        self.total = 0.0
        self.collected = 0

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = self._clock()
            return
        pause = self._clock() - self._began
        generation = info["generation"]
        self.collections[generation] += 1
        self.longest[generation] = max(self.longest[generation], pause)
        self.total += pause
        self.collected += info["collected"]

    def report(self, when: str = "") -> str:
        """One line: ``roost: gc: ... max_pause_ms=... gen2_max_pause_ms=...``."""
        longest = [round(s * 1000, 1) for s in self.longest]
        return (
            f"roost: gc: {when} collections={self.collections} "
            f"max_pause_ms={max(longest)} gen2_max_pause_ms={longest[2]} "
            f"max_pause_ms_by_gen={longest} total_pause_ms={self.total * 1000:.1f} "
            f"collected={self.collected} frozen={gc.get_freeze_count()}"
        )
