"""Change tracking: what the tracker costs after each batch, and what it keeps.

    python benchmarks/bench_assigns.py [--runs 7]

Times the tracker's work for one batch as the actor loop does it: a handler's
assignments (``assigned``), then ``changed()`` after every batch, then
``reset()`` after the render when something changed. Pages:

- a counter (three scalar assigns);
- the dashboard view's assigns (two ints, a 3-item list, a stateless
  component, two component handles);
- a 1,000-row page whose ``rows`` assign is a list of 1,000 dicts, plain
  objects, dataclasses or msgspec Structs, each row five scalar
  fields.

Batches: one that changes nothing (``changed`` only: no render), one that
changes a field of one row in place (``rows[k]["done"] = …`` or
``rows[k].done = …``), and one that assigns a new list with one row
replaced.

Baselines, measured in the same run:

- the previous tracker (a shallow copy of top-level lists, dicts, sets,
  compared with ``==``), which cannot see the in-place change of a row: the
  page stays stale;
- rendering the 1,000-row table: the whole template (what an actor renders
  with ``render_regions = False``), and by regions with only the changed row
  rendered (what showing a deep change costs at least).

Prints medians of ``--runs`` runs (each run the mean of many repetitions),
in microseconds of CPU time, with ratios to the baselines; then the memory each tracker
keeps between batches: its own state, and all traced growth.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import gc
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roost.actors.assigns import _MISSING, ChangeTracker
from roost.actors.scope import ComponentHandle
from roost.render import RegionRenderer

ROWS = 1000


class ShallowTracker:
    """The previous tracker, kept here as the baseline: top-level in-place
    changes of lists, dicts and sets only, through a shallow copy."""

    __slots__ = ("_changed", "_copies")

    def __init__(self) -> None:
        self._changed: set[str] = set()
        self._copies: dict[str, Any] = {}

    def assigned(self, name: str, old: Any, new: Any) -> None:
        if name in self._changed:
            return
        if old is _MISSING or (old is not new and not _equal(old, new)):
            self._changed.add(name)

    def changed(self, assigns: dict[str, Any]) -> set[str]:
        changed = set(self._changed)
        for name, snapshot in self._copies.items():
            if name not in changed and not _equal(assigns.get(name, _MISSING), snapshot):
                changed.add(name)
        return changed

    def reset(self, assigns: dict[str, Any]) -> None:
        self._changed.clear()
        self._copies = {
            k: copy.copy(v)
            for k, v in assigns.items()
            if isinstance(v, list | dict | set | bytearray)
        }


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


Tracker = ChangeTracker | ShallowTracker


# -- the pages ----------------------------------------------------------------


class Badge:
    """Like roost's stateless Component: props in its __dict__."""

    def __init__(self, **props: Any) -> None:
        self.props = props

    def __eq__(self, other: object) -> bool:
        return type(other) is Badge and self.props == other.props

    __hash__ = None  # type: ignore[assignment]


class Row:
    def __init__(self, id: int) -> None:
        self.id = id
        self.title = f"Task number {id}"
        self.done = False
        self.owner = "ada"
        self.tags = "home, urgent"


@dataclasses.dataclass
class DataRow:
    id: int
    title: str
    done: bool
    owner: str
    tags: str


class StructRow(msgspec.Struct):
    id: int
    title: str
    done: bool
    owner: str
    tags: str


def dict_rows() -> list[Any]:
    return [
        {
            "id": i,
            "title": f"Task number {i}",
            "done": False,
            "owner": "ada",
            "tags": "home, urgent",
        }
        for i in range(ROWS)
    ]


def object_rows() -> list[Any]:
    return [Row(i) for i in range(ROWS)]


def dataclass_rows() -> list[Any]:
    return [DataRow(i, f"Task number {i}", False, "ada", "home, urgent") for i in range(ROWS)]


def struct_rows() -> list[Any]:
    return [StructRow(i, f"Task number {i}", False, "ada", "home, urgent") for i in range(ROWS)]


def flip(row: Any) -> None:
    """Change one field of a row in place."""
    if isinstance(row, dict):
        row["done"] = not row["done"]
    else:
        row.done = not row.done


def replaced(row: Any) -> Any:
    """An unequal copy of a row."""
    if isinstance(row, dict):
        return {**row, "done": not row["done"]}
    new = copy.copy(row)
    new.done = not row.done
    return new


def counter_assigns() -> dict[str, Any]:
    return {"count": 0, "label": "Clicks", "step": 1, "_tab": "x"}


def dashboard_assigns() -> dict[str, Any]:
    return {
        "count": 0,
        "badge": Badge(count=0),
        "tabs": ComponentHandle(Badge, "tabs", {"tabs": ["Profile", "Settings"]}),  # type: ignore[arg-type]
        "page": 1,
        "items": [1, 2, 3],
        "pages": ComponentHandle(Badge, "pages", {"page": 1, "pages": 5}),  # type: ignore[arg-type]
        "_tab": "Profile",
    }


# -- batches --------------------------------------------------------------------


def assign(tracker: Tracker, assigns: dict[str, Any], name: str, value: Any) -> None:
    """``self.name = value``, as Stateful.__setattr__ does it."""
    tracker.assigned(name, assigns.get(name, _MISSING), value)
    assigns[name] = value


def end_of_batch(tracker: Tracker, assigns: dict[str, Any]) -> set[str]:
    """What the loop does after a batch: ask, and reset after a render."""
    changed = tracker.changed(assigns)
    if changed:
        tracker.reset(assigns)  # (the render happens in between)
    return changed


def timed(batch: Callable[[int], object], runs: int, reps: int) -> float:
    """Median over ``runs`` of the mean CPU time of one ``batch(i)``, in microseconds.

    CPU time of this process, not wall time: other processes on a busy
    machine inflate it less."""
    for i in range(min(reps, 50)):
        batch(i)  # warm up
    gc.collect()
    means = []
    for _ in range(runs):
        t0 = time.process_time()
        for i in range(reps):
            batch(i)
        means.append((time.process_time() - t0) / reps)
    return statistics.median(means) * 1e6


def scenario(
    make: Callable[[], dict[str, Any]],
    kind: type,
    step: Callable[[Tracker, dict[str, Any], int], object],
    runs: int,
    reps: int,
) -> float:
    assigns = make()
    tracker = kind()
    tracker.reset(assigns)
    return timed(lambda i: step(tracker, assigns, i), runs, reps)


def no_change(tracker: Tracker, assigns: dict[str, Any], i: int) -> object:
    return end_of_batch(tracker, assigns)


def counter_inc(tracker: Tracker, assigns: dict[str, Any], i: int) -> object:
    assign(tracker, assigns, "count", assigns["count"] + 1)
    return end_of_batch(tracker, assigns)


def dashboard_inc(tracker: Tracker, assigns: dict[str, Any], i: int) -> object:
    count = assigns["count"] + 1
    assign(tracker, assigns, "count", count)
    assign(tracker, assigns, "badge", Badge(count=count))
    return end_of_batch(tracker, assigns)


def row_in_place(tracker: Tracker, assigns: dict[str, Any], i: int) -> object:
    flip(assigns["rows"][(i * 37) % ROWS])
    return end_of_batch(tracker, assigns)


def new_list(tracker: Tracker, assigns: dict[str, Any], i: int) -> object:
    rows = list(assigns["rows"])
    k = (i * 37) % ROWS
    rows[k] = replaced(rows[k])
    assign(tracker, assigns, "rows", rows)
    return end_of_batch(tracker, assigns)


# -- rendering the 1,000-row table (the baselines) --------------------------------

TABLE = (
    "<h1>{{ title }}</h1>\n<table>\n"
    '{% for row in rows %}<tr data-key="{{ row.id }}" class="{{ \'done\' if row.done }}">'
    "<td>{{ row.id }}</td><td>{{ row.title }}</td><td>{{ row.owner }}</td>"
    "<td>{{ row.tags }}</td></tr>\n{% endfor %}</table>"
)
ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def render_baselines(runs: int) -> tuple[float, float]:
    """Medians (µs): the whole template, and by regions with one row changed."""
    rows = dict_rows()
    whole = ENV.from_string(TABLE)
    full = timed(lambda i: whole.render(title="Tasks", rows=rows), runs, 20)
    renderer = RegionRenderer.from_string(ENV, TABLE)
    context = {"title": "Tasks", "rows": rows}
    renderer.render(context)
    renderer.render(context, {"rows"})  # from the second render on, item by item

    def one_row(i: int) -> None:
        flip(rows[(i * 37) % ROWS])
        renderer.render(context, {"rows"})

    by_regions = timed(one_row, runs, 200)
    assert renderer.last.items_rendered == 1, renderer.last
    return full, by_regions


# -- memory ---------------------------------------------------------------------


def kept_bytes(kind: type, make: Callable[[], dict[str, Any]]) -> tuple[int, int]:
    """What a tracker keeps after a render's reset: its own state (digests
    or copies), and all traced growth (which includes the ``__dict__`` that
    CPython creates for an object when its attributes are first read as a
    dict)."""
    assigns = make()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracker = kind()
    tracker.reset(assigns)
    tracker.changed(assigns)
    gc.collect()
    traced = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    state = tracker._prints if isinstance(tracker, ChangeTracker) else tracker._copies
    own = sys.getsizeof(tracker) + sys.getsizeof(tracker._changed)
    if state:  # (an empty ChangeTracker shares one empty dict)
        own += sys.getsizeof(state) + sum(sys.getsizeof(v) for v in state.values())
    return own, traced


# -- main -------------------------------------------------------------------------


def check() -> None:
    """The new tracker sees a changed row; the old one does not."""
    for make in (dict_rows, object_rows, dataclass_rows, struct_rows):
        for kind, sees in ((ChangeTracker, True), (ShallowTracker, False)):
            assigns = {"rows": make()}
            tracker = kind()
            tracker.reset(assigns)
            assert not tracker.changed(assigns)
            flip(assigns["rows"][5])
            assert bool(tracker.changed(assigns)) is sees, (make.__name__, kind.__name__)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    runs = args.runs
    check()

    print(f"tracker work per batch, µs (median of {runs} runs); old = shallow-copy tracker")
    print(f"  {'page / batch':44s} {'new':>9s} {'old':>9s} {'new/old':>8s}")

    def row(label: str, new: float, old: float, note: str = "") -> None:
        print(f"  {label:44s} {new:9.2f} {old:9.2f} {new / old:7.1f}x{note}")

    small = [
        ("counter: no change", counter_assigns, no_change),
        ("counter: count += 1", counter_assigns, counter_inc),
        ("dashboard: no change", dashboard_assigns, no_change),
        ("dashboard: count += 1, new badge", dashboard_assigns, dashboard_inc),
    ]
    for label, make, step in small:
        new = scenario(make, ChangeTracker, step, runs, 20_000)
        old = scenario(make, ShallowTracker, step, runs, 20_000)
        row(label, new, old)

    full, by_regions = render_baselines(runs)
    print(
        f"\n1,000-row page ({ROWS} rows): tracker work per batch, µs;"
        f" ratios to rendering the table: whole template {full:.0f} µs,"
        f" by regions with one row changed {by_regions:.0f} µs"
    )
    print(f"  {'rows / batch':44s} {'new':>9s} {'old':>9s} {'/whole':>8s} {'/regions':>8s}")
    for rows_name, make_rows in (
        ("dicts", dict_rows),
        ("objects", object_rows),
        ("dataclasses", dataclass_rows),
        ("Structs", struct_rows),
    ):

        def make(make_rows: Callable[[], list[Any]] = make_rows) -> dict[str, Any]:
            return {"title": "Tasks", "rows": make_rows(), "_db": object()}

        for label, step, note in (
            ("no change", no_change, ""),
            ("one row changed in place", row_in_place, "  (old: not seen, page stale)"),
            ("new list, one row replaced", new_list, ""),
        ):
            new = scenario(make, ChangeTracker, step, runs, 200)
            old = scenario(make, ShallowTracker, step, runs, 200)
            print(
                f"  {rows_name + ': ' + label:44s} {new:9.1f} {old:9.1f}"
                f" {new / full:7.2f}x {new / by_regions:7.2f}x{note}"
            )

    print("\nkept between batches, bytes: tracker state / all traced growth")
    print(f"  {'page':28s} {'new':>17s}   {'old':>17s}")
    for label, make in (
        ("counter", counter_assigns),
        ("dashboard", dashboard_assigns),
        ("1,000-row page: dicts", lambda: {"title": "Tasks", "rows": dict_rows()}),
        ("1,000-row page: objects", lambda: {"title": "Tasks", "rows": object_rows()}),
        ("1,000-row page: dataclasses", lambda: {"title": "Tasks", "rows": dataclass_rows()}),
        ("1,000-row page: Structs", lambda: {"title": "Tasks", "rows": struct_rows()}),
    ):
        new_own, new_traced = kept_bytes(ChangeTracker, make)
        old_own, old_traced = kept_bytes(ShallowTracker, make)
        print(f"  {label:28s} {new_own:6,d} / {new_traced:7,d}   {old_own:6,d} / {old_traced:7,d}")
    print("  (objects, dataclasses: the growth is each row's __dict__, made by reading it)")


if __name__ == "__main__":
    main()
