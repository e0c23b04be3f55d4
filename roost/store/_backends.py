# Which state store a URL names: the one place that maps schemes to
# implementations, so the rest of roost holds a Store and nothing more.
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import SplitResult

from .._backend_url import in_memory, pick
from .._redis import require_coredis
from ._interface import Store
from .memory import MemoryStore


def _redis(url: SplitResult) -> Store:
    require_coredis("store")  # the redis extra
    from .redis import RedisStore

    return RedisStore(url.geturl())


_SCHEMES: dict[str, Callable[[SplitResult], Store]] = {
    "memory": in_memory("store", MemoryStore),
    "redis": _redis,
    "rediss": _redis,
}


def backend(url: str | None = None) -> Store:
    """A new, not yet running state store for ``url``.

    Args:
      url: ``None`` or ``"memory://"`` for a store in this process only (the
        default); ``redis://[[user]:password@]host[:port][/db][?namespace=NAME&ttl=SECONDS]``
        (or ``rediss://`` for TLS) for one in Redis, shared by every process
        using it: keys ``roost:NAME:key``, each value expiring ``ttl`` seconds
        after its last put (default 86400; 0: never); see
        :class:`roost.store.redis.RedisStore`. Start the result with
        ``await task_group.start(store.run)`` or as a supervisor's child.

    Raises:
      ValueError: if the URL's scheme is not one of the supported ones, or
        the URL does not suit its scheme. The message names the scheme, never
        the whole URL, which may hold a password.
      ImportError: a ``redis://`` URL without coredis installed (the
        ``redis`` extra: ``pip install 'roost[redis]'``).
    """
    return pick("store", url, _SCHEMES)
