# Rate limits: a token bucket, and what the sockets of one client address may do together.
from __future__ import annotations

from collections.abc import Callable

import anyio
import sniffio


def loop_clock() -> Callable[[], float]:
    """The running event loop's clock, as ``anyio.current_time`` reads it, looked
    up once: ``anyio.current_time`` asks which loop runs at every call (and
    ``trio.current_time`` which clock that loop has)."""
    if sniffio.current_async_library() == "trio":
        import trio

        return trio.lowlevel.current_clock().current_time
    return anyio.current_time


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

    def allow(self, now: float | None = None) -> bool:
        """Spend a token if there is one (``now``: the clock's time, if read already)."""
        if now is None:
            now = self._clock()
        if self._stamp is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


class AddressLimits:
    """What the sockets of one client address may do together.

    Their messages share one ``TokenBucket`` (``rate``; None: no limit per
    address), so ten sockets get no more than one address's share; at most
    ``max_pending`` of them may be open without having joined (None: no limit).
    An address's state is dropped when its last socket closes.
    """

    def __init__(self, rate: tuple[float, int] | None, max_pending: int | None) -> None:
        self.rate = rate
        self.max_pending = max_pending
        self._open: dict[str, int] = {}
        self._pending: dict[str, int] = {}
        self._buckets: dict[str, TokenBucket] = {}

    def open(self, address: str) -> bool:
        """A socket from ``address`` opens, not yet joined; False if it must be refused."""
        pending = self._pending.get(address, 0)
        if self.max_pending is not None and pending >= self.max_pending:
            return False
        self._pending[address] = pending + 1
        self._open[address] = self._open.get(address, 0) + 1
        return True

    def joined(self, address: str) -> None:
        """A socket from ``address`` has joined: it no longer counts as pending."""
        self._pending[address] = self._pending.get(address, 1) - 1

    def close(self, address: str, joined: bool) -> None:
        """A socket from ``address`` closed (``joined``: after it had joined)."""
        if not joined:
            self._pending[address] = self._pending.get(address, 1) - 1
        left = self._open.get(address, 1) - 1
        if left > 0:
            self._open[address] = left
        else:
            for table in (self._open, self._pending, self._buckets):
                table.pop(address, None)

    def allow(self, address: str, now: float | None = None) -> bool:
        """Spend one of ``address``'s messages; False when it is over its rate.
        ``now``: the loop's clock, if read already."""
        if self.rate is None:
            return True
        bucket = self._buckets.get(address)
        if bucket is None:
            rate, burst = self.rate
            bucket = self._buckets[address] = TokenBucket(rate, burst, clock=loop_clock())
        return bucket.allow(now)
