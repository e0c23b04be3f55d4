"""Where a session's memory goes over a real socket: tracemalloc, by owner.

    python benchmarks/bench_socket_memory.py [--app counter|tabs] [--sessions 200]

Starts ``roost run`` under ``python -X tracemalloc=15`` (in this module's
``--serve`` mode, which dumps a snapshot on SIGUSR2), joins 20 sessions
with bench_scale's lean client, takes a snapshot, joins ``--sessions`` more
and takes another. The difference, divided by ``--sessions``, is what one
more session holds (after a full collection). Each allocation is put on the
innermost frame of roost or hypercorn that made it: printed by package part
(hypercorn, roost/server, roost/supervisor, roost/actors, ...) and the 15
largest lines. ``tracemalloc`` counts Python allocations only; RSS per
session (benchmarks/peers) is about 1.45 times it.

Apps: ``counter`` is examples.counter's view; ``tabs`` the peer benchmark's
dashboard, whose tab bar is a LiveComponent.
"""

from __future__ import annotations

import argparse
import collections
import gc
import os
import signal
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import trio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scale import PageFetcher, open_tab  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks" / "peers" / "apps" / "roost"))
import scenarios  # type: ignore[import-not-found]  # noqa: E402

from benchmarks.bench_scale import counter_app as counter_app  # noqa: E402
from roost import App  # noqa: E402

tabs_app = App({"/": scenarios.Dashboard}, address_rate=None, max_pending_joins=None)
"""The peer benchmark's dashboard (a LiveComponent tab bar), one address's limits off."""

APPS = {
    "counter": "benchmarks.bench_socket_memory:counter_app",
    "tabs": "benchmarks.bench_socket_memory:tabs_app",
}
FIRST = 20
"""Sessions joined before the first snapshot: what the first ones warm up is not counted."""


def serve(app: str, port: int, dumps: str) -> int:
    """The server side: ``roost run``, dumping a snapshot on each SIGUSR2."""
    taken = [0]

    def dump(*_: object) -> None:
        gc.collect()
        taken[0] += 1
        tracemalloc.take_snapshot().dump(f"{dumps}/{taken[0]}.bin")
        print(f"dumped {taken[0]}", flush=True)

    signal.signal(signal.SIGUSR2, dump)
    from roost.cli import main

    return main(["run", app, "--port", str(port), "--log-level", "warning"])


def owner(traceback: tracemalloc.Traceback) -> str:
    """The innermost roost or hypercorn frame that made an allocation, as path:line."""
    for frame in reversed(traceback):
        name = frame.filename
        if "/roost/" in name and "site-packages" not in name:
            return f"roost/{name.split('/roost/')[-1]}:{frame.lineno}"
        if "hypercorn/" in name:
            return f"hypercorn/{name.split('hypercorn/')[-1]}:{frame.lineno}"
    return "other"


def part(where: str) -> str:
    path = where.split(":")[0]
    pieces = path.split("/")
    return "/".join(pieces[:2]) if pieces[0] == "roost" and len(pieces) > 2 else pieces[0]


async def join(port: int, count: int, tabs: list[object]) -> None:
    fetch = PageFetcher("127.0.0.1", port)
    for _ in range(count):
        tabs.append(await open_tab("127.0.0.1", port, await fetch.token(), len(tabs)))
    await fetch.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", choices=sorted(APPS), default="counter")
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--serve", nargs=3, metavar=("APP", "PORT", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        sys.exit(serve(args.serve[0], int(args.serve[1]), args.serve[2]))

    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    dumps = tempfile.mkdtemp(prefix="bench_socket_memory_")
    server = subprocess.Popen(
        [
            sys.executable,
            "-X",
            "tracemalloc=15",
            __file__,
            "--serve",
            APPS[args.app],
            str(port),
            dumps,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT)),
    )
    assert server.stdout is not None

    def wait_for(word: str) -> None:
        for line in server.stdout:  # type: ignore[union-attr]
            if word in line:
                return
        raise RuntimeError(f"the server ended before saying {word!r}")

    tabs: list[object] = []
    try:
        wait_for("http://")
        trio.run(join, port, FIRST, tabs)
        server.send_signal(signal.SIGUSR2)
        wait_for("dumped 1")
        trio.run(join, port, args.sessions, tabs)
        server.send_signal(signal.SIGUSR2)
        wait_for("dumped 2")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait()
    before = tracemalloc.Snapshot.load(f"{dumps}/1.bin")
    after = tracemalloc.Snapshot.load(f"{dumps}/2.bin")
    by_line: collections.Counter[str] = collections.Counter()
    for stat in after.compare_to(before, "traceback"):
        by_line[owner(stat.traceback)] += stat.size_diff
    by_part: collections.Counter[str] = collections.Counter()
    for where, size in by_line.items():
        by_part[part(where)] += size
    n = args.sessions
    print(f"{args.app}: {sum(by_line.values()) / n / 1024:.1f} KiB traced a session ({n} sessions)")
    for name, size in by_part.most_common():
        if size / n >= 10:
            print(f"  {size / n / 1024:6.2f} KiB  {name}")
    print("largest lines:")
    for where, size in by_line.most_common(15):
        print(f"  {size / n:6.0f} B  {where}")


if __name__ == "__main__":
    main()
