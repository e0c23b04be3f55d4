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

``--calls`` times nothing: it runs one round of roost and of the floor, each
server under ``benchmarks/_calls.py``, and counts the Python and C function
calls and the bytecode instructions the server runs over the clicks (hooks
on only while they run). On a machine too noisy to time a 5 % change, the
same clicks give the same counts run after run, and a cold click's time
follows how much code it runs: the instructions most closely (a tab switch
at 1.37x the floor's instructions took 1.30-1.34x its CPU time, 10 ms apart).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import trio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._calls import START, STOP, per_call  # noqa: E402
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
from scenarios import Dashboard, Rows  # noqa: E402

app = App({"/": Counter}, title="roost counter", event_rate=(100_000, 100_000))
"""examples.counter's view, its event rate limit out of the way of back-to-back clicks."""
tabs_app = App({"/": Dashboard}, title="roost tabs", event_rate=(100_000, 100_000))
"""The peer benchmark's tabs page (``--scenario tabs``): a click goes to the tab bar's
component, which tells the view; both patches come down in one frame."""
rows_app = App({"/": Rows}, title="roost rows", event_rate=(100_000, 100_000))
"""The peer benchmark's 1,000-row page (``--scenario rows``): a click changes one row."""
APPS = {"counter": "app", "tabs": "tabs_app", "rows": "rows_app"}
SCENARIO = "counter"

FLOOR = ROOT / "benchmarks" / "peers" / "apps" / "floor"
HYPERCORN = Path(sys.executable).with_name("hypercorn")
WARMUP = 200
GAP = 0.0
"""Seconds between clicks (``--gap``): 0, back to back; the browser benchmark waits 10 ms."""

Step = Callable[[], Awaitable[None]]

CALLS: Path | None = None
"""``--calls``: the folder the servers' call counts are written to (None: timing)."""
COUNTER = ROOT / "benchmarks" / "_calls.py"


def counted(name: str) -> tuple[list[str], str | None]:
    """The command prefix that runs a server module with its calls counted (into
    ``name`` under ``CALLS``), and that file; ``[]`` and None when timing."""
    if CALLS is None:
        return [], None
    out = str(CALLS / name)
    return [sys.executable, str(COUNTER), out], out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its descendants."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return total + sum(cpu_seconds(int(child)) for child in f.read().split())


async def roost_round(clicks: int) -> tuple[float, float]:
    tabs = SCENARIO == "tabs"
    wrap, out = counted("roost")
    server = ServerProcess(
        f"benchmarks.bench_click:{APPS[SCENARIO]}",
        30,
        {"ROOST_GC_STATS": "0"} if out else {},  # (its hook is no part of a click)
        wrap=wrap,
    )
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
                ref = await tab.event("bump" if SCENARIO == "rows" else "inc")
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

        return await timed(server.pid, click, clicks, tab.close, fetch.close, out=out)
    finally:
        server.stop()
        server.kill()


def floor_round(clicks: int) -> tuple[float, float]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    wrap, out = counted("floor")
    # Counted, its worker runs in the process itself (`--workers 0`), where the
    # counting is; else in a process of its own, as hypercorn does by default.
    server = [*wrap, "hypercorn", "--workers", "0"] if wrap else [str(HYPERCORN)]
    command = [*server, "--worker-class", "trio", "echo:app", "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        command, cwd=FLOOR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        return trio.run(floor_clicks, process.pid, port, clicks, out)
    finally:
        process.terminate()
        process.wait()


async def floor_clicks(
    pid: int, port: int, clicks: int, out: str | None = None
) -> tuple[float, float]:
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

    return await timed(pid, click, clicks, stream.aclose, out=out)


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


async def timed(
    pid: int, click: Step, clicks: int, *closers: Step, out: str | None = None
) -> tuple[float, float]:
    """Server CPU µs per click and the round trip's median µs, over ``clicks`` after a
    warm-up; ``out``: the server counts its calls over those clicks into that file."""
    for _ in range(WARMUP):
        await click()
    if out is not None:
        os.kill(pid, START)
        await trio.sleep(0.2)  # (the server takes the signal at once; no click is under way)
    latencies = []
    used = cpu_seconds(pid)
    for _ in range(clicks):
        began = time.perf_counter()
        await click()
        latencies.append(time.perf_counter() - began)
        if GAP:
            await trio.sleep(GAP)
    used = cpu_seconds(pid) - used
    if out is not None:
        os.kill(pid, STOP)
        for _ in range(100):  # the server writes the counts
            if await trio.Path(out).exists():
                break
            await trio.sleep(0.1)
        else:
            raise RuntimeError("the server wrote no call counts")
    for close in closers:
        await close()
    return used / clicks * 1e6, statistics.median(latencies) * 1e6


def count_calls(clicks: int) -> None:
    """One round of roost and of the floor with their calls counted: print each
    one's Python and C calls and bytecode instructions a click, and the Python
    functions that ran the most of roost's."""
    trio.run(roost_round, clicks)
    floor_round(clicks)
    assert CALLS is not None
    roost, floor = (per_call(str(CALLS / name), clicks) for name in ("roost", "floor"))
    for name, counted in (("roost", roost), ("floor", floor)):
        print(
            f"{name:6} a click: {counted.python:.1f} Python calls, {counted.c:.1f} C calls, "
            f"{counted.instructions:.0f} instructions"
        )
    print(f"roost / floor, instructions: {roost.instructions / floor.instructions:.2f}x")
    for count, function in roost.top:
        where = function.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")
        print(f"         {count:6.1f}  {where}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clicks", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--gap", type=float, default=0.0, help="ms between clicks (the browser benchmark: 10)"
    )
    parser.add_argument(
        "--scenario",
        choices=sorted(APPS),
        default="counter",
        help="roost's page: the counter, or the peer benchmark's tabs (a component and its "
        "view) or 1,000 rows (one changed a click)",
    )
    parser.add_argument(
        "--calls",
        action="store_true",
        help="count the servers' function calls a click instead of timing (one round)",
    )
    parser.add_argument("--serve-raw", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    global GAP, SCENARIO, CALLS
    GAP = args.gap / 1000
    SCENARIO = args.scenario
    if args.serve_raw:
        serve_raw(args.serve_raw)
        return
    if args.calls:
        with tempfile.TemporaryDirectory(prefix="bench_click_calls_") as folder:
            CALLS = Path(folder)
            count_calls(args.clicks)
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
