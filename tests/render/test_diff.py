"""diff_html: the ops for one actor's change, small and addressed by child index."""

from __future__ import annotations

import json

from roost.render import apply_ops, diff_html, parse_html
from roost.render.ops import (
    ATTR_CODES,
    INSERT,
    REMOVE,
    REMOVE_ATTR,
    REPLACE,
    SET_ATTR,
    SPLICE,
    TEXT,
)


def code(name: str) -> int:
    """How an op names a common attribute: its index in protocol.ATTR_NAMES."""
    return ATTR_CODES[name]


def check(old: str, new: str) -> list:
    """The ops for old -> new, after checking they really produce new."""
    ops = diff_html(old, new)
    assert apply_ops(old, ops) == parse_html(new)
    json.dumps(ops)  # wire-ready
    return ops


def test_unchanged_html_has_no_ops() -> None:
    assert diff_html("<p>a</p>", "<p>a</p>") == []


def test_equivalent_markup_has_no_ops() -> None:
    assert diff_html("<p class=a>x", '<p class="a">x</p>') == []


def test_one_text_change_is_one_text_op_at_the_text_node() -> None:
    assert check("<h1>t</h1><p>Count: <b>1</b></p>", "<h1>t</h1><p>Count: <b>2</b></p>") == [
        [TEXT, [1, 1, 0], "2"]
    ]


def test_one_attribute_change_is_one_set_attr_op() -> None:
    assert check('<a class="tab">x</a>', '<a class="tab active">x</a>') == [
        [SET_ATTR, [0], code("class"), "tab active"]
    ]


def test_several_attributes_of_one_element_share_one_op() -> None:
    ops = check('<input value="1" class=a title=t>', '<input value="2" class=b disabled>')
    assert ops == [
        [SET_ATTR, [0], code("value"), "2", code("class"), "b", code("disabled"), ""],
        [REMOVE_ATTR, [0], code("title")],
    ]


def test_attribute_order_alone_is_no_change() -> None:
    assert diff_html("<a x=1 y=2></a>", "<a y=2 x=1></a>") == []


def test_appended_children_are_one_insert_of_their_html() -> None:
    assert check("<ul><li>a</li></ul>", "<ul><li>a</li><li>b</li><li>c</li></ul>") == [
        [INSERT, [0, 1], "<li>b</li><li>c</li>"]
    ]


def test_insert_in_the_middle_keeps_the_equal_prefix_and_suffix() -> None:
    assert check("<p>a</p><p>c</p>", "<p>a</p><p>b</p><p>c</p>") == [[INSERT, [1], "<p>b</p>"]]


def test_removed_run_is_one_remove_with_a_count() -> None:
    assert check("<i>a</i><i>b</i><i>c</i><i>d</i>", "<i>a</i><i>d</i>") == [[REMOVE, [1], 2]]


def test_single_remove_has_no_count() -> None:
    assert check("<i>a</i><i>b</i>", "<i>a</i>") == [[REMOVE, [1]]]


def test_different_tag_is_replaced() -> None:
    assert check("<div><span>a</span></div>", "<div><em>a</em></div>") == [
        [REPLACE, [0, 0], "<em>a</em>"]
    ]


def test_text_replaced_by_element_and_back() -> None:
    assert check("<div>a</div>", "<div><b>a</b></div>") == [[REPLACE, [0, 0], "<b>a</b>"]]
    assert check("<div><b>a</b></div>", "<div>a</div>") == [[REPLACE, [0, 0], "a"]]


def test_comment_change_is_a_text_op() -> None:
    assert check("<!--a-->", "<!--b-->") == [[TEXT, [0], "b"]]


def test_inserted_html_is_escaped_so_it_reparses_to_the_same_text() -> None:
    ops = check("<p>x</p>", '<p>x</p><p title="&quot;&amp;">&lt;b&gt;&nbsp;</p>')
    assert ops == [[INSERT, [1], '<p title="&quot;&amp;">&lt;b&gt;&nbsp;</p>']]


def test_text_inside_a_script_changes_by_text_op() -> None:
    assert check("<script>a<b</script>", "<script>a>b</script>") == [[TEXT, [0, 0], "a>b"]]


def test_text_added_to_an_empty_script_is_escaped_for_the_template_parser() -> None:
    assert check("<script></script>", "<script>if (a<b) x()</script>") == [
        [INSERT, [0, 0], "if (a&lt;b) x()"]
    ]


def test_implied_tbody_is_part_of_the_path() -> None:
    assert check("<table><tr><td>1</td></tr></table>", "<table><tr><td>2</td></tr></table>") == [
        [TEXT, [0, 0, 0, 0, 0], "2"]
    ]


def test_template_content_is_diffed_as_the_template_children() -> None:
    assert check("<template><b>a</b></template>", "<template><b>b</b></template>") == [
        [TEXT, [0, 0, 0], "b"]
    ]


def test_boundary_children_are_never_compared() -> None:
    old = '<div data-roost-id="c1"><p>inner 1</p></div>'
    new = '<div data-roost-id="c1"><p>inner 2</p><p>more</p></div>'
    assert diff_html(old, new) == []


def test_boundary_attributes_are_compared() -> None:
    old = '<div data-roost-id="c1" class="a"><p>x</p></div>'
    new = '<div data-roost-id="c1" class="b"><p>y</p></div>'
    assert diff_html(old, new) == [[SET_ATTR, [0], code("class"), "b"]]


def test_a_different_boundary_goes_whole_with_its_inner_html() -> None:
    old = '<div data-roost-id="c1"><p>one</p></div>'
    new = '<div data-roost-id="c2"><p>two</p></div>'
    assert check(old, new) == [[REMOVE, [0]], [INSERT, [0], new]]


def test_new_boundary_is_inserted_with_the_inner_html_of_the_parent_string() -> None:
    new = '<p>x</p><section data-roost-id="c9"><b>hi</b></section>'
    assert check("<p>x</p>", new) == [
        [INSERT, [1], '<section data-roost-id="c9"><b>hi</b></section>']
    ]


def test_svg_change_is_addressed_inside_the_svg() -> None:
    old = '<svg viewBox="0 0 1 1"><circle r="1"></circle></svg>'
    new = '<svg viewBox="0 0 2 2"><circle r="2"></circle><rect></rect></svg>'
    assert check(old, new) == [
        [SET_ATTR, [0], "viewBox", "0 0 2 2"],
        [SET_ATTR, [0, 0], "r", "2"],
        [INSERT, [0, 1], "<rect></rect>"],
    ]


def test_counter_patch_fits_in_a_few_dozen_bytes() -> None:
    old = '<div class="counter"><button phx-click="dec">-</button><span>41</span></div>'
    new = old.replace("41", "42")
    ops = json.dumps(diff_html(old, new), separators=(",", ":"))
    assert ops == '[[0,[0,1,0],"42"]]'


def test_markup_that_does_not_survive_reserialising_replaces_the_whole_content() -> None:
    # The parser fosters the inner <a> out of the table into the outer <a>;
    # no markup for that subtree alone parses back into it.
    new = "<p>x</p><a><table><a>"
    assert check("<p>x</p>", new) == [[REPLACE, [], new]]


def test_processing_instruction_data_change_is_a_text_op() -> None:
    assert check("<?php a ?>", "<?php b ?>") == [[TEXT, [0], "b "]]
    assert check("<?php a ?>", "<?js a ?>") == [[REPLACE, [0], "<?js a ?>"]]


def test_a_short_change_in_a_long_text_is_a_splice() -> None:
    old = "<p>You have 5 unread messages in 3 folders.</p>"
    assert check(old, old.replace("5", "15")) == [[SPLICE, [0, 0], 9, 0, "1"]]


def test_a_short_change_in_a_long_attribute_is_a_splice() -> None:
    old = '<a class="px-4 py-2 rounded-md text-sm font-medium text-gray-700">t</a>'
    new = old.replace("text-gray-700", "text-white bg-blue-600")
    assert check(old, new) == [[SPLICE, [0], 46, 6, "white bg-blue-6", code("class")]]


def test_splice_offsets_count_utf16_code_units() -> None:
    old = "<p>😀😀 emoji count: 1 and more text after it</p>"
    ops = check(old, old.replace("1", "2"))
    assert ops == [[SPLICE, [0, 0], 18, 1, "2"]]  # each 😀 is two UTF-16 units
