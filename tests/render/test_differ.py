"""Differ: one actor's current content, and the ops for each new render."""

from __future__ import annotations

from markupsafe import Markup

from roost.render import Differ, apply_ops, diff_html, parse_html
from roost.render.ops import ATTR_CODES


def test_unchanged_render_gives_no_ops() -> None:
    differ = Differ("<p>a</p>")
    assert differ.update("<p>a</p>") == []


def test_update_returns_the_ops_and_makes_the_new_html_current() -> None:
    differ = Differ("<p>1</p>")
    assert differ.update("<p>2</p>") == [[0, [0, 0], "2"]]
    assert differ.html == "<p>2</p>"
    assert differ.tree == parse_html("<p>2</p>")
    assert differ.update("<p>2</p>") == []
    assert differ.update("<p>3</p>") == [[0, [0, 0], "3"]]


def test_empty_start() -> None:
    differ = Differ()
    assert differ.update("<p>x</p>") == [[3, [0], "<p>x</p>"]]


def test_update_gives_what_diff_html_gives() -> None:
    old, new = "<ul><li>a</li></ul><p>1</p>", "<ul><li>b</li><li>c</li></ul><p>2</p>"
    assert Differ(old).update(new) == diff_html(old, new)


def test_a_sequence_of_updates_tracks_the_browser_tree() -> None:
    renders = ["<ul><li>a</li></ul>", "<ul><li>a</li><li>b</li></ul>", "<p>x</p>", "", "<p>y</p>"]
    differ = Differ(renders[0])
    tree = parse_html(renders[0])
    for html in renders[1:]:
        ops = differ.update(html)
        tree = apply_ops(tree, ops)
        assert tree == parse_html(html)


def test_markup_input_gives_plain_str_ops() -> None:
    # Jinja's Markup is a str subclass whose slicing and joining escape.
    differ = Differ(Markup("<p>count: 1</p><a class='x'>t</a>"))
    ops = differ.update(Markup("<p>count: 2</p><a class='y'>t</a>"))
    assert ops == [[0, [0, 0], "count: 2"], [1, [1], ATTR_CODES["class"], "y"]]
    assert all(type(arg) in (int, str, list) for op in ops for arg in op)
    assert type(differ.html) is str
    fallback = Differ("<p>x</p>").update(Markup("<p>x</p><a><table><a>"))
    assert type(fallback[0][2]) is str


def test_actors_rendering_the_same_content_share_its_tree_and_ops():
    first, second = Differ("<ul><li>a</li></ul>"), Differ("<ul><li>a</li></ul>")
    assert first.tree is second.tree  # one parse, one tree in memory
    new = "<ul><li>a</li><li>b</li></ul>"
    ops = first.update(new)
    assert second.update(new) == ops
    assert first.tree is second.tree
    # Each still diffs from its own content.
    assert first.update("<ul><li>c</li></ul>") != []
    assert second.tree == parse_html(new)


def test_the_shared_parses_stay_bounded():
    from roost.render import differ as module

    for n in range(module.SHARED_PARSES * 3):
        Differ(f"<p>{n}</p>" * 50)
    assert len(module._parses) <= module.SHARED_PARSES
    assert sum(map(len, module._parses)) <= module.SHARED_HTML_BYTES
    assert len(module._diffs) <= module.SHARED_PARSES


def test_switching_back_to_content_rendered_before_neither_parses_nor_diffs_again(monkeypatch):
    from roost.render import differ as module

    def tab(k: int) -> str:
        bar = "".join(f'<a class="{"on" if i == k else ""}">{i}</a>' for i in range(3))
        return f"<nav>{bar}</nav><h2>tab {k}</h2>"

    tabs = [tab(k) for k in range(3)]
    expected = {html: parse_html(html) for html in tabs}
    differ = Differ(tabs[0])
    tree = parse_html(tabs[0])
    for html in tabs[1:] + tabs:  # the first rounds read each switch once
        tree = apply_ops(tree, differ.update(html))
    calls: list[str] = []
    monkeypatch.setattr(module, "parse_html", lambda *a: calls.append("parse"))
    monkeypatch.setattr(module, "reparse_edits", lambda *a: calls.append("reparse"))
    monkeypatch.setattr(module, "diff_trees", lambda *a: calls.append("diff"))
    for html in tabs + tabs:
        tree = apply_ops(tree, differ.update(html))
        assert tree == expected[html]
    assert calls == []


def test_content_rendered_before_still_gives_the_ops_from_this_actors_own_content():
    # The memo keys ops by both trees: an actor holding other content diffs anew.
    a, b, c = "<p>a</p><i>1</i>", "<p>b</p><i>1</i>", "<p>c</p><i>2</i>"
    first, second = Differ(a), Differ(c)
    first.update(b)
    ops = second.update(b)
    assert apply_ops(parse_html(c), ops) == parse_html(b)
    assert ops != diff_html(a, b)
