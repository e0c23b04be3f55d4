# roost's socket on the connection's own Trio stream under `roost run`: the
# upgrade read off the first request, frames cut here and the common one read
# here too (wsproto reads the rest), messages straight to socket.py. What
# hypercorn's ASGI path costs a frame (an app task and its queue, event dicts,
# its protocol layers) is not paid on the path every click and every patch
# takes, nor wsproto's general parser (9.7 µs a frame, against under 1).
"""roost's WebSocket, served on the TCP stream itself rather than through ASGI.

Under ``roost run``, hypercorn's connection handler (``hypercorn_guard``)
reads the first bytes of each new connection; when they are a WebSocket
upgrade to roost's socket path, :class:`DirectSockets` takes the connection:
it answers the handshake, reads frames and hands whole messages to
:func:`roost.server.socket.serve_wire` in the same task. The frame nearly
every message comes in (one whole masked text frame) is read here; every
other frame (control frames, fragments, binary, anything invalid) is given
whole to wsproto, which answers and judges it. A page's GET is answered by
``http1.py``; every other request, and a socket opened on a connection that
already served a request, goes through hypercorn and ASGI as before.

The bounds are hypercorn's under the guard (``hypercorn_guard``): the head
within ``HEAD_TIMEOUT`` and ``MAX_HEAD``, no permessage-deflate, a message of
at most ``MAX_MESSAGE`` in ``MAX_FRAMES_PER_MESSAGE`` frames (Close 1009
above; at once for a frame longer than any such message), a write the peer
does not take within ``WRITE_TIMEOUT`` closes the connection.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections import deque
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import h11
import trio
from hypercorn.trio.tcp_server import MAX_RECV  # the read size hypercorn's connections use
from wsproto.connection import Connection, ConnectionState, ConnectionType
from wsproto.events import BytesMessage, CloseConnection, Ping, TextMessage
from wsproto.frame_protocol import CloseReason
from wsproto.utilities import generate_accept_token

from .deferred import DeferredWrites
from .hypercorn_guard import (
    MAX_FRAMES_PER_MESSAGE,
    MAX_HEAD,
    MAX_MESSAGE,
    WRITE_TIMEOUT,
    bare_lf,
    refusal,
)
from .socket import serve_wire

if TYPE_CHECKING:
    from .app import App

log = logging.getLogger("roost.server")

LINGER = 1.0
"""Seconds a connection stays open after roost's Close frame, for the peer's
Close (or its end of the stream): closing with the peer's bytes unread would
reset the connection, and the browser could lose the close code and reason."""

_UPGRADE = re.compile(rb"\r\nupgrade:[ \t]*websocket[ \t]*\r\n", re.IGNORECASE)

Address = tuple[str, int] | None


class DirectSockets:
    """Takes the connections that open roost's socket at ``path``, for ``app``."""

    def __init__(self, app: App, path: str, deferred: DeferredWrites | None = None) -> None:
        self.app = app
        self._line = b"GET " + path.encode("ascii")
        self.deferred = deferred
        """Bounds the wait of frames left for the actor about to run (installed
        as a Trio instrument for as long as these sockets are served)."""

    def claims(self, head: bytes) -> bool | None:
        """Whether a connection that began with ``head`` is a WebSocket upgrade
        to roost's socket; None while the bytes so far cannot tell.

        Only a complete request head (within ``MAX_HEAD``) is claimed; anything
        else, however malformed, is hypercorn's to answer.
        """
        line = self._line
        if len(head) <= len(line):
            return None if line.startswith(head) else False
        if not head.startswith(line) or head[len(line)] not in b" ?":
            return False
        end = head.find(b"\r\n\r\n")
        if end < 0:
            return None if len(head) <= MAX_HEAD and not bare_lf(head, len(head)) else False
        if bare_lf(head, end):
            return False
        return end + 4 <= MAX_HEAD and _UPGRADE.search(head, 0, end + 2) is not None

    async def serve(
        self, stream: trio.SocketStream, head: bytes, client: Address, server: Address
    ) -> None:
        """Answer the handshake in ``head`` and serve the socket until it ends.

        The caller closes ``stream`` afterwards. A handshake roost cannot accept
        gets an HTTP error (400, or 426 for another WebSocket version).
        """
        end = head.index(b"\r\n\r\n") + 4
        request, rest = head[:end], head[end:]
        scope, error = _handshake(request, client, server)
        with trio.CancelScope() as connection:
            wire = DirectWire(stream, connection, rest, self.deferred)
            try:
                if scope is None:
                    await wire.write(error)
                    return
                key = dict(scope["headers"])[b"sec-websocket-key"]
                await wire.write(
                    b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\n"
                    b"connection: Upgrade\r\nsec-websocket-accept: "
                    + generate_accept_token(key)
                    + b"\r\n\r\n"
                )
                await serve_wire(self.app, scope, wire)
                await wire.linger()
            finally:
                wire.release()  # the caller closes the stream next
        if connection.cancelled_caught:
            log.info("closing a connection whose peer took no data for %s s", WRITE_TIMEOUT)


def _handshake(
    request: bytes, client: Address, server: Address
) -> tuple[dict[str, Any] | None, bytes]:
    """The ASGI scope of a valid upgrade request, or None and the HTTP response refusing it."""
    parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
    try:
        parser.receive_data(request)
        event = parser.next_event()
    except h11.RemoteProtocolError:
        return None, refusal(400)
    if not isinstance(event, h11.Request) or event.http_version != b"1.1":
        return None, refusal(400)
    headers = list(event.headers)
    found = dict(headers)
    connection = {token.strip().lower() for token in found.get(b"connection", b"").split(b",")}
    if found.get(b"upgrade", b"").lower() != b"websocket" or b"upgrade" not in connection:
        return None, refusal(400)
    if found.get(b"sec-websocket-version") != b"13":
        return None, refusal(426, b"sec-websocket-version: 13\r\n")
    if not found.get(b"sec-websocket-key"):
        return None, refusal(400)
    target = event.target
    raw_path, _, query = target.partition(b"?")
    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": unquote(raw_path.decode("ascii")),
        "raw_path": raw_path,
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": client,
        "server": server,
        "subprotocols": [],
        "extensions": {},
    }
    return scope, b""


def text_frame(text: str) -> bytes:
    """A server's frame of one whole text message (RFC 6455 5.2: final, no
    extension bits, unmasked), byte for byte what wsproto makes in the open
    state (no extension is ever negotiated here), at a tenth of its cost: a
    broadcast writes one per subscriber."""
    payload = text.encode()
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return b"\x81\x7e" + n.to_bytes(2, "big") + payload
    return b"\x81\x7f" + n.to_bytes(8, "big") + payload


_WHOLE_TEXT = 0x81
"""A frame's first byte for a whole text message: final, no extension bits, opcode 1."""

_MAX_FRAME = 4 * MAX_MESSAGE
"""The largest frame payload, in bytes, worth reading to the end: a longer one
exceeds ``MAX_MESSAGE`` however it decodes (UTF-8 takes at most 4 bytes a character)."""


def _unmask(data: bytearray, start: int, end: int) -> bytes:
    """The payload in ``data[start:end]``, unmasked with the 4-byte key just before it."""
    n = end - start
    key = data[start - 4 : start]
    words = (n + 3) // 4
    masked = int.from_bytes(data[start:end], "little")
    return (masked ^ int.from_bytes(key * words, "little")).to_bytes(4 * words, "little")[:n]


class DirectWire:
    """A :class:`roost.server.socket.Wire` on the stream itself.

    Frames are cut from the stream here, and only whole ones are read: a
    whole masked text frame by :meth:`_cut` itself (the browser sends each
    message so), any other by wsproto, which is handed that frame and nothing
    else, so that it is never left holding a part of one. One task reads
    (and answers pings and the peer's Close as it reads); writes from other
    tasks wait their turn. A write not taken within
    ``WRITE_TIMEOUT`` cancels ``connection``, the scope the whole socket runs in.
    """

    __slots__ = (
        "_connection",
        "_count",
        "_fd",
        "_fragments",
        "_frames",
        "_in",
        "_length",
        "_owed",
        "_parts",
        "_ready",
        "_stream",
        "_turn",
        "_writing",
        "deferred",
        "ended",
    )

    def __init__(
        self,
        stream: trio.SocketStream,
        connection: trio.CancelScope,
        rest: bytes,
        deferred: DeferredWrites | None = None,
    ) -> None:
        self._stream = stream
        self.deferred = deferred
        socket = getattr(stream, "socket", None)  # (a test's stream may have none)
        self._fd = socket.fileno() if socket is not None else -1
        """For ``send_now``; -1 from the moment this wire closes the stream, so that a
        descriptor number the system has given another connection is never written."""
        self._connection = connection
        self._frames = Connection(ConnectionType.SERVER)
        self._in = bytearray(rest)  # bytes read, not yet a whole frame
        self._fragments = False  # wsproto holds the start of a message in fragments
        self._ready: deque[str | bytes] | None = None  # messages read, not yet taken
        self._parts: list[Any] = []  # the message being received, frame by frame
        self._length = 0  # its characters (text) or bytes so far
        self._count = 0  # its frames so far
        self._writing = False
        self._owed = b""  # the rest of a frame send_now wrote in part
        self._turn: trio.Event | None = None  # set when a write ends, if a task waits
        self.ended = False
        """Nothing more will be read: the peer closed, or the connection failed."""

    # -- reading ---------------------------------------------------------------

    async def receive(self) -> str | bytes | None:
        while True:
            ready = self._ready
            if ready:
                return ready.popleft()
            if self.ended:
                return None
            await self._cut()
            if self._ready or self.ended:
                continue
            data = await self._read()
            if not data:
                self.ended = True
                return None
            self._in += data

    async def _read(self) -> bytes:
        """The next bytes the peer sent; empty at its end (or a broken connection).

        Waits for the socket to be readable first, then reads it directly: a
        message comes long after the last was read, so trying the read first,
        as the stream does, would mostly fail and cost a system call, an
        exception and the stream's own layers each time."""
        fd = self._fd
        if fd < 0:  # a test's stream, or released: the stream's own read
            try:
                return await self._stream.receive_some(MAX_RECV)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return b""
        while True:
            try:
                await trio.lowlevel.wait_readable(fd)
                return os.read(fd, MAX_RECV)
            except BlockingIOError:
                continue  # (woken without data)
            except (OSError, trio.ClosedResourceError):
                return b""

    async def _cut(self) -> None:
        """Read every whole frame in the bytes read so far (RFC 6455 5.2)."""
        data = self._in
        at = 0
        try:
            while not self.ended:
                available = len(data) - at
                if available < 2:
                    break
                first, second = data[at], data[at + 1]
                size = second & 0x7F
                head = 2
                shortest = 0  # a length in more bytes than it needs is wsproto's to refuse
                if size == 126:
                    if available < 4:
                        break
                    size = int.from_bytes(data[at + 2 : at + 4], "big")
                    head, shortest = 4, 126
                elif size == 127:
                    if available < 10:
                        break
                    size = int.from_bytes(data[at + 2 : at + 10], "big")
                    head, shortest = 10, 65536
                if second & 0x80:
                    head += 4
                if size > _MAX_FRAME:
                    await self._fail(CloseReason.MESSAGE_TOO_BIG, "message too big")
                    break
                end = at + head + size
                if end > len(data):
                    break
                if (
                    first == _WHOLE_TEXT
                    and second & 0x80
                    and size >= shortest
                    and not self._fragments
                    and self._frames.state is ConnectionState.OPEN
                ):
                    try:
                        text = _unmask(data, end - size, end).decode()
                    except UnicodeDecodeError:
                        await self._fail(CloseReason.INVALID_FRAME_PAYLOAD_DATA, "invalid UTF-8")
                        break
                    if len(text) > MAX_MESSAGE:
                        await self._fail(CloseReason.MESSAGE_TOO_BIG, "message too big")
                        break
                    if self._ready is None:
                        self._ready = deque()
                    self._ready.append(text)
                else:
                    if first & 0x0F in (0, 1, 2):  # a data frame: a message's first, or its next
                        self._fragments = not first & 0x80
                    self._frames.receive_data(bytes(data[at:end]))
                    at = end  # handed over: wsproto holds it now
                    await self._take_events()
                at = end
        finally:
            del data[:at]  # (also when cancelled: no frame is read twice)

    async def _take_events(self) -> None:
        for event in self._frames.events():
            if isinstance(event, (TextMessage, BytesMessage)):
                if not await self._add(event):
                    return
            elif isinstance(event, Ping):
                if self._frames.state is ConnectionState.OPEN:  # (not after roost's Close)
                    await self._reply(self._frames.send(event.response()))
            elif isinstance(event, CloseConnection):
                self.ended = True
                state = self._frames.state
                if state is ConnectionState.REMOTE_CLOSING:  # the peer closes: answer
                    await self._reply(self._frames.send(event.response()))
                elif state is ConnectionState.OPEN:  # wsproto found the frames invalid
                    await self._fail(event.code, event.reason or "")
                return  # (CLOSED: the peer answered roost's Close)

    async def _add(self, event: TextMessage | BytesMessage) -> bool:
        # Counted as hypercorn does: characters of text, bytes of binary.
        self._length += len(event.data)
        if event.frame_finished:
            self._count += 1
        if self._length > MAX_MESSAGE or self._count > MAX_FRAMES_PER_MESSAGE:
            await self._fail(CloseReason.MESSAGE_TOO_BIG, "message too big")
            return False
        if event.message_finished and not self._parts:
            data = event.data
            message: str | bytes = data if isinstance(data, str) else bytes(data)
        else:
            self._parts.append(event.data)
            if not event.message_finished:
                return True
            message = ("" if isinstance(event, TextMessage) else b"").join(self._parts)
            self._parts = []
        self._length = 0
        self._count = 0
        if self._ready is None:
            self._ready = deque()
        self._ready.append(message)
        return True

    async def _fail(self, code: int, reason: str) -> None:
        # RFC 6455 7.1.7: the Close frame, then the connection closed at once
        # (no waiting for a peer that sends what it must not).
        self.ended = True
        self._parts = []
        if self._frames.state is ConnectionState.OPEN:
            await self._reply(self._frames.send(CloseConnection(code, reason)))
        self.release()
        await self._stream.aclose()

    async def _reply(self, data: bytes) -> None:
        # The reader's own writes (a Pong, a Close): a peer gone meanwhile ends
        # the reading, as its end of the stream would.
        try:
            await self.write(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self.ended = True

    def release(self) -> None:
        """Write nothing more without waiting: the stream is about to be closed."""
        self._fd = -1

    # -- writing ---------------------------------------------------------------

    async def send(self, text: str) -> None:
        if self._frames.state is ConnectionState.OPEN:
            await self.write(text_frame(text))
        else:  # wsproto says why it cannot
            await self.write(self._frames.send(TextMessage(text)))

    def send_now(self, text: str) -> bool | None:
        """Write ``text`` without waiting, as far as the socket's buffer takes it.

        True: written whole; False: nothing written (a write is in progress or
        owed, the buffer is full, the connection is gone); None: written in
        part, the rest owed to :meth:`flush` (which the caller must await
        before anything else is written).
        """
        if self._writing or self._owed or self._frames.state is not ConnectionState.OPEN:
            return False
        data = text_frame(text)
        try:
            written = os.write(self._fd, data)
        except OSError:  # full (BlockingIOError), or gone: the queued write finds out
            written = 0
        if written == len(data):
            return True
        if not written:
            return False  # (a whole message's frame leaves wsproto no state to undo)
        # Part of the frame is out: the rest must go before anything else.
        self._owed = data[written:]
        return None

    async def flush(self) -> None:
        await self.write(b"")

    async def close(self, code: int, reason: str) -> None:
        if self._frames.state is not ConnectionState.OPEN:
            return
        await self.write(self._frames.send(CloseConnection(code, reason)))

    async def write(self, data: bytes) -> None:
        """Write ``data`` after any write in progress, within ``WRITE_TIMEOUT``."""
        await self._wait_turn()
        if self._owed:  # the rest of a frame send_now began goes first
            data, self._owed = self._owed + data, b""
        self._writing = True
        # The deadline on the socket's own scope: a scope per write would cost
        # more than the write.
        self._connection.deadline = trio.current_time() + WRITE_TIMEOUT
        try:
            await self._stream.send_all(data)
        finally:
            self._connection.deadline = math.inf
            self._writing = False
            if self._turn is not None:
                self._turn.set()
                self._turn = None

    async def _wait_turn(self) -> None:
        while self._writing:
            if self._turn is None:
                self._turn = trio.Event()
            await self._turn.wait()

    async def linger(self) -> None:
        """After roost's Close: wait (at most ``LINGER`` seconds) for the peer's.

        The Close may still be being written by another task (a session that
        cut its socket off writes it from its own); the end of the stream
        follows it.
        """
        if self.ended:
            return
        with trio.move_on_after(LINGER):
            try:
                await self._wait_turn()
                await self._stream.send_eof()
                while await self.receive() is not None:
                    pass  # a message after our Close is not read
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                pass
