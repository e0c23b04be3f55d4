# Hostile clients against a real `roost run` server: hand-built WebSocket
# frames over raw TCP, the server's RSS from /proc, and a well-behaved session
# alongside. benchmarks/bench_hostile.py reuses these helpers at full size.
from __future__ import annotations

import base64
import json
import os
import re
import signal
import struct
import subprocess
import tempfile
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import IO, Any
from urllib.parse import urlsplit

import pytest
import trio

from roost import App, protocol
from roost.server import Runtime
from roost.server.app import SOCKET_PATH
from roost.testing import LiveClient
from roost.testing._socket import http_get
from tests.serve import ROOST, ROOT, LineReader

KIB = 1024
MIB = 1024 * KIB

TEXT, BINARY, CONTINUATION, CLOSE, PING = 0x1, 0x2, 0x0, 0x8, 0x9

PLUS = "button[roost-click=inc]"
"""The counter's + button, which a well-behaved session clicks."""


# -- the server process --------------------------------------------------------


def rss_kib(pid: int) -> int:
    """The resident set of process ``pid`` now, in KiB (``VmRSS``)."""
    return _status_kib(pid, "VmRSS")


def peak_rss_kib(pid: int) -> int:
    """The highest resident set of ``pid`` since :func:`reset_peak_rss` (``VmHWM``), in KiB."""
    return _status_kib(pid, "VmHWM")


def reset_peak_rss(pid: int) -> None:
    """Start a new high-water mark for ``pid``'s RSS (``echo 5 > clear_refs``)."""
    with open(f"/proc/{pid}/clear_refs", "w") as f:
        f.write("5")


def _status_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(f"no {field} in /proc/{pid}/status")


class Address:
    """Where a server listens, from its ``url``: what ``handshake`` needs."""

    url: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 80

    @property
    def netloc(self) -> str:
        return urlsplit(self.url).netloc


@dataclass
class InProcess(Address):
    """A runtime served on loopback in the test's own process."""

    app: App
    runtime: Runtime
    url: str

    @property
    def pid(self) -> int:
        return os.getpid()

    async def token(self, path: str) -> str:
        """The session token of the page at ``path``."""
        status, body = await http_get(self.host, self.port, self.netloc, path)
        assert status == 200
        return body.split('data-roost-token="', 1)[1].split('"', 1)[0]

    def socket_url(self) -> str:
        return f"ws://{self.netloc}/_roost/socket?v={protocol.VERSION}"


@dataclass
class Server(Address):
    """A `roost run` subprocess: its URL, host, port and pid."""

    process: subprocess.Popen[str]
    url: str
    log: IO[str]

    def log_text(self) -> str:
        """What the server has logged so far."""
        self.log.seek(0)
        return self.log.read()

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def growth(self) -> Growth:
        """Measures the RSS peak above the RSS now (see :class:`Growth`)."""
        return Growth(self.pid)


class Growth:
    """The server's RSS now, and (``peak_kib``) how far above it its RSS has been since.

    ``VmHWM`` is reset on creation, so the peak is this measurement's own,
    transient allocations included (a decompression freed at once still counts).
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.before_kib = rss_kib(pid)
        reset_peak_rss(pid)

    @property
    def peak_kib(self) -> int:
        return max(0, peak_rss_kib(self.pid) - self.before_kib)

    @property
    def now_kib(self) -> int:
        return rss_kib(self.pid) - self.before_kib


@contextmanager
def roost_server(app: str = "examples.counter:app", startup: float = 30.0) -> Iterator[Server]:
    """``roost run APP --port 0`` in a subprocess, until the block ends.

    Like ``tests.serve.roost_run``, except that the server's log goes to a file,
    not a pipe nobody reads while it runs: attacks make the server log a line
    per refused socket, and a full pipe would block the whole server on its
    next log line.
    """
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [str(ROOST), "run", app, "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        try:
            yield Server(process, _url(process, log, startup), log)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            assert process.stdout is not None
            process.stdout.close()


def _url(process: subprocess.Popen[str], log: IO[str], startup: float) -> str:
    # The first line on stdout that names the URL; the server prints a few lines only.
    assert process.stdout is not None
    pattern = re.compile(r"serving (http://\S+)")
    found = LineReader(process.stdout).until(
        lambda line: m.group(1) if (m := pattern.search(line)) else None, startup
    )
    if found is not None:
        return found
    process.kill()
    process.wait()
    log.seek(0)
    raise RuntimeError(f"roost run did not print its URL: {log.read()[-3000:]}")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with roost_server() as running:
        yield running


# -- frames --------------------------------------------------------------------


def frame(opcode: int, payload: bytes = b"", *, fin: bool = True, rsv1: bool = False) -> bytes:
    """One client frame, masked as a client must (RFC 6455 section 5.2)."""
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", first, 0x80 | n)
    elif n < 1 << 16:
        header = struct.pack("!BBH", first, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", first, 0x80 | 127, n)
    key = os.urandom(4)
    return header + key + _mask(payload, key)


def _mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return b""
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(
        len(payload), "big"
    )


def deflate_bomb(inflated: int) -> bytes:
    """A permessage-deflate payload (RFC 7692) that inflates to ``inflated`` spaces."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = b" " * MIB
    out = []
    for _ in range(inflated // MIB):
        out.append(compressor.compress(chunk))
    out.append(compressor.flush(zlib.Z_SYNC_FLUSH))
    data = b"".join(out)
    assert data.endswith(b"\x00\x00\xff\xff")
    return data[:-4]


# -- a raw WebSocket -------------------------------------------------------------


class RawSocket:
    """A WebSocket opened by hand: whatever bytes the test writes go out as they are.

    A task reads (and discards) everything the server sends, so the server's
    writes never stall on us; ``closed`` is set when the server closes the
    TCP connection (EOF or reset), ``close_code`` is the code of the first
    Close frame the server sent, if it sent one.
    """

    def __init__(self, stream: trio.SocketStream, response: bytes, rest: bytes) -> None:
        self.stream = stream
        self.response = response
        self.closed = trio.Event()
        self.close_code: int | None = None
        self.received = 0
        self._pending = bytearray(rest)

    @property
    def status(self) -> int:
        return int(self.response.split(b" ", 2)[1])

    def header(self, name: str) -> str | None:
        for line in self.response.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == name.lower().encode():
                return value.strip().decode("latin-1")
        return None

    async def send(self, data: bytes) -> bool:
        """Write ``data``; False once the server closed the connection."""
        if self.closed.is_set():
            return False
        try:
            await self.stream.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            self.closed.set()
            return False
        return True

    async def stream_out(self, chunks: Iterable[bytes], *, budget: float) -> int:
        """Send ``chunks`` until they run out, the server closes, or ``budget`` seconds pass.

        Returns the bytes written.
        """
        sent = 0
        with trio.move_on_after(budget):
            for chunk in chunks:
                if not await self.send(chunk):
                    break
                sent += len(chunk)
        return sent

    async def wait_closed(self, within: float) -> bool:
        """True once the server has closed the connection, False after ``within`` s."""
        with trio.move_on_after(within):
            await self.closed.wait()
        return self.closed.is_set()

    async def read_all(self) -> None:
        self._scan(b"")
        try:
            while True:
                data = await self.stream.receive_some(64 * KIB)
                if not data:
                    break
                self.received += len(data)
                self._scan(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        self.closed.set()

    async def message(self) -> Any:
        """The next text message the server sent, decoded; None once it closed.

        For a test that reads a while and then stops (``read_all`` takes up
        the frames from where this left off).
        """
        while (received := await self.next_frame()) is not None:
            opcode, payload = received
            if opcode == CLOSE:
                return None
            if opcode == TEXT:
                return json.loads(payload)
        return None

    async def next_frame(self) -> tuple[int, bytes] | None:
        """The next frame the server sent, whole: (opcode, payload); None once it closed."""
        while True:
            parsed = self._parse()
            if parsed is not None:
                return parsed
            try:
                data = await self.stream.receive_some(64 * KIB)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                data = b""
            if not data:
                self.closed.set()
                return None
            self.received += len(data)
            self._pending += data

    def _scan(self, data: bytes) -> None:
        # Note the first Close frame's code, and drop everything else.
        self._pending += data
        while self.close_code is None and self._parse() is not None:
            pass
        if self.close_code is not None:
            self._pending.clear()

    def _parse(self) -> tuple[int, bytes] | None:
        """The first whole frame received and not taken yet, taken: (opcode, payload).

        Server frames are unmasked; a Close frame's code is noted.
        """
        pending = self._pending
        if len(pending) < 2:
            return None
        first, second = pending[0], pending[1] & 0x7F
        start, length = 2, second
        if second == 126:
            if len(pending) < 4:
                return None
            (length,) = struct.unpack("!H", pending[2:4])
            start = 4
        elif second == 127:
            if len(pending) < 10:
                return None
            (length,) = struct.unpack("!Q", pending[2:10])
            start = 10
        if len(pending) < start + length:
            return None
        opcode, payload = first & 0x0F, bytes(pending[start : start + length])
        del pending[: start + length]
        if opcode == CLOSE and self.close_code is None:
            self.close_code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
        return opcode, payload


def upgrade_request(netloc: str, *, deflate: bool = False, path: str = "") -> bytes:
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path or SOCKET_PATH}?v={protocol.VERSION} HTTP/1.1",
        f"Host: {netloc}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        f"Origin: http://{netloc}",
    ]
    if deflate:
        lines.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


ATTACKER = "127.0.0.2"
"""The address attacks come from where the system routes it (Linux routes all of
127/8 to loopback), so that roost's per-address limits do not count the
well-behaved session's clicks and the attacker's messages together."""


async def connect(server: Server, *, receive_buffer: int | None = None) -> trio.SocketStream:
    """A TCP connection to ``server``, from :data:`ATTACKER` when it can be used.

    ``receive_buffer`` sets ``SO_RCVBUF`` before connecting (a small one makes a
    client that does not read stall the server's writes quickly).
    """
    for local in (ATTACKER, None):
        sock = trio.socket.socket()
        if receive_buffer is not None:
            sock.setsockopt(trio.socket.SOL_SOCKET, trio.socket.SO_RCVBUF, receive_buffer)
        try:
            if local is not None:
                await sock.bind((local, 0))
            await sock.connect((server.host, server.port))
        except OSError:
            sock.close()
            if local is None:
                raise
            continue
        return trio.SocketStream(sock)
    raise AssertionError("unreachable")


async def handshake(
    server: Address,
    *,
    deflate: bool = False,
    within: float = 5.0,
    receive_buffer: int | None = None,
    after_request: bool = False,
) -> RawSocket:
    """Open a WebSocket to ``server``'s socket path by hand (the caller reads and closes it).

    On a fresh connection, roost serves the socket itself (roost/server/websocket.py);
    ``after_request`` first sends an HTTP request on the connection and reads its
    answer, so that the socket goes through hypercorn's ASGI path instead.
    """
    stream = await connect(server, receive_buffer=receive_buffer)
    try:
        with trio.fail_after(within):
            if after_request:
                await stream.send_all(f"HEAD / HTTP/1.1\r\nHost: {server.netloc}\r\n\r\n".encode())
                answer = await _read_head(stream)
                assert answer.startswith(b"HTTP/1.1 200 "), answer
            await stream.send_all(upgrade_request(server.netloc, deflate=deflate))
            head = await _read_head(stream)
    except BaseException:
        await stream.aclose()
        raise
    response, _, rest = head.partition(b"\r\n\r\n")
    return RawSocket(stream, response, rest)


async def _read_head(stream: trio.SocketStream) -> bytes:
    # An HTTP response head, and whatever came after it in the same reads.
    head = bytearray()
    while b"\r\n\r\n" not in head:
        data = await stream.receive_some(4096)
        if not data:
            raise ConnectionError(f"closed during the handshake: {bytes(head)!r}")
        head += data
    return bytes(head)


@asynccontextmanager
async def raw_socket(
    server: Server, *, deflate: bool = False, after_request: bool = False
) -> AsyncIterator[RawSocket]:
    """A WebSocket to ``server``'s socket path, upgraded by hand, read (and
    discarded) throughout, closed at the end (``after_request``: as :func:`handshake`)."""
    ws = await handshake(server, deflate=deflate, after_request=after_request)
    async with ws.stream, trio.open_nursery() as nursery:
        nursery.start_soon(ws.read_all)
        try:
            yield ws
        finally:
            nursery.cancel_scope.cancel()


# -- a well-behaved session alongside ----------------------------------------------


@asynccontextmanager
async def observer(server: Server) -> AsyncIterator[Observer]:
    """A tab that joined the counter and can click + (LiveClient over a real socket)."""
    async with LiveClient.connect(server.url, "/") as view:
        yield Observer(view)


class Observer:
    def __init__(self, view: LiveClient) -> None:
        self.view = view
        self.latencies: list[float] = []

    async def click(self) -> None:
        """Click +, check the count went up by one, record how long it took."""
        before = int(self.view.text("#count"))
        start = trio.current_time()
        await self.view.click(PLUS)
        self.latencies.append(trio.current_time() - start)
        assert int(self.view.text("#count")) == before + 1

    async def keep_clicking(self, stop: trio.Event, *, interval: float = 0.02) -> None:
        """Click + every ``interval`` seconds (under the per-socket rate) until ``stop``."""
        while not stop.is_set():
            await self.click()
            with trio.move_on_after(interval):
                await stop.wait()


@asynccontextmanager
async def clicking(obs: Observer) -> AsyncIterator[None]:
    """``obs`` clicks + throughout the block, and once more after it.

    A click is never cut off halfway (its patch would arrive during the next).
    """
    stop = trio.Event()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(obs.keep_clicking, stop)
        try:
            yield
        finally:
            stop.set()
    await obs.click()
