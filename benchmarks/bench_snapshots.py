"""Snapshots (``persist = True``): what one costs per event, and per session.

    python benchmarks/bench_snapshots.py [--events 2000] [--runs 5] [--redis URL]

Clicks a counter view in process (``LiveClient.mount``), each click one
event whose ack waits for the snapshot, with:

- no snapshots (the baseline, measured in the same run);
- the in-memory store;
- the Redis store (``--redis redis://127.0.0.1:6379``; needs a running server).

Prints the median over ``--runs`` of each run's p50 and p99 of the whole
event round trip (client to ack, in process), and the added cost per event
against the baseline; then the traced memory per session held with snapshots
on (200 sessions, one click each) against the same without.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import trio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roost import App, LiveView, event
from roost.store import MemoryStore, Store
from roost.store import backend as store_backend
from roost.testing import LiveClient


class Plain(LiveView):
    def mount(self, params, session):
        self.count = 0
        self.items = list(range(20))

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return f'<b id="n">{self.count}</b><button id="inc" roost-click="inc">+</button>'


class Kept(Plain):
    persist = True


def app_for(persist: bool, store: Store | str | None) -> App:
    return App({"/": Kept if persist else Plain}, secret="bench", store=store)


async def round_trips(app: App, events: int) -> list[float]:
    times: list[float] = []
    async with LiveClient.mount(app) as view:
        for _ in range(events):
            began = time.perf_counter()
            await view.event("inc")
            times.append(time.perf_counter() - began)
    return times


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6


async def per_session_memory(app: App, sessions: int) -> float:
    async with LiveClient.mount(app):  # the runtime, started once
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        async with trio.open_nursery() as nursery:
            ready = trio.Semaphore(0)
            release = trio.Event()

            async def tab() -> None:
                async with LiveClient.mount(app) as view:
                    await view.event("inc")
                    ready.release()
                    await release.wait()

            for _ in range(sessions):
                nursery.start_soon(tab)
            for _ in range(sessions):
                await ready.acquire()
            held = tracemalloc.get_traced_memory()[0] - before
            release.set()
        tracemalloc.stop()
    return held / sessions


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--redis", default=None, help="redis://host:port of a running server")
    args = parser.parse_args()
    cases: list[tuple[str, bool, Store | str | None]] = [
        ("no snapshots", False, None),
        ("memory store", True, None),
    ]
    if args.redis:
        cases.append(("redis store", True, args.redis))
    results: dict[str, tuple[float, float]] = {}
    for name, persist, store in cases:
        p50s, p99s = [], []
        for _ in range(args.runs):
            made = store_backend(store) if isinstance(store, str) else MemoryStore()
            times = await round_trips(app_for(persist, made), args.events)
            p50s.append(pct(times, 0.5))
            p99s.append(pct(times, 0.99))
        results[name] = (statistics.median(p50s), statistics.median(p99s))
    base50 = results["no snapshots"][0]
    print(f"event round trip in process, {args.events} events x {args.runs} runs (median of runs)")
    print(f"{'case':<14} {'p50 µs':>8} {'p99 µs':>8} {'+p50 µs':>8} {'x base':>7}")
    for name, (p50, p99) in results.items():
        print(f"{name:<14} {p50:8.1f} {p99:8.1f} {p50 - base50:8.1f} {p50 / base50:7.2f}")
    plain = await per_session_memory(app_for(False, MemoryStore()), 200)
    kept = await per_session_memory(app_for(True, MemoryStore()), 200)
    print(
        f"memory per session: {plain / 1024:.1f} KiB without snapshots, "
        f"{kept / 1024:.1f} KiB with (memory store holding them): x{kept / plain:.2f}"
    )


if __name__ == "__main__":
    trio.run(main)
