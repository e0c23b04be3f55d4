"""apply_ops: the Python applier follows the same rules as patch.js."""

from __future__ import annotations

import pytest

from roost.protocol import ATTR_NAMES
from roost.render import Element, PatchError, apply_ops, parse_html, to_html
from roost.render.ops import INSERT, MOVE, REMOVE, REMOVE_ATTR, REPLACE, SET_ATTR, SPLICE, TEXT


def applied(html: str, ops: list) -> str:
    return to_html(apply_ops(html, ops))


def test_text_sets_a_text_nodes_data() -> None:
    assert applied("<p>a</p>", [[TEXT, [0, 0], "<b>"]]) == "<p>&lt;b&gt;</p>"


def test_text_sets_a_comments_data() -> None:
    assert applied("<!--a-->", [[TEXT, [0], "b"]]) == "<!--b-->"


def test_set_and_remove_attributes() -> None:
    ops = [[SET_ATTR, [0], "class", "x", "id", "i"], [REMOVE_ATTR, [0], "title", "missing"]]
    assert applied('<p title="t">a</p>', ops) == '<p class="x" id="i">a</p>'


def test_an_attribute_named_by_its_index_in_the_shared_table_is_that_attribute() -> None:
    title = ATTR_NAMES.index("title")
    ops = [[SET_ATTR, [0], 0, "x"], [SPLICE, [0], 0, 1, "T", title], [REMOVE_ATTR, [0], 1]]
    assert applied('<p title="t" value="v">a</p>', ops) == '<p title="T" class="x">a</p>'
    for bad in (len(ATTR_NAMES), -1, None):
        with pytest.raises(PatchError):
            apply_ops("<p>a</p>", [[SET_ATTR, [0], bad, "x"]])


def test_insert_parses_html_in_template_context() -> None:
    table = "<table><tbody><tr><td>1</td></tr></tbody></table>"
    ops = [[INSERT, [0, 0, 1], "<tr><td>2</td></tr>"]]
    assert (
        applied(table, ops)
        == "<table><tbody><tr><td>1</td></tr><tr><td>2</td></tr></tbody></table>"
    )


def test_insert_at_the_end_appends() -> None:
    assert applied("<i>a</i>", [[INSERT, [1], "b<b>c</b>"]]) == "<i>a</i>b<b>c</b>"


def test_insert_under_svg_makes_svg_elements() -> None:
    (svg,) = apply_ops("<svg></svg>", [[INSERT, [0, 0], "<circle></circle>"]])
    assert svg.children == (Element("circle", {}, (), "svg"),)


def test_remove_one_and_a_run() -> None:
    assert applied("<i>1</i><i>2</i><i>3</i><i>4</i>", [[REMOVE, [1], 2]]) == "<i>1</i><i>4</i>"
    assert applied("<i>1</i><i>2</i>", [[REMOVE, [0]]]) == "<i>2</i>"


def test_move_counts_the_target_index_without_the_moved_node() -> None:
    html = "<i>a</i><i>b</i><i>c</i>"
    assert applied(html, [[MOVE, [0], 2]]) == "<i>b</i><i>c</i><i>a</i>"
    assert applied(html, [[MOVE, [2], 0]]) == "<i>c</i><i>a</i><i>b</i>"
    assert applied(html, [[MOVE, [1], 1]]) == html


def test_replace_swaps_one_node_for_the_parsed_nodes() -> None:
    assert applied("<p>a</p><p>b</p>", [[REPLACE, [0], "<em>x</em>y"]]) == "<em>x</em>y<p>b</p>"


def test_ops_apply_in_order_each_on_the_tree_the_last_left() -> None:
    ops = [[INSERT, [0], "<b>new</b>"], [TEXT, [1, 0], "old!"]]
    assert applied("<p>old</p>", ops) == "<b>new</b><p>old!</p>"


def test_the_input_tree_is_not_changed() -> None:
    tree = parse_html("<p>a</p>")
    apply_ops(tree, [[TEXT, [0, 0], "b"]])
    assert tree == parse_html("<p>a</p>")


@pytest.mark.parametrize(
    "op",
    [
        [TEXT, [5], "x"],
        [TEXT, [0], "x"],
        [SET_ATTR, [0, 0], "a", "b"],
        [SET_ATTR, [], "a", "b"],
        [SET_ATTR, [0], "a"],
        [REMOVE, [0, 3]],
        [REMOVE, [0, 0], 5],
        [INSERT, [0, 9], "x"],
        [MOVE, [0, 0], 4],
        [REMOVE, []],
        [99, [0]],
    ],
)
def test_an_op_that_does_not_fit_raises_patch_error(op: list) -> None:
    with pytest.raises(PatchError):
        apply_ops("<p>a</p>", [op])


def test_a_path_into_a_component_boundary_is_refused() -> None:
    with pytest.raises(PatchError, match="boundary"):
        apply_ops('<div data-roost-id="c"><p>x</p></div>', [[TEXT, [0, 0, 0], "y"]])


def test_a_boundary_itself_can_be_patched_and_replaced() -> None:
    html = '<div data-roost-id="c"><p>x</p></div>'
    assert applied(html, [[SET_ATTR, [0], "class", "a"]]) == (
        '<div data-roost-id="c" class="a"><p>x</p></div>'
    )
    assert applied(html, [[REPLACE, [0], '<div data-roost-id="d">y</div>']]) == (
        '<div data-roost-id="d">y</div>'
    )


def test_splice_edits_text_and_attribute_values_in_utf16_units() -> None:
    assert applied("<p>a😀b</p>", [[SPLICE, [0, 0], 3, 1, "c"]]) == "<p>a😀c</p>"
    assert applied('<p title="a😀b">x</p>', [[SPLICE, [0], 1, 2, "", "title"]]) == (
        '<p title="ab">x</p>'
    )


def test_splice_of_a_missing_attribute_raises() -> None:
    with pytest.raises(PatchError):
        apply_ops("<p>x</p>", [[SPLICE, [0], 0, 0, "a", "title"]])
