# The pubsub backend shared between processes and machines: subscribers of
# this process are called directly, other processes are reached through Redis.
from __future__ import annotations

import logging
import random
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.abc
import anyio.lowlevel
import coredis
import msgspec
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from coredis.patterns.pubsub import PubSub as CoredisPubSub
from coredis.retry import NoRetryPolicy

from .._redis import Outage, RedisUnavailable, parse, reason
from .._redis_client import client, lost_connection
from ._interface import Deliver, Unsubscribe
from .memory import MemoryPubSub

log = logging.getLogger("roost.pubsub")

MAX_PENDING = 10_000
"""Broadcasts waiting to be published to Redis; more are not sent to other processes."""
YIELD_AT = 64
FIRST_WAIT = 0.02
"""At most this long (seconds), a broadcast the publisher was idle for waits
until it is written to Redis before this process's subscribers get it."""
"""Broadcasts waiting for the publisher at which ``broadcast`` lets it run."""
BATCH = 1_000
"""Most broadcasts published to Redis in one pipeline (and channels per SUBSCRIBE)."""
BACKOFF_FIRST = 0.05
"""Seconds before the first attempt to reconnect; doubled each failed attempt..."""
BACKOFF_MAX = 5.0
"""...up to this many seconds (each with a random part, so processes spread out)."""
SUBSCRIBE_TIMEOUT = 5.0
"""Seconds Redis has to confirm a SUBSCRIBE before the connection counts as lost."""
UNSUBSCRIBE_TIMEOUT = 1.0
"""Seconds an UNSUBSCRIBE waits for Redis to confirm it (then it is taken as done).
coredis's own 0.1 s was too short for a busy process to read the confirmation:
a server ending 10,000 sessions at once logged a warning for it."""

_Outgoing = tuple[bytes, bytes]
_decode = msgspec.json.Decoder(tuple[str, Any]).decode


class RedisPubSub:
    """A :class:`~roost.pubsub.PubSub` shared by every process using the same Redis URL.

    ``RedisPubSub("redis://host:6379/0?namespace=shop")``, or
    ``roost.pubsub.backend(url)``, or ``roost run --pubsub URL``:

    - ``redis://`` or ``rediss://`` (TLS, verified; ``ssl_ca_certs``,
      ``ssl_certfile``, ``ssl_keyfile``, ``ssl_cert_reqs`` and
      ``ssl_check_hostname`` options), user and password before the host,
      the database number as the path (default 0).
    - ``?namespace=NAME``: a topic ``t`` is the Redis channel
      ``roost:DB:NAME:t``. Letters, digits, ``_``, ``.`` and ``-``. Two
      namespaces, or two database numbers, share nothing (Redis channels
      ignore the database; the number in the name keeps them apart).

    ``broadcast`` calls the subscribers of this process itself, at once,
    then queues the message for Redis and returns: a publishing task sends
    what is queued, many in one pipeline, in order. The message goes as
    JSON with this backend's id, so the copy Redis echoes back is skipped
    (each subscriber gets it once). A receiving task subscribes to the
    channels of the topics that have subscribers here, following
    ``subscribe`` and ``unsubscribe`` as they come, and hands what other
    processes publish to them. Like Redis pub/sub, delivery to other
    processes is at most once: a message published while another process
    is not (yet) subscribed on the server does not reach it
    (:meth:`synced` waits for this process's subscriptions).

    When Redis goes away, subscribers of this process still get every
    broadcast made here, and ``broadcast`` neither waits nor raises for it: what
    would have gone to other processes in the meantime is dropped (counted
    in :attr:`dropped`). ``run`` logs the outage once, reconnects with
    backoff (50 ms doubling up to 5 s), subscribes again and logs when Redis
    is back; it does not raise for the outage, since a restart by its
    supervisor could do no more and would count against the restart
    intensity. It raises :class:`~roost.pubsub.RedisUnavailable` only if
    Redis cannot be reached when it starts.
    """

    def __init__(self, url: str) -> None:
        self.url = parse("pubsub", urlsplit(url))
        self.prefix = f"roost:{self.url.db}:{self.url.namespace}:"
        """What the Redis channel of every topic starts with."""
        self.id = secrets.token_hex(8)
        """This backend's id, sent with each message so its echo is skipped."""
        self.dropped = 0
        """Broadcasts not sent to other processes: Redis was down, or too slow."""
        self.published = 0
        """Broadcasts written to Redis (for other processes) so far."""
        self._local = MemoryPubSub()
        self._counts: dict[str, int] = {}
        """How many subscriptions of this process each topic has."""
        self._version = 0
        """Bumped when a topic gets its first subscriber or loses its last."""
        self._synced = -1
        """The ``_version`` the server's subscriptions match, while connected."""
        self._wake: anyio.Event | None = None
        self._progress: anyio.Event | None = None
        self._outgoing: MemoryObjectSendStream[_Outgoing] | None = None
        self._mine = msgspec.json.encode([self.id])[:-1] + b","
        """How this backend's own messages begin: ``["<id>",``."""
        self._outage = Outage(log, self.url.where, retrying=True)
        self._overflowing = False
        self._written: anyio.Event | None = None  # set once the publisher has written what waits

    def __repr__(self) -> str:
        return f"RedisPubSub({self.url.where}, prefix={self.prefix!r})"

    @property
    def connected(self) -> bool:
        """Whether ``run`` is connected to Redis now."""
        return self._outgoing is not None

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Connect, report started, and keep connected until cancelled.

        Reconnects by itself after an outage (see the class docstring).

        Raises:
          RedisUnavailable: if Redis cannot be reached when it starts.
        """
        failures = 0
        started = False

        def connected() -> None:
            nonlocal failures, started
            failures = 0
            self._outage.reached()
            if not started:
                started = True
                task_status.started(self)

        while True:
            try:
                await self._connected(connected)
            except BaseException as exc:
                cancelled, failure = _split_cancelled(exc)
                if cancelled is not None:
                    # Cancelled: what failed on the way out is no outage.
                    if failure is None or lost_connection(failure):
                        raise cancelled from None
                    raise
                if not lost_connection(exc):
                    raise
                if not started:
                    raise RedisUnavailable(
                        f"redis at {self.url.where} unreachable: {reason(exc)}"
                    ) from exc
                self._outage.lost(exc)
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2**failures)
            failures += 1
            await anyio.sleep(delay * random.uniform(0.5, 1.0))

    def subscribe(self, topic: str, deliver: Deliver) -> Unsubscribe:
        """Call ``deliver(topic, message)`` for each broadcast on ``topic``, in every process.

        Holds for this process at once; ``run`` subscribes on Redis soon
        after (:meth:`synced` waits for it).
        """
        leave = self._local.subscribe(topic, deliver)
        self._counts[topic] = self._counts.get(topic, 0) + 1
        if self._counts[topic] == 1:
            self._changed()
        left = False

        def unsubscribe() -> None:
            nonlocal left
            if left:
                return
            left = True
            leave()
            self._counts[topic] -= 1
            if not self._counts[topic]:
                del self._counts[topic]
                self._changed()

        return unsubscribe

    async def broadcast(self, topic: str, message: Any) -> None:
        """Queue ``message`` for the other processes, then call this process's
        subscribers of ``topic``.

        Returns once the subscribers of this process have been called; raises
        nothing when Redis is down. The message goes to Redis first, so that
        the other processes render theirs while this one renders its own: the
        first broadcast of a burst waits (at most ``FIRST_WAIT``) until it is
        written, the others only queue it.

        Raises:
          TypeError: ``message`` cannot be encoded as JSON; no one got it.
        """
        payload = msgspec.json.encode((self.id, message))
        outgoing = self._outgoing
        first = outgoing is not None and outgoing.statistics().current_buffer_used == 0
        if self._queue(topic, payload) and first:
            # The first of a burst: out to Redis before the subscribers here
            # (thousands of actors, perhaps) take the scheduler; the other
            # processes render theirs meanwhile. Later ones do not wait.
            written = self._written = self._written or anyio.Event()
            with anyio.CancelScope(shield=True), anyio.move_on_after(FIRST_WAIT):
                await written.wait()
        await self._local.broadcast(topic, message)
        if self._outgoing is not None and (
            self._outgoing.statistics().current_buffer_used >= YIELD_AT
        ):
            # A schedule point (never a cancellation: the broadcast is made),
            # so that a loop of broadcasts lets the publisher keep up.
            await anyio.lowlevel.cancel_shielded_checkpoint()

    def _queue(self, topic: str, payload: bytes) -> bool:
        # Whether it is queued for the publisher.
        outgoing = self._outgoing
        if outgoing is None:
            self.dropped += 1
            return False
        try:
            outgoing.send_nowait((self._channel(topic), payload))
            return True
        except anyio.WouldBlock:
            self.dropped += 1
            if not self._overflowing:
                self._overflowing = True
                log.warning(
                    "pubsub: %d broadcasts wait for redis at %s; not sending more to other "
                    "processes until they are out",
                    MAX_PENDING,
                    self.url.where,
                )
            return False

    async def synced(self) -> None:
        """Wait until ``run`` is connected and subscribed on Redis to every topic
        subscribed here so far (from then on, other processes' broadcasts on them
        arrive). Mostly for tests; with no ``run``, it waits for ever."""
        target = self._version
        while self._synced < target:
            if self._progress is None:
                self._progress = anyio.Event()
            await self._progress.wait()

    # -- the connection: one per outage-free stretch ---------------------------

    async def _connected(self, connected: Callable[[], None]) -> None:
        """Connect, subscribe, call ``connected()``, then follow the subscriptions
        here until the connection fails (it raises then) or is cancelled."""
        redis = client(self.url)
        async with redis, self._subscriber(redis) as channels:
            send, receive = anyio.create_memory_object_stream[_Outgoing](MAX_PENDING)
            async with send, receive, anyio.create_task_group() as tg:
                try:
                    tg.start_soon(self._receive, channels)
                    self._wake = anyio.Event()
                    remote: set[str] = set()
                    await self._sync(channels, remote)
                    tg.start_soon(self._publish, redis, receive)
                    self._outgoing = send
                    connected()
                    while True:
                        await self._wake.wait()
                        self._wake = anyio.Event()
                        await self._sync(channels, remote)
                finally:
                    self._outgoing = None
                    self._wake = None
                    self._synced = -1
                    self.dropped += receive.statistics().current_buffer_used

    def _subscriber(self, redis: coredis.Redis[bytes]) -> CoredisPubSub[bytes]:
        # Reconnecting is ours to do (to log it and subscribe to what is wanted now).
        # Made as `redis.pubsub()` makes it, which cannot set the unsubscribe timeout.
        return CoredisPubSub[bytes](
            redis.connection_pool,
            ignore_subscribe_messages=True,
            retry_policy=NoRetryPolicy(),
            subscription_timeout=SUBSCRIBE_TIMEOUT,
            unsubscription_timeout=UNSUBSCRIBE_TIMEOUT,
        )

    async def _sync(self, channels: CoredisPubSub[bytes], remote: set[str]) -> None:
        """Subscribe on Redis to the topics wanted now, and only to those."""
        version = self._version
        wanted = self._counts.keys()
        for batch in _batches([topic for topic in wanted if topic not in remote]):
            await channels.subscribe(*[self._channel(topic) for topic in batch])
            remote.update(batch)
        for batch in _batches([topic for topic in remote if topic not in wanted]):
            await channels.unsubscribe(*[self._channel(topic) for topic in batch])
            remote.difference_update(batch)
        self._synced = version
        if self._progress is not None:
            self._progress.set()
            self._progress = None

    async def _receive(self, channels: CoredisPubSub[bytes]) -> None:
        """Hand what other processes publish to the subscribers of this process."""
        skip = len(self._channel(""))
        while True:
            message = await channels.get_message()
            if message is None or message["type"] != "message":
                continue
            data = message["data"]
            channel = message["channel"]
            if not isinstance(data, bytes) or not isinstance(channel, bytes):
                continue
            if data.startswith(self._mine):
                continue  # our own, delivered here when it was broadcast
            topic = channel[skip:].decode("utf-8", "surrogatepass")
            try:
                _origin, value = _decode(data)
            except msgspec.DecodeError:
                log.warning("pubsub: dropped a message on %r that is not roost's JSON", topic)
                continue
            await self._local.broadcast(topic, value)

    async def _publish(
        self, redis: coredis.Redis[bytes], queued: MemoryObjectReceiveStream[_Outgoing]
    ) -> None:
        """Publish what ``broadcast`` queued, in order: all that waits in one pipeline."""
        async for first in queued:
            batch = [first]
            while len(batch) < BATCH:
                try:
                    batch.append(queued.receive_nowait())
                except anyio.WouldBlock:
                    break
            if len(batch) == 1:
                await redis.publish(*first)
            else:
                async with redis.pipeline(transaction=False) as pipe:
                    for channel, payload in batch:
                        pipe.publish(channel, payload)
            self._overflowing = False
            self.published += len(batch)
            written, self._written = self._written, None
            if written is not None:
                written.set()

    def _channel(self, topic: str) -> bytes:
        # Any str is a topic, lone surrogates too: they go through unchanged.
        return (self.prefix + topic).encode("utf-8", "surrogatepass")

    def _changed(self) -> None:
        self._version += 1
        if self._wake is not None:
            self._wake.set()


def _split_cancelled(
    exc: BaseException,
) -> tuple[BaseException | None, BaseException | None]:
    """``exc`` split into its cancellations and the rest (None: nothing)."""
    cancelled = anyio.get_cancelled_exc_class()
    if isinstance(exc, BaseExceptionGroup):
        return exc.split(cancelled)
    return (exc, None) if isinstance(exc, cancelled) else (None, exc)


def _batches(topics: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(topics), BATCH):
        yield topics[start : start + BATCH]
