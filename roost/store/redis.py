# The state store shared between processes and machines: values kept in
# Redis under namespaced keys, each with a time to live.
from __future__ import annotations

import logging
from typing import Any, NoReturn
from urllib.parse import urlsplit

import anyio
import anyio.abc
import coredis

from .._redis import Outage, RedisUnavailable, parse, reason
from .._redis_client import LOST, client

log = logging.getLogger("roost.store")

DEFAULT_TTL = 24 * 60 * 60
"""Seconds a value lives after its last ``put`` unless the URL says ``?ttl=``."""


class RedisStore:
    """A :class:`~roost.store.Store` in Redis, shared by every process using the same URL.

    ``RedisStore("redis://host:6379/0?namespace=shop&ttl=3600")``, or
    ``roost.store.backend(url)``, or ``roost run --store URL``:

    - ``redis://`` or ``rediss://`` (TLS, verified; ``ssl_ca_certs``,
      ``ssl_certfile``, ``ssl_keyfile``, ``ssl_cert_reqs`` and
      ``ssl_check_hostname`` options), user and password before the host,
      the database number as the path (default 0).
    - ``?namespace=NAME``: the key ``k`` is stored as ``roost:NAME:k``
      (``roost::k`` without one). Letters, digits, ``_``, ``.`` and ``-``.
      Two namespaces, or two databases, share nothing.
    - ``?ttl=SECONDS``: each ``put`` sets the value to expire that long
      after it (default 86400, a day; ``0``: never). ``get`` does not extend
      it: a snapshot written after every batch stays as long as its session
      is used, and one left behind goes by itself.

    Values outlive a restart of ``run`` and of the process, for as long as
    Redis keeps them (persistence is Redis's own configuration).

    While Redis is down, ``get``, ``put`` and ``delete`` raise
    :class:`RedisUnavailable` (a ``ConnectionError``) at once rather than
    wait: the caller retries later, and a call after Redis is back
    reconnects. The outage is logged once, and Redis coming back once.
    ``run`` raises ``RedisUnavailable`` if Redis cannot be reached when it
    starts; once started it never raises for an outage.
    """

    def __init__(self, url: str) -> None:
        self.url = parse("store", urlsplit(url), options=("ttl",))
        self.ttl = DEFAULT_TTL if self.url.ttl is None else self.url.ttl
        """Seconds a value lives after its ``put`` (0: no expiry)."""
        self.prefix = f"roost:{self.url.namespace}:"
        """What every key of this store starts with in Redis."""
        self._client: coredis.Redis[bytes] | None = None
        self._outage = Outage(log, self.url.where, retrying=False)

    def __repr__(self) -> str:
        return f"RedisStore({self.url.where}, db={self.url.db}, prefix={self.prefix!r})"

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Connect, report started, and hold the connections until cancelled.

        Raises:
          RedisUnavailable: if Redis does not answer a PING when it starts.
        """
        redis = client(self.url)
        failed: BaseException | None = None
        async with redis:
            try:
                await redis.ping()
            except LOST as exc:
                failed = exc  # raised below, not inside the client's task group
            else:
                self._client = redis
                try:
                    task_status.started(self)
                    await anyio.sleep_forever()
                finally:
                    self._client = None
        if failed is not None:
            raise RedisUnavailable(self._unreachable(failed)) from failed

    async def get(self, key: str) -> bytes | None:
        """The value last put at ``key``, or ``None``.

        Raises:
          RedisUnavailable: Redis is down; try again later.
        """
        redis = self._running()
        try:
            value = await redis.get(self._key(key))
        except LOST as exc:
            self._lost(exc)
        self._outage.reached()
        return value

    async def put(self, key: str, value: bytes | bytearray | memoryview) -> None:
        """Store a copy of ``value`` at ``key``, to expire ``ttl`` seconds from now.

        Raises:
          TypeError: ``value`` is not bytes-like; nothing was stored.
          RedisUnavailable: Redis is down; try again later (the put may or
            may not have happened: putting again is safe).
        """
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError(f"a store value must be bytes, not {type(value).__name__}")
        redis = self._running()
        try:
            await redis.set(self._key(key), bytes(value), ex=self.ttl or None)
        except LOST as exc:
            self._lost(exc)
        self._outage.reached()

    async def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is not there.

        Raises:
          RedisUnavailable: Redis is down; try again later (deleting again is safe).
        """
        redis = self._running()
        try:
            await redis.delete([self._key(key)])
        except LOST as exc:
            self._lost(exc)
        self._outage.reached()

    def _key(self, key: str) -> bytes:
        # Any str is a key, lone surrogates too: they go through unchanged.
        return (self.prefix + key).encode("utf-8", "surrogatepass")

    def _running(self) -> coredis.Redis[bytes]:
        if self._client is None:
            raise RedisUnavailable(f"the store at {self.url.where} is not running (start run)")
        return self._client

    def _lost(self, exc: BaseException) -> NoReturn:
        self._outage.lost(exc)
        raise RedisUnavailable(self._unreachable(exc)) from exc

    def _unreachable(self, exc: BaseException) -> str:
        return f"redis at {self.url.where} unreachable: {reason(exc)}"
