"""Bytes on the wire per interaction and per page load, and memory per session.

    python benchmarks/bench_dashboard.py [--sessions 1000] [--runs 3] [--no-memory]

Bytes: the counter (examples/counter), the seed's dashboard
(examples/dashboard) and a 1,000-row table, each opened fresh with
``roost.testing.LiveClient.mount`` (the app's dead render, runtime, session
and actors: the same encoded frames `roost run` puts on a socket). For each
click it prints the total both directions (the event, and every server frame
it causes: the patch, which answers the event, or a patch and an ack), then
the bytes from page load to interactive (the page's HTML, the Join, what the
server sends until every actor holds a version, and the Joined). Memory:
what N open dashboard sessions take (traced Python allocations and RSS),
median of several runs, through real sessions with a transport that drops
frames. Baseline for the memory figure: the same process before the
sessions were opened.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import tracemalloc
from pathlib import Path

import trio
import trio.testing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markupsafe import escape

from examples.counter import Counter
from examples.dashboard import DashboardView
from roost import App, LiveView, event, protocol
from roost.actors import Session
from roost.supervisor import DynamicSupervisor
from roost.testing import LiveClient
from roost.testing._frames import Frame

SEED_BYTES = {"counter +": 80, "tab switch": 80, "pagination next": 120}
"""The seed's bytes per dashboard interaction (event + patch + ack), for comparison."""

ROWS = 1000


class RowsView(LiveView):
    """A list of 1,000 rows (a page of ~55 KB); a click on a row renames it."""

    def mount(self, params, session):
        self.names = [f"row {i}" for i in range(ROWS)]

    def render(self) -> str:
        rows = "".join(
            f'<li data-key="{i}" roost-click="bump" roost-value-row="{i}">{escape(name)}</li>'
            for i, name in enumerate(self.names)
        )
        return f"<h1>Rows</h1><ul>{rows}</ul>"

    @event
    def bump(self, row: int):
        names = list(self.names)
        names[row] += "!"
        self.names = names


PAGES = {
    "counter": (App({"/": Counter}, title="roost counter"), "/"),
    "dashboard": (App({"/": DashboardView}, title="roost dashboard"), "/"),
    "rows": (App({"/": RowsView}, title="roost rows"), "/"),
}

# name, page, the element clicked, the goal for the round trip (both directions)
INTERACTIONS = [
    ("counter +", "counter", 'button[aria-label="increment"]', 40),
    ("dashboard counter +", "dashboard", "#inc", None),
    ("tab switch", "dashboard", "nav.tabs button:nth-child(2)", 90),
    ("pagination next", "dashboard", "nav.pagination button:last-child", None),
    ("row change, 1,000 rows", "rows", 'li[data-key="500"]', 70),
]

JOINED_BYTES = len('[2,1,"0123456789ab.0123456789abcdefghijkl"]')
"""The Joined a socket's join gets (in process there is no socket to send it)."""


async def interaction_bytes() -> list[tuple[str, list[Frame], int | None]]:
    """Each interaction on a freshly loaded page: the frames of one click, both ways.

    Through ``LiveClient.mount``: the app's dead render, runtime, session and
    actors, and the same encoded frames a socket would carry.
    """
    rows = []
    for name, page, selector, goal in INTERACTIONS:
        app, path = PAGES[page]
        async with LiveClient.mount(app, path) as view:
            before = len(view.frames)
            await view.click(selector)
            await trio.testing.wait_all_tasks_blocked()
            rows.append((name, view.frames[before:], goal))
    return rows


async def join_bytes() -> list[tuple[str, int, int, list[Frame]]]:
    """Page load to interactive: the page's HTML, the Join, and what the server
    sends until every actor on the page holds a version (plus the Joined)."""
    rows = []
    for page, (app, path) in PAGES.items():
        html = await app.dead_render(path, app.routes[path], {})
        token = re.search(r'data-roost-token="([^"]+)"', html)
        assert token is not None
        join = protocol.encode(protocol.Join(1, token[1], f"http://localhost{path}"))
        async with LiveClient.mount(app, path) as view:
            await trio.testing.wait_all_tasks_blocked()
            frames = [f for f in view.frames if not f.sent]
        rows.append((page, len(html.encode()), len(join.encode()), frames))
    return rows


def print_bytes() -> None:
    print(f"protocol v{protocol.VERSION}: bytes on the wire per click, both directions")
    for name, frames, goal in trio.run(interaction_bytes):
        up = sum(f.size for f in frames if f.sent)
        down = [f.size for f in frames if not f.sent]
        total = up + sum(down)
        against = f"goal <= {goal} B" if goal else ""
        if name in SEED_BYTES:
            against += f"{', ' if against else ''}seed ~{SEED_BYTES[name]} B"
        print(
            f"  {name:24s} total {total:4d} B = event {up} B + server {down} B"
            f"  {'(' + against + ')' if against else ''}"
        )
        for frame in frames:
            print(f"      {'->' if frame.sent else '<-'} {frame.text}")
    print("page load to interactive: page HTML + Join + server frames (+ Joined)")
    for page, html, join, frames in trio.run(join_bytes):
        down = sum(f.size for f in frames)
        html_sent = sum(f.size for f in frames if f.text.startswith('["f"') and "<" in f.text)
        print(
            f"  {page:10s} total {html + join + down + JOINED_BYTES:6d} B = page {html} B"
            f" + join {join} B + server {down} B in {len(frames)} frames"
            f" (of which HTML again: {html_sent} B) + Joined {JOINED_BYTES} B"
        )


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


def _drop(text: str) -> None:
    pass


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="bytes only")
    args = parser.parse_args()

    print_bytes()
    if args.no_memory:
        return

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
