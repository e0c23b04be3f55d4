# Which pubsub backend a URL names: the one place that maps schemes to
# implementations, so the rest of roost holds a PubSub and nothing more.
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import SplitResult

from .._backend_url import in_memory, pick
from .._redis import require_coredis
from ._interface import PubSub
from .memory import MemoryPubSub


def _redis(url: SplitResult) -> PubSub:
    require_coredis("pubsub")  # the redis extra
    from .redis import RedisPubSub

    return RedisPubSub(url.geturl())


_SCHEMES: dict[str, Callable[[SplitResult], PubSub]] = {
    "memory": in_memory("pubsub", MemoryPubSub),
    "redis": _redis,
    "rediss": _redis,
}


def backend(url: str | None = None) -> PubSub:
    """A new, not yet running pubsub backend for ``url``.

    Args:
      url: ``None`` or ``"memory://"`` for topics in this process only (the
        default); ``redis://[[user]:password@]host[:port][/db][?namespace=NAME]``
        (or ``rediss://`` for TLS) for topics shared by every process using
        the same server, database and namespace; see
        :class:`roost.pubsub.redis.RedisPubSub`. Start the result with
        ``await task_group.start(pubsub.run)`` or as a supervisor's child.

    Raises:
      ValueError: if the URL's scheme is not one of the supported ones, or
        the URL does not suit its scheme. The message names the scheme, never
        the whole URL, which may hold a password.
      ImportError: a ``redis://`` URL without coredis installed (the
        ``redis`` extra: ``pip install 'roost[redis]'``).
    """
    return pick("pubsub", url, _SCHEMES)
