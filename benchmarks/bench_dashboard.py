"""Bytes on the wire for each dashboard interaction, and memory per session.

    python benchmarks/bench_dashboard.py [--sessions 1000] [--runs 3]

Drives the seed's dashboard (examples/dashboard) through real sessions in
one process: the same actors, diff and protocol encoding as `roost run`,
with a transport that records frames instead of a socket. Prints the bytes
of the client's event and of each server frame it causes, then the memory
that N open dashboard sessions take (traced Python allocations and RSS),
median of several runs. Baseline for the memory figure: the same process
before the sessions were opened.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tracemalloc
from pathlib import Path

import trio
import trio.testing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from examples.dashboard import DashboardView
from roost import protocol
from roost.actors import Session
from roost.supervisor import DynamicSupervisor

SEED_BYTES = {"counter +": 80, "tab switch": 80, "pagination next": 120}


class Wire:
    """Records frames; lets the driver wait for the reply to one ref."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self._acked: dict[int, trio.Event] = {}

    async def transport(self, text: str) -> None:
        self.frames.append(text)
        message = protocol.decode_server(text)
        if isinstance(message, protocol.Ack | protocol.Error):
            self._acked.setdefault(message.ref, trio.Event()).set()

    async def wait(self, ref: int) -> None:
        await self._acked.setdefault(ref, trio.Event()).wait()


async def interaction_bytes() -> list[tuple[str, int, list[int]]]:
    rows = []
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        wire = Wire()
        session = Session("bench", DashboardView, {}, {}, wire.transport)
        await sessions.start_child(session.child_spec())
        steps = [
            ("counter +", protocol.Event(1, "0", "inc", {})),
            ("tab switch", protocol.Event(2, "tabs", "select", {"tab": "Settings"})),
            ("pagination next", protocol.Event(3, "pages", "next", {})),
        ]
        for name, event in steps:
            await trio.testing.wait_all_tasks_blocked()
            wire.frames.clear()
            await session.receive(event)
            await wire.wait(event.ref)
            await trio.testing.wait_all_tasks_blocked()
            rows.append((name, len(protocol.encode(event)), list(wire.frames)))
        nursery.cancel_scope.cancel()
    return rows


async def open_sessions(n: int) -> tuple[float, float]:
    """Bytes per session: traced Python allocations and RSS growth."""
    async with trio.open_nursery() as nursery:
        sessions = DynamicSupervisor(name="sessions")
        await nursery.start(sessions.run)
        await trio.testing.wait_all_tasks_blocked()
        gc.collect()
        rss0 = _rss()
        traced0 = tracemalloc.get_traced_memory()[0]
        for i in range(n):
            session = Session(f"s{i}", DashboardView, {}, {}, _drop)
            await sessions.start_child(session.child_spec())
        await trio.testing.wait_all_tasks_blocked()
        gc.collect()
        traced = (tracemalloc.get_traced_memory()[0] - traced0) / n
        rss = (_rss() - rss0) / n
        nursery.cancel_scope.cancel()
    return traced, rss


async def _drop(text: str) -> None:
    pass


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    print("dashboard interactions: bytes on the wire (client event / server frames)")
    for name, event_bytes, frames in trio.run(interaction_bytes):
        patches = {f.split(",")[1].strip('"'): len(f.encode()) for f in frames if f[2] == "p"}
        acks = sum(len(f.encode()) for f in frames if f[2] == "r")
        total = event_bytes + sum(len(f.encode()) for f in frames)
        print(
            f"  {name:16s} patch bytes by actor {patches}  event {event_bytes} B, ack {acks} B,"
            f" total {total} B  (seed: ~{SEED_BYTES[name]} B)"
        )

    traced_runs, rss_runs = [], []
    for _ in range(args.runs):
        tracemalloc.start()
        traced, rss = trio.run(open_sessions, args.sessions)
        tracemalloc.stop()
        traced_runs.append(traced)
        rss_runs.append(rss)
    print(
        f"memory per open dashboard session, {args.sessions} sessions in one process,"
        f" median of {args.runs} runs:"
    )
    print(f"  traced Python allocations {statistics.median(traced_runs) / 1024:6.1f} KB")
    print(
        f"  RSS growth                {statistics.median(rss_runs) / 1024:6.1f} KB"
        "  (goal <= 150 KB)"
    )


if __name__ == "__main__":
    main()
