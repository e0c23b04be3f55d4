# Per-connection rate limiting of client events: a token bucket.
from __future__ import annotations

from collections.abc import Callable

import anyio


class TokenBucket:
    """Allows ``burst`` events at once and ``rate`` events per second after that.

    ``allow()`` spends one token when there is one; refused events cost
    nothing, so a client that backs off gets through again.
    """

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = anyio.current_time
    ) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._stamp: float | None = None

    def allow(self) -> bool:
        now = self._clock()
        if self._stamp is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False
