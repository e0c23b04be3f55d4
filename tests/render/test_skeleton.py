"""The skeleton: which "<" starts which element's tag, trusted only if lexbor agrees."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from roost.render import parse_html
from roost.render.skeleton import _FAST, END, OTHER, START, VOID_TAG, _shape, _slow_tokens
from roost.render.skeleton import build_skeleton as build

from .strategies import fragments


def skeleton(html: str):
    return build(html, parse_html(html))


def test_template_like_markup_has_a_skeleton() -> None:
    sk = skeleton('<div class="a"><p>x <b>1</b></p><br><input value=2></div>')
    assert sk is not None
    assert list(sk.kinds) == [START, START, START, END, END, VOID_TAG, VOID_TAG, END]
    assert list(sk.eids) == [0, 1, 2, 2, 1, 3, 4, 0]
    assert list(sk.parent) == [-1, 0, 1, 0, 0]
    assert list(sk.index) == [0, 0, 1, 1, 2]
    assert sk.path(2) == [0, 0, 1]


def test_markup_relying_on_parser_repairs_has_none() -> None:
    for html in ["<p>a<p>b", "<ul><li>a<li>b</ul>", "<b><i>x</b></i>", "<div>", "</p>", "<image>"]:
        assert skeleton(html) is None, html


def test_implied_tbody_and_tr_are_mirrored() -> None:
    assert skeleton("<table><tr><td>1</td></tr><tr><td>2</td></tr></table>") is not None
    assert skeleton("<table><td>1</td></table>") is not None


def test_every_lt_has_a_kind_even_in_text_comments_and_raw_text() -> None:
    html = '<p>a < b<!-- <i> --></p><script>if (a<b) x()</script><a title="<">x</a>'
    sk = skeleton(html)
    assert sk is not None
    assert len(sk.kinds) == html.count("<")
    assert list(sk.kinds) == [START, OTHER, OTHER, OTHER, END, START, OTHER, END, OTHER, OTHER, END]


def test_svg_self_closing_tags_close_but_html_ones_do_not() -> None:
    sk = skeleton("<svg><circle/><g></g></svg>")
    assert sk is not None
    assert list(sk.kinds) == [START, VOID_TAG, START, END, END]
    assert skeleton("<div/><span></span>") is None  # the div stays open around the span


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments())
def test_fast_and_slow_scans_agree_where_the_fast_one_answers(html: str) -> None:
    fast = _shape(_FAST.findall(html), strict_raw=True)
    if fast is not None:
        slow_tokens = _slow_tokens(html)
        assert slow_tokens is not None
        assert _shape(slow_tokens, strict_raw=False) == fast
