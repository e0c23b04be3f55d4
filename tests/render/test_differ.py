"""Differ: one actor's current content, and the ops for each new render."""

from __future__ import annotations

from roost.render import Differ, apply_ops, diff_html, parse_html


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
