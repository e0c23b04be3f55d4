# Faults a test arms on a tab (roost.testing): crash points (the next mount,
# update, render, event or info message of a target raises InjectedCrash in
# its actor) and message faults (delay, drop, hold what reaches an actor).
from __future__ import annotations

from typing import Any, Literal, TypeAlias

import anyio

from .mailbox import STOP
from .messages import InjectedCrash

Point: TypeAlias = Literal["mount", "update", "render", "event", "info"]
POINTS: tuple[Point, ...] = ("mount", "update", "render", "event", "info")


class Filler:
    """A message that does nothing: what ``fill`` puts in a mailbox."""

    __slots__ = ()


class Faults:
    """The faults armed on one tab, by target.

    An actor calls :meth:`check` at each crash point; an armed one raises
    ``InjectedCrash`` there, inside the actor's own task, as its own code
    would. Before handling a batch it passes the messages through
    :meth:`intercept`, which holds, delays or drops them. A tab without
    faults has none of this (``Tab.faults`` is None).
    """

    __slots__ = ("_armed", "_delays", "_drops", "_holds")

    def __init__(self) -> None:
        self._armed: dict[tuple[str, str], int | None] = {}
        self._delays: dict[str, float] = {}
        self._drops: dict[str, int | None] = {}
        self._holds: dict[str, tuple[anyio.Event, anyio.Event]] = {}  # (released, parked)

    # -- message faults ------------------------------------------------------------

    def delay(self, target: str, seconds: float) -> None:
        """Each batch of messages reaches ``target`` ``seconds`` late (0: no delay)."""
        if seconds > 0:
            self._delays[target] = seconds
        else:
            self._delays.pop(target, None)

    def drop(self, target: str, count: int | None = None) -> None:
        """The next ``count`` messages to ``target`` are lost (None: all, until
        :meth:`heal`). A lost client event is never answered."""
        self._drops[target] = count

    def hold(self, target: str) -> anyio.Event:
        """``target`` handles nothing more until :meth:`release`: its mailbox fills
        up. Returns an event set once it is parked (it took a batch and waits)."""
        return self._holds.setdefault(target, (anyio.Event(), anyio.Event()))[1]

    def release(self, target: str) -> None:
        """``target`` handles what waits in its mailbox again."""
        held = self._holds.pop(target, None)
        if held is not None:
            held[0].set()

    def heal(self, target: str | None = None) -> None:
        """Disarm every fault (of ``target``, or of every target)."""
        self.disarm(target)
        for table in (self._delays, self._drops):
            for key in [k for k in table if target is None or k == target]:
                del table[key]
        for key in [k for k in self._holds if target is None or k == target]:
            self.release(key)

    async def intercept(self, target: str, messages: list[Any]) -> list[Any]:
        """``messages``, taken from ``target``'s mailbox, once held, delayed and
        dropped as armed (a stop request always passes)."""
        held = self._holds.get(target)
        if held is not None:
            held[1].set()
            await held[0].wait()
        delay = self._delays.get(target)
        if delay:
            await anyio.sleep(delay)
        if target in self._drops:
            kept = []
            for message in messages:
                left = self._drops.get(target, 0)
                if message is STOP or left == 0:
                    kept.append(message)
                    continue
                if left is not None:
                    if left <= 1:
                        del self._drops[target]
                    else:
                        self._drops[target] = left - 1
            messages = kept
        return [m for m in messages if not isinstance(m, Filler)]

    # -- crash points ----------------------------------------------------------------

    def arm(self, target: str, point: Point, times: int | None = 1) -> None:
        """Crash ``target`` the next ``times`` times it reaches ``point``
        (``None``: every time, until :meth:`disarm`)."""
        if point not in POINTS:
            raise ValueError(f"unknown crash point {point!r}: one of {', '.join(POINTS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1, or None for every time")
        self._armed[(target, point)] = times

    def disarm(self, target: str | None = None, point: Point | None = None) -> None:
        """Disarm ``target``'s ``point`` (every point, every target when left off)."""
        for key in list(self._armed):
            if (target is None or key[0] == target) and (point is None or key[1] == point):
                del self._armed[key]

    def armed(self, target: str, point: Point) -> int | Literal[False] | None:
        """How many crashes are left at that point (None: every time; False: none)."""
        return self._armed.get((target, point), False)

    def check(self, target: str, point: Point) -> None:
        """Raise ``InjectedCrash`` if ``target``'s ``point`` is armed (one time used)."""
        key = (target, point)
        if key not in self._armed:
            return
        left = self._armed[key]
        if left is not None:
            if left <= 1:
                del self._armed[key]
            else:
                self._armed[key] = left - 1
        raise InjectedCrash(f"crash injected at the {point} of {target!r}")
