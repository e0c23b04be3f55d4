"""Render pipeline benchmark: template render + parse + diff, and patch bytes.

Run: ``.venv/bin/python benchmarks/bench_render.py [--runs N]``

Prints medians of repeated runs (milliseconds) and ratios to baselines
measured in the same run: a render of the whole template (what the region
renderer avoids), and the naive pipeline that parses every render in full
(``parse_html`` + ``diff_trees``). Scenarios:

- a 1,000-element page (a dashboard table) where one text changes per render,
  rendered by regions (``RegionRenderer``, with the assigns that changed, as an
  actor renders) and in full;
- the same page with one row of its table edited per render (the loop's
  other items re-used);
- the same page with a structural change (a row added and removed), which
  takes the full-parse path;
- a 10-element component where one text changes per render, by regions and in full;
- patch message bytes (a ``Patch`` as the wire carries it, its version left
  off as it follows the last one sent) for a
  counter change, a tab switch, pagination and one form field.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

import jinja2

from roost import protocol
from roost.render import Differ, Element, RegionRenderer, diff_html, parse_html
from roost.render.diff import diff_trees
from roost.render.incremental import common_affixes, reparse
from roost.render.skeleton import build_skeleton

ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)

PAGE_SOURCE = (
    '<header class="top"><h1>{{ title }}</h1>\n'
    '<span class="badge" title="{{ unread }} unread">{{ unread }}</span></header>\n'
    '<nav class="tabs">{% for tab in tabs %}'
    '<a class="tab{{ \' active\' if tab == active }}" href="#{{ tab }}">{{ tab }}</a>'
    "{% endfor %}</nav>\n"
    '<table class="grid">\n'
    "<thead><tr><th>#</th><th>Name</th><th>Price</th></tr></thead>\n"
    "<tbody>\n"
    '{% for row in rows %}<tr data-key="{{ row.id }}" class="{{ row.cls }}">'
    '<td>{{ row.id }}</td><td class="name">{{ row.name }}</td>'
    '<td><a href="/items/{{ row.id }}">{{ row.price }}</a></td></tr>\n'
    "{% endfor %}</tbody>\n"
    "</table>\n"
    '<footer><button phx-click="prev">Prev</button> page <b>{{ page }}</b> of 10 '
    '<button phx-click="next">Next</button></footer>'
)
PAGE = ENV.from_string(PAGE_SOURCE)

COMPONENT_SOURCE = (
    '<div class="counter"><h2>{{ label }}</h2><p class="value">Count: <b>{{ count }}</b></p>\n'
    '<button phx-click="dec">-</button><button phx-click="inc">+</button>\n'
    '<ul class="log"><li>{{ last }}</li><li>ok</li></ul><small>{{ note }}</small></div>'
)
COMPONENT = ENV.from_string(COMPONENT_SOURCE)


def page_context(unread: int, rows: int = 198) -> dict:
    return {
        "title": "Dashboard & co",
        "unread": unread,
        "tabs": ["orders", "stock", "returns"],
        "active": "orders",
        "page": 3,
        "rows": [
            {"id": i, "cls": "odd" if i % 2 else "even", "name": f"Item <{i}>", "price": f"${i}.00"}
            for i in range(rows)
        ],
    }


def median_ms(fn: Callable[[int], object], runs: int) -> float:
    """Median wall time of ``fn(i)`` over ``runs`` calls, in milliseconds."""
    fn(-1)  # warm up
    gc.collect()
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def staged_ms(stages: list[Callable[[int, object], object]], runs: int) -> list[float]:
    """Medians (ms) of each stage and of their sum, timed stage by stage in each run.

    Each stage gets the run number and the previous stage's result; timing
    the stages of one run back to back keeps a busy machine from skewing the
    split or the total.
    """
    gc.collect()
    samples: list[list[float]] = [[] for _ in range(len(stages) + 1)]
    for i in range(-1, runs):  # run -1 warms up
        value: object = None
        total = 0.0
        for n, stage in enumerate(stages):
            t0 = time.perf_counter()
            value = stage(i, value)
            spent = time.perf_counter() - t0
            total += spent
            if i >= 0:
                samples[n].append(spent)
        if i >= 0:
            samples[-1].append(total)
    return [statistics.median(s) * 1e3 for s in samples]


def count_elements(html: str) -> int:
    def walk(nodes: tuple) -> int:
        return sum(1 + walk(n.children) for n in nodes if isinstance(n, Element))

    return walk(parse_html(html))


def by_regions(
    source: str, contexts: list[dict], changed: set[str], runs: int
) -> tuple[RegionRenderer, list[float]]:
    """Time region render + Differ.update, alternating between two contexts.

    The contexts share every value that did not change (as an actor's assigns
    do), and ``changed`` names the rest, as the actor's change tracker does.
    Returns the renderer (its ``last`` describes a render) and the medians of
    [render, update, total].
    """
    renderer = RegionRenderer.from_string(ENV, source)
    first = renderer.render(contexts[0])  # the first render is a full one
    differ = Differ(first)
    differ.update(renderer.render(contexts[1], changed))  # builds the skeleton once
    renderer.render(contexts[0], changed)
    differ.update(first)
    times = staged_ms(
        [
            lambda i, _: renderer.render(contexts[(i + 1) % 2], changed),
            lambda i, html: differ.update(html),
        ],
        runs,
    )
    return renderer, times


def in_full(template: jinja2.Template, contexts: list[dict], runs: int) -> list[float]:
    """Time a whole-template render + Differ.update; medians of [render, update, total]."""
    htmls = [template.render(ctx) for ctx in contexts]
    differ = Differ(htmls[1])
    differ.update(htmls[0])  # builds the skeleton once
    return staged_ms(
        [
            lambda i, _: template.render(contexts[(i + 1) % 2]),
            lambda i, html: differ.update(html),
        ],
        runs,
    )


def describe(renderer: RegionRenderer) -> str:
    last = renderer.last
    regions = len(last.rendered) + len(last.replayed)
    text = f"{len(last.rendered)} of {regions} regions rendered, {len(last.replayed)} replayed"
    if last.items_rendered or last.items_replayed:
        text += f"; loop items {last.items_rendered} rendered, {last.items_replayed} replayed"
    return text


def bench_page(runs: int) -> None:
    base = page_context(1)
    contexts = [base, {**base, "unread": 2}]
    htmls = [PAGE.render(ctx) for ctx in contexts]
    trees = [parse_html(h) for h in htmls]
    print(f"1,000-element page: {count_elements(htmls[0])} elements, {len(htmls[0]):,} bytes")

    renderer, (render, update_ms, roost_ms) = by_regions(PAGE_SOURCE, contexts, {"unread"}, runs)
    full_render, full_update, full_ms = in_full(PAGE, contexts, runs)
    naive_render, parse_ms, full_diff_ms, naive_ms = staged_ms(
        [
            lambda i, _: PAGE.render(contexts[i % 2]),
            lambda i, html: (html, parse_html(html)),
            lambda i, parsed: diff_trees(trees[(i + 1) % 2], parsed[1], parsed[0]),
        ],
        runs,
    )

    # Where the time goes in Differ.update, and in the naive pipeline.
    old, new = htmls[1], htmls[0]
    skeleton = build_skeleton(old, trees[1])
    assert skeleton is not None
    new_tree = reparse(old, new, trees[1], skeleton)
    assert new_tree == trees[0]
    affixes = common_affixes(old, new)
    affix = median_ms(lambda i: common_affixes(old, new), runs)
    re_ms = median_ms(lambda i: reparse(old, new, trees[1], skeleton, affixes), runs)
    diff_ms = median_ms(lambda i: diff_trees(trees[1], new_tree, new), runs)
    skeleton_ms = median_ms(lambda i: build_skeleton(old, trees[1]), max(runs // 5, 5))

    print("  one text changed per render (the unread badge), changed = {'unread'}:")
    print(f"    ({describe(renderer)})")
    print(f"    template render by regions (Jinja2)   {render:7.3f} ms")
    print(f"    Differ.update                         {update_ms:7.3f} ms")
    print(f"    render + update                       {roost_ms:7.3f} ms   (goal <= 2 ms)")
    print(f"    full render + update                  {full_ms:7.3f} ms   (baseline)")
    print(f"      template render, whole (Jinja2)     {full_render:7.3f} ms")
    print(f"      Differ.update                       {full_update:7.3f} ms")
    print("    split of Differ.update, each part alone:")
    print(f"      common prefix/suffix                {affix:7.3f} ms")
    print(f"      re-read changed tags and text       {re_ms:7.3f} ms")
    print(f"      diff (unchanged subtrees shared)    {diff_ms:7.3f} ms")
    print(f"    naive: render + full parse + diff     {naive_ms:7.3f} ms   (baseline)")
    print(f"      template render (Jinja2)            {naive_render:7.3f} ms")
    print(f"      full parse (lexbor + walk)          {parse_ms:7.3f} ms")
    print(f"      diff of two separately parsed trees {full_diff_ms:7.3f} ms")
    print(
        f"    ratio: render + update x{full_ms / roost_ms:.1f} faster than a full render + "
        f"update, x{naive_ms / roost_ms:.1f} than the naive pipeline; update alone "
        f"x{(parse_ms + full_diff_ms) / update_ms:.0f} faster than parse + diff"
    )
    print(f"    skeleton build (once per markup shape) {skeleton_ms:.3f} ms")

    # One row of the table edited: the loop re-renders that item only.
    rows = list(base["rows"])
    rows[100] = {**rows[100], "price": "$100.50"}
    edited = [base, {**base, "rows": rows}]
    renderer, (render, update_ms, roost_ms) = by_regions(PAGE_SOURCE, edited, {"rows"}, runs)
    full_render, full_update, full_ms = in_full(PAGE, edited, runs)
    print("  one row's price changed per render (a new list, one new row), changed = {'rows'}:")
    print(f"    ({describe(renderer)})")
    print(f"    template render by regions (Jinja2)   {render:7.3f} ms")
    print(f"    Differ.update                         {update_ms:7.3f} ms")
    print(f"    render + update                       {roost_ms:7.3f} ms")
    print(f"    full render + update                  {full_ms:7.3f} ms   (baseline)")
    print(f"      template render, whole (Jinja2)     {full_render:7.3f} ms")
    print(f"      Differ.update                       {full_update:7.3f} ms")

    # A structural change: a row comes and goes (the full-parse path).
    shapes = [page_context(1, rows=198), page_context(1, rows=199)]
    shaped = [PAGE.render(ctx) for ctx in shapes]
    differ2 = Differ(shaped[1])
    structural = median_ms(lambda i: differ2.update(shaped[i % 2]), max(runs // 2, 5))
    print(f"  a row added/removed per render: Differ.update {structural:.3f} ms (full parse path)")


def bench_component(runs: int) -> None:
    base = {"label": "Clicks", "count": 41, "last": "inc", "note": "fine"}
    contexts = [base, {**base, "count": 42}]
    htmls = [COMPONENT.render(ctx) for ctx in contexts]
    print(f"10-element component: {count_elements(htmls[0])} elements, {len(htmls[0])} bytes")
    trees = [parse_html(h) for h in htmls]

    def naive(i: int) -> None:
        html = COMPONENT.render(contexts[i % 2])
        diff_trees(trees[(i + 1) % 2], parse_html(html), html)

    renderer, (render, update_ms, roost_ms) = by_regions(
        COMPONENT_SOURCE, contexts, {"count"}, runs * 10
    )
    full_render, full_update, full_ms = in_full(COMPONENT, contexts, runs * 10)
    naive_ms = median_ms(naive, runs * 10)
    print("  one text changed per render (the count), changed = {'count'}:")
    print(f"    ({describe(renderer)})")
    print(f"    template render by regions (Jinja2)   {render:7.3f} ms")
    print(f"    Differ.update                         {update_ms:7.3f} ms")
    print(f"    render + update                       {roost_ms:7.3f} ms   (goal <= 0.1 ms)")
    print(f"    full render + update                  {full_ms:7.3f} ms   (baseline)")
    print(f"      template render, whole (Jinja2)     {full_render:7.3f} ms")
    print(f"      Differ.update                       {full_update:7.3f} ms")
    print(f"    naive: render + full parse + diff     {naive_ms:7.3f} ms   (baseline)")
    print(
        f"    ratio: x{full_ms / roost_ms:.1f} faster than a full render + update, "
        f"x{naive_ms / roost_ms:.1f} than the naive pipeline"
    )


def message(old: str, new: str, target: str = "0", version: int = 2) -> str:
    return protocol.encode(protocol.patch(target, version, diff_html(old, new)).following())


def bench_bytes() -> None:
    tabs = ENV.from_string(
        '<nav class="tabs">{% for t in ["Orders", "Stock", "Returns"] %}'
        '<a class="tab{{ " active" if t == active }}" phx-click="tab" phx-value-tab="{{ t }}">'
        "{{ t }}</a>{% endfor %}</nav><section>…</section>"
    )
    pager = ENV.from_string(
        '<div class="pager"><button phx-click="prev"{{ " disabled" if page == 1 }}>Prev</button>'
        "<span>Page <b>{{ page }}</b> of {{ pages }}</span>"
        '<button phx-click="next"{{ " disabled" if page == pages }}>Next</button></div>'
    )
    form = ENV.from_string(
        '<form phx-submit="save"><label>Email <input name="email" value="{{ email }}"></label>'
        '<p class="error">{{ error }}</p><button>Save</button></form>'
    )
    counter = ENV.from_string(
        '<div class="counter"><button phx-click="dec">-</button>'
        '<span>{{ n }}</span><button phx-click="inc">+</button></div>'
    )
    utility_tabs = ENV.from_string(
        '<nav class="flex gap-2">{% for t in ["Orders", "Stock", "Returns"] %}'
        '<a class="px-3 py-2 rounded-md text-sm font-medium '
        '{{ "bg-indigo-100 text-indigo-700" if t == active else "text-gray-500" }}" '
        'phx-click="tab" phx-value-tab="{{ t }}">{{ t }}</a>{% endfor %}</nav>'
    )
    cases = [
        ("counter change", counter.render(n=41), counter.render(n=42), 80),
        ("tab switch", tabs.render(active="Orders"), tabs.render(active="Stock"), 80),
        (
            "tab switch, utility classes",
            utility_tabs.render(active="Orders"),
            utility_tabs.render(active="Stock"),
            80,
        ),
        ("pagination", pager.render(page=1, pages=9), pager.render(page=2, pages=9), 120),
        (
            "one form field",
            form.render(email="ann@", error="Enter a whole address, like ann@example.com"),
            form.render(email="ann@example.com", error=""),
            200,
        ),
    ]
    print("patch message bytes (envelope included)      roost  seed")
    for name, old, new, seed in cases:
        msg = message(old, new)
        print(f"  {name:42} {len(msg.encode()):5}  {seed:4}   {msg}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs per measurement")
    args = parser.parse_args()
    bench_page(args.runs)
    print()
    bench_component(args.runs)
    print()
    bench_bytes()


if __name__ == "__main__":
    main()
