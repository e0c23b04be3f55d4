# What the dashboard shows over time, gathered from telemetry while at least
# one dashboard is open: latencies, bytes, restarts per second.
from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from typing import Any

from .. import telemetry

LATENCIES = 1000
"""How many of the latest event-to-patch durations the percentiles are taken over."""
WINDOW = 60
"""Seconds of restarts-per-second history."""


class Stats:
    """One process's figures, shared by every open dashboard."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.latencies: deque[float] = deque(maxlen=LATENCIES)
        self.sent = 0
        self.received = 0
        self.events = 0
        self.restarts: deque[tuple[int, int]] = deque()  # (second, restarts in it)
        self._users = 0
        self._unsubscribe: Callable[[], None] | None = None

    def open(self) -> None:
        """A dashboard opened: measure (from its first one on)."""
        self._users += 1
        if self._unsubscribe is None:
            self._unsubscribe = telemetry.subscribe(self.record)

    def close(self) -> None:
        """A dashboard closed: stop measuring once none is open."""
        self._users = max(0, self._users - 1)
        if self._users == 0 and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def record(self, m: telemetry.Measurement) -> None:
        if m.name == "event_to_patch" and m.duration is not None:
            self.latencies.append(m.duration)
            self.events += 1
        elif m.name == "send":
            self.sent += m.bytes or 0
        elif m.name == "receive":
            self.received += m.bytes or 0
        elif m.name == "supervision" and m.meta.get("event") == "restarted":
            second = int(self.clock())
            if self.restarts and self.restarts[-1][0] == second:
                self.restarts[-1] = (second, self.restarts[-1][1] + 1)
            else:
                self.restarts.append((second, 1))

    def percentiles(self) -> dict[str, float | None]:
        """p50, p90 and p99 of the latest event-to-patch latencies, in ms."""
        ordered = sorted(self.latencies)
        if not ordered:
            return {"p50": None, "p90": None, "p99": None}

        def at(q: float) -> float:
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 2)

        return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99)}

    def timeline(self) -> list[int]:
        """Restarts in each of the last ``WINDOW`` seconds, oldest first."""
        now = int(self.clock())
        while self.restarts and self.restarts[0][0] <= now - WINDOW:
            self.restarts.popleft()
        counts = dict(self.restarts)
        return [counts.get(second, 0) for second in range(now - WINDOW + 1, now + 1)]

    def snapshot(self) -> dict[str, Any]:
        return {
            **self.percentiles(),
            "sent": self.sent,
            "received": self.received,
            "events": self.events,
            "timeline": self.timeline(),
            "restarts_total": sum(n for _, n in self.restarts),
        }


STATS = Stats()
"""The process's figures (one per process: telemetry is process-wide)."""
