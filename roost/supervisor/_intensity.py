# Restart intensity: at most max_restarts restarts within any max_seconds
# (a sliding window), counted the way OTP's supervisor counts them.
from __future__ import annotations

from collections import deque


class RestartIntensity:
    """A sliding window of restart times.

    ``add(now)`` records one restart and says whether the supervisor may go on:
    it may while at most ``max_restarts`` restarts lie in ``[now - max_seconds, now]``
    (both ends included, as in OTP and Elixir).
    """

    def __init__(self, max_restarts: int, max_seconds: float) -> None:
        if max_restarts < 0:
            raise ValueError("max_restarts must be >= 0")
        if max_seconds <= 0:
            raise ValueError("max_seconds must be > 0")
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self._times: deque[float] = deque()

    def add(self, now: float) -> bool:
        """Record a restart at ``now``; False when that is one too many."""
        self._times.append(now)
        while self._times and self._times[0] < now - self.max_seconds:
            self._times.popleft()
        return len(self._times) <= self.max_restarts

    def __len__(self) -> int:
        return len(self._times)
