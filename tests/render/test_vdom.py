"""VDOM nodes: tuples that compare in C, keys, and a serialiser that re-parses."""

from __future__ import annotations

from roost.render import Comment, Element, ProcessingInstruction, parse_html, to_html
from roost.render.vdom import children_context, compatible, is_boundary, key_of


def test_element_fields_and_equality() -> None:
    el = Element("a", {"href": "/"}, ("x",))
    assert (el.tag, el.attrs, el.children, el.ns) == ("a", {"href": "/"}, ("x",), "html")
    assert el == Element("a", {"href": "/"}, ["x"])
    assert el != Element("a", {"href": "/b"}, ("x",))
    assert Comment("x") != "x"
    assert Comment("x") != ProcessingInstruction("x", "")


def test_attribute_order_does_not_matter_for_equality() -> None:
    assert Element("a", {"x": "1", "y": "2"}) == Element("a", {"y": "2", "x": "1"})


def test_key_is_data_key_else_the_boundary_id() -> None:
    assert key_of(Element("li", {"data-key": "7"})) == "7"
    assert key_of(Element("div", {"data-roost-id": "c1"})) == "\0c1"
    assert key_of(Element("div", {"data-roost-id": "c1", "data-key": "k"})) == "k"
    assert key_of(Element("li")) is None
    assert key_of("text") is None


def test_boundary_is_an_element_with_an_actor_id() -> None:
    assert is_boundary(Element("div", {"data-roost-id": "c1"}))
    assert not is_boundary(Element("div"))


def test_compatible_needs_same_tag_namespace_key_and_actor() -> None:
    assert compatible(Element("p", {"class": "a"}), Element("p", {"class": "b"}))
    assert not compatible(Element("p"), Element("div"))
    assert not compatible(Element("a", {}, (), "html"), Element("a", {}, (), "svg"))
    assert not compatible(Element("li", {"data-key": "1"}), Element("li", {"data-key": "2"}))
    assert not compatible(Element("div", {"data-roost-id": "1"}), Element("div"))
    assert compatible("a", "b")
    assert not compatible("a", Comment("a"))
    assert not compatible(ProcessingInstruction("a", ""), ProcessingInstruction("b", ""))


def test_children_context_of_integration_points() -> None:
    assert children_context("div", "html", {}) == "html"
    assert children_context("g", "svg", {}) == "svg"
    assert children_context("foreignObject", "svg", {}) == "html"
    assert children_context("mi", "math", {}) == "html"
    assert children_context("annotation-xml", "math", {"encoding": "text/html"}) == "html"
    assert children_context("annotation-xml", "math", {}) == "math"


def test_to_html_escapes_text_and_attributes() -> None:
    el = Element("p", {"title": 'a"&<\xa0'}, ("<&>\xa0",))
    assert to_html(el) == '<p title="a&quot;&amp;&lt;&nbsp;">&lt;&amp;&gt;&nbsp;</p>'


def test_to_html_keeps_raw_text_raw_and_voids_empty() -> None:
    html = "<script>a<b&&c</script><br><svg><path></path></svg>"
    assert to_html(parse_html(html)) == html


def test_to_html_writes_back_the_newline_a_pre_drops() -> None:
    tree = parse_html("<pre>\n\nx</pre>")
    assert tree[0].children == ("\nx",)
    assert to_html(tree) == "<pre>\n\nx</pre>"
    assert parse_html(to_html(tree)) == tree


def test_top_level_text_is_escaped_even_for_a_script_parent() -> None:
    assert to_html(("a<b",)) == "a&lt;b"


def test_comments_and_processing_instructions_serialise() -> None:
    assert to_html((Comment(" c "), ProcessingInstruction("php", "x "))) == "<!-- c --><?php x ?>"
