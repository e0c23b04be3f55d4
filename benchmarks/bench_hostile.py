"""Hostile clients at full size against `roost run`, with a well-behaved tab alongside.

    python benchmarks/bench_hostile.py [--quick] [--only fuzz bomb ...]

Each scenario starts `roost run examples.counter:app` afresh (its log to a file),
joins one observer tab (LiveClient over a real socket) that clicks + every
25 ms, runs the attack, and prints the server's RSS before the attack, its
peak during it (VmHWM, reset first) and after it, what became of the
attacker's connections, the server's open descriptors, and the observer's
click latency (p50/p99/max) before, during and after the attack, and its
failed clicks. Attacks come from 127.0.0.2, the observer from 127.0.0.1.

Scenarios (full size; --quick runs each at about a tenth):

- fuzz: 100,000 fuzzed frames from 4 joined sockets at once, reconnecting
  when the server closes one (pings, pongs, fragmented heartbeats, events,
  and rarely a bad opcode, reserved bit, unmasked frame, long control
  frame, garbage message, or a message over the limit).
- oversized: 8 sockets at once, each streaming a message of up to 512 MiB.
- bomb: 8 sockets at once, each sending 16 permessage-deflate fragments of
  64 KiB that inflate to 64 MiB each (1 GiB a socket, if inflated).
- fragments: 1,000,000 one-byte and 1,000,000 empty continuation frames.
- stalled: 1,000 clients that send half a request head and stall, and
  1,000 that complete the WebSocket handshake and never send a frame.
- never-reading: 20 joined tabs asking for full renders every 25 ms for
  15 s, and 20 connections pipelining 100 requests for the client script,
  none of them ever reading (4 KiB receive buffers); the connections are
  watched for 40 s (past the 30 s write timeout).

The limits these meet are in docs/security.md; tests/hostile runs small
versions of them in CI.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import trio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roost import protocol
from roost.protocol import VIEW_TARGET
from roost.server.hypercorn_guard import WRITE_TIMEOUT
from roost.testing import LiveClient
from roost.testing._inprocess import token_of
from roost.testing._socket import http_get
from tests.hostile.conftest import (
    BINARY,
    CLOSE,
    CONTINUATION,
    KIB,
    MIB,
    PING,
    PLUS,
    TEXT,
    RawSocket,
    Server,
    connect,
    deflate_bomb,
    frame,
    handshake,
    peak_rss_kib,
    raw_socket,
    reset_peak_rss,
    roost_server,
    rss_kib,
    upgrade_request,
)

PONG = 0xA

BASELINE = 1.0
"""Seconds the observer clicks before each attack, and again after it."""


# -- the observer ------------------------------------------------------------------


class Observer:
    """A tab that clicks + every ``interval`` s and records each click's latency."""

    def __init__(self, url: str, interval: float = 0.025) -> None:
        self.url = url
        self.interval = interval
        self.latencies: list[float] = []
        self.failures: Counter[str] = Counter()

    async def run(self, stop: trio.Event, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
        started = False
        while not stop.is_set():
            try:
                async with LiveClient.connect(self.url, "/") as view:
                    if not started:
                        started = True
                        task_status.started()
                    while not stop.is_set():
                        begin = time.perf_counter()
                        await view.click(PLUS)
                        self.latencies.append(time.perf_counter() - begin)
                        with trio.move_on_after(self.interval):
                            await stop.wait()
            except Exception as exc:  # counted and printed: the figure this measures
                self.failures[type(exc).__name__] += 1
                if not started:
                    started = True
                    task_status.started()
                await trio.sleep(0.1)

    def summary(self, start: int = 0, stop: int | None = None) -> str:
        """Click latencies (ms) of clicks ``start`` to ``stop``."""
        ms = sorted(x * 1000 for x in self.latencies[start:stop])
        if not ms:
            return "no click completed"
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        return (
            f"{len(ms)} clicks, p50 {statistics.median(ms):.1f} ms, "
            f"p99 {p99:.1f} ms, max {ms[-1]:.1f} ms"
        )

    def failed(self) -> str:
        failed = sum(self.failures.values())
        return f"failed clicks: {failed}" + (f" {dict(self.failures)}" if failed else "")


# -- running a scenario ------------------------------------------------------------

Attack = Callable[[Server, bool], Awaitable[list[str]]]


async def run_scenario(name: str, attack: Attack, quick: bool) -> None:
    with roost_server() as server:
        observer = Observer(server.url)
        stop = trio.Event()
        async with trio.open_nursery() as nursery:
            await nursery.start(observer.run, stop)
            await trio.sleep(BASELINE)
            mark = len(observer.latencies)
            fds_before = open_descriptors(server.pid)
            before = rss_kib(server.pid)
            reset_peak_rss(server.pid)
            start = time.perf_counter()
            limit = 120 if quick else 600
            lines = [f"attack did not finish within {limit} s"]
            with trio.move_on_after(limit):
                try:
                    lines = await attack(server, quick)
                except Exception as exc:
                    lines = [f"attack failed: {_describe(exc)}"]
            took = time.perf_counter() - start
            peak = peak_rss_kib(server.pid) if server.alive() else 0
            after = rss_kib(server.pid) if server.alive() else 0
            during = len(observer.latencies)
            await trio.sleep(BASELINE)
            fds_after = open_descriptors(server.pid) if server.alive() else 0
            stop.set()
        print(f"\n== {name} ({took:.1f} s)")
        for line in lines:
            print(f"   {line}")
        if server.alive():
            print(
                f"   server RSS: before {before / 1024:.1f} MiB, peak {peak / 1024:.1f} MiB "
                f"(+{(peak - before) / 1024:.1f}), after {after / 1024:.1f} MiB "
                f"(+{(after - before) / 1024:.1f}); open descriptors {fds_before} before, "
                f"{fds_after} a second after"
            )
        else:
            print(f"   server EXITED with {server.process.poll()}")
        print(
            f"   observer: before the attack {observer.summary(0, mark)}; during it "
            f"{observer.summary(mark, during)}; after it {observer.summary(during)}; "
            f"{observer.failed()}",
            flush=True,
        )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, BaseExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return f"{type(exc).__name__}: {exc}"


def codes(sockets: list[RawSocket]) -> str:
    counts = Counter(
        "open" if not ws.closed.is_set() else str(ws.close_code or "no close frame")
        for ws in sockets
    )
    return ", ".join(f"{code}: {n}" for code, n in sorted(counts.items()))


# -- scenarios ---------------------------------------------------------------------


async def oversized(server: Server, quick: bool) -> list[str]:
    sockets, each = (2, 64 * MIB) if quick else (8, 512 * MIB)
    results: list[tuple[RawSocket, int, float]] = []

    async def one() -> None:
        payload = b"a" * (64 * KIB)

        def stream() -> Iterator[bytes]:
            yield frame(TEXT, payload, fin=False)
            for _ in range(each // len(payload)):
                yield frame(CONTINUATION, payload, fin=False)

        async with raw_socket(server) as ws:
            begin = time.perf_counter()
            sent = await ws.stream_out(stream(), budget=60)
            await ws.wait_closed(5)
            results.append((ws, sent, time.perf_counter() - begin))

    async with trio.open_nursery() as nursery:
        for _ in range(sockets):
            nursery.start_soon(one)
    return [
        f"{sockets} sockets, each streaming up to {each // MIB} MiB",
        f"written before the server closed: max {max(r[1] for r in results) / KIB:.0f} KiB, "
        f"closed after max {max(r[2] for r in results) * 1000:.0f} ms",
        f"close codes: {codes([r[0] for r in results])}",
    ]


async def bomb(server: Server, quick: bool) -> list[str]:
    sockets, fragments = (1, 3) if quick else (8, 16)
    payload = deflate_bomb(64 * MIB)
    results: list[tuple[RawSocket, int]] = []

    async def one() -> None:
        frames = [frame(TEXT, payload, fin=False, rsv1=True)]
        frames += [frame(CONTINUATION, payload, fin=False) for _ in range(fragments - 2)]
        frames.append(frame(CONTINUATION, payload))
        async with raw_socket(server, deflate=True) as ws:
            sent = await ws.stream_out(iter(frames), budget=60)
            await ws.wait_closed(5)
            results.append((ws, sent))

    async with trio.open_nursery() as nursery:
        for _ in range(sockets):
            nursery.start_soon(one)
    inflated = fragments * 64
    return [
        f"{sockets} sockets x {fragments} fragments of {len(payload) // KIB} KiB "
        f"(would inflate to {inflated} MiB a socket)",
        f"written before the server closed: max {max(r[1] for r in results) / KIB:.0f} KiB",
        f"close codes: {codes([r[0] for r in results])}",
    ]


async def fragments(server: Server, quick: bool) -> list[str]:
    total = 100_000 if quick else 1_000_000
    lines = []
    for size in (1, 0):
        sent_frames = 0
        sockets: list[RawSocket] = []
        begin = time.perf_counter()
        while sent_frames < total:
            async with raw_socket(server) as ws:
                sockets.append(ws)
                await ws.send(frame(TEXT, b"a" * size, fin=False))
                batch = frame(CONTINUATION, b"a" * size, fin=False) * 1000
                while sent_frames < total and await ws.send(batch):
                    sent_frames += 1000
                    if ws.closed.is_set():
                        break
                await ws.wait_closed(5)
        lines.append(
            f"{total:,} {size}-byte fragments: {len(sockets)} sockets in "
            f"{time.perf_counter() - begin:.1f} s; close codes: {codes(sockets)}"
        )
    return lines


async def stalled(server: Server, quick: bool) -> list[str]:
    count = 200 if quick else 1000
    lines = []
    # Slowloris: half a request head, then nothing.
    streams = []
    for _ in range(count):
        stream = await connect(server)
        await stream.send_all(upgrade_request(server.netloc)[:60])
        streams.append(stream)
    opened = time.perf_counter()
    rss_open = rss_kib(server.pid)
    closed_after = await _all_closed(streams, within=30)
    lines.append(
        f"{count} half-sent request heads: server RSS {rss_open / 1024:.1f} MiB with all open; "
        f"closed by the server: {len(closed_after)}/{count}, the last "
        f"{max(closed_after, default=0) - opened:.1f} s after the last opened"
    )
    # Sockets that complete the handshake and never send a frame.
    sockets: list[RawSocket] = []
    refused = 0
    async with trio.open_nursery() as nursery:
        for _ in range(count):
            try:
                ws = await handshake(server)
            except (OSError, ConnectionError, trio.TooSlowError):
                refused += 1
                continue
            sockets.append(ws)
            nursery.start_soon(ws.read_all)
        opened = time.perf_counter()
        rss_open = rss_kib(server.pid)
        closed_at: list[float] = []
        all_closed = trio.Event()

        async def note(ws: RawSocket) -> None:
            await ws.closed.wait()
            closed_at.append(time.perf_counter())
            if len(closed_at) == len(sockets):
                all_closed.set()

        for ws in sockets:
            nursery.start_soon(note, ws)
        with trio.move_on_after(90):
            await all_closed.wait()
        nursery.cancel_scope.cancel()
    for ws in sockets:
        await ws.stream.aclose()
    lines.append(
        f"{count} silent WebSockets: {len(sockets)} upgraded, {refused} refused; "
        f"server RSS {rss_open / 1024:.1f} MiB with all open; closed by the server: "
        f"{len(closed_at)}/{len(sockets)}, the last "
        f"{max(closed_at, default=opened) - opened:.1f} s after the last opened; "
        f"close codes: {codes(sockets)}"
    )
    return lines


async def _all_closed(streams: list[trio.SocketStream], within: float) -> list[float]:
    """Wait (up to ``within`` s) until the server closed each stream; when each was."""
    closed: list[float] = []

    async def wait(stream: trio.SocketStream) -> None:
        try:
            while await stream.receive_some(65536):
                pass
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        closed.append(time.perf_counter())

    with trio.move_on_after(within):
        async with trio.open_nursery() as nursery:
            for stream in streams:
                nursery.start_soon(wait, stream)
    for stream in streams:
        await stream.aclose()
    return closed


async def never_reading(server: Server, quick: bool) -> list[str]:
    tabs, seconds = (5, 4.0) if quick else (20, 15.0)
    pipelines, pipeline_seconds = (5, 4.0) if quick else (20, WRITE_TIMEOUT + 10)
    _, page = await http_get(server.host, server.port, server.netloc, "/")
    token = token_of(page)
    outcome: list[tuple[str, int, float]] = []
    http_outcome: list[tuple[str, float]] = []

    async def tab() -> None:
        ws = await handshake(server, receive_buffer=4096)
        async with ws.stream:
            client_port = ws.stream.socket.getsockname()[1]
            join = protocol.Join(1, token, server.url + "/")
            await ws.stream.send_all(frame(TEXT, protocol.encode(join).encode()))
            begin = time.perf_counter()
            sent, ref = 0, 2
            with trio.move_on_after(seconds):
                while True:
                    sync = frame(TEXT, protocol.encode(protocol.Sync(ref, VIEW_TARGET)).encode())
                    try:
                        await ws.stream.send_all(sync)
                    except (trio.BrokenResourceError, trio.ClosedResourceError):
                        break
                    sent, ref = sent + 1, ref + 1
                    await trio.sleep(0.025)
            with trio.move_on_after(max(0.0, pipeline_seconds - (time.perf_counter() - begin))):
                await watch.closed(client_port)
                outcome.append(("closed", sent, time.perf_counter() - begin))
                return
            outcome.append(("still open", sent, pipeline_seconds))

    async def pipeline() -> None:
        # 100 requests for the client script at once, then never a byte read.
        stream = await connect(server, receive_buffer=4096)
        async with stream:
            request = f"GET /_roost/roost.js HTTP/1.1\r\nHost: {server.netloc}\r\n\r\n"
            await stream.send_all(request.encode() * 100)
            begin = time.perf_counter()
            client_port = stream.socket.getsockname()[1]
            with trio.move_on_after(pipeline_seconds):
                # The server's end: its FIN waits behind our full window.
                await watch.closed(client_port)
                http_outcome.append(("closed", time.perf_counter() - begin))
                return
            http_outcome.append(("still open", pipeline_seconds))

    watch = ServerEnds(server.port)
    async with trio.open_nursery() as watching:
        watching.start_soon(watch.run)
        async with trio.open_nursery() as nursery:
            for _ in range(tabs):
                nursery.start_soon(tab)
            for _ in range(pipelines):
                nursery.start_soon(pipeline)
        watching.cancel_scope.cancel()
    states = Counter(state for state, _, _ in outcome)
    cut = sorted(t for state, _, t in outcome if state == "closed")
    http_states = Counter(state for state, _ in http_outcome)
    closed = [t for state, t in http_outcome if state == "closed"]
    return [
        f"{tabs} tabs asking for full renders every 25 ms for {seconds:.0f} s, never reading, "
        f"watched for {pipeline_seconds:.0f} s: {dict(states)}; Syncs sent: max "
        f"{max(s for _, s, _ in outcome)}"
        + (f"; closed after {', '.join(f'{t:.1f}' for t in cut)} s" if cut else ""),
        f"{pipelines} connections pipelining 100 GETs, never reading, watched for "
        f"{pipeline_seconds:.0f} s: {dict(http_states)}"
        + (f"; closed after {min(closed):.1f}-{max(closed):.1f} s" if closed else ""),
    ]


class ServerEnds:
    """Which client ports have an ESTABLISHED connection to the server's port.

    Read from Linux's /proc/net/tcp (IPv4) twice a second: the kernel's state
    has no event, and reading from a never-reading client would drain it.
    The server's end is what counts: its FIN waits behind the client's full
    window, so the client's end stays ESTABLISHED after the server closed.
    """

    def __init__(self, server_port: int) -> None:
        self.server_port = server_port
        self.established: set[int] = set()
        self._changed = trio.Event()

    async def run(self) -> None:
        while True:
            self.established = self._read()
            self._changed.set()
            self._changed = trio.Event()
            await trio.sleep(0.5)

    async def closed(self, client_port: int) -> None:
        """Return once the server's end of the connection from ``client_port`` left ESTABLISHED."""
        while True:
            await self._changed.wait()
            if client_port not in self.established:
                return

    def _read(self) -> set[int]:
        local = f":{self.server_port:04X} "
        ports = set()
        with open("/proc/net/tcp") as table:
            for row in table:
                if local not in row:
                    continue
                fields = row.split()
                if fields[3] == "01" and fields[1].endswith(local.strip()):
                    ports.add(int(fields[2].rsplit(":", 1)[1], 16))
        return ports


def open_descriptors(pid: int) -> int:
    """How many file descriptors process ``pid`` has open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


async def fuzz(server: Server, quick: bool) -> list[str]:
    total = 10_000 if quick else 100_000
    workers = 4
    rng = random.Random(20240601)
    _, page = await http_get(server.host, server.port, server.netloc, "/")
    token = token_of(page)
    sent = 0
    sockets: list[RawSocket] = []
    kinds: Counter[str] = Counter()

    async def worker() -> None:
        nonlocal sent
        while sent < total:
            async with raw_socket(server) as ws:
                sockets.append(ws)
                join = protocol.Join(1, token, server.url + "/")
                await ws.send(frame(TEXT, protocol.encode(join).encode()))
                while sent < total and not ws.closed.is_set():
                    batch = []
                    for _ in range(50):
                        kind, data = fuzzed_frame(rng)
                        kinds[kind] += 1
                        batch.append(data)
                    if not await ws.send(b"".join(batch)):
                        break
                    sent += len(batch)
                await ws.wait_closed(0.2)

    async with trio.open_nursery() as nursery:
        for _ in range(workers):
            nursery.start_soon(worker)
    return [
        f"{sent:,} fuzzed frames over {len(sockets)} sockets ({workers} at a time)",
        "frames: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()),
        f"how the sockets ended: {codes(sockets)}",
    ]


def fuzzed_frame(rng: random.Random) -> tuple[str, bytes]:
    """One fuzzed client frame: mostly legal noise, sometimes a fatal mistake."""
    roll = rng.random()
    if roll < 0.25:
        return "ping", frame(PING, rng.randbytes(rng.randrange(126)))
    if roll < 0.35:
        return "pong", frame(PONG, rng.randbytes(rng.randrange(126)))
    if roll < 0.65:
        # A heartbeat split into fragments with a ping between: legal, answered.
        text = protocol.encode(protocol.Heartbeat(rng.randrange(1, 1 << 30))).encode()
        cut = rng.randrange(1, len(text))
        return "fragmented heartbeat", (
            frame(TEXT, text[:cut], fin=False) + frame(PING) + frame(CONTINUATION, text[cut:])
        )
    if roll < 0.85:
        event = protocol.Event(rng.randrange(1, 1 << 30), "inc", target=VIEW_TARGET)
        return "event", frame(TEXT, protocol.encode(event).encode())
    if roll < 0.95:
        return "empty continuation", frame(TEXT, b"", fin=False) + frame(CONTINUATION, b"")
    fatal = rng.randrange(8)
    if fatal == 0:
        return "bad opcode", frame(rng.choice([3, 4, 5, 6, 7, 0xB, 0xC, 0xF]), b"x")
    if fatal == 1:
        return "reserved bit", frame(TEXT, b"[]", rsv1=True)
    if fatal == 2:
        return "unmasked", bytes([0x81, 2]) + b"[]"
    if fatal == 3:
        return "long control frame", bytes([0x89, 0x80 | 126, 0, 200]) + b"\0" * 204
    if fatal == 4:
        return "garbage message", frame(TEXT, rng.randbytes(rng.randrange(1, 200)))
    if fatal == 5:
        return "binary message", frame(BINARY, rng.randbytes(rng.randrange(1, 200)))
    if fatal == 6:
        return "close", frame(CLOSE, rng.randrange(0, 5000).to_bytes(2, "big"))
    return "over the limit", frame(TEXT, b" " * (64 * KIB + 1))


SCENARIOS: dict[str, Attack] = {
    "fuzz": fuzz,
    "oversized": oversized,
    "bomb": bomb,
    "fragments": fragments,
    "stalled": stalled,
    "never-reading": never_reading,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="each attack at about a tenth")
    parser.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="these scenarios only")
    args = parser.parse_args()
    names = args.only or list(SCENARIOS)
    print(f"bench_hostile: {', '.join(names)} ({'quick' if args.quick else 'full size'})")

    async def run_all() -> None:
        for name in names:
            await run_scenario(name, SCENARIOS[name], args.quick)

    trio.run(run_all)


if __name__ == "__main__":
    main()
