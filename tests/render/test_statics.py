"""Shared statics: rows sent as their common markup once plus what differs."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from roost.render import apply_ops, diff_html, parse_html
from roost.render.apply import PatchError
from roost.render.ops import INSERT, STREAM
from roost.render.statics import MIN_ROWS, row_pieces, rows, share
from roost.render.streams import stream_ops
from roost.render.vdom import to_html


def todo(i: int) -> str:
    return (
        f'<li data-key="{i}"><span class="title">task {i}</span>'
        f'<button roost-click="remove" roost-value-id="{i}">x</button></li>'
    )


def test_a_hundred_similar_rows_send_their_markup_once() -> None:
    htmls = [todo(i) for i in range(100)]
    shared = share(htmls)
    assert shared is not None
    assert rows(shared) == htmls
    assert shared["s"] == [
        '<li data-key="',
        '"><span class="title">',
        '</span><button roost-click="remove" roost-value-id="',
        '">x</button></li>',
    ]
    assert shared["d"][7] == ["7", "task 7", "7"]  # a text is one part, whole
    plain = len(json.dumps(htmls))
    assert len(json.dumps(shared)) < plain / 3


def test_parts_every_row_has_alike_join_the_statics() -> None:
    shared = share([f'<p class="note" title="{i}">same</p>' for i in range(4)])
    assert shared is not None
    assert shared["s"] == ['<p class="note" title="', '">same</p>']
    assert shared["d"] == [["0"], ["1"], ["2"], ["3"]]


def test_a_row_of_another_shape_goes_whole_among_shared_ones() -> None:
    htmls = [f"<li>{i}</li>" for i in range(5)]
    htmls.insert(2, "<li><b>bold</b></li>")
    shared = share(htmls)
    assert shared is not None
    assert shared["d"][2] == "<li><b>bold</b></li>"
    assert rows(shared) == htmls


def test_too_few_rows_or_nothing_saved_stays_plain() -> None:
    assert share([todo(i) for i in range(MIN_ROWS - 1)]) is None
    assert share(["<p>a</p>", "<i>b</i>", "<b>c</b>", "text"]) is None  # no common shape
    assert share(["a", "b", "c"]) is None  # text only: sharing costs more


def test_rows_with_whitespace_between_share_it_and_join_back_exactly() -> None:
    html = "\n" + "".join(f'<li title="{i}">{i}</li>\n  ' for i in range(6))
    nodes = parse_html(html)
    pieces = row_pieces(nodes)
    assert pieces is not None and "".join(pieces) == to_html(nodes)
    shared = share(pieces)
    assert isinstance(shared, dict)
    assert shared["d"][0] == "\n"  # the text before the first element is a row of its own
    assert "".join(rows(shared)) == html


@given(st.lists(st.text(alphabet='<>"=ab /', max_size=12), max_size=8))
def test_any_strings_come_back_exactly(htmls: list[str]) -> None:
    shared = share(htmls)
    assert rows(shared if shared is not None else htmls) == htmls


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "", "&amp;", " x "]), st.booleans()),
        min_size=1,
        max_size=10,
    )
)
def test_a_list_growing_by_any_rows_patches_to_the_new_list(new: list[tuple[str, bool]]) -> None:
    old_html = "<ul><li>first</li></ul>"
    items = "".join(
        f'<li class="{"on" if on else "off"}">{text}</li>' if text != " x " else "<li><i>x</i></li>"
        for text, on in new
    )
    new_html = f"<ul><li>first</li>{items}</ul>"
    ops = diff_html(old_html, new_html)
    assert apply_ops(old_html, ops) == parse_html(new_html)


def test_an_insert_of_many_rows_is_shared_on_the_wire() -> None:
    old = "<ul></ul>"
    new = "<ul>" + "".join(todo(i) for i in range(20)) + "</ul>"
    [op] = diff_html(old, new)
    assert op[0] == INSERT and isinstance(op[2], dict)
    assert apply_ops(old, [op]) == parse_html(new)


def test_stream_items_are_shared_and_applied_by_id() -> None:
    items = [(f"m{i}", f'<li id="m{i}"><b>ann</b>: hello {i}</li>') for i in range(10)]
    [op] = stream_ops([("log", [0], items)], {})
    assert op[0] == STREAM and isinstance(op[2], dict)
    applied = apply_ops('<ol id="log" roost-update="stream"></ol>', [op])
    assert to_html(applied).count("<li") == 10


@pytest.mark.parametrize(
    "bad",
    [
        {"s": ["<p>", "</p>"], "d": [["a", "b"]]},  # more parts than the statics take
        {"s": ["<p>", "</p>"], "d": [[]]},
        {"s": ["<p>"]},
        {"s": ["<p>", "</p>"], "d": [7]},
    ],
)
def test_malformed_shared_rows_are_a_patch_error(bad: object) -> None:
    with pytest.raises(PatchError):
        apply_ops("<div></div>", [[INSERT, [0, 0], bad]])
