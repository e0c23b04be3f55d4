# Restart intensity: at most max_restarts restarts within any max_seconds
# (a sliding window), counted the way OTP's supervisor counts them.
from __future__ import annotations

import math


def check_intensity(max_restarts: object, max_seconds: object) -> None:
    """Refuse flags OTP refuses: ``max_restarts`` (OTP's intensity) must be an int
    >= 0 and ``max_seconds`` (OTP's period) a finite number > 0.

    TypeError for a value of the wrong type (``2.5`` or ``math.inf`` restarts),
    ValueError for one out of range.
    """
    if isinstance(max_restarts, bool) or not isinstance(max_restarts, int):
        raise TypeError(f"max_restarts must be an int >= 0, not {max_restarts!r}")
    if max_restarts < 0:
        raise ValueError(f"max_restarts must be >= 0, not {max_restarts!r}")
    if isinstance(max_seconds, bool) or not isinstance(max_seconds, int | float):
        raise TypeError(f"max_seconds must be a number > 0, not {max_seconds!r}")
    if not (0 < max_seconds < math.inf):
        raise ValueError(f"max_seconds must be a finite number > 0, not {max_seconds!r}")


class RestartIntensity:
    """A sliding window of restart times.

    ``add(now)`` records one restart and says whether the supervisor may go on:
    it may while at most ``max_restarts`` restarts lie in ``[now - max_seconds, now]``
    (both ends included, as in OTP and Elixir).
    """

    def __init__(self, max_restarts: int, max_seconds: float) -> None:
        check_intensity(max_restarts, max_seconds)
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self._times: list[float] = []  # a handful: a deque's block would cost more

    def add(self, now: float) -> bool:
        """Record a restart at ``now``; False when that is one too many."""
        self._times.append(now)
        threshold = now - self.max_seconds
        if self._times[0] < threshold:
            self._times = [t for t in self._times if t >= threshold]
        return len(self._times) <= self.max_restarts

    def __len__(self) -> int:
        return len(self._times)
