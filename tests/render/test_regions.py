"""The region renderer: byte-identical to a full render, re-rendering only what reads a change."""

from __future__ import annotations

import itertools
from typing import Any

import jinja2
import jinja2.nativetypes
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from roost.render import RegionRenderer


def make_env(**kwargs: Any) -> jinja2.Environment:
    kwargs.setdefault("autoescape", True)
    return jinja2.Environment(undefined=jinja2.StrictUndefined, **kwargs)


ENV = make_env()

PAGE = (
    "<h1>{{ title }}</h1>\n"
    '<span title="{{ unread }} unread">{{ unread }}</span>\n'
    "<nav>{% for tab in tabs %}<a{{ ' class=on' if tab == active }}>{{ tab }}</a>"
    "{% endfor %}</nav>\n"
    "<ul>{% for row in rows %}<li>{{ row.name }}: {{ row.price }}</li>{% endfor %}</ul>\n"
    "<footer>page {{ page }}</footer>"
)


def page_context() -> dict[str, Any]:
    return {
        "title": "Dash & co",
        "unread": 1,
        "tabs": ["orders", "stock"],
        "active": "orders",
        "rows": [{"name": f"<item {i}>", "price": i} for i in range(5)],
        "page": 1,
    }


def full(source: str, context: dict[str, Any], env: jinja2.Environment = ENV) -> str:
    return env.from_string(source).render(context)


# -- regions and what they read ------------------------------------------------------


def test_each_top_level_expression_and_block_is_a_region_knowing_what_it_reads() -> None:
    renderer = RegionRenderer.from_string(ENV, PAGE)
    assert renderer.fallback is None
    assert [set(r.names) for r in renderer.regions] == [
        {"title"},
        {"unread"},
        {"unread"},
        {"tabs", "active"},
        {"rows"},
        {"page"},
    ]
    assert [r.line for r in renderer.regions] == [1, 2, 2, 3, 4, 5]
    assert not any(r.volatile for r in renderer.regions)


def test_only_the_regions_reading_a_changed_name_are_rendered_again() -> None:
    renderer = RegionRenderer.from_string(ENV, PAGE)
    context = page_context()
    assert renderer.render(context) == full(PAGE, context)
    assert renderer.last.rendered == (0, 1, 2, 3, 4, 5)

    context = {**context, "unread": 2}
    assert renderer.render(context, {"unread"}) == full(PAGE, context)
    assert renderer.last.rendered == (1, 2)
    assert renderer.last.replayed == (0, 3, 4, 5)

    context = {**context, "active": "stock"}
    assert renderer.render(context, {"active"}) == full(PAGE, context)
    assert renderer.last.rendered == (3,)

    assert renderer.render(context, set()) == full(PAGE, context)
    assert renderer.last.rendered == ()

    assert renderer.render(context, None) == full(PAGE, context)
    assert renderer.last.rendered == (0, 1, 2, 3, 4, 5)


def test_a_value_that_is_not_the_same_object_counts_as_changed() -> None:
    # 1, 1.0 and True are equal but render differently; so are 0.0 and -0.0.
    renderer = RegionRenderer.from_string(ENV, "{{ n }}|{{ m }}")
    assert renderer.render({"n": 1, "m": 0.0}) == "1|0.0"
    assert renderer.render({"n": 1.0, "m": 0.0}, set()) == "1.0|0.0"
    assert renderer.render({"n": True, "m": -0.0}, set()) == "True|-0.0"
    assert renderer.last.rendered == (0, 1)


def test_a_name_added_or_removed_counts_as_changed() -> None:
    source = "{{ a }}{% if b is defined %}{{ b }}{% endif %}"
    renderer = RegionRenderer.from_string(ENV, source)
    assert renderer.render({"a": 1}) == "1"
    assert renderer.render({"a": 1, "b": 2}, set()) == "12"
    assert renderer.render({"a": 1}, set()) == "1"


def test_a_change_in_place_is_seen_only_when_named() -> None:
    """``changed`` is the caller's promise; the renderer trusts it for mutation."""
    items = [1, 2]
    renderer = RegionRenderer.from_string(ENV, "{{ items|join(',') }}")
    assert renderer.render({"items": items}) == "1,2"
    items.append(3)
    assert renderer.render({"items": items}, set()) == "1,2"  # not named: replayed
    assert renderer.render({"items": items}, {"items"}) == "1,2,3"


def test_the_hook_is_called_before_each_region_saying_whether_it_is_replayed() -> None:
    calls: list[tuple[int, bool]] = []
    renderer = RegionRenderer.from_string(ENV, PAGE)
    context = page_context()
    renderer.render(context, on_region=lambda i, replayed: calls.append((i, replayed)))
    assert calls == [(i, False) for i in range(6)]
    calls.clear()
    renderer.render({**context, "page": 2}, {"page"}, lambda i, r: calls.append((i, r)))
    assert calls == [(0, True), (1, True), (2, True), (3, True), (4, True), (5, False)]


def test_a_render_that_raises_leaves_nothing_cached() -> None:
    renderer = RegionRenderer.from_string(ENV, "{{ a }}-{{ 10 // b }}-{{ c }}")
    assert renderer.render({"a": 1, "b": 5, "c": 3}) == "1-2-3"
    with pytest.raises(ZeroDivisionError):
        renderer.render({"a": 2, "b": 0, "c": 3}, {"a", "b"})
    # Only `c` is named, but the failed render left nothing to re-use.
    assert renderer.render({"a": 2, "b": 5, "c": 4}, {"c"}) == "2-2-4"
    assert renderer.last.rendered == (0, 1, 2)


def test_a_missing_name_raises_as_in_a_full_render() -> None:
    renderer = RegionRenderer.from_string(ENV, "<p>{{ a }}</p>")
    with pytest.raises(jinja2.UndefinedError):
        renderer.render({})


def test_static_only_and_empty_templates() -> None:
    for source in ("", "<p>static &amp; only</p>\n"):
        renderer = RegionRenderer.from_string(ENV, source)
        assert renderer.render({}) == full(source, {})
        assert renderer.regions == ()


# -- what is re-rendered every time -------------------------------------------------


VOLATILE_ENV = make_env()
VOLATILE_ENV.globals["now"] = lambda: VOLATILE_ENV.globals["clock"]
VOLATILE_ENV.globals["clock"] = 0
VOLATILE_ENV.filters["shout"] = lambda s: f"{s}!"
VOLATILE_ENV.tests["lucky"] = lambda n: n == 7


@pytest.mark.parametrize(
    ("source", "volatile"),
    [
        ("{{ now() }}", True),  # a global function: its result may change
        ("{{ a|shout }}", True),  # a filter of our own
        ("{{ a is lucky }}", True),  # a test of our own
        ("{{ xs|random }}", True),
        ("{{ xs|map('shout')|join }}", True),  # names our filter
        ("{{ xs|select('lucky')|join }}", True),
        ("{{ a.bit_length() }}", True),  # a method not known to be pure
        ("{{ range(a)|join }}", False),
        ("{{ dict(k=a) }}", False),
        ("{{ xs|map('string')|join(',') }}", False),
        ("{{ xs|select('odd')|list }}", False),
        ("{{ (d.items()|list, d.get('k'), 'x'.upper()) }}", False),
        ("{% for x in xs %}{{ loop.cycle('a', 'b') }}{% endfor %}", False),
        ("{{ a|default(1)|string|upper }}", False),
    ],
)
def test_regions_calling_what_may_change_are_volatile(source: str, volatile: bool) -> None:
    renderer = RegionRenderer.from_string(VOLATILE_ENV, source)
    assert renderer.fallback is None
    assert [r.volatile for r in renderer.regions] == [volatile]
    context = {"a": 7, "xs": [7, 7], "d": {"k": "v"}}  # one value: `random` is random
    assert renderer.render(context) == full(source, context, VOLATILE_ENV)
    renderer.render(context, set())
    assert renderer.last.rendered == ((0,) if volatile else ())


def test_a_volatile_region_follows_what_it_calls() -> None:
    renderer = RegionRenderer.from_string(VOLATILE_ENV, "<b>{{ a }}</b><i>{{ now() }}</i>")
    assert renderer.render({"a": 1}) == "<b>1</b><i>0</i>"
    VOLATILE_ENV.globals["clock"] = 5
    try:
        assert renderer.render({"a": 1}, set()) == "<b>1</b><i>5</i>"
        assert renderer.last.rendered == (1,)
    finally:
        VOLATILE_ENV.globals["clock"] = 0


def test_caller_named_functions_are_pure() -> None:
    env = make_env()
    env.globals["place"] = lambda id: Markup(f'<div id="{id}"></div>')
    source = "{{ place(id=a) }}"
    assert RegionRenderer.from_string(env, source).regions[0].volatile
    renderer = RegionRenderer.from_string(env, source, pure_calls=["place"])
    assert not renderer.regions[0].volatile
    assert renderer.render({"a": "x"}) == '<div id="x"></div>'


# -- what falls back to a full render -------------------------------------------------

LOADED = {
    "base.html": "<main>{% block body %}base{% endblock %}</main>",
    "part.html": "<i>{{ a }}</i>",
    "macros.html": "{% macro m(x) %}<u>{{ x }}</u>{% endmacro %}",
}


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('{% extends "base.html" %}{% block body %}{{ a }}{% endblock %}', "{% extends %}"),
        ('<p>{{ a }}</p>{% include "part.html" %}', "{% include %}"),
        ('{% import "macros.html" as mm %}{{ mm.m(a) }}', "{% import %}"),
        ('{% from "macros.html" import m %}{{ m(a) }}', "{% from ... import %}"),
        ("{% macro m(x) %}{{ x }}{% endmacro %}{{ m(a) }}", "{% macro %}"),
        ("{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}{{ a }}{% endcall %}", None),
        ("{% block b %}{{ a }}{% endblock %}{{ self.b() }}", "{% block %}"),
        ("{{ self }}", "self"),
        ("{% set t = a %}<p>{{ t }}</p>", "{% set %}"),
        ("{% if a %}{% set t = a %}{% endif %}{{ t }}", "{% set %}"),
        ("{% set t %}{{ a }}{% endset %}{{ t }}", "{% set %}"),
        ("{% set ns = namespace(n=0) %}{{ ns.n }}", "{% set %}"),
        ("{% for x in xs %}{% set ns.n = x %}{% endfor %}", "namespace"),
    ],
)
def test_what_cannot_be_split_renders_in_full_every_time(source: str, reason: str | None) -> None:
    env = make_env(loader=jinja2.DictLoader({**LOADED, "page.html": source}))
    renderer = RegionRenderer(env, "page.html")
    assert renderer.fallback is not None
    if reason is not None:
        assert reason in renderer.fallback
    assert len(renderer.regions) == 1
    context = {"a": 1, "xs": [1], "ns": {"n": 0}}
    if "ns.n = x" in source:
        context["ns"] = jinja2.runtime.Namespace(n=0)
    expected = env.get_template("page.html").render(context)
    calls: list[tuple[int, bool]] = []
    for changed in (None, set(), {"a"}):
        assert renderer.render(context, changed, lambda i, r: calls.append((i, r))) == expected
        assert renderer.last.rendered == (0,)
    assert calls == [(0, False)] * 3


@pytest.mark.parametrize(
    ("env", "source", "reason"),
    [
        (make_env(extensions=["jinja2.ext.do"]), "{% do xs.append(1) %}{{ xs }}", "ExprStmt"),
        (make_env(finalize=lambda v: "" if v is None else v), "{{ a }}", "finalize"),
        (jinja2.nativetypes.NativeEnvironment(), "{{ a }}", "concat"),
    ],
)
def test_extension_tags_and_special_environments_render_in_full(
    env: jinja2.Environment, source: str, reason: str
) -> None:
    renderer = RegionRenderer.from_string(env, source)
    assert renderer.fallback is not None and reason in renderer.fallback
    expected = env.from_string(source).render(a=None, xs=[])
    assert renderer.render({"a": None, "xs": []}) == expected


def test_an_async_environment_renders_in_full() -> None:
    env = make_env(enable_async=True)
    renderer = RegionRenderer.from_string(env, "{{ a }}")
    assert renderer.fallback is not None and "async" in renderer.fallback


def test_set_inside_a_for_loop_or_a_with_block_stays_there() -> None:
    source = (
        "{% for x in xs %}{% set y = x * 2 %}{{ y }}{% endfor %}"
        "{% with z = a %}{% set w = z ~ '!' %}{{ w }}{% endwith %}{{ b }}"
    )
    renderer = RegionRenderer.from_string(ENV, source)
    assert renderer.fallback is None
    assert [set(r.names) for r in renderer.regions] == [{"xs"}, {"a"}, {"b"}]
    context = {"xs": [1, 2], "a": "A", "b": "B"}
    assert renderer.render(context) == full(source, context) == "24A!B"


def test_a_global_shadowed_by_the_context_is_still_tracked() -> None:
    env = make_env()
    env.globals["user"] = "nobody"
    renderer = RegionRenderer.from_string(env, "<b>{{ user }}</b>{{ n }}")
    assert renderer.render({"n": 1}) == "<b>nobody</b>1"
    assert renderer.render({"n": 1, "user": "ann"}, set()) == "<b>ann</b>1"


def test_a_template_changed_on_disk_is_split_again_when_the_environment_reloads() -> None:
    mapping = {"t.html": "<b>{{ a }}</b>"}
    env = make_env(loader=jinja2.DictLoader(mapping), auto_reload=True)
    renderer = RegionRenderer(env, "t.html")
    assert renderer.name == "t.html"
    assert renderer.render({"a": 1, "b": 2}) == "<b>1</b>"
    mapping["t.html"] = "<i>{{ b }}</i>{{ a }}"
    assert renderer.render({"a": 1, "b": 2}, set()) == "<i>2</i>1"
    assert len(renderer.regions) == 2


def test_renderers_of_one_template_share_the_split_but_not_the_output() -> None:
    env = make_env(loader=jinja2.DictLoader({"t.html": "<b>{{ a }}</b>"}))
    one, two = RegionRenderer(env, "t.html"), RegionRenderer(env, "t.html")
    assert one._plan is two._plan
    assert one.render({"a": 1}) == "<b>1</b>"
    assert two.render({"a": 2}) == "<b>2</b>"
    assert one.render({"a": 1}, set()) == "<b>1</b>"


# -- loops cached item by item ---------------------------------------------------------

LOOP = "<ul>{% for row in rows %}<li class='{{ cls }}'>{{ row.name }}</li>{% endfor %}</ul>"


def rows(*names: str) -> list[dict[str, Any]]:
    return [{"name": n} for n in names]


def test_a_loop_over_a_changed_list_renders_only_the_new_items() -> None:
    renderer = RegionRenderer.from_string(ENV, LOOP)
    context = {"rows": rows("a", "b", "c"), "cls": "x"}
    renderer.render(context)  # the first render is whole
    assert (renderer.last.items_rendered, renderer.last.items_replayed) == (0, 0)

    steps = [
        (rows("a", "B", "c"), 3),  # item by item from the first change: nothing cached yet
        (rows("a", "B", "C"), 1),
        (rows("C", "a", "B"), 0),  # a reorder re-uses every item
        (rows("C", "a", "B", "d", "d"), 1),  # equal items share one render
        (rows(), 0),
        (rows("a"), 1),  # an empty list leaves nothing cached
    ]
    for new_rows, items_rendered in steps:
        context = {**context, "rows": new_rows}
        assert renderer.render(context, {"rows"}) == full(LOOP, context)
        assert renderer.last.items_rendered == items_rendered

    # A name the body reads besides the item: the loop renders whole again.
    context = {**context, "rows": rows("a", "b"), "cls": "y"}
    assert renderer.render(context, {"rows", "cls"}) == full(LOOP, context)
    assert renderer.last.items_rendered == 0


def test_items_are_equal_only_if_they_render_the_same() -> None:
    source = "{% for x in xs %}[{{ x }}]{% endfor %}"
    renderer = RegionRenderer.from_string(ENV, source)
    values: list[Any] = [1, 1.0, True, "1", Markup("<1>"), "<1>", 0.0, -0.0, None, (1,), [1]]
    renderer.render({"xs": values[:1]})
    for perm in itertools.islice(itertools.permutations(values, 4), 0, 400, 7):
        context = {"xs": list(perm)}
        assert renderer.render(context, {"xs"}) == full(source, context)


class Mutable:
    def __init__(self, name: str) -> None:
        self.name = name


def test_items_that_are_not_plain_data_are_rendered_every_time() -> None:
    renderer = RegionRenderer.from_string(ENV, LOOP)
    items = [Mutable("a"), Mutable("b")]
    renderer.render({"rows": items, "cls": "x"})
    renderer.render({"rows": [*items], "cls": "x"}, {"rows"})
    items[0].name = "A"  # mutated in place, the list assigned again
    context = {"rows": [*items], "cls": "x"}
    assert renderer.render(context, {"rows"}) == full(LOOP, context)
    assert renderer.last.items_rendered == 2


@pytest.mark.parametrize(
    "source",
    [
        "{% for row in rows %}{{ loop.cycle('a', 'b') }}{{ row.name }}{% endfor %}",
        "{% for row in rows %}{{ loop.depth }}{{ row.name }}{% endfor %}",
        "{% for row in rows %}{{ loop }}{{ row.name }}{% endfor %}",
        "{% for row in rows %}{% for c in row.name %}{{ loop.index }}{% endfor %}{% endfor %}",
        "{% for row in rows if row.name %}{{ row.name }}{% endfor %}",
        "{% for row in rows %}{% set n = row.name %}{{ n }}{% endfor %}",
        "{% for row in rows %}{{ place(row.name) }}{% endfor %}",
        "{% for row in rows|reverse %}{{ row.name }}{% endfor %}",
        "{% for k, v in pairs %}{{ k }}{{ v }}{% endfor %}",
    ],
)
def test_loops_whose_items_depend_on_more_than_the_item_render_whole(source: str) -> None:
    env = make_env()
    env.globals["place"] = lambda name: Markup(f"<div>{name}</div>")
    renderer = RegionRenderer.from_string(env, source, pure_calls=["place"])
    context = {"rows": rows("a", "b"), "pairs": [("k", "v")]}
    renderer.render(context)
    context = {"rows": rows("a", "c"), "pairs": [("k", "w")]}
    assert renderer.render(context, {"rows", "pairs"}) == env.from_string(source).render(context)
    assert renderer.last.items_rendered == 0


POSITIONAL = [
    "{% for row in rows %}<li id='r{{ loop.index0 }}'>{{ loop.index }}. {{ row }}</li>{% endfor %}",
    "{% for row in rows %}{{ row }}{% if not loop.last %}, {% endif %}{% endfor %}",
    "{% for row in rows %}{{ loop.revindex }}/{{ loop.length }}{{ row }}"
    "{{ loop.first }}{{ loop.revindex0 }}{% endfor %}",
]


@pytest.mark.parametrize("source", POSITIONAL)
def test_a_loop_reading_its_position_re_renders_only_the_items_that_changed(source: str) -> None:
    renderer = RegionRenderer.from_string(ENV, source)
    names = [f"row {i}" for i in range(6)]
    renderer.render({"rows": names})
    renderer.render({"rows": names}, {"rows"})  # from here on item by item
    names[3] = "bumped"  # in place, as a view does
    assert renderer.render({"rows": names}, {"rows"}) == full(source, {"rows": names})
    assert renderer.last.items_rendered == 1
    steps = [
        ["row 0", "bumped", "row 2"],  # moved and shortened
        ["row 0", "bumped", "row 2", "new"],
        ["new", "row 0"],
        [],
        ["a", "a", "a"],
    ]
    for step in steps:
        context = {"rows": step}
        assert renderer.render(context, {"rows"}) == full(source, context)


@pytest.mark.parametrize("source", POSITIONAL)
def test_a_position_reading_loop_renders_an_item_again_when_its_position_changed(
    source: str,
) -> None:
    renderer = RegionRenderer.from_string(ENV, source)
    renderer.render({"rows": ["a", "b", "c"]})
    renderer.render({"rows": ["a", "b", "c"]}, {"rows"})
    assert renderer.render({"rows": ["c", "a", "b"]}, {"rows"}) == full(
        source, {"rows": ["c", "a", "b"]}
    )
    assert renderer.last.items_rendered == 3


def test_a_body_reading_an_outer_value_that_is_not_plain_data_renders_whole() -> None:
    source = "{% for row in rows %}{{ row.name }}{{ extra }}{% endfor %}"
    renderer = RegionRenderer.from_string(ENV, source)
    context = {"rows": rows("a"), "extra": Mutable("m")}
    renderer.render(context)
    context = {**context, "rows": rows("a", "b")}
    assert renderer.render(context, {"rows"}) == full(source, context)
    assert renderer.last.items_rendered == 0


# -- generated templates and changes --------------------------------------------------

PIECES = [
    "<p>",
    "</p>",
    "text &amp; more",
    "\n",
    "{{ a }}",
    "{{ b|upper }}",
    "{{ a ~ b }}",
    "{{ a if b else c }}",
    "{% if a %}<i>{{ b }}</i>{% elif c %}{{ c }}{% else %}-{% endif %}",
    "{% for x in xs %}<li>{{ x }}{{ a }}</li>{% else %}<li>none</li>{% endfor %}",
    "{% for x in xs %}<li>{{ x }}</li>{% endfor %}",
    "{% for x in xs %}{{ loop.index }}:{{ x }} {% endfor %}",
    "{% for x in xs %}{{ x }}{% if not loop.last %},{% endif %}{{ loop.revindex0 }}{% endfor %}",
    "{% for x in xs %}{% set y = x ~ c %}{{ y }}{% endfor %}",
    "{% for x in xs if x %}{{ x }}{% endfor %}",
    "{% with z = a %}{{ z }}{{ b }}{% endwith %}",
    "{{ xs|length }}",
    "{{ xs|join(',') }}",
    "{{ d.items()|list }}{{ d.get('k') }}",
    "{% filter upper %}{{ a }}{% endfilter %}",
    "{% autoescape false %}{{ b }}{% endautoescape %}",
    "{{ now() }}",
    "{{ a|shout }}",
    "{% set top = a %}{{ top }}",
]
NAMES = ["a", "b", "c", "xs", "d"]

scalars = st.one_of(
    st.integers(-2, 2),
    st.sampled_from([0.0, -0.0, 1.0, True, False, None, "", "x", "<b>&", Markup("<i>m</i>")]),
    st.text("ab<&", max_size=3),
)
items = st.lists(st.one_of(scalars, st.fixed_dictionaries({"k": scalars})), max_size=4)
values = {
    "a": scalars,
    "b": scalars,
    "c": scalars,
    "xs": items,
    "d": st.dictionaries(st.sampled_from(["k", "j"]), scalars, max_size=2),
}


@st.composite
def change(draw: st.DrawFn) -> tuple[str, Any]:
    kind = draw(st.sampled_from(["set", "set", "set", "copy", "same", "append", "tick", "full"]))
    if kind == "set":
        name = draw(st.sampled_from(NAMES))
        return kind, (name, draw(values[name]))
    if kind in ("copy", "same"):
        return kind, draw(st.sampled_from(NAMES))
    if kind == "append":
        return kind, draw(scalars)
    return kind, None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(PIECES), max_size=10),
    st.fixed_dictionaries(values),
    st.lists(st.lists(change(), max_size=3), max_size=6),
)
def test_generated_templates_render_as_a_full_render_after_any_changes(
    pieces: list[str], context: dict[str, Any], steps: list[list[tuple[str, Any]]]
) -> None:
    source = "".join(pieces)
    env = VOLATILE_ENV
    renderer = RegionRenderer.from_string(env, source)
    template = env.from_string(source)
    calls: list[int] = []

    def hook(index: int, replayed: bool) -> None:
        calls.append(index)

    assert renderer.render(context, None, hook) == template.render(context)
    try:
        for step in steps:
            context = dict(context)
            changed: set[str] = set()
            everything = False
            for kind, arg in step:
                if kind == "set":
                    name, value = arg
                    context[name] = value
                    changed.add(name)
                elif kind == "copy":  # an equal value, another object, not named
                    value = context[arg]
                    context[arg] = type(value)(value) if isinstance(value, list | dict) else value
                elif kind == "append":  # changed in place, named
                    context["xs"].append(arg)
                    changed.add("xs")
                elif kind == "tick":  # what a volatile region calls has changed
                    env.globals["clock"] = env.globals["clock"] + 1  # type: ignore[operator]
                elif kind == "full":
                    everything = True
            calls.clear()
            html = renderer.render(context, None if everything else changed, hook)
            assert html == template.render(context)
            assert calls == list(range(len(renderer.regions)))
    finally:
        env.globals["clock"] = 0
