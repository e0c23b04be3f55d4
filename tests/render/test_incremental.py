"""Re-parsing only what changed gives exactly the full parse, or declines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from roost.render import Differ, diff_html, parse_html
from roost.render.incremental import common_affixes, reparse
from roost.render.ops import TEXT
from roost.render.skeleton import build_skeleton
from roost.render.vdom import BOUNDARY_ATTR, KEY_ATTR

from .strategies import fragments

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PAGE = (
    '<div class="page"><h1 title="t">Title</h1><p>Count: <b>5</b> items</p>\n'
    '<table><tr data-key="1"><td class="n">one</td><td><a href="/1">x</a></td></tr>\n'
    '<tr data-key="2"><td class="n">two</td><td><input value="a" disabled></td></tr></table>\n'
    "<textarea>\nnotes &amp; more</textarea><pre>\ncode</pre><svg viewBox='0 0 1 1'>"
    "<circle r='1'/><text>t</text></svg><!-- c --> tail</div>"
)


def fast(old: str, new: str):
    skeleton = build_skeleton(old, parse_html(old))
    assert skeleton is not None
    return reparse(old, new, parse_html(old), skeleton)


def test_text_and_attribute_changes_are_reparsed_in_place() -> None:
    edits = [
        ("Count: <b>5</b>", "Count: <b>6</b>"),
        ('title="t"', 'title="t &amp; u"'),
        ('class="n">one', 'class="n x">uno'),
        ('value="a" disabled', 'value="b"'),
        ("\nnotes &amp; more", "\n\nnotes"),
        ("\ncode", "\nmore code"),
        ("viewBox='0 0 1 1'", "viewbox='0 0 2 2'"),
        ("<text>t</text>", "<text>&lt;u&gt;</text>"),
        ("</p>\n", "</p> x\n"),
        (" items", " item"),
    ]
    for before, after in edits:
        new = PAGE.replace(before, after)
        assert new != PAGE
        tree = fast(PAGE, new)
        assert tree is not None, (before, after)
        assert tree == parse_html(new)


def test_text_that_grows_right_before_a_tag_is_reparsed_in_place() -> None:
    old = "<ul><li>Item &lt;100&gt;</li><li>b</li></ul>"
    new = "<ul><li>Item &lt;100&gt; (edited)</li><li>b</li></ul>"
    tree = fast(old, new)
    assert tree is not None
    assert tree == parse_html(new)


def test_shape_changes_are_declined() -> None:
    for before, after in [
        ("<b>5</b>", "<i>5</i>"),
        ("<b>5</b>", "<b></b>"),
        (" items", ""),
        ("<!-- c -->", "<!-- d -->"),
        ('data-key="2"><td class="n">two', 'data-key="2"><td class="n">two<td>'),
        ("one</td>", "one </td> x"),  # text in a table row
        ('title="t"', 'title="t><b"'),
    ]:
        new = PAGE.replace(before, after)
        assert fast(PAGE, new) is None, (before, after)


def test_a_change_under_an_element_lexbor_has_no_rules_for_is_reparsed() -> None:
    # A custom element (or SVG's <circle> outside <svg>) as the context of a re-read.
    for old, new in [
        ("<div><my-card><br></my-card></div>", '<div><my-card><br class="&"></my-card></div>'),
        (
            "<input><div><circle><br></circle></div>",
            '<input><div><circle><br class="&"></circle></div>',
        ),
    ]:
        assert fast(old, new) == parse_html(new)
        assert Differ(old).update(new) == diff_html(old, new)


def test_unchanged_parts_are_shared_with_the_old_tree() -> None:
    new = PAGE.replace("Count: <b>5</b>", "Count: <b>6</b>")
    old_tree = parse_html(PAGE)
    skeleton = build_skeleton(PAGE, old_tree)
    assert skeleton is not None
    tree = reparse(PAGE, new, old_tree, skeleton)
    assert tree is not None
    old_div, new_div = old_tree[0], tree[0]
    assert new_div.children[0] is old_div.children[0]  # the <h1>
    assert new_div.children[4] is old_div.children[4]  # the table


# ASCII, and text that is not: accents, a character outside the BMP, a lone surrogate.
_ANY_TEXT = st.sampled_from(["a", "b", "<", "é", "😀", "\ud800"])


@given(st.text("ab<", max_size=12), st.text("ab<", max_size=12))
def test_common_affixes(a: str, b: str) -> None:
    check_affixes(a, b)


@given(st.text(_ANY_TEXT, max_size=12), st.text(_ANY_TEXT, max_size=12))
def test_common_affixes_of_text_that_is_not_ascii(a: str, b: str) -> None:
    check_affixes(a, b)


def check_affixes(a: str, b: str) -> None:
    p, q = common_affixes(a, b)
    assert a[:p] == b[:p]
    assert p == len(a) or p == len(b) or a[p] != b[p]
    assert p + q <= min(len(a), len(b))
    assert a[len(a) - q :] == b[len(b) - q :]
    assert q == min(len(a), len(b)) - p or a[len(a) - q - 1] != b[len(b) - q - 1]


def test_common_affixes_across_chunks() -> None:
    a = "x" * 5000 + "A" + "y" * 7000
    b = "x" * 5000 + "BB" + "y" * 7000
    assert common_affixes(a, b) == (5000, 7000)
    assert common_affixes("é" + a, "é" + b) == (5001, 7000)
    assert common_affixes(a + "ü", b + "ü") == (5000, 7001)
    assert common_affixes("x" * 2048, "x" * 2048 + "z") == (2048, 0)


# Template-like markup: every element closed, attributes quoted; keys (which may
# repeat) and component boundaries (which may hold something) among them.
_TAGS = ["div", "span", "p", "b", "ul", "li", "td", "tr", "table", "textarea", "pre", "svg", "a"]
_ATTR_FORMS = [
    "",
    ' class="{}"',
    " title='{}'",
    ' value="{}" disabled',
    f' {KEY_ATTR}="{{}}"',
    f' {KEY_ATTR}="k" class="{{}}"',
    f' {BOUNDARY_ATTR}="{{}}"',
    f' {BOUNDARY_ATTR}="c" title="{{}}"',
]
_values = st.text(alphabet="ab &;<>\"'\n/=#", max_size=6)


@st.composite
def shaped(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        if depth < 3 and draw(st.booleans()):
            tag = draw(st.sampled_from(_TAGS))
            attr = draw(st.sampled_from(_ATTR_FORMS))
            inner = draw(shaped(depth + 1))
            parts.append(f"<{tag}{attr}>{inner}</{tag}>")
        else:
            parts.append("{}")
    return "".join(parts)


def fill(template: str, values: list[str]) -> str:
    out, it = [], iter(values)
    for i, piece in enumerate(template.split("{}")):
        if i:
            out.append(next(it, "x").replace('"', "").replace("'", ""))
        out.append(piece)
    return "".join(out)


@SETTINGS
@given(shaped(), st.lists(_values, max_size=30), st.lists(_values, max_size=30))
def test_reparse_equals_the_full_parse_or_declines(template: str, va: list, vb: list) -> None:
    old, new = fill(template, va), fill(template, vb)
    tree = parse_html(old)
    skeleton = build_skeleton(old, tree)
    assume(skeleton is not None)
    result = reparse(old, new, tree, skeleton)
    if result is not None:
        assert result == parse_html(new)


@SETTINGS
@given(fragments(), fragments())
def test_reparse_of_arbitrary_markup_equals_the_full_parse_or_declines(old: str, new: str) -> None:
    tree = parse_html(old)
    skeleton = build_skeleton(old, tree)
    if skeleton is not None and old != new:
        result = reparse(old, new, tree, skeleton)
        if result is not None:
            assert result == parse_html(new)


@SETTINGS
@given(shaped(), st.lists(st.lists(_values, max_size=30), min_size=1, max_size=4))
def test_differ_updates_equal_diff_html(template: str, fills: list) -> None:
    renders = [fill(template, values) for values in fills]
    differ = Differ(renders[0])
    previous = renders[0]
    for html in renders[1:]:
        assert differ.update(html) == diff_html(previous, html)
        previous = html


def test_a_change_of_texts_and_attributes_is_diffed_from_the_reparse_alone(monkeypatch) -> None:
    from roost.render import differ as module

    def rows(hits: int) -> str:
        items = "".join(f'<li {KEY_ATTR}="{i}">row {i}{"!" * (i == hits)}</li>' for i in range(50))
        return f'<p class="n{hits}">{hits}</p><ul>{items}</ul>'

    differ = Differ(rows(0))
    differ.update(rows(1))  # (the skeleton is built)
    monkeypatch.setattr(module, "diff_trees", lambda *a: pytest.fail("the trees were diffed"))
    for hits in (2, 3):
        assert differ.update(rows(hits)) == diff_html(rows(hits - 1), rows(hits))
    assert differ.update(rows(3).replace("row 7", "row seven")) == [[TEXT, [1, 7, 0], "row seven"]]


def test_repeated_keys_and_changed_keys_are_diffed_as_keyed_children() -> None:
    def page(key: str, text: str) -> str:
        return f'<ul><li {KEY_ATTR}="{key}">a</li><li {KEY_ATTR}="b">{text}</li></ul>'

    for old, new in [
        (page("b", "1"), page("b", "2")),  # two siblings with one key
        (page("a", "1"), page("c", "1")),  # a key changed
        (page("a", "1"), page("b", "2")),  # ... to one a sibling has
    ]:
        differ = Differ(old)
        assert differ.update(new) == diff_html(old, new)
        assert differ.update(old) == diff_html(new, old)


@pytest.mark.parametrize(
    "new",
    [
        f'<div dat"-x="b3" {KEY_ATTR}="></div>',  # a value opened and never closed
        f'<div {KEY_ATTR}="a" title=\'b></div>',
        f"<div {KEY_ATTR}=\"a\" title='b'></div>",
    ],
)
def test_a_quote_opened_in_a_tag_is_read_as_the_tokenizer_reads_it(new: str) -> None:
    old = f'<div data-x="b3" {KEY_ATTR}=""></div>'
    tree = parse_html(old)
    skeleton = build_skeleton(old, tree)
    assert skeleton is not None
    result = reparse(old, new, tree, skeleton)
    assert result is None or result == parse_html(new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # A space after "=" and then a quote: the value runs to the next quote,
        # across the tags between (found by fuzzing the re-parse).
        (
            '<div data-x="b0"></div><span data-key="k2"><title data-key=""></title></span>'
            '<mi title="&#38;"></mi><!--c-->',
            '<div data-x="b0"></div><span data-key=""2"><title data-key= "></title></span>'
            '<mi title="&#38;"></mi><!--c-->',
        ),
        ('<p title=""></p><b>x</b><i title="y"></i>', '<p title= "></p><b>x</b><i title="y"></i>'),
        ('<p title="a"></p><b>x</b><i class="y"></i>', '<p title= "></p><b>x</b><i class="y"></i>'),
        ('<p title="a">t</p><b>u</b>', "<p title= '>t</p><b>u'</b>"),
        ('<p title="a">t</p>', "<p title=/>t</p>"),  # "/" is the value, not "/>"
    ],
)
def test_a_value_after_equals_and_spaces_is_read_as_the_tokenizer_reads_it(
    old: str, new: str
) -> None:
    tree = parse_html(old)
    skeleton = build_skeleton(old, tree)
    assert skeleton is not None
    result = reparse(old, new, tree, skeleton)
    assert result is None or result == parse_html(new)
