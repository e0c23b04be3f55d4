"""Many idle sessions in one server process: joins, clicks, broadcasts, memory, shutdown.

    python benchmarks/bench_scale.py [--quick] [--sizes 1 100 1000 10000]
                                     [--apps counter chat lobby] [--grace 30]
                                     [--concurrency 64]

For each app and size it starts `roost run` as a subprocess (with
``ROOST_GC_STATS=1``, which makes the server print its garbage collector's
pauses on SIGUSR1) and drives it from this process, a lean client that
speaks raw WebSocket frames over trio TCP streams (no per-connection
library state). Each session does what a browser tab does: GET the page
for its token, open the socket, join, then idle, sending a heartbeat every
30 s. It measures:

- **joins**: sessions joined per second (GET + socket + Join until Joined,
  ``--concurrency`` at a time) and the join latency p50/p99 (socket opened
  to Joined received);
- **GC**: the server's longest garbage-collector pause while the sessions
  joined, and during the clicks and broadcasts;
- **clicks** (counter): up to 4 of the sessions click + in turn, 200 clicks
  each; the latency of a click is from sending the event to its Ack (which
  follows the patch);
- **broadcast** (chat, lobby): one session posts a message 3 times; the time from
  the post to its arrival in the last of the N sessions, and the server CPU
  time that broadcast cost;
- **memory**: the server's RSS after start-up, at its peak with every session
  joined, and once every socket has closed and the sessions have ended
  after their reconnect grace (``--grace``);
- **shutdown**: the sessions join again, then SIGINT; the time until the
  process exits, and how many "shields itself from cancellation" reports
  the server logged.

This client's own garbage collector is kept out of the figures: what the
joins built is frozen (``gc.freeze``) and the collector is off while clicks
and broadcasts are timed. With 10,000 tabs open, one full collection of the
client's took 250 ms, which a broadcast's last arrival counted as the
server's.

The server runs the example apps through this module (``counter_app``,
``chat_app``: examples.chat's room without its "who is here" list,
``lobby_app``: the room as examples.chat serves it, every tab tracked in
Presence; not run by default): the same views, but with the per-address limits off
(``address_rate=None``, ``max_pending_joins=None``) and no ``max_sessions``
cap, since every session comes from this one client on 127.0.0.1, which
the defaults (docs/security.md) would throttle like one abusive address.
The reconnect grace comes from ``ROOST_BENCH_GRACE``.

``--quick`` runs sizes 1, 100 and 1,000 with a 5 s grace.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import math
import os
import re
import selectors
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from examples.chat import ChatView, Lobby  # noqa: E402
from examples.counter import Counter  # noqa: E402
from roost import App, protocol  # noqa: E402

# -- the apps the server runs -------------------------------------------------------

_GRACE = float(os.environ.get("ROOST_BENCH_GRACE", "30"))
_LIMITS: dict[str, Any] = {
    "address_rate": None,
    "max_pending_joins": None,
    "max_sessions": None,
    "reconnect_grace": _GRACE,
}

counter_app = App({"/": Counter}, title="roost counter", **_LIMITS)
"""examples.counter's view, with the per-address limits and the session cap off."""

chat_app = App({"/": ChatView}, title="roost chat", **_LIMITS)
"""examples.chat's view without its "who is here" list, likewise."""

lobby_app = App({"/": Lobby}, title="roost chat", children=[Lobby.presence.child_spec()], **_LIMITS)
"""examples.chat's page as it runs: the room with who is here (Presence), likewise."""

APPS = {
    "counter": "benchmarks.bench_scale:counter_app",
    "chat": "benchmarks.bench_scale:chat_app",
    "lobby": "benchmarks.bench_scale:lobby_app",
}

# -- the server process ---------------------------------------------------------------

_URL = re.compile(r"serving (http://\S+)")
_GC = re.compile(r"roost: gc: .*?max_pause_ms=([0-9.]+) gen2_max_pause_ms=([0-9.]+)")
_SESSIONS = re.compile(r"sessions=(\d+)")
ROOST = Path(sys.executable).with_name("roost")


class ServerProcess:
    """`roost run APP --port 0` with its stdout read by a thread and its stderr in a file."""

    def __init__(
        self, app: str, grace: float, extra_env: dict[str, str], wrap: list[str] | None = None
    ) -> None:
        """``wrap``: a command that runs a module's ``__main__`` (``roost.cli`` is
        added), in place of the ``roost`` script; ``extra_env`` wins over the defaults."""
        self.log = tempfile.NamedTemporaryFile("w+", prefix="bench_scale_", suffix=".log")
        env = dict(
            os.environ,
            PYTHONUNBUFFERED="1",
            ROOST_GC_STATS="1",
            ROOST_BENCH_GRACE=str(grace),
        )
        env.update(extra_env)
        command = [*wrap, "roost.cli"] if wrap else [str(ROOST)]
        self.process = subprocess.Popen(
            [*command, "run", app, "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self.last_report = ""
        self._new_line = threading.Condition()
        self.url = self._wait_for_url()
        host_port = self.url.removeprefix("http://")
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)
        threading.Thread(target=self._read, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.process.pid

    def _wait_for_url(self) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=deadline - time.monotonic()):
                    break
                line = self.process.stdout.readline()
                if not line:
                    break
                self.lines.append(line)
                match = _URL.search(line)
                if match:
                    return match.group(1)
        self.process.kill()
        raise RuntimeError(f"roost run did not start: {self.lines} {self.stderr()[-2000:]}")

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._new_line:
                self.lines.append(line)
                self._new_line.notify_all()

    def stderr(self) -> str:
        self.log.flush()
        with open(self.log.name) as f:
            return f.read()

    def gc_report(self) -> tuple[float, int]:
        """SIGUSR1: the longest GC pause (ms) since the last report, and the session count."""
        with self._new_line:
            seen = len(self.lines)
            self.process.send_signal(signal.SIGUSR1)
            deadline = time.monotonic() + 60
            while True:
                for line in self.lines[seen:]:
                    match = _GC.search(line)
                    if match:
                        self.last_report = line
                        sessions = _SESSIONS.search(line)
                        return float(match.group(1)), int(sessions.group(1)) if sessions else -1
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError("the server did not report its GC pauses")
                self._new_line.wait(left)

    def rss_mib(self, field: str = "VmRSS") -> float:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        raise LookupError(field)

    def reset_peak(self) -> None:
        with open(f"/proc/{self.pid}/clear_refs", "w") as f:
            f.write("5")

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, timeout: float = 300) -> tuple[float, int]:
        """SIGINT; the seconds until the process exited, and its exit status."""
        begin = time.perf_counter()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return math.inf, -9
        return time.perf_counter() - begin, self.process.returncode

    def exit_gc_ms(self) -> float:
        """The longest GC pause the server reported at exit (since the last SIGUSR1)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with self._new_line:
                for line in self.lines:
                    if "roost: gc: at exit" in line:
                        match = _GC.search(line)
                        return float(match.group(1)) if match else math.nan
                self._new_line.wait(0.5)
        return math.nan

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


# -- a lean WebSocket client ------------------------------------------------------------

import trio  # noqa: E402

ZERO_MASK = b"\0\0\0\0"
"""Client frames must be masked; a zero key leaves the payload as it is (this is a load
client talking to its own server, not a browser behind a proxy)."""


def client_frame(text: str, opcode: int = 0x1) -> bytes:
    payload = text.encode()
    n = len(payload)
    if n < 126:
        header = bytes((0x80 | opcode, 0x80 | n))
    elif n < 1 << 16:
        header = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return header + ZERO_MASK + payload


def _close_frame(code: bytes) -> bytes:
    return bytes((0x88, 0x80 | len(code))) + ZERO_MASK + code


def server_frames(buffer: bytearray) -> list[tuple[int, bytes]]:
    """The complete (unmasked) frames at the start of ``buffer``, removed from it."""
    frames = []
    i, size = 0, len(buffer)
    while size - i >= 2:
        opcode, n = buffer[i] & 0x0F, buffer[i + 1] & 0x7F
        j = i + 2
        if n == 126:
            if size - j < 2:
                break
            n, j = int.from_bytes(buffer[j : j + 2], "big"), j + 2
        elif n == 127:
            if size - j < 8:
                break
            n, j = int.from_bytes(buffer[j : j + 8], "big"), j + 8
        if size - j < n:
            break
        frames.append((opcode, bytes(buffer[j : j + n])))
        i = j + n
    del buffer[:i]
    return frames


class Closed(Exception):
    pass


class Tab:
    """One session: a socket that joined, and what it saw."""

    HEARTBEAT = 30.0

    def __init__(self, stream: trio.SocketStream, index: int) -> None:
        self.stream = stream
        self.index = index
        self.buffer = bytearray()
        self.next_ref = 1
        self.on_text: Callable[[Tab, bytes], None] | None = None
        self.closed = False

    async def send(self, message: list[Any]) -> None:
        await self.stream.send_all(client_frame(json.dumps(message, separators=(",", ":"))))

    async def event(self, handler: str, params: dict[str, Any] | None = None) -> int:
        """Send an event to the view (encoded by the server's own protocol module); its ref."""
        ref = self.ref()
        event = protocol.Event(ref=ref, target="0", handler=handler, params=params or {})
        await self.stream.send_all(client_frame(protocol.encode(event)))
        return ref

    def ref(self) -> int:
        self.next_ref += 1
        return self.next_ref

    async def receive(self) -> list[tuple[int, bytes]]:
        while True:
            frames = server_frames(self.buffer)
            if frames:
                return frames
            data = await self.stream.receive_some(65536)
            if not data:
                raise Closed()
            self.buffer += data

    async def idle(self) -> None:
        """Read everything the server sends; a heartbeat every 30 s, as the browser does."""
        beat = trio.current_time() + self.HEARTBEAT
        try:
            while True:
                with trio.move_on_at(beat):
                    for opcode, payload in await self.receive():
                        if opcode == 0x1 and self.on_text is not None:
                            self.on_text(self, payload)
                        elif opcode == 0x9:
                            await self.stream.send_all(client_frame(payload.decode(), 0xA))
                        elif opcode == 0x8:
                            # As a browser does: answer the close, then hang up.
                            with trio.move_on_after(1):
                                await self.stream.send_all(_close_frame(payload[:2]))
                            raise Closed()
                if trio.current_time() >= beat:
                    await self.send([2, self.ref()])
                    beat += self.HEARTBEAT
        except (Closed, trio.BrokenResourceError, trio.ClosedResourceError):
            self.closed = True
            await self.stream.aclose()

    async def close(self) -> None:
        """Drop the connection, as a tab that is closed or loses its network."""
        self.closed = True
        await self.stream.aclose()


_TOKEN = re.compile(rb'data-roost-token="([^"]+)"')


class PageFetcher:
    """GETs the page over one kept-alive HTTP connection (reopened when the server closes it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.stream: trio.SocketStream | None = None
        self.buffer = bytearray()

    async def token(self) -> str:
        for attempt in range(2):
            if self.stream is None:
                self.stream = await trio.open_tcp_stream(self.host, self.port)
                self.buffer.clear()
            try:
                request = f"GET / HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n"
                await self.stream.send_all(request.encode())
                body = await self._response()
                match = _TOKEN.search(body)
                if match is None:
                    raise RuntimeError(f"no token in the page: {body[:200]!r}")
                return match.group(1).decode()
            except (Closed, trio.BrokenResourceError):
                await self.stream.aclose()
                self.stream = None
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _response(self) -> bytes:
        assert self.stream is not None
        while b"\r\n\r\n" not in self.buffer:
            await self._more()
        head, _, rest = bytes(self.buffer).partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        self.buffer = bytearray(rest)
        while len(self.buffer) < length:
            await self._more()
        body, self.buffer = bytes(self.buffer[:length]), self.buffer[length:]
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"GET / answered {head[:40]!r}")
        return body

    async def _more(self) -> None:
        assert self.stream is not None
        data = await self.stream.receive_some(65536)
        if not data:
            raise Closed()
        self.buffer += data

    async def close(self) -> None:
        if self.stream is not None:
            await self.stream.aclose()


async def open_tab(host: str, port: int, token: str, index: int) -> Tab:
    """Open the socket and join with ``token``; returns once Joined arrived."""
    stream = await trio.open_tcp_stream(host, port)
    try:
        await stream.send_all(
            (
                f"GET /_roost/socket?v={protocol.VERSION} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        buffer = bytearray()
        while b"\r\n\r\n" not in buffer:
            data = await stream.receive_some(65536)
            if not data:
                raise Closed()
            buffer += data
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(f"upgrade refused: {head[:60]!r}")
        tab = Tab(stream, index)
        tab.buffer += rest
        await tab.send([0, 1, token, f"http://{host}:{port}/"])
        while True:
            for opcode, payload in await tab.receive():
                if opcode == 0x8:
                    raise RuntimeError(f"join refused: close {payload[:2].hex()} {payload[2:]!r}")
                if payload.startswith(b"[2,1,"):
                    return tab
                if payload.startswith(b"[4,1,"):
                    raise RuntimeError(f"join refused: {payload!r}")
    except BaseException:
        await stream.aclose()
        raise


# -- the measurements ---------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


@dataclass
class Result:
    app: str
    size: int
    rss_start: float = 0.0
    rss_peak: float = 0.0
    rss_after: float = 0.0
    joins_per_s: float = 0.0
    join_cpu_ms: float = 0.0
    client_cpu_ms: float = 0.0
    join_p50: float = 0.0
    join_p99: float = 0.0
    gc_join_ms: float = 0.0
    gc_work_ms: float = 0.0
    click_p50: float = math.nan
    click_p99: float = math.nan
    broadcasts: list[float] = field(default_factory=list)
    broadcast_cpu: list[float] = field(default_factory=list)
    rejoins_per_s: float = 0.0
    gc_rejoin_ms: float = 0.0
    shutdown_s: float = 0.0
    shutdown_status: int = 0
    gc_shutdown_ms: float = 0.0
    shields: int = 0
    errors: int = 0
    ended_after_s: float = 0.0
    gc_end_ms: float = 0.0

    def lines(self) -> list[str]:
        out = [
            f"== {self.app}, {self.size:,} sessions",
            f"   joins: {self.joins_per_s:,.0f}/s, join p50 {self.join_p50 * 1000:.1f} ms, "
            f"p99 {self.join_p99 * 1000:.1f} ms; largest GC pause while joining "
            f"{self.gc_join_ms:.1f} ms; CPU per join: server {self.join_cpu_ms:.2f} ms, "
            f"this client {self.client_cpu_ms:.2f} ms",
        ]
        if not math.isnan(self.click_p50):
            out.append(
                f"   clicks: p50 {self.click_p50 * 1000:.2f} ms, p99 {self.click_p99 * 1000:.2f} ms"
            )
        if self.broadcasts:
            arrivals = ", ".join(f"{b * 1000:.0f}" for b in self.broadcasts)
            cpu = ", ".join(f"{c * 1000:.0f}" for c in self.broadcast_cpu)
            out.append(
                f"   broadcast, last arrival: {arrivals} ms (server CPU per broadcast: {cpu} ms)"
            )
        out += [
            f"   largest GC pause after joining (clicks or broadcasts): {self.gc_work_ms:.1f} ms",
            f"   RSS: start {self.rss_start:.0f} MiB, peak {self.rss_peak:.0f} MiB, after all "
            f"closed + grace {self.rss_after:.0f} MiB (sessions all ended "
            f"{self.ended_after_s:.1f} s after the last close; the collection then "
            f"took {self.gc_end_ms:.0f} ms)",
            f"   rejoin: {self.rejoins_per_s:,.0f}/s (largest GC pause {self.gc_rejoin_ms:.1f} ms);"
            f" shutdown (SIGINT to exit): {self.shutdown_s:.2f} s, exit status "
            f"{self.shutdown_status}, largest GC pause {self.gc_shutdown_ms:.0f} ms, "
            f"'shields itself' reports: {self.shields}, ERROR records: {self.errors}",
        ]
        return out


async def join_all(
    server: ServerProcess, n: int, concurrency: int, nursery: trio.Nursery
) -> tuple[list[Tab], list[float], float]:
    """Join ``n`` tabs, ``concurrency`` at a time; each then idles in ``nursery``."""
    tabs: list[Tab] = []
    latencies: list[float] = []
    failures: list[str] = []
    counter = iter(range(n))

    async def worker() -> None:
        fetcher = PageFetcher(server.host, server.port)
        try:
            for index in counter:
                for attempt in range(1, 6):
                    try:
                        token = await fetcher.token()
                        begin = time.perf_counter()
                        tab = await open_tab(server.host, server.port, token, index)
                        break
                    except (Closed, OSError, trio.BrokenResourceError, RuntimeError) as exc:
                        # As the browser does: count it and try again.
                        failures.append(f"{type(exc).__name__}: {exc}"[:120])
                        if attempt == 5:
                            raise
                latencies.append(time.perf_counter() - begin)
                tabs.append(tab)
                nursery.start_soon(tab.idle)
        finally:
            await fetcher.close()

    begin = time.perf_counter()
    async with trio.open_nursery() as joining:
        for _ in range(min(concurrency, n)):
            joining.start_soon(worker)
    took = time.perf_counter() - begin
    if failures:
        print(f"   ! {len(failures)} joins failed and were tried again, e.g. {failures[0]}")
    return tabs, latencies, n / took


async def clicks(tabs: list[Tab], per_tab: int = 200) -> list[float]:
    """Up to 4 tabs click + one after the other; each click's time to its Ack."""
    latencies: list[float] = []
    for tab in tabs[:4]:
        waiting: dict[int, trio.Event] = {}

        def on_text(_tab: Tab, payload: bytes, waiting: dict[int, trio.Event] = waiting) -> None:
            # An Ack, or a Patch that carries the acks (protocol v2), as the server speaks.
            message = protocol.decode_server(payload)
            refs = [message.ref] if isinstance(message, protocol.Ack) else []
            refs += getattr(message, "acked", None) or []
            for ref in refs:
                event = waiting.pop(ref, None)
                if event is not None:
                    event.set()

        tab.on_text = on_text
        for _ in range(per_tab):
            done = trio.Event()
            with client_collector_paused():
                begin = time.perf_counter()
                waiting[tab.next_ref + 1] = done
                await tab.event("inc")
                with trio.fail_after(30):
                    await done.wait()
                latencies.append(time.perf_counter() - begin)
            await trio.sleep(0.005)
        tab.on_text = None
    return latencies


@contextlib.contextmanager
def client_collector_paused() -> Any:
    """This process's garbage collector off for a timed stretch (the client's
    pauses are not the server's)."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def broadcast(server: ServerProcess, tabs: list[Tab], number: int) -> tuple[float, float]:
    """One tab posts; the time until the last tab has the message, and the server's CPU."""
    marker = f"scale-{number}-{time.monotonic_ns()}".encode()
    pending = {tab.index for tab in tabs if not tab.closed}
    arrived = trio.Event()
    last = [0.0]

    def on_text(tab: Tab, payload: bytes) -> None:
        if marker in payload and tab.index in pending:
            pending.discard(tab.index)
            last[0] = time.perf_counter()
            if not pending:
                arrived.set()

    for tab in tabs:
        tab.on_text = on_text
    cpu = server.cpu_seconds()
    with client_collector_paused():
        begin = time.perf_counter()
        await tabs[0].event("post", {"text": marker.decode(), "name": "b"})
        with trio.move_on_after(120):
            await arrived.wait()
    if pending:
        print(f"   ! {len(pending)} tabs did not get broadcast {number}", flush=True)
    took = last[0] - begin
    # The server's CPU time for the broadcast: read once it is quiet again.
    await trio.sleep(0.5)
    used = server.cpu_seconds() - cpu
    for tab in tabs:
        tab.on_text = None
    return took, used


async def wait_sessions(server: ServerProcess, target: int, limit: float) -> float:
    """Poll the server's session count until it is ``target``; seconds waited."""
    begin = time.perf_counter()
    while time.perf_counter() - begin < limit:
        _, sessions = await trio.to_thread.run_sync(server.gc_report)
        if sessions == target:
            break
        await trio.sleep(0.5)
    return time.perf_counter() - begin


_POLICY = re.compile(r"policy_collections=(\d+)")


def policy_collections(server: ServerProcess) -> int | None:
    """How many full collections ``roost run`` has run after sessions ended (its
    last report); None for a server that does not say (one without the policy)."""
    match = _POLICY.search(server.last_report)
    return int(match.group(1)) if match else None


async def wait_collected(server: ServerProcess, before: int | None, limit: float = 60) -> float:
    """Wait for the server's collection after the sessions ended, if it makes one;
    the longest GC pause meanwhile (ms)."""
    longest = 0.0
    begin = time.perf_counter()
    while before is not None and time.perf_counter() - begin < limit:
        pause, _ = await trio.to_thread.run_sync(server.gc_report)
        longest = max(longest, pause)
        done = policy_collections(server)
        if done is not None and done > before:
            break
        await trio.sleep(0.5)
    return longest


async def measure(app: str, size: int, args: argparse.Namespace) -> Result:
    server = ServerProcess(APPS[app], args.grace, {"PYTHONMALLOC": "malloc"} if args.malloc else {})
    result = Result(app, size)
    try:
        await trio.sleep(0.5)
        result.rss_start = server.rss_mib()
        server.reset_peak()
        await trio.to_thread.run_sync(server.gc_report)  # counts from here
        async with trio.open_nursery() as nursery:
            cpu, mine = server.cpu_seconds(), time.process_time()
            tabs, latencies, rate = await join_all(server, size, args.concurrency, nursery)
            result.join_cpu_ms = (server.cpu_seconds() - cpu) / size * 1000
            result.client_cpu_ms = (time.process_time() - mine) / size * 1000
            result.joins_per_s = rate
            result.join_p50, result.join_p99 = pct(latencies, 0.5), pct(latencies, 0.99)
            result.gc_join_ms, _ = await trio.to_thread.run_sync(server.gc_report)
            gc.collect()
            gc.freeze()  # the tabs: no collection of this client's traces them again
            if app == "counter":
                latencies = await clicks(tabs)
                result.click_p50, result.click_p99 = pct(latencies, 0.5), pct(latencies, 0.99)
            else:
                for number in range(3):
                    took, cpu = await broadcast(server, tabs, number)
                    result.broadcasts.append(took)
                    result.broadcast_cpu.append(cpu)
            result.gc_work_ms, _ = await trio.to_thread.run_sync(server.gc_report)
            result.rss_peak = server.rss_mib("VmHWM")
            # Every tab goes away without a Leave: the sessions wait out their grace.
            collected = policy_collections(server)
            for tab in tabs:
                await tab.close()
            gc.unfreeze()  # the closed tabs are garbage now
            closed = time.perf_counter()
            await wait_sessions(server, 0, args.grace + 600)
            result.ended_after_s = time.perf_counter() - closed
            result.gc_end_ms = await wait_collected(server, collected)
            await trio.sleep(2)
            result.rss_after = server.rss_mib()
            nursery.cancel_scope.cancel()
        # Join again (memory is reused), then stop the server with every session joined.
        async with trio.open_nursery() as nursery:
            await trio.to_thread.run_sync(server.gc_report)
            tabs, _, result.rejoins_per_s = await join_all(server, size, args.concurrency, nursery)
            result.gc_rejoin_ms, _ = await trio.to_thread.run_sync(server.gc_report)
            result.shutdown_s, result.shutdown_status = await trio.to_thread.run_sync(server.stop)
            nursery.cancel_scope.cancel()
        result.gc_shutdown_ms = await trio.to_thread.run_sync(server.exit_gc_ms)
        log = server.stderr()
        result.shields = log.count("shields itself from cancellation")
        result.errors = sum(" ERROR " in line for line in log.splitlines())
        if args.keep_logs:
            path = Path(args.keep_logs) / f"bench_scale_{app}_{size}.log"
            path.write_text(log)
            print(f"   server log: {path}")
    except BaseException:
        log = server.stderr()
        errors = [line for line in log.splitlines() if " ERROR " in line or "Error" in line]
        print("   ! the server's log, its errors:", *errors[-20:], sep="\n   ", flush=True)
        raise
    finally:
        server.kill()
    return result


def markdown(results: list[Result]) -> list[str]:
    rows = [
        "| app | sessions | joins/s | join p50 / p99 | largest GC pause joining / after "
        "| click p50 / p99 | broadcast, last arrival | RSS start / peak / after close + grace "
        "| shutdown |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        click = "-"
        if not math.isnan(r.click_p50):
            click = f"{r.click_p50 * 1e3:.1f} / {r.click_p99 * 1e3:.1f} ms"
        arrivals = "-"
        if r.broadcasts:
            arrivals = f"{min(r.broadcasts):.2f}-{max(r.broadcasts):.2f} s"
        rows.append(
            f"| {r.app} | {r.size:,} | {r.joins_per_s:,.0f} | {r.join_p50 * 1e3:.0f} / "
            f"{r.join_p99 * 1e3:.0f} ms | {r.gc_join_ms:.0f} / {r.gc_work_ms:.0f} ms | {click} "
            f"| {arrivals} | {r.rss_start:.0f} / {r.rss_peak:.0f} / {r.rss_after:.0f} MB "
            f"| {r.shutdown_s:.1f} s, {r.shields} false reports |"
        )
    return rows


async def main_async(args: argparse.Namespace) -> None:
    results = []
    for app in args.apps:
        for size in args.sizes:
            result = await measure(app, size, args)
            results.append(result)
            for line in result.lines():
                print(line, flush=True)
    print()
    for row in markdown(results):
        print(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1, 100, 1000; 5 s grace")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--apps", nargs="+", choices=sorted(APPS), default=["counter", "chat"])
    parser.add_argument("--grace", type=float, default=None, help="reconnect grace, s (30)")
    parser.add_argument("--concurrency", type=int, default=64, help="joins under way at once")
    parser.add_argument("--keep-logs", metavar="DIR", help="write each server's log into DIR")
    parser.add_argument(
        "--malloc",
        action="store_true",
        help="run the server with PYTHONMALLOC=malloc (memory goes back after sessions end)",
    )
    args = parser.parse_args()
    if args.sizes is None:
        args.sizes = [1, 100, 1000] if args.quick else [1, 100, 1000, 10_000]
    if args.grace is None:
        args.grace = 5.0 if args.quick else 30.0
    print(
        f"roost scale benchmark: {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"apps {args.apps}, sizes {args.sizes}, grace {args.grace:g} s, "
        f"concurrency {args.concurrency}"
        + (", server on PYTHONMALLOC=malloc" if args.malloc else ""),
        flush=True,
    )
    trio.run(main_async, args)


if __name__ == "__main__":
    main()
