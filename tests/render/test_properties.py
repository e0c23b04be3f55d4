"""The correctness law over generated HTML: apply(diff(a, b), a) == b, with small diffs."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from roost.render import Differ, Element, apply_ops, client_html, diff_html, parse_html, to_html
from roost.render.ops import ATTR_CODES, SET_ATTR, TEXT
from roost.render.parse import parse_client_html

from .strategies import elements, fragments, long_text, plain_text, replace_at, text_nodes

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sent_whole_as_parsed(html: str) -> bool:
    """Whether content sent whole reaches the client as it parses here: all but the
    documented exception (``client_html``: a ``<noscript>`` after a ``<b>`` that a
    ``<table>`` closed implicitly, in a tree no markup builds in isolation)."""
    return parse_client_html(client_html(html)) == parse_html(html)


@SETTINGS
@given(fragments(), fragments())
def test_patching_old_with_the_diff_gives_new(old: str, new: str) -> None:
    assume(sent_whole_as_parsed(new))
    ops = diff_html(old, new)
    assert apply_ops(old, ops) == parse_html(new)
    json.dumps(ops)


@SETTINGS
@given(fragments(), fragments(), fragments())
def test_differ_tracks_a_sequence_of_renders(a: str, b: str, c: str) -> None:
    assume(all(sent_whole_as_parsed(html) for html in (a, b, c)))
    differ = Differ(a)
    tree = parse_html(a)
    for html in (b, c, a, a):
        tree = apply_ops(tree, differ.update(html))
        assert tree == parse_html(html)


@SETTINGS
@given(fragments(), st.data())
def test_a_single_text_change_is_a_single_text_op(html: str, data: st.DataObject) -> None:
    tree = parse_html(html)
    texts = text_nodes(tree)
    assume(texts)
    path, old_text = data.draw(st.sampled_from(texts))
    new_text = data.draw(plain_text)
    assume(new_text != old_text)
    new_tree = replace_at(tree, path, new_text)
    new_html = to_html(new_tree)
    assume(parse_html(new_html) == new_tree)  # e.g. text that a table would foster elsewhere
    assert diff_html(html, new_html) == [[TEXT, path, new_text]]


@SETTINGS
@given(fragments(), st.data())
def test_a_single_attribute_change_is_a_single_set_attr_op(html: str, data: st.DataObject) -> None:
    tree = parse_html(html)
    els = elements(tree)
    assume(els)
    path, el = data.draw(st.sampled_from(els))
    value = data.draw(plain_text)
    assume(el.attrs.get("title") != value)
    attrs = {**el.attrs, "title": value}
    new_tree = replace_at(tree, path, Element(el.tag, attrs, el.children, el.ns))
    new_html = to_html(new_tree)
    assume(parse_html(new_html) == new_tree)
    assert diff_html(html, new_html) == [[SET_ATTR, path, ATTR_CODES["title"], value]]


@SETTINGS
@given(long_text, long_text, long_text, long_text)
def test_long_values_patch_correctly(t1: str, t2: str, a1: str, a2: str) -> None:
    esc = to_html  # text and attribute escaping via the serialiser
    old = f'<p title="{esc(a1).replace(chr(34), "&quot;")}">{esc(t1)}</p>'
    new = f'<p title="{esc(a2).replace(chr(34), "&quot;")}">{esc(t2)}</p>'
    assert apply_ops(old, diff_html(old, new)) == parse_html(new)
