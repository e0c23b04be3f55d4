"""Streams against a list held as an assign: server memory and bytes.

    python benchmarks/bench_streams.py [--messages 10000] [--runs 3]

A chat log grows to ``--messages`` messages in one session, once as a stream
(the server forgets each message once sent) and once as a list assign (a
keyed ``<li data-key>`` per message, the way examples/chat held it before).
Prints the traced memory the session holds at the end (median of runs), and
the bytes the browser receives for appending 100 rows in one event.

Then shared statics: 100 rows of examples/todo's markup appended in one event
to a keyed list and to a stream, the patch frame's bytes with each row's
markup sent once for all rows (the default) and with every row sent whole.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import trio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roost import App, LiveView, event
from roost.render import differ, statics
from roost.testing import LiveClient, held_bytes

ROW = '<li id="{id}"><b>{name}</b>: {text}</li>'


class Streamed(LiveView):
    def mount(self, params, session):
        self.n = 0
        self.stream("log", [])

    @event
    def add(self, count: int):
        rows = [
            {"id": self.n + i, "name": "ann", "text": f"message {self.n + i}"} for i in range(count)
        ]
        self.n += count
        self.stream("log", rows)

    def render(self):
        rows = "".join(
            ROW.format(id=dom_id, name=m["name"], text=m["text"]) for dom_id, m in self.streams.log
        )
        return f'<ol id="log" roost-update="stream">{rows}</ol>'


class Held(LiveView):
    def mount(self, params, session):
        self.log = []

    @event
    def add(self, count: int):
        n = len(self.log)
        self.log = [
            *self.log,
            *({"id": n + i, "name": "ann", "text": f"message {n + i}"} for i in range(count)),
        ]

    def render(self):
        rows = "".join(
            f'<li data-key="{m["id"]}"><b>{m["name"]}</b>: {m["text"]}</li>' for m in self.log
        )
        return f"<ol>{rows}</ol>"


async def session_memory(view_class: type[LiveView], messages: int) -> tuple[int, int]:
    app = App({"/": view_class}, secret="bench")
    async with LiveClient.mount(app) as view:
        for _ in range(messages // 100):
            await view.event("add", count=100)
        # What the session holds (the client's own page copy aside).
        held = held_bytes(view.session)
        received = [f.size for f in view.frames if not f.sent][-1]
    return held, received


TODO_ROW = (
    '<li {key}="{id}"><span class="title">{title}</span>\n'
    '<button class="up" roost-click="up" roost-value-id="{id}" aria-label="move {title} up">'
    "↑</button>\n"
    '<button class="remove" roost-click="remove" roost-value-id="{id}"'
    ' aria-label="remove {title}">\u00d7</button></li>'
)
TITLES = ["buy milk", "call the bank", "fix the roof", "water plants", "file taxes"]


def todo_rows(start: int, count: int) -> list[dict[str, object]]:
    return [
        {"id": i, "title": f"{TITLES[i % len(TITLES)]} #{i}"} for i in range(start, start + count)
    ]


class TodoList(LiveView):
    def mount(self, params, session):
        self.todos = todo_rows(0, 3)

    @event
    def add(self, count: int):
        self.todos = [*self.todos, *todo_rows(len(self.todos), count)]

    def render(self):
        rows = "".join(TODO_ROW.format(key="data-key", **t) for t in self.todos)
        return f'<ul id="todos">{rows}\n</ul>'


class TodoStream(LiveView):
    def mount(self, params, session):
        self.n = 3
        self.stream("todos", todo_rows(0, 3))

    @event
    def add(self, count: int):
        self.stream("todos", todo_rows(self.n, count))
        self.n += count

    def render(self):
        rows = "".join(
            TODO_ROW.format(key="id", id=dom_id, title=t["title"])
            for dom_id, t in self.streams.todos
        )
        return f'<ul id="todos" roost-update="stream">{rows}</ul>'


async def append_bytes(view_class: type[LiveView], shared: bool) -> int:
    """The bytes of the patch frame for appending 100 todo rows in one event."""
    app = App({"/": view_class}, secret="bench")
    saved = statics.MIN_ROWS
    statics.MIN_ROWS = saved if shared else 1 << 30
    # The same two renders' ops are memoised across sessions: forget them.
    differ._parses.clear()
    differ._diffs.clear()
    try:
        async with LiveClient.mount(app) as view:
            await view.event("add", count=100)
            assert view.exists("#todos > li:nth-child(103)")
            return [f.size for f in view.frames if not f.sent][-1]
    finally:
        statics.MIN_ROWS = saved


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results = {}
    for name, cls in (("stream", Streamed), ("list assign", Held)):
        runs = [await session_memory(cls, args.messages) for _ in range(args.runs)]
        results[name] = (
            statistics.median(r[0] for r in runs),
            statistics.median(r[1] for r in runs),
        )
    print(f"a chat log of {args.messages} messages in one session (median of {args.runs} runs)")
    print("what the session holds (roost.testing.held_bytes: its actors, state, VDOM, caches)")
    for name, (held, received) in results.items():
        print(f"{name:<12} held {held / 1024:9.1f} KiB   last 100-row append: {received} B")
    print()
    print("appending 100 todo rows (examples/todo's markup) in one event: patch frame bytes")
    for name, cls in (("keyed list", TodoList), ("stream", TodoStream)):
        whole = await append_bytes(cls, shared=False)
        shared = await append_bytes(cls, shared=True)
        print(
            f"{name:<12} every row whole {whole:6} B   statics shared {shared:6} B"
            f"   ({shared / whole:.2f}x)"
        )


if __name__ == "__main__":
    trio.run(main)
