"""Memory per LiveComponent actor and per session, in process (tracemalloc).

    .venv/bin/python benchmarks/bench_memory.py            # 200 components, 3 runs
    .venv/bin/python benchmarks/bench_memory.py --components 500 --runs 5

A view places N small LiveComponents (`<li><b>n</b><button>+</button></li>`
each); what the server allocated for them, divided by N, is split into the
components' VDOM (allocated by roost/render's parser and VDOM) and the rest:
the actor (its task, cancel scope, coroutine frames, mailbox, state, render
caches, its supervisor's records). Issue 11's goal: the rest at most 8 KB.
Allocations made with roost.testing on the stack (the test client's own copy
of the page) are left out. Then the same for whole sessions of the counter
example (one view, no component), N sessions at once.

Prints the median of the runs. Figures are of Python allocations only (not
the C allocations of lexbor, the HTML parser, nor RSS); see
benchmarks/peers/run.py for RSS per open page in a real browser.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tracemalloc
from pathlib import Path

import trio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from roost import App, LiveComponent, LiveView, event, live_component  # noqa: E402
from roost.testing import LiveClient  # noqa: E402

CLIENT = tracemalloc.Filter(False, "*/roost/testing/*", all_frames=True)
VDOM_FILES = ("roost/render/parse.py", "roost/render/vdom.py")


class Item(LiveComponent):
    def mount(self, n: int) -> None:
        self.n = n

    @event
    def inc(self) -> None:
        self.n += 1

    def render(self) -> str:
        return f'<li><b>{self.n}</b><button roost-click="inc">+</button></li>'


class Items(LiveView):
    def mount(self, params, session):
        count = int(params.get("k", "0"))
        self.placed = [(f"i{i}", i) for i in range(count)]

    def render(self) -> str:
        placed = (str(live_component(Item, id=k, n=n)) for k, n in self.placed)
        return "<ul>" + "".join(placed) + "</ul>"


class Counter(LiveView):
    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self) -> None:
        self.count += 1

    def render(self) -> str:
        return f'<p>{self.count}</p><button roost-click="inc">+</button>'


def split(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot) -> tuple[int, int]:
    """Bytes allocated between the snapshots: (VDOM, everything else)."""
    vdom = rest = 0
    for stat in after.compare_to(before, "traceback"):
        innermost = stat.traceback[-1].filename
        if innermost.endswith(VDOM_FILES):
            vdom += stat.size_diff
        else:
            rest += stat.size_diff
    return vdom, rest


def snapshot() -> tracemalloc.Snapshot:
    gc.collect()
    return tracemalloc.take_snapshot().filter_traces([CLIENT])


async def per_component(count: int) -> tuple[float, float]:
    app = App({"/": Items})
    async with LiveClient.mount(app, "/?k=0"):
        before = snapshot()
        async with LiveClient.mount(app, f"/?k={count}", timeout=300) as view:
            await view.click('[data-roost-id="i2"] button')  # each actor has handled one batch
            after = snapshot()
    vdom, rest = split(before, after)
    return vdom / count, rest / count


async def per_session(count: int) -> float:
    app = App({"/": Counter})
    async with LiveClient.mount(app):
        before = snapshot()
        async with trio.open_nursery() as nursery:
            opened = trio.Semaphore(0)
            done = trio.Event()

            async def tab() -> None:
                async with LiveClient.mount(app, timeout=300) as view:
                    await view.click("button")
                    opened.release()
                    await done.wait()

            for _ in range(count):
                nursery.start_soon(tab)
            for _ in range(count):
                await opened.acquire()
            after = snapshot()
            done.set()
    vdom, rest = split(before, after)
    return (vdom + rest) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--components", type=int, default=200)
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tracemalloc.start(30)
    parts = [trio.run(per_component, args.components) for _ in range(args.runs)]
    sessions = [trio.run(per_session, args.sessions) for _ in range(args.runs)]
    vdom = statistics.median(p[0] for p in parts)
    rest = statistics.median(p[1] for p in parts)
    print(f"LiveComponent ({args.components} in one view, median of {args.runs} runs):")
    print(f"  actor, its VDOM aside   {rest / 1024:6.2f} KiB   (goal: 8 KB = 7.81 KiB)")
    print(f"  its VDOM                {vdom / 1024:6.2f} KiB")
    print(f"  all in                  {(rest + vdom) / 1024:6.2f} KiB")
    print(
        f"session of a counter view ({args.sessions} at once, in process, no socket): "
        f"{statistics.median(sessions) / 1024:.2f} KiB"
    )


if __name__ == "__main__":
    main()
