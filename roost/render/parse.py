# HTML -> VDOM with lexbor's HTML5 tree construction, so the server builds the
# tree the browser builds; plus the few fix-ups lexbor's API needs.
"""Parse an actor's HTML into a VDOM tree."""

from __future__ import annotations

import re
import sys
from typing import Protocol, cast

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

# The context each namespace's elements without special parsing rules parse like.
_PLAIN = {HTML_NS: "div", SVG_NS: "svg", MATH_NS: "math"}


class _LexborNode(Protocol):
    """A lexbor node, as this module reads it.

    lexbor's own stub types ``text_content`` as ``str | None``, None for
    anything but a text node; it is read only from text nodes, so here it is
    ``str``, and the walk pays for no check.
    """

    @property
    def tag(self) -> str | None: ...
    @property
    def text_content(self) -> str: ...
    @property
    def attributes(self) -> dict[str, str | None]: ...
    @property
    def first_child(self) -> _LexborNode | None: ...
    @property
    def next(self) -> _LexborNode | None: ...
    @property
    def html(self) -> str | None: ...
    def template_fragments(self) -> list[_LexborNode]: ...


def parse_html(
    html: str, context: str = "div", ns: str = HTML_NS, *, scripting: bool = True
) -> Tree:
    """Parse ``html`` as the children of a ``context`` element and return them.

    This is the HTML5 fragment parsing algorithm (the one behind
    ``element.innerHTML = html``) with scripting enabled, as in a browser
    page: implied ``<tbody>``, auto-closed ``<p>``/``<li>``/``<option>``,
    adoption of misnested formatting tags, SVG/MathML namespaces and
    attribute case, character references, raw text in
    ``<script>``/``<style>``/``<textarea>`` and ``<noscript>``. With
    ``scripting=False`` it parses as an inert document does (a
    ``<template>``'s, the one ``createHTMLDocument`` makes), where
    ``<noscript>`` content is markup. A ``<template>``'s children in the
    result are its content.
    """
    if not html:
        return ()
    try:
        parser = LexborHTMLParser(
            str(html),
            is_fragment=True,
            fragment_tag=context,
            fragment_namespace=ns,
            scripting=scripting,
        )
    except ValueError:
        plain = _PLAIN.get(ns, context)
        if plain == context:
            raise
        # lexbor refuses a context tag it does not know (a custom element, SVG's
        # <circle>); such an element has no parsing rules of its own, so its
        # children parse as those of its namespace's plain element.
        parser = LexborHTMLParser(
            str(html),
            is_fragment=True,
            fragment_tag=plain,
            fragment_namespace=ns,
            scripting=scripting,
        )
    first = parser.root
    if first is None:
        return ()
    return _children(cast(_LexborNode, first), _kids_context(context, ns, {}))


def parse_in_template(html: str, ns: str = HTML_NS) -> Tree:
    """Parse ``html`` exactly as the browser applier does for insert/replace.

    A ``<template>`` parses it (so table parts, ``<option>``, ``<li>`` … stand
    alone), with scripting disabled as in any inert document (``<noscript>``
    content is markup); SVG and MathML children are parsed inside an
    ``<svg>``/``<math>`` wrapper whose children are then taken.
    """
    if ns == SVG_NS:
        (wrapper,) = parse_html("<svg>" + html + "</svg>", "template", scripting=False)
    elif ns == MATH_NS:
        (wrapper,) = parse_html("<math>" + html + "</math>", "template", scripting=False)
    else:
        return parse_html(html, "template", scripting=False)
    assert type(wrapper) is Element  # the one <svg> or <math>, whatever html holds
    return wrapper[2]


def parse_client_html(html: str) -> Tree:
    """The nodes the browser client builds from a full render's HTML.

    The client sets a ``<template>``'s ``innerHTML`` to a ``Render``
    message's HTML (and parses a whole-content ``REPLACE`` in an inert
    document's ``<div>``): a parse with scripting disabled. For the HTML
    :func:`roost.render.client_html` makes of ``html``, this gives
    ``parse_html(html)``, what a page load of ``html`` builds.

    Content that :func:`opens_body` parses alike in a template and a
    ``<div>``, and is parsed in a ``<div>`` here: lexbor's template context
    keeps a ``<form>`` nested in another, which the browser, as the HTML
    Standard says, drops. Other content is parsed in lexbor's template
    context, which follows the Standard where Chromium does not (after a
    ``<title>`` Chromium's template drops table parts); ``client_html``
    never sends such content.
    """
    if opens_body(html):
        return parse_html(html, "div", scripting=False)
    return parse_html(html, "template", scripting=False)


# Start tags a <template> parses without leaving its "in template" insertion
# mode (they follow the head rules) or that it keeps as table parts; any other
# start tag switches it to "in body", the rules a <div>'s content follows.
_TEMPLATE_MODE_TAGS = frozenset(
    "base basefont bgsound link meta noframes script style template title "
    "caption colgroup col tbody tfoot thead tr td th".split()
)
_START_TAG = re.compile(r"<([A-Za-z][^\t\n\f\r />]*)")


def opens_body(html: str) -> bool:
    """Whether a ``<template>`` parses ``html`` exactly as a ``<div>`` does.

    True when the first tag is a start tag outside ``_TEMPLATE_MODE_TAGS``
    (text before it parses alike in both, and from it on both follow the
    same rules), or there is no tag at all. False for a head-ish or
    table-part start tag first (``<tr><td>1`` is a row in a template, the
    text ``1`` in a ``<div>``), and, conservatively, for an end tag (which a
    template drops: ``</p>`` is an empty ``<p>`` in a ``<div>``), comment,
    doctype or processing instruction first. Costs a look at the first tag.
    """
    i = html.find("<")
    while i >= 0:
        tag = _START_TAG.match(html, i)
        if tag is not None:
            return tag[1].lower() not in _TEMPLATE_MODE_TAGS
        if html[i + 1 : i + 2] in ("/", "!", "?"):
            return False
        i = html.find("<", i + 1)  # a "<" that starts no tag is text
    return True


def _children(node: _LexborNode | None, ctx: str) -> Tree:
    """Walk a run of lexbor sibling nodes (``node`` the first) into VDOM nodes
    (``ctx``: their context)."""
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
                # Names interned: an actor keeps its tree, and a thousand rows
                # would otherwise hold a thousand copies of "li" and "class".
                attrs = node.attributes
                if attrs:
                    attrs = {_intern(k): "" if v is None else v for k, v in attrs.items()}
                first = node.first_child
                kids = _children(first, HTML_NS) if first is not None else ()
                append(_new(Element, (_intern(tag), attrs, kids, HTML_NS)))
            else:
                append(_element(node, tag, ctx))
        else:
            pi = _processing_instruction(node)
            if pi is not None:
                append(pi)
        node = node.next
    return tuple(out)


def _element(node: _LexborNode, tag: str, ctx: str) -> Element:
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
    attrs = _dom_attrs(node.attributes)
    if ns == HTML_NS and tag == "template":
        fragments = node.template_fragments()
        first = fragments[0].first_child if fragments else None
    else:
        first = node.first_child
    if first is None:
        return make_element(tag, attrs, (), ns)
    return make_element(tag, attrs, _children(first, _kids_context(tag, ns, attrs)), ns)


def _dom_attrs(attrs: dict[str, str | None]) -> dict[str, str]:
    """lexbor's attributes as the DOM has them: a valueless one (``<input
    disabled>``) is None in lexbor and ``""`` in the DOM; names interned.
    (``_children`` inlines this for HTML elements.)"""
    if attrs:
        return {_intern(k): "" if v is None else v for k, v in attrs.items()}
    return cast("dict[str, str]", attrs)  # empty


_new = tuple.__new__
_intern = sys.intern

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


def _processing_instruction(node: _LexborNode) -> ProcessingInstruction | None:
    # Read from the serialisation "<?target data?>" (the data holds no ">";
    # a top-level node's .html carries its following siblings too).
    html = node.html or ""
    if not html.startswith("<?"):
        return None
    end = html.index("?>")
    target, _, data = html[2:end].partition(" ")
    return ProcessingInstruction(target, data)


def _comment_data(node: _LexborNode) -> str:
    # lexbor's comment_content strips whitespace, and a top-level comment's
    # .html carries its following siblings too; the data is what lies between
    # "<!--" and the first "-->" (comment data never contains "-->").
    html = node.html or "<!---->"
    return html[4 : html.index("-->", 4)]
