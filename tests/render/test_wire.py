"""HTML crossing the wire parses on the client (scripting disabled, inert) into
the tree a page load builds (scripting enabled): ``client_html`` for full
renders, escaped ``<noscript>`` text in insert/replace ops."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from markupsafe import Markup

from roost.render import (
    Element,
    apply_ops,
    client_html,
    diff_html,
    parse_client_html,
    parse_html,
    to_html,
)
from roost.render.ops import INSERT, REPLACE
from roost.render.parse import opens_body
from roost.render.wire import full_html

from ..e2e.patch_corpus import CORPUS, PARSE_ONLY, RAW_TEXT_ALIKE, RENDER_ONLY
from .strategies import fragments

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CONTENTS = sorted({h for c in CORPUS for h in c[1:]}) + PARSE_ONLY + RENDER_ONLY + RAW_TEXT_ALIKE
NOSCRIPT_PAIRS = [c for c in CORPUS if "noscript" in c[0]]


def _as_client_parses(html: str) -> list[Any]:
    """The client's parses of full-render HTML: a Render (a <template>) and a
    whole-content REPLACE (a <div> of an inert document), both scripting off."""
    return [parse_client_html(html), parse_html(html, scripting=False)]


@pytest.mark.parametrize("html", CONTENTS)
def test_the_clients_parse_of_client_html_is_the_page_load_parse(html: str) -> None:
    tree = parse_html(html)
    assert _as_client_parses(client_html(html)) == [tree, tree]


@SETTINGS
@given(fragments())
def test_the_clients_parse_of_client_html_is_the_page_load_parse_generated(html: str) -> None:
    tree = parse_html(html)
    assert _as_client_parses(client_html(html)) == [tree, tree]


@pytest.mark.parametrize(("old", "new"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_patches_apply_to_the_page_load_and_to_the_rendered_content(old: str, new: str) -> None:
    ops = diff_html(old, new)
    assert apply_ops(old, ops) == parse_html(new)
    assert apply_ops(parse_client_html(client_html(old)), ops) == parse_html(new)


@SETTINGS
@given(fragments(), fragments())
def test_patches_apply_to_the_rendered_content_generated(old: str, new: str) -> None:
    assert apply_ops(parse_client_html(client_html(old)), diff_html(old, new)) == parse_html(new)


# -- the fast path -----------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    ["", "text only", "<div>x</div>", "\n  <h2>t</h2><tr>", "a < b <p>c</p>", "<nav>n</nav>"],
)
def test_without_noscript_content_that_opens_the_body_is_sent_as_it_is(html: str) -> None:
    assert client_html(html) is html


@pytest.mark.parametrize(
    "html",
    [
        "<tr><td>1</td></tr>",
        "<TD>1",
        "</p>x",
        "x</p>",
        "<!--c--><p>x</p>",
        "<?php x ?><p>",
        "<!doctype html><p>",
        "<style></style><td>c</td>",
        "<title>t</title><p>",
        "<template><td>c</td></template>",
    ],
)
def test_content_a_template_would_parse_otherwise_gets_a_leading_html_tag(html: str) -> None:
    assert client_html(html) == "<html>" + html
    assert parse_html("<html>" + html) == parse_html(html)  # a no-op for the page parse


def test_opens_body_looks_at_the_first_tag_only() -> None:
    assert opens_body("<p><tr>")
    assert opens_body("<tr2>")  # a custom tag, not a table part
    assert opens_body("<Select>")
    assert opens_body("< p><b>")  # "< " is text
    assert not opens_body("< p><tr>")
    assert not opens_body("<BASE>")
    assert not opens_body("</b><p>")


def test_markup_comes_back_as_a_plain_str_without_escaping() -> None:
    sent = client_html(Markup("<tr><td>1</td></tr>"))
    assert type(sent) is str and sent == "<html><tr><td>1</td></tr>"
    sent = client_html(Markup("<noscript><b>x</b></noscript>"))
    assert type(sent) is str and sent == "<noscript>&lt;b&gt;x&lt;/b&gt;</noscript>"


# -- <noscript> ----------------------------------------------------------------


def test_noscript_text_is_sent_escaped_in_any_case_of_the_tag() -> None:
    html = '<p>a</p><NoScript class="x>y"><img src=a.png> &amp; <b>b</NOSCRIPT>'
    assert client_html(html) == (
        '<p>a</p><NoScript class="x>y">&lt;img src=a.png&gt; &amp;amp; &lt;b&gt;b</NOSCRIPT>'
    )
    (_, noscript) = parse_client_html(client_html(html))
    assert noscript == Element("noscript", {"class": "x>y"}, ("<img src=a.png> &amp; <b>b",))


def test_a_formatting_element_is_not_reconstructed_around_a_noscript() -> None:
    # With scripting disabled, a <b> closed by </p> would be reopened around the
    # <noscript>: the serialised tree closes it explicitly.
    html = "<p><b>x</p><noscript>y</noscript>"
    assert client_html(html) == "<p><b>x</b></p><noscript>y</noscript>"
    assert parse_html(html, scripting=False) != parse_html(html)


def test_lossy_content_keeps_its_source_with_only_the_noscript_text_escaped() -> None:
    # An <a> fostered out of a table into another <a>: no serialisation of the
    # tree parses back; the source does, with its <noscript> content escaped.
    html = "<noscript><b>n</b></noscript><a><table><a><noscript title='>'><i>m</noscript>"
    sent = client_html(html)
    assert sent == (
        "<noscript>&lt;b&gt;n&lt;/b&gt;</noscript><a><table><a><noscript title='>'>&lt;i&gt;m"
        "</noscript>"
    )
    assert _as_client_parses(sent) == [parse_html(html)] * 2


def test_the_one_known_misfit_gets_the_escaped_source() -> None:
    # Both a <b> closed before a <noscript> (the source reopens it around the
    # <noscript> in the client) and a tree no markup builds in isolation (the
    # serialisation loses it): no HTML gives the client the page's tree.
    html = "<p><b>x</p><noscript>y</noscript><a><table><a>"
    assert client_html(html) == html
    assert parse_client_html(html) != parse_html(html)


def test_noscript_only_in_a_script_or_comment_still_parses_alike() -> None:
    for html in (
        "<script>'<noscript>'</script><tr>",
        "<!--<noscript><b>-->x",
        "<p title='<noscript'>",
    ):
        assert _as_client_parses(client_html(html)) == [parse_html(html)] * 2


def test_full_html_of_a_tree_without_its_source() -> None:
    tree = parse_html("<noscript><b>x</b></noscript><p>y")
    assert full_html(tree) == "<noscript>&lt;b&gt;x&lt;/b&gt;</noscript><p>y</p>"
    assert full_html(tree, "<noscript><b>x</b></noscript><p>y") == client_html(
        "<noscript><b>x</b></noscript><p>y"
    )


def test_insert_and_replace_html_escapes_noscript_text() -> None:
    ops = diff_html("<p>a</p>", "<p>a</p><noscript><p>b</p></noscript>")
    assert ops == [[INSERT, [1], "<noscript>&lt;p&gt;b&lt;/p&gt;</noscript>"]]
    ops = diff_html("<div>a</div>", "<noscript><div>a</div></noscript>")
    assert ops == [[REPLACE, [0], "<noscript>&lt;div&gt;a&lt;/div&gt;</noscript>"]]


def test_a_whole_content_replace_sends_client_html() -> None:
    new = "<noscript><b>n</b></noscript><a><table><a>"
    ((code, path, html),) = diff_html("<p>x</p>", new)
    assert (code, path) == (REPLACE, [])
    assert html == client_html(new)


def _noscript_paths(tree: tuple[Any, ...], path: list[int]) -> list[list[int]]:
    out = []
    for i, node in enumerate(tree):
        if type(node) is Element:
            if node.tag == "noscript" and node.ns == "html":
                out.append([*path, i])
            out.extend(_noscript_paths(node.children, [*path, i]))
    return out


@pytest.mark.parametrize(
    ("old", "new"), [c[1:] for c in NOSCRIPT_PAIRS], ids=[c[0] for c in NOSCRIPT_PAIRS]
)
def test_a_patch_into_a_noscript_only_targets_its_one_text_node(old: str, new: str) -> None:
    # The server's <noscript> has at most one child, its text; so has the
    # client's after a render of client_html. An op into one addresses that
    # text (index 0) and never goes deeper.
    ops = diff_html(old, new)
    tree = parse_client_html(client_html(old))
    for op in ops:
        path = op[1]
        for noscript in _noscript_paths(tree, []):
            if path[: len(noscript)] == noscript and len(path) > len(noscript):
                assert path[len(noscript) :] == [0], op
        tree = apply_ops(tree, [op])
        for noscript in _noscript_paths(tree, []):
            node: Any = tree
            for i in noscript:
                node = node[i] if type(node) is tuple else node.children[i]
            assert len(node.children) <= 1 and all(type(k) is str for k in node.children)
    assert tree == parse_html(new)


def test_to_html_writes_noscript_text_raw_for_a_page_escaped_for_the_client() -> None:
    tree = parse_html("<noscript><b>x</b> &amp;</noscript>")
    assert to_html(tree) == "<noscript><b>x</b> &amp;</noscript>"
    assert to_html(tree, scripting=False) == "<noscript>&lt;b&gt;x&lt;/b&gt; &amp;amp;</noscript>"
    assert parse_html(to_html(tree, scripting=False), scripting=False) == tree
