"""A counter click against the echo floor, from a lean client: the server's CPU
per click and the round trip, without a browser.

    python benchmarks/bench_click.py [--clicks 3000] [--rounds 3]

Each round starts a fresh server process and clicks one after the other from
this process (bench_scale's raw-WebSocket client): roost's examples.counter
view (``roost run``; the event rate limit raised so that clicks need no
gaps), and the floor, ``benchmarks/peers/apps/floor/echo.py`` on hypercorn's
Trio worker (the server roost runs on), which echoes each frame. Per round:
the server's CPU time over the timed clicks divided by their number (the
process tree, from /proc) and the median round trip (send to the answering
frame). Printed: each round, the medians, and roost over the floor.

A third contender, ``raw``, is a WebSocket echo on Trio and wsproto alone (no
ASGI server: this module in its ``--serve-raw`` mode), which hypercorn's own
WebSocket path runs on: what is left of the floor without hypercorn's ASGI
layer, so how much a socket path of roost's own could save at most.

The browser benchmark (``benchmarks/peers/run.py``) times the same click
inside the page; this one shows how much of it is the server's.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scale import (  # noqa: E402
    PageFetcher,
    ServerProcess,
    client_frame,
    open_tab,
    server_frames,
)
from examples.counter import Counter  # noqa: E402
from roost import App, protocol  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks" / "peers" / "apps" / "roost"))
from scenarios import Dashboard  # noqa: E402

app = App({"/": Counter}, title="roost counter", event_rate=(100_000, 100_000))
"""examples.counter's view, its event rate limit out of the way of back-to-back clicks."""
tabs_app = App({"/": Dashboard}, title="roost tabs", event_rate=(100_000, 100_000))
"""The peer benchmark's tabs page (``--scenario tabs``): a click goes to the tab bar's
component, which tells the view; both patches come down in one frame."""
SCENARIO = "counter"

FLOOR = ROOT / "benchmarks" / "peers" / "apps" / "floor"
HYPERCORN = Path(sys.executable).with_name("hypercorn")
WARMUP = 200
GAP = 0.0
"""Seconds between clicks (``--gap``): 0, back to back; the browser benchmark waits 10 ms."""

Step = Callable[[], Awaitable[None]]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return total + sum(cpu_seconds(int(child)) for child in f.read().split())


async def roost_round(clicks: int) -> tuple[float, float]:
    tabs = SCENARIO == "tabs"
    server = ServerProcess(f"benchmarks.bench_click:{'tabs_app' if tabs else 'app'}", 30, {})
    try:
        fetch = PageFetcher(server.host, server.port)
        tab = await open_tab(server.host, server.port, await fetch.token(), 0)
        names = ["Settings", "Profile"]

        async def click() -> None:
            if tabs:
                names.reverse()
                ref = tab.ref()
                select = protocol.Event(
                    ref=ref, target="tabs", handler="select", params={"tab": names[0]}
                )
                await tab.stream.send_all(client_frame(protocol.encode(select)))
            else:
                ref = await tab.event("inc")
            while True:
                for _opcode, payload in await tab.receive():
                    for message in protocol.decode_server_frame(payload):
                        if isinstance(message, protocol.Patch) and ref in message.acked:
                            return
                        if (
                            isinstance(message, protocol.Ack | protocol.Error)
                            and message.ref == ref
                        ):
                            return

        return await timed(server.pid, click, clicks, tab.close, fetch.close)
    finally:
        server.stop()
        server.kill()


def floor_round(clicks: int) -> tuple[float, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [str(HYPERCORN), "--worker-class", "trio", "echo:app", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        command, cwd=FLOOR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        return trio.run(floor_clicks, process.pid, port, clicks)
    finally:
        process.terminate()
        process.wait()


async def floor_clicks(pid: int, port: int, clicks: int) -> tuple[float, float]:
    for _ in range(300):
        try:
            stream = await trio.open_tcp_stream("127.0.0.1", port)
            break
        except OSError:
            await trio.sleep(0.05)  # the server is starting: poll its port
    else:
        raise RuntimeError("the floor did not start")
    await stream.send_all(
        b"GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        b"Sec-WebSocket-Version: 13\r\n\r\n"
    )
    buffer = bytearray()
    while b"\r\n\r\n" not in buffer:
        buffer += await stream.receive_some(65536)
    buffer = bytearray(bytes(buffer).split(b"\r\n\r\n", 1)[1])

    async def click() -> None:
        await stream.send_all(client_frame("1"))
        while not server_frames(buffer):
            buffer.extend(await stream.receive_some(65536))

    return await timed(pid, click, clicks, stream.aclose)


def raw_round(clicks: int) -> tuple[float, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    command = [sys.executable, __file__, "--serve-raw", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return trio.run(floor_clicks, process.pid, port, clicks)
    finally:
        process.terminate()
        process.wait()


def serve_raw(port: int) -> None:
    """The raw echo: each connection's handshake and frames by wsproto, on a Trio stream."""
    import functools

    from wsproto import ConnectionType, WSConnection
    from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage

    async def handle(stream: trio.SocketStream) -> None:
        ws = WSConnection(ConnectionType.SERVER)
        with contextlib.suppress(trio.BrokenResourceError):
            while data := await stream.receive_some(65536):
                ws.receive_data(data)
                out = b""
                for event in ws.events():
                    if isinstance(event, Request):
                        out += ws.send(AcceptConnection())
                    elif isinstance(event, TextMessage):
                        out += ws.send(TextMessage(data=event.data))
                    elif isinstance(event, Ping):
                        out += ws.send(event.response())
                    elif isinstance(event, CloseConnection):
                        await stream.send_all(out + ws.send(event.response()))
                        return
                if out:
                    await stream.send_all(out)

    trio.run(functools.partial(trio.serve_tcp, handle, port, host="127.0.0.1"))


async def timed(pid: int, click: Step, clicks: int, *closers: Step) -> tuple[float, float]:
    """Server CPU µs per click and the round trip's median µs, over ``clicks`` after a warm-up."""
    for _ in range(WARMUP):
        await click()
    latencies = []
    used = cpu_seconds(pid)
    for _ in range(clicks):
        began = time.perf_counter()
        await click()
        latencies.append(time.perf_counter() - began)
        if GAP:
            await trio.sleep(GAP)
    used = cpu_seconds(pid) - used
    for close in closers:
        await close()
    return used / clicks * 1e6, statistics.median(latencies) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--gap", type=float, default=0.0, help="ms between clicks (the browser benchmark: 10)"
    )
    parser.add_argument(
        "--scenario",
        choices=["counter", "tabs"],
        default="counter",
        help="roost's page: the counter, or the peer benchmark's tabs (a component and its view)",
    )
    parser.add_argument("--serve-raw", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global GAP, SCENARIO
    GAP = args.gap / 1000
    SCENARIO = args.scenario
    if args.serve_raw:
        serve_raw(args.serve_raw)
        return
    results: dict[str, list[tuple[float, float]]] = {"roost": [], "floor": [], "raw": []}
    for _ in range(args.rounds):  # interleaved: a machine that drifts drifts for all
        results["roost"].append(trio.run(roost_round, args.clicks))
        results["floor"].append(floor_round(args.clicks))
        results["raw"].append(raw_round(args.clicks))
    medians = {}
    for name, rounds in results.items():
        cpu = statistics.median(r[0] for r in rounds)
        rtt = statistics.median(r[1] for r in rounds)
        medians[name] = (cpu, rtt)
        each = ", ".join(f"{c:.0f}/{r:.0f}" for c, r in rounds)
        print(f"{name:6} server CPU / round trip, µs a click: {each}; median {cpu:.0f} / {rtt:.0f}")
    (rc, rr), (fc, fr), (wc, wr) = medians["roost"], medians["floor"], medians["raw"]
    print(f"roost / floor: server CPU {rc / fc:.2f}x, round trip {rr / fr:.2f}x")
    print(f"raw / floor: server CPU {wc / fc:.2f}x, round trip {wr / fr:.2f}x")


if __name__ == "__main__":
    main()
