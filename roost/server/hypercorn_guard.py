# What hypercorn (0.17-0.18) and wsproto (1.2-1.3) may hold for one connection
# under `roost run`, and what one connection may break: the bounds hypercorn's
# Config cannot set, in small subclasses of its per-connection classes.
"""Bounds hypercorn cannot be configured for, added by subclassing its per-connection classes.

hypercorn's ``Config`` bounds the request head (``h11_max_incomplete_size``),
a head that never completes (``keep_alive_timeout``), the queue to the app
(``max_app_queue_size``), silence (``read_timeout``) and the size of a
WebSocket message (``websocket_max_message_size``); ``runtime.py`` sets
those. What it cannot be told, each found by an attack in ``tests/hostile``:

1. **permessage-deflate.** hypercorn always negotiates it
   (``ws_stream.Handshake.accept`` offers ``[PerMessageDeflate()]`` to every
   client that asks), and wsproto inflates each received chunk with an
   unbounded ``decompressobj().decompress(data)``
   (``PerMessageDeflate.frame_inbound_payload_data``) before hypercorn
   counts the message's size: 64 KiB on the wire inflate to 64 MiB, copied
   several times on the way (``bytes``, ``bytearray``, the UTF-8 decode, the
   ``StringIO``). roost does not negotiate it (:class:`GuardedWSStream`
   removes the ``Sec-WebSocket-Extensions`` offer before hypercorn reads
   it): client messages are a few hundred bytes, patches are small, a
   compressor costs ~256 KiB per socket (zlib, 15-bit window, memLevel 8),
   and one compression context for secrets and attacker-chosen text is
   BREACH-style leakage.
2. **Buffering past the limit.** hypercorn's ``WebsocketBuffer.extend``
   writes a frame's data *before* comparing the length with the limit, and
   after it sent Close 1009 it keeps reading until the peer answers the
   close, appending every frame to the buffer: a client that streams on
   grows the server by what it sends until the app's idle timeout.
   :class:`MessageBudget` refuses before writing; :class:`GuardedWSStream`
   fails the connection (RFC 6455 section 7.1.7: Close frame, then close the
   TCP connection without waiting for the peer's Close) at the limit.
3. **Fragments.** Empty continuation frames never reach the byte limit,
   each costs a Python-level event, and the message never completes (the
   app never sees it). :data:`MAX_FRAMES_PER_MESSAGE` bounds them (browsers
   send each message as one frame).
4. **The queue to the app.** hypercorn waits for room in the app's queue
   for each message and finally for the disconnect event, on the path that
   closes the connection. An app that stopped taking with the queue full
   (it returned after refusing a message; it answered a POST without reading
   the body) left the connection open and its task running forever.
   :class:`GuardedTaskGroup` gives up those waits.
5. **A peer that stops reading.** hypercorn shields every write from
   cancellation, and no timer runs while a response is being written: the
   peer holds the connection and the app's task for as long as it likes.
   :class:`GuardedTCPServer` closes a connection whose write has not
   completed within :data:`WRITE_TIMEOUT`.
6. **One connection's failure.** An exception in hypercorn's handling of
   one connection propagates into the server's nursery and stops the whole
   server, every socket with it (HTTP/2 ``DATA`` on a stream hypercorn has
   closed: ``KeyError`` in ``H2Protocol._handle_events``; four such
   100-byte requests exhausted the root supervisor's restart intensity and
   ended ``roost run``). :class:`GuardedTCPServer` logs it and closes that
   connection only.

:class:`GuardedTCPServer` also offers the start of each new plain-TCP
connection to ``GuardedConfig.direct`` and ``GuardedConfig.requests``
before hypercorn sees it: under ``roost run``, roost's socket
(``websocket.py``) takes the WebSocket upgrades to its path and serves them
itself, and ``http1.py`` answers the plain GET and HEAD requests of the
app's pages, request after request, for as long as the connection sends
only those; hypercorn gets every other connection, or the rest of one, with
the bytes read so far, as if it had read them.

The subclasses act only on a :class:`GuardedConfig`: :func:`install` puts
them where hypercorn looks its classes up, and a server run with a plain
``hypercorn.config.Config`` in the same process behaves as before.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import Any, Protocol

import hypercorn.config
import hypercorn.protocol.h2
import hypercorn.protocol.h11
import hypercorn.trio.run
import hypercorn.trio.tcp_server
import trio
from hypercorn.events import Closed, RawData
from hypercorn.protocol.events import Event, Request, StreamClosed
from hypercorn.protocol.ws_stream import FrameTooLargeError, WebsocketBuffer, WSStream
from hypercorn.trio.task_group import TaskGroup
from hypercorn.trio.tcp_server import MAX_RECV, TCPServer
from hypercorn.utils import parse_socket_addr
from wsproto.events import Message

log = logging.getLogger("roost.server")

KIB = 1024

MAX_MESSAGE = 64 * KIB
"""Largest client message, in characters (text) or bytes (binary), as hypercorn counts.

Above it the server sends Close 1009 and closes the connection. roost's own
check (docs/protocol.md: 64 KiB of UTF-8) refuses what passes this one and
is still too long in UTF-8."""

MAX_FRAMES_PER_MESSAGE = 1024
"""Most frames one client message may be split into (Close 1009 above it)."""

MAX_HEAD = 16 * KIB
"""Largest HTTP request line and headers (hypercorn ``h11_max_incomplete_size``)."""

HEAD_TIMEOUT = 5.0
"""Seconds a connection may take to send a complete request head, and may stay
idle between HTTP requests (hypercorn ``keep_alive_timeout``): a slowloris
client trickling its headers is closed this long after it connected."""

APP_QUEUE = 4
"""Whole messages (or body chunks) that may wait for the app per connection
(hypercorn ``max_app_queue_size``); when full, hypercorn stops reading that
connection until the app takes one."""

DISCONNECT_WAIT = 2.0
"""Seconds the closing of a connection waits for room in the app's queue for the
disconnect event; then it is dropped (roost's socket reads with a timeout, its
HTTP handler never reads)."""

WRITE_TIMEOUT = 30.0
"""Seconds one write to a connection may take before the connection is closed:
the peer stopped reading. Above roost's own limit for a socket's writes
(``roost.actors.outbox.WRITE_TIMEOUT``), which detaches the session first;
this one also covers HTTP responses and the close frame nobody waits for."""

READ_TIMEOUT_MARGIN = 15.0
"""Seconds above the app's idle timeout after which hypercorn itself drops a
connection that sent nothing (``read_timeout``): a backstop, roost's own idle
close (with a reason) comes first."""


def bare_lf(head: bytes, end: int) -> bool:
    """Whether a line of ``head[:end]`` ends with LF alone: h11 (so hypercorn) reads
    such a head, roost's own paths leave it to hypercorn rather than wait for a
    CRLF that will not come. Two scans in C: a head trickled in byte by byte is
    checked at each read."""
    return head.count(b"\n", 0, end) != head.count(b"\r\n", 0, end)


def refusal(status: int, headers: bytes = b"") -> bytes:
    """A whole HTTP/1.1 error response of roost's own paths: no body, and the
    connection closed after it (as hypercorn answers a request it refuses)."""
    reason = {400: b"Bad Request", 426: b"Upgrade Required", 500: b"Internal Server Error"}
    return b"HTTP/1.1 %d %s\r\n%scontent-length: 0\r\nconnection: close\r\n\r\n" % (
        status,
        reason[status],
        headers,
    )


class TakesConnections(Protocol):
    """Serves, itself, the connections whose first bytes it claims (roost's socket:
    ``roost.server.websocket.DirectSockets``)."""

    def claims(self, head: bytes) -> bool | None:
        """True: the connection is its own; False: hypercorn's; None: read more."""
        ...

    async def serve(
        self,
        stream: trio.SocketStream,
        head: bytes,
        client: tuple[str, int] | None,
        server: tuple[str, int] | None,
    ) -> None:
        """Serve the connection that began with ``head`` (the caller closes it)."""
        ...


class AnswersRequests(Protocol):
    """Answers, itself, the HTTP requests it claims, one at a time on a kept-alive
    connection (roost's pages: ``roost.server.http1.DirectRequests``)."""

    def claims(self, head: bytes) -> bool | None:
        """True: the request that begins ``head`` is its own; False: hypercorn's
        (and so is the rest of the connection); None: read more."""
        ...

    async def serve(
        self,
        stream: trio.SocketStream,
        head: bytes,
        client: tuple[str, int] | None,
        server: tuple[str, int] | None,
        *,
        last: bool = False,
    ) -> bytes | None:
        """Answer the request that begins ``head``; what was read past it when the
        connection goes on, None when it is to be closed (the caller closes it).
        ``last``: the connection's last request, answered with ``connection: close``."""
        ...


class GuardedConfig(hypercorn.config.Config):
    """A hypercorn ``Config`` whose connections the classes :func:`install` puts in guard."""

    websocket_max_frames: int = MAX_FRAMES_PER_MESSAGE
    write_timeout: float = WRITE_TIMEOUT
    direct: TakesConnections | None = None
    """Offered each new plain-TCP connection's first request before hypercorn sees it."""
    requests: AnswersRequests | None = None
    """Offered each request of a new plain-TCP connection, until it refuses one."""


class MessageBudget(WebsocketBuffer):
    """hypercorn's buffer for the message being received, refusing *before* it grows.

    Once a message went over ``max_length`` characters (bytes for binary) or
    ``max_frames`` frames, ``exceeded`` stays set and every later frame is
    refused too.
    """

    def __init__(self, max_length: int, max_frames: int) -> None:
        super().__init__(max_length)
        self.max_frames = max_frames
        self.frames = 0
        self.exceeded = False

    def extend(self, event: Message[Any]) -> None:
        if event.frame_finished:
            self.frames += 1
        if (
            self.exceeded
            or self.length + len(event.data) > self.max_length
            or self.frames > self.max_frames
        ):
            self.exceeded = True
            raise FrameTooLargeError()
        super().extend(event)

    def clear(self) -> None:
        super().clear()
        self.frames = 0


class GuardedWSStream(WSStream):
    """hypercorn's WebSocket stream, without permessage-deflate and failed at the limit."""

    def __init__(
        self, app: Any, config: hypercorn.config.Config, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(app, config, *args, **kwargs)
        self.budget: MessageBudget | None = None
        if isinstance(config, GuardedConfig):
            self.budget = MessageBudget(
                config.websocket_max_message_size, config.websocket_max_frames
            )
            self.buffer = self.budget

    async def handle(self, event: Event) -> None:
        if self.budget is None:
            await super().handle(event)
            return
        if isinstance(event, Request):
            # Without an offer, Handshake.accept negotiates no extension.
            headers = [
                (name, value)
                for name, value in event.headers
                if name.lower() != b"sec-websocket-extensions"
            ]
            event = dataclasses.replace(event, headers=headers)
        await super().handle(event)
        if self.budget.exceeded and not self.closed:
            # hypercorn has sent Close 1009 and would go on reading until the
            # peer answers; end the stream now (for HTTP/1.1 this closes the
            # TCP connection, and the app gets websocket.disconnect).
            await self.send(StreamClosed(stream_id=self.stream_id))


class GuardedTaskGroup(TaskGroup):
    """hypercorn's per-connection task group, whose queue to the app cannot hang the connection.

    hypercorn puts each received message (WebSocket message, HTTP body chunk)
    on the app's queue, waiting while it is full, and finally a disconnect
    event, on the path that closes the connection. Once the app stops taking
    (it returned, or it answered an HTTP request without reading the body)
    with the queue full, both waited forever: the connection was never
    closed, and the app's task never ended. Here a put waiting when the app
    returns gives up, later ones do nothing, and the disconnect waits at most
    :data:`DISCONNECT_WAIT` seconds for room.
    """

    async def spawn_app(
        self,
        app: Any,
        config: hypercorn.config.Config,
        scope: Any,
        send: Callable[[Any], Awaitable[None]],
    ) -> Callable[[Any], Awaitable[None]]:
        if not isinstance(config, GuardedConfig):
            return await super().spawn_app(app, config, scope, send)
        queue = _AppQueue()

        async def send_noting_return(message: Any) -> None:
            if message is None:  # hypercorn's mark that the app has returned
                queue.app_returned()
            await send(message)

        put = await super().spawn_app(app, config, scope, send_noting_return)
        return queue.guard(put)


class _AppQueue:
    """What :class:`GuardedTaskGroup` knows of one app's queue."""

    def __init__(self) -> None:
        self.returned = False
        self._waiting: set[trio.CancelScope] = set()

    def app_returned(self) -> None:
        self.returned = True
        for scope in self._waiting:
            scope.cancel()

    def guard(self, put: Callable[[Any], Awaitable[None]]) -> Callable[[Any], Awaitable[None]]:
        async def guarded_put(message: Any) -> None:
            if self.returned:
                return
            with trio.CancelScope() as scope:
                if message.get("type") in _DISCONNECTS:
                    scope.deadline = trio.current_time() + DISCONNECT_WAIT
                self._waiting.add(scope)
                try:
                    await put(message)
                finally:
                    self._waiting.discard(scope)

        return guarded_put


_DISCONNECTS = frozenset({"http.disconnect", "websocket.disconnect"})


class GuardedTCPServer(TCPServer):
    """hypercorn's connection handler: a failure in it closes this connection
    only, and a write the peer does not take within ``write_timeout`` closes it."""

    def __init__(
        self,
        app: Any,
        config: hypercorn.config.Config,
        context: Any,
        state: Any,
        stream: Any,
    ) -> None:
        self._plain = stream if isinstance(stream, trio.SocketStream) else None
        self._prefix = b""  # what was read before hypercorn took the connection
        if isinstance(config, GuardedConfig):
            stream = _WriteDeadline(stream, config.write_timeout, self._abort)
        super().__init__(app, config, context, state, stream)

    async def run(self) -> None:
        if not isinstance(self.config, GuardedConfig):
            await super().run()
            return
        # _abort() cancels this scope. (Not hypercorn's task group: its
        # __aexit__ drops the nursery's "handled", so a Cancelled of its own
        # would escape the handler and stop the server.)
        self._scope = trio.CancelScope()
        try:
            with self._scope:
                config = self.config
                if self._plain is not None and (config.direct or config.requests) is not None:
                    if await self._offer(self._plain):
                        return
                await super().run()
        except* Exception as failure:
            # Reached only through a bug in hypercorn (the app's own
            # exceptions are caught before). run() has closed the stream.
            log.warning(
                "closed a connection on which hypercorn failed: %s",
                "; ".join(repr(exc) for exc in _leaves(failure)),
            )
            log.debug("hypercorn's failure", exc_info=failure)

    async def _offer(self, stream: trio.SocketStream) -> bool:
        """Let roost serve the connection while it claims what comes on it: the
        first request to ``direct`` (the whole connection) or ``requests``, and
        the later ones to ``requests``. True when the connection is done with
        (served, or given up on), False when hypercorn is to serve the rest
        (what was read is in ``_prefix``)."""
        config = self.config
        assert isinstance(config, GuardedConfig)
        direct, requests = config.direct, config.requests
        head = b""
        addresses: tuple[Any, Any] | None = None
        answered = 0
        try:
            while True:
                taker, read = await self._next_head(stream, head, direct, requests)
                if read is None:
                    return True
                head = read
                if taker is None:
                    self._prefix = head
                    return False
                if addresses is None:
                    socket = stream.socket
                    try:
                        addresses = (
                            parse_socket_addr(socket.family, socket.getpeername()),
                            parse_socket_addr(socket.family, socket.getsockname()),
                        )
                    except OSError:  # reset already: nothing to serve (as hypercorn's run)
                        return True
                if direct is not None and taker is direct:
                    await direct.serve(stream, head, *addresses)
                    return True
                assert requests is not None and taker is requests
                answered += 1
                # As hypercorn: a connection is closed after so many requests.
                last = answered >= config.keep_alive_max_requests
                rest = await requests.serve(stream, head, *addresses, last=last)
                if rest is None:
                    return True
                head = rest
                # A socket opened on a connection that served a request is
                # hypercorn's, as before (the hostile tests take both paths).
                direct = None
        finally:
            if not self._prefix:  # not handed to hypercorn
                await stream.aclose()

    async def _next_head(
        self,
        stream: trio.SocketStream,
        head: bytes,
        direct: TakesConnections | None,
        requests: AnswersRequests | None,
    ) -> tuple[Any, bytes | None]:
        """Read until ``direct`` or ``requests`` claims the request at the start of
        ``head``: that taker and the bytes read; None and the bytes when both
        refuse it; None and None when the peer closed, or trickled, or sent
        nothing within the keep-alive timeout (as hypercorn's own timer)."""
        with trio.move_on_after(self.config.keep_alive_timeout):
            while True:
                if head:
                    unsure = False
                    for taker in (direct, requests):
                        if taker is not None:
                            verdict = taker.claims(head)
                            if verdict:
                                return taker, head
                            unsure = unsure or verdict is None
                    if not unsure:
                        return None, head
                try:
                    data = await stream.receive_some(MAX_RECV)
                except (trio.BrokenResourceError, trio.ClosedResourceError):
                    break
                if not data:
                    break
                head += data
        return None, None

    async def _read_data(self) -> None:
        if not isinstance(self.config, GuardedConfig):
            await super()._read_data()
            return
        if self._prefix:
            prefix, self._prefix = self._prefix, b""
            await self.protocol.handle(RawData(prefix))
        # hypercorn bounds each read with a cancel scope of its own (fail_after),
        # alive while the connection waits: about 1.2 KiB a socket. The
        # connection's scope carries the read timeout instead; it firing ends
        # the connection as an abort does (a backstop: roost's own idle close,
        # with a reason, comes first).
        scope = self._scope
        timeout = self.config.read_timeout or math.inf
        while True:
            scope.deadline = trio.current_time() + timeout
            try:
                data = await self.stream.receive_some(MAX_RECV)
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                break
            finally:
                scope.deadline = math.inf
            await self.protocol.handle(RawData(bytes(data)))
            if data == b"":
                break
        await self.protocol.handle(Closed())

    def _abort(self) -> None:
        # Every task of this connection: the reader may be waiting for a
        # response to finish (pipelined requests), which will never happen now.
        scope = getattr(self, "_scope", None)
        if scope is not None:
            scope.cancel()


class _WriteDeadline:
    """The connection's stream, each write bounded in time.

    hypercorn shields every write from cancellation, so a peer that stops
    reading (its window full) holds the writing task, and with it the
    connection, for as long as it likes: nothing closes it (the keep-alive
    timer is off during a request, the read timeout applies to reads). A
    write that has not completed after ``seconds`` closes the stream and
    fails as a broken connection, which hypercorn handles as the peer gone.
    """

    def __init__(self, stream: Any, seconds: float, abort: Callable[[], None]) -> None:
        self._stream = stream
        self._seconds = seconds
        self._abort = abort

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    async def send_all(self, data: bytes | bytearray | memoryview) -> None:
        with trio.move_on_after(self._seconds) as deadline:
            await self._stream.send_all(data)
        if deadline.cancelled_caught:
            log.info("closing a connection whose peer took no data for %s s", self._seconds)
            self._abort()
            await self._stream.aclose()
            raise trio.BrokenResourceError(f"the peer took no data for {self._seconds} s")


def _leaves(group: BaseExceptionGroup[Exception]) -> list[Exception]:
    leaves: list[Exception] = []
    for exc in group.exceptions:
        if isinstance(exc, BaseExceptionGroup):
            leaves.extend(_leaves(exc))
        else:
            leaves.append(exc)
    return leaves


def install() -> None:
    """Make hypercorn build the guarded classes (idempotent).

    hypercorn looks these names up in its modules each time it creates a
    connection handler (``trio.run``), its task group (``trio.tcp_server``) or
    a WebSocket stream (``protocol.h11``, ``protocol.h2``); they change
    nothing for a server whose config is not a :class:`GuardedConfig`. Raises ``RuntimeError`` if
    a name no longer holds hypercorn's class (a hypercorn this guard was not
    written for), rather than serving unguarded.
    """
    for module, name, guarded in _SITES:
        current = getattr(module, name, None)
        if current is not guarded and current is not guarded.__base__:
            raise RuntimeError(
                f"{module.__name__}.{name} is {current!r}, not hypercorn's "
                f"{guarded.__base__!r}: roost's connection guard does not fit this hypercorn"
            )
        setattr(module, name, guarded)


def installed() -> bool:
    """True when hypercorn will build the guarded classes."""
    return all(getattr(module, name, None) is guarded for module, name, guarded in _SITES)


_SITES: tuple[tuple[ModuleType, str, type], ...] = (
    (hypercorn.trio.run, "TCPServer", GuardedTCPServer),
    (hypercorn.trio.tcp_server, "TaskGroup", GuardedTaskGroup),
    (hypercorn.protocol.h11, "WSStream", GuardedWSStream),
    (hypercorn.protocol.h2, "WSStream", GuardedWSStream),
)
"""Where hypercorn looks up the classes it instantiates per connection and per WebSocket."""
