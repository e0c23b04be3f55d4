# What hypercorn (0.17-0.18) and wsproto (1.2-1.3) may hold for one connection
# under `roost run`, and what one connection may break: the limits hypercorn's
# Config cannot set, enforced in two small subclasses of its per-connection classes.
"""Bounds hypercorn cannot be configured for, added by subclassing its per-connection classes.

hypercorn's ``Config`` bounds the request head (``h11_max_incomplete_size``),
a head that never completes (``keep_alive_timeout``), the queue to the app
(``max_app_queue_size``) and the size of a WebSocket message
(``websocket_max_message_size``), and ``runtime.py`` sets those. Four
things it cannot be told, found by the attacks in ``tests/hostile``:

1. **permessage-deflate.** hypercorn always negotiates it
   (``ws_stream.Handshake.accept`` offers ``[PerMessageDeflate()]`` to every
   client that asks), and wsproto inflates each received chunk with an
   unbounded ``decompressobj().decompress(data)``
   (``PerMessageDeflate.frame_inbound_payload_data``) before hypercorn
   counts the message's size: 64 KiB on the wire inflate to 64 MiB, and
   several copies of it are made on the way (``bytes``, ``bytearray``, the
   UTF-8 decode, the ``StringIO``). roost does not negotiate it: the
   ``Sec-WebSocket-Extensions`` offer is removed before hypercorn reads it.
   Client messages are a few hundred bytes, so compression saves nothing
   there; server patches are small too, and a compressor costs ~256 KiB per
   socket (zlib, 15-bit window, memLevel 8) and mixes secrets with
   attacker-chosen text in one compression context (BREACH-style).
2. **Buffering past the limit.** hypercorn's ``WebsocketBuffer.extend``
   writes a frame's data *before* comparing the length with the limit, and
   after it sent Close 1009 it keeps reading from the connection until the
   peer answers the close, still appending every frame to the buffer: a
   client that streams on grows the server by what it sends (hundreds of MiB
   in seconds) until the app's idle timeout ends the socket.
   :class:`MessageBudget` refuses before writing, and :class:`GuardedWSStream`
   fails the connection (RFC 6455 section 7.1.7: Close frame, then close the
   TCP connection, not waiting for the peer's Close) the moment the limit is
   passed.
3. **Fragments.** A message may be sent as any number of frames; empty
   continuation frames never reach the byte limit, and each one costs the
   server a Python-level event with the message never completing (the app
   never sees it). :data:`MAX_FRAMES_PER_MESSAGE` bounds them (browsers send
   each message as one frame).
4. **One connection's failure.** An exception in hypercorn's handling of one
   connection propagates out of its connection handler into the server's
   nursery and stops the whole server, every socket with it (e.g. HTTP/2
   ``DATA`` on a stream hypercorn already closed: ``KeyError`` in
   ``H2Protocol._handle_events``; four such 100-byte requests exhausted the
   root supervisor's restart intensity and ended ``roost run``).
   :class:`GuardedTCPServer` logs it and closes that connection only.

Both subclasses act only on a :class:`GuardedConfig`: ``install()`` puts them
where hypercorn looks its classes up, and a server run with a plain
``hypercorn.config.Config`` in the same process behaves as before.
"""

from __future__ import annotations

import dataclasses
import logging
from types import ModuleType
from typing import Any

import hypercorn.config
import hypercorn.protocol.h2
import hypercorn.protocol.h11
import hypercorn.trio.run
from hypercorn.protocol.events import Event, Request, StreamClosed
from hypercorn.protocol.ws_stream import FrameTooLargeError, WebsocketBuffer, WSStream
from hypercorn.trio.tcp_server import TCPServer
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

READ_TIMEOUT_MARGIN = 15.0
"""Seconds above the app's idle timeout after which hypercorn itself drops a
connection that sent nothing (``read_timeout``): a backstop, roost's own idle
close (with a reason) comes first."""


class GuardedConfig(hypercorn.config.Config):
    """A hypercorn ``Config`` whose WebSocket connections :func:`install` guards."""

    websocket_max_frames: int = MAX_FRAMES_PER_MESSAGE


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
        if self.budget is not None and isinstance(event, Request):
            # Without an offer, Handshake.accept negotiates no extension.
            headers = [
                (name, value)
                for name, value in event.headers
                if name.lower() != b"sec-websocket-extensions"
            ]
            event = dataclasses.replace(event, headers=headers)
        await super().handle(event)
        if self.budget is not None and self.budget.exceeded and not self.closed:
            # hypercorn has sent Close 1009 and would go on reading until the
            # peer answers; end the stream now (for HTTP/1.1 this closes the
            # TCP connection, and the app gets websocket.disconnect).
            await self.send(StreamClosed(stream_id=self.stream_id))


class GuardedTCPServer(TCPServer):
    """hypercorn's connection handler; a failure in it closes this connection only."""

    async def run(self) -> None:
        if not isinstance(self.config, GuardedConfig):
            await super().run()
            return
        try:
            await super().run()
        except* Exception as failure:
            # Reached only through a bug in hypercorn (the app's own
            # exceptions are caught before). run() has closed the stream.
            log.warning(
                "closed a connection on which hypercorn failed: %s",
                "; ".join(repr(exc) for exc in _leaves(failure)),
            )
            log.debug("hypercorn's failure", exc_info=failure)


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
    connection handler (``trio.run.worker_serve``) or a WebSocket stream
    (``protocol.h11``, ``protocol.h2``); they change nothing for a server
    whose config is not a :class:`GuardedConfig`. Raises ``RuntimeError`` if
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
    (hypercorn.protocol.h11, "WSStream", GuardedWSStream),
    (hypercorn.protocol.h2, "WSStream", GuardedWSStream),
)
"""Where hypercorn looks up the classes it instantiates per connection and per WebSocket."""
