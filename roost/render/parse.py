# HTML -> VDOM with lexbor's HTML5 tree construction, so the server builds the
# tree the browser builds; plus the few fix-ups lexbor's API needs.
"""Parse an actor's HTML into a VDOM tree."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from .vdom import (
    HTML_NS,
    MATH_NS,
    SVG_NS,
    Element,
    Node,
    ProcessingInstruction,
    Tree,
    children_context,
    make_comment,
    make_element,
)

_TEXT = "-text"
_COMMENT = "-comment"


def parse_html(html: str, context: str = "div", ns: str = HTML_NS) -> Tree:
    """Parse ``html`` as the children of a ``context`` element and return them.

    This is the HTML5 fragment parsing algorithm (the one behind
    ``element.innerHTML = html``) with scripting enabled, as in a browser:
    implied ``<tbody>``, auto-closed ``<p>``/``<li>``/``<option>``, adoption
    of misnested formatting tags, SVG/MathML namespaces and attribute case,
    character references, raw text in ``<script>``/``<style>``/``<textarea>``.
    A ``<template>``'s children in the result are its content.
    """
    if not html:
        return ()
    parser = LexborHTMLParser(
        str(html), is_fragment=True, fragment_tag=context, fragment_namespace=ns, scripting=True
    )
    first = parser.root
    if first is None:
        return ()
    return _children(first, _kids_context(context, ns, {}))


def parse_in_template(html: str, ns: str = HTML_NS) -> Tree:
    """Parse ``html`` exactly as the browser applier does for insert/replace.

    A ``<template>`` parses it (so table parts, ``<option>``, ``<li>`` … stand
    alone); SVG and MathML children are parsed inside an ``<svg>``/``<math>``
    wrapper whose children are then taken.
    """
    if ns == SVG_NS:
        (wrapper,) = parse_html("<svg>" + html + "</svg>", "template")
        return wrapper[2]
    if ns == MATH_NS:
        (wrapper,) = parse_html("<math>" + html + "</math>", "template")
        return wrapper[2]
    return parse_html(html, "template")


def _children(node, ctx: str) -> Tree:  # node: the first LexborNode of a sibling run
    """Walk a run of lexbor sibling nodes into VDOM nodes (``ctx``: their context)."""
    out: list[Node] = []
    append = out.append
    html_ctx = ctx == HTML_NS
    while node is not None:
        tag = node.tag
        if tag == _TEXT:
            append(node.text_content)
        elif tag == _COMMENT:
            append(make_comment(_comment_data(node)))
        elif tag is not None:
            if html_ctx and tag != "svg" and tag != "math" and tag != "template":
                # The common case, inlined: an HTML element with HTML children.
                attrs = node.attributes
                if attrs and None in attrs.values():
                    attrs = {k: "" if v is None else v for k, v in attrs.items()}
                first = node.first_child
                kids = _children(first, HTML_NS) if first is not None else ()
                append(_new(Element, (tag, attrs, kids, HTML_NS)))
            else:
                append(_element(node, tag, ctx))
        else:
            pi = _processing_instruction(node)
            if pi is not None:
                append(pi)
        node = node.next
    return tuple(out)


def _element(node, tag: str, ctx: str) -> Element:
    # lexbor's Python API does not expose an element's namespace, so follow
    # the tree builder: <svg>/<math> open a foreign subtree only from HTML
    # (inside foreign content every tag takes the current namespace, except
    # <svg> under annotation-xml and mglyph/malignmark under MathML text).
    if ctx == HTML_NS:
        ns = SVG_NS if tag == "svg" else MATH_NS if tag == "math" else HTML_NS
    elif ctx == _MATH_TEXT:
        ns = (
            MATH_NS
            if tag in ("mglyph", "malignmark")
            else (SVG_NS if tag == "svg" else MATH_NS if tag == "math" else HTML_NS)
        )
    elif ctx == _ANNOTATION:
        ns = SVG_NS if tag == "svg" else MATH_NS
    else:
        ns = ctx
    attrs = node.attributes
    if attrs and None in attrs.values():
        attrs = {k: "" if v is None else v for k, v in attrs.items()}
    if ns == HTML_NS and tag == "template":
        fragments = node.template_fragments()
        first = fragments[0].first_child if fragments else None
    else:
        first = node.first_child
    if first is None:
        return make_element(tag, attrs, (), ns)
    return make_element(tag, attrs, _children(first, _kids_context(tag, ns, attrs)), ns)


_new = tuple.__new__

# Children contexts beyond the three namespaces (see _element).
_MATH_TEXT = "math-text"
_ANNOTATION = "annotation"


def _kids_context(tag: str, ns: str, attrs: dict[str, str]) -> str:
    if ns == HTML_NS:
        return HTML_NS
    if ns == MATH_NS:
        if tag in ("mi", "mo", "mn", "ms", "mtext"):
            return _MATH_TEXT
        if tag == "annotation-xml" and children_context(tag, ns, attrs) == MATH_NS:
            return _ANNOTATION
    return children_context(tag, ns, attrs)


def _processing_instruction(node) -> ProcessingInstruction | None:
    # Read from the serialisation "<?target data?>" (the data holds no ">";
    # a top-level node's .html carries its following siblings too).
    html = node.html or ""
    if not html.startswith("<?"):
        return None
    end = html.index("?>")
    target, _, data = html[2:end].partition(" ")
    return ProcessingInstruction(target, data)


def _comment_data(node) -> str:
    # lexbor's comment_content strips whitespace, and a top-level comment's
    # .html carries its following siblings too; the data is what lies between
    # "<!--" and the first "-->" (comment data never contains "-->").
    html = node.html or "<!---->"
    return html[4 : html.index("-->", 4)]
