"""HTML -> VDOM builds the tree a browser builds (lexbor, plus our fix-ups)."""

from __future__ import annotations

from roost.render import Comment, Element, ProcessingInstruction, parse_html, to_html
from roost.render.parse import parse_in_template


def tags(nodes: tuple) -> list:
    """A compact outline: tag names with nested children, text as is."""
    out: list = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Comment):
            out.append(("!", node.data))
        else:
            out.append((node.tag, tags(node.children)) if node.children else node.tag)
    return out


def test_empty_html_is_an_empty_tree() -> None:
    assert parse_html("") == ()


def test_table_gets_an_implied_tbody() -> None:
    assert tags(parse_html("<table><tr><td>a</td></tr></table>")) == [
        ("table", [("tbody", [("tr", [("td", ["a"])])])])
    ]


def test_p_li_and_option_auto_close() -> None:
    assert tags(parse_html("<p>a<p>b")) == [("p", ["a"]), ("p", ["b"])]
    assert tags(parse_html("<ul><li>a<li>b</ul>")) == [("ul", [("li", ["a"]), ("li", ["b"])])]
    assert tags(parse_html("<select><option>a<option>b</select>")) == [
        ("select", [("option", ["a"]), ("option", ["b"])])
    ]


def test_block_inside_p_closes_the_p() -> None:
    assert tags(parse_html("<p>a<div>b</div></p>")) == [("p", ["a"]), ("div", ["b"]), "p"]


def test_misnested_formatting_tags_are_adopted() -> None:
    assert tags(parse_html("<b>1<i>2</b>3</i>")) == [("b", ["1", ("i", ["2"])]), ("i", ["3"])]


def test_void_elements_have_no_children_and_empty_attributes_are_empty_strings() -> None:
    (br, inp, text) = parse_html("<br><input disabled value=x>after")
    assert br == Element("br")
    assert inp.attrs == {"disabled": "", "value": "x"}
    assert text == "after"


def test_whitespace_text_and_comments_are_nodes() -> None:
    assert tags(parse_html("\n <!-- hi  --> <b>x</b>\n")) == [
        "\n ",
        ("!", " hi  "),
        " ",
        ("b", ["x"]),
        "\n",
    ]


def test_top_level_comment_keeps_its_exact_data() -> None:
    assert parse_html("<!-- a --><p>x</p><!--b-->") == (
        Comment(" a "),
        Element("p", {}, ("x",)),
        Comment("b"),
    )


def test_character_references_are_decoded() -> None:
    # "&notin;" needs its semicolon; without it the legacy "&not" matches.
    assert parse_html("&amp;&lt;&nbsp;&copy;&#x1F600;&notin; &notin &#0;") == (
        "&<\xa0©😀∉ ¬in \ufffd",
    )


def test_attribute_values_decode_references_and_names_are_lowercased() -> None:
    (div,) = parse_html("<DIV Title='a&amp;b' DATA-X=1></DIV>")
    assert div.tag == "div"
    assert div.attrs == {"title": "a&b", "data-x": "1"}


def test_svg_elements_are_in_the_svg_namespace_with_camel_case_names() -> None:
    (svg,) = parse_html(
        "<svg viewbox='0 0 1 1'><lineargradient gradientunits=x /><path d=M0 /></svg>"
    )
    assert svg.ns == "svg"
    assert svg.attrs == {"viewBox": "0 0 1 1"}
    grad, path = svg.children
    assert (grad.tag, grad.ns, grad.attrs) == ("linearGradient", "svg", {"gradientUnits": "x"})
    assert (path.tag, path.ns) == ("path", "svg")


def test_foreign_object_children_are_html_again() -> None:
    (svg,) = parse_html("<svg><foreignObject><div>x</div><svg><rect/></svg></foreignObject></svg>")
    (fo,) = svg.children
    div, inner = fo.children
    assert (fo.tag, fo.ns) == ("foreignObject", "svg")
    assert (div.tag, div.ns) == ("div", "html")
    assert (inner.tag, inner.ns, inner.children[0].ns) == ("svg", "svg", "svg")


def test_html_tag_inside_svg_breaks_out_of_it() -> None:
    assert tags(parse_html("<svg><div>x</div></svg>")) == ["svg", ("div", ["x"])]


def test_mathml_namespace_and_text_integration_points() -> None:
    (math,) = parse_html("<math definitionurl=u><mi><b>x</b></mi><mn>1</mn></math>")
    assert (math.ns, math.attrs) == ("math", {"definitionURL": "u"})
    mi, mn = math.children
    assert (mi.ns, mi.children[0].ns, mn.ns) == ("math", "html", "math")


def test_svg_xlink_attributes_keep_their_prefix() -> None:
    (svg,) = parse_html('<svg><use xlink:HREF="#a"/></svg>')
    assert svg.children[0].attrs == {"xlink:href": "#a"}


def test_template_children_are_its_content() -> None:
    (tpl,) = parse_html("<template><tr><td>a</td></tr><template><b>in</b></template></template>")
    assert tags(tpl.children) == [("tr", [("td", ["a"])]), ("template", [("b", ["in"])])]


def test_raw_text_elements_keep_markup_as_text() -> None:
    script, style, textarea, title = parse_html(
        "<script>a<b && '&amp;'</script><style>a>b{}</style><textarea>\n<b>&amp;</textarea>"
        "<title>x&lt;</title>"
    )
    assert script.children == ("a<b && '&amp;'",)
    assert style.children == ("a>b{}",)
    assert textarea.children == ("<b>&",)  # leading newline dropped, references decoded
    assert title.children == ("x<",)


def test_noscript_is_raw_text_as_in_a_browser_with_scripting() -> None:
    (noscript,) = parse_html("<noscript><b>x</b></noscript>")
    assert noscript.children == ("<b>x</b>",)


def test_newlines_are_normalised_and_nul_dropped() -> None:
    assert parse_html("a\r\nb\rc<div>\x00d</div>") == ("a\nb\nc", Element("div", {}, ("d",)))


def test_duplicate_attributes_keep_the_first() -> None:
    assert parse_html("<div a=1 a=2></div>")[0].attrs == {"a": "1"}


def test_text_in_a_table_is_foster_parented_before_it() -> None:
    assert tags(parse_html("<table>x<tr><td>1</td></tr></table>"))[0] == "x"


def test_serialised_tree_parses_back_to_the_same_tree() -> None:
    html = (
        "<pre>\n\nx</pre><textarea>\nt</textarea><p title='a\"&amp;'>&lt;&nbsp;</p>"
        "<script>if (a < b) {}</script><svg viewBox='0 0 1 1'><path/></svg>"
        "<template><td>x</td></template><!--c--><br>"
    )
    tree = parse_html(html)
    assert parse_html(to_html(tree)) == tree


def test_template_parse_lets_table_parts_stand_alone() -> None:
    assert tags(parse_in_template("<tr><td>a</td></tr>")) == [("tr", [("td", ["a"])])]
    assert tags(parse_in_template("<td>b</td><td>c</td>")) == [("td", ["b"]), ("td", ["c"])]


def test_template_parse_of_svg_children_gives_svg_elements() -> None:
    (rect,) = parse_in_template("<rect/>", "svg")
    assert (rect.tag, rect.ns) == ("rect", "svg")


def test_processing_instructions_are_nodes_as_in_current_browsers() -> None:
    assert parse_html('a<?php x ?>b<?xml-stylesheet href="a"?>c') == (
        "a",
        ProcessingInstruction("php", "x "),
        "b",
        Comment('?xml-stylesheet href="a"?'),
        "c",
    )


def test_an_element_lexbor_has_no_rules_for_parses_its_children_like_a_plain_one() -> None:
    # lexbor refuses such a context tag; the incremental parser passes it one
    # when re-reading an attribute or text under a custom element.
    html = "<br class=x>a &amp; <b>b</b><p>c"
    assert parse_html(html, "my-card") == parse_html(html, "div")
    assert parse_html("<rect/>t", "circle", "svg") == parse_html("<rect/>t", "svg", "svg")
    assert parse_html("<mi/>t", "mrow", "math") == parse_html("<mi/>t", "math", "math")
