# The virtual DOM: immutable nodes that compare (and skip) in C, plus the
# serialiser that turns them back into HTML the browser re-parses identically.
"""VDOM nodes.

A node is one of:

- ``str`` — a text node (its data, character references already decoded);
- :class:`Comment` — a comment node;
- :class:`ProcessingInstruction` — ``<?target data>``, which current HTML
  parsers (Chromium, lexbor) build instead of a bogus comment;
- :class:`Element` — ``(tag, attrs, children, ns)``.

Nodes are tuples, so ``==`` compares whole subtrees in C and unchanged
subtrees shared between two trees compare by identity. A *tree* (an actor's
content) is a tuple of nodes.

The node classes are final: code tells nodes apart with ``type(node) is
Element`` (faster than ``isinstance``), which a subclass would not pass, and
on which type checkers narrow only for a final class.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias, final

from ..protocol import ATTR

HTML_NS = "html"
SVG_NS = "svg"
MATH_NS = "math"

KEY_ATTR = "data-key"
BOUNDARY_ATTR = ATTR.ID

# Elements without content or end tag (HTML namespace only).
VOID = frozenset(
    "area base basefont bgsound br col embed frame hr img input keygen link meta "
    "param source track wbr".split()
)
# Elements whose text children the tokenizer reads raw (no character references),
# for a parser with scripting enabled (a page load, ``parse_html``) ...
RAW_TEXT = frozenset("script style xmp iframe noembed noframes plaintext noscript".split())
# ... and with scripting disabled (a <template>, an inert document: every HTML
# string the browser client parses), where <noscript> is an ordinary element.
# No other element parses differently by the scripting flag.
RAW_TEXT_NO_SCRIPTING = RAW_TEXT - {"noscript"}
# The parser drops one newline right after these start tags; serialise one back.
LEADING_NEWLINE = frozenset(("pre", "textarea", "listing"))

_new = tuple.__new__


@final
class Element(tuple[str, dict[str, str], "tuple[Node, ...]", str]):
    """An element: ``Element(tag, attrs, children, ns)``.

    ``tag`` is the local name as the DOM spells it (``div``, ``foreignObject``),
    ``attrs`` a dict of name -> value in source order (empty attributes map to
    ``""``), ``children`` a tuple of nodes (a ``<template>``'s children are its
    content), ``ns`` one of ``"html"``, ``"svg"``, ``"math"``.
    """

    __slots__ = ()

    def __new__(
        cls,
        tag: str,
        attrs: dict[str, str] | None = None,
        children: Iterable[Node] = (),
        ns: str = HTML_NS,
    ) -> Element:
        return _new(cls, (tag, attrs if attrs is not None else {}, tuple(children), ns))

    @property
    def tag(self) -> str:
        return self[0]

    @property
    def attrs(self) -> dict[str, str]:
        return self[1]

    @property
    def children(self) -> tuple[Node, ...]:
        return self[2]

    @property
    def ns(self) -> str:
        return self[3]

    @property
    def key(self) -> str | None:
        """The sibling key: ``data-key``, else a boundary's ``ATTR.ID``."""
        return key_of(self)

    def __repr__(self) -> str:
        return f"Element({self[0]!r}, {self[1]!r}, {self[2]!r}, {self[3]!r})"


@final
class Comment(tuple[str]):
    """A comment node: ``Comment(data)``."""

    __slots__ = ()

    def __new__(cls, data: str) -> Comment:
        return _new(cls, (data,))

    @property
    def data(self) -> str:
        return self[0]

    def __repr__(self) -> str:
        return f"Comment({self[0]!r})"


@final
class ProcessingInstruction(tuple[str, str]):
    """A processing instruction: ``ProcessingInstruction(target, data)``."""

    __slots__ = ()

    def __new__(cls, target: str, data: str) -> ProcessingInstruction:
        return _new(cls, (target, data))

    @property
    def target(self) -> str:
        return self[0]

    @property
    def data(self) -> str:
        return self[1]

    def __repr__(self) -> str:
        return f"ProcessingInstruction({self[0]!r}, {self[1]!r})"


Node: TypeAlias = "str | Element | Comment | ProcessingInstruction"
Tree: TypeAlias = "tuple[Node, ...]"


def make_element(tag: str, attrs: dict[str, str], children: Tree, ns: str) -> Element:
    """Build an :class:`Element` without copying ``children`` (the parser's fast path)."""
    return _new(Element, (tag, attrs, children, ns))


def make_comment(data: str) -> Comment:
    return _new(Comment, (data,))


def key_of(node: Node) -> str | None:
    """The key that identifies ``node`` among its siblings, or ``None``.

    ``data-key`` wins; a component boundary without one is keyed by its actor
    id, so components are never confused with one another.
    """
    if type(node) is not Element:
        return None
    attrs = node[1]
    if not attrs:
        return None
    key = attrs.get(KEY_ATTR)
    if key is not None:
        return key
    rid = attrs.get(BOUNDARY_ATTR)
    if rid is not None:
        return "\0" + rid
    return None


def compatible(a: Node, b: Node) -> bool:
    """Whether ``a`` can be patched into ``b`` in place (else it is replaced)."""
    if type(a) is type(b) is Element:  # the chained form narrows both for the type checker
        if a[0] != b[0] or a[3] != b[3]:
            return False
        aa, ba = a[1], b[1]
        if aa is ba or (not aa and not ba):
            return True
        return aa.get(KEY_ATTR) == ba.get(KEY_ATTR) and aa.get(BOUNDARY_ATTR) == ba.get(
            BOUNDARY_ATTR
        )
    ta = type(a)
    if ta is not type(b):
        return False
    if ta is ProcessingInstruction:
        return a[0] == b[0]
    return True


def is_boundary(node: Node) -> bool:
    """True if ``node`` is another actor's container (its children are not ours)."""
    return type(node) is Element and BOUNDARY_ATTR in node[1]


def children_context(tag: str, ns: str, attrs: dict[str, str]) -> str:
    """The namespace the parser gives children of this element (by default).

    SVG ``foreignObject``/``desc``/``title`` and MathML text and
    ``annotation-xml`` (with an HTML encoding) are integration points whose
    children are HTML.
    """
    if ns == HTML_NS:
        return HTML_NS
    if ns == SVG_NS:
        return HTML_NS if tag in ("foreignObject", "desc", "title") else SVG_NS
    if tag in ("mi", "mo", "mn", "ms", "mtext"):
        return HTML_NS
    if tag == "annotation-xml":
        enc = attrs.get("encoding", "").lower()
        if enc in ("text/html", "application/xhtml+xml"):
            return HTML_NS
    return MATH_NS


# -- serialisation -------------------------------------------------------------

_TEXT_ESC = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"})
_ATTR_ESC = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "\xa0": "&nbsp;"})


def escape_text(text: str) -> str:
    return text.translate(_TEXT_ESC) if _needs_escape(text) else text


def escape_attr(value: str) -> str:
    return value.translate(_ATTR_ESC) if _needs_attr_escape(value) else value


def _needs_escape(text: str) -> bool:
    return "&" in text or "<" in text or ">" in text or "\xa0" in text


def _needs_attr_escape(text: str) -> bool:
    return "&" in text or '"' in text or "<" in text or ">" in text or "\xa0" in text


def to_html(nodes: Node | Iterable[Node], *, scripting: bool = True) -> str:
    """Serialise a node or a sequence of nodes to HTML.

    Re-parsing the result in the same context (a ``<div>`` for a whole tree,
    the parent for a run of siblings) by a parser with the same scripting
    flag gives the same nodes back. ``scripting=True`` (the default) writes
    for a page load, where ``<noscript>`` content is raw text;
    ``scripting=False`` for the browser client's inert parses (a
    ``<template>``), where it is markup, so its text is escaped. Top-level
    text is always escaped, so the result is safe to parse in a
    ``<template>`` even when the nodes are destined for a ``<script>``.
    """
    out: list[str] = []
    raw_tags = RAW_TEXT if scripting else RAW_TEXT_NO_SCRIPTING
    if isinstance(nodes, (str, Element, Comment, ProcessingInstruction)):
        _write(nodes, out, False, raw_tags)
    else:
        for node in nodes:
            _write(node, out, False, raw_tags)
    return "".join(out)


def _write(node: Node, out: list[str], raw: bool, raw_tags: frozenset[str]) -> None:
    if type(node) is str:
        out.append(node if raw else escape_text(node))
        return
    if type(node) is not Element:
        if type(node) is Comment:
            out.append("<!--" + node[0] + "-->")
        else:
            out.append("<?" + node[0] + " " + node[1] + "?>")
        return
    tag, attrs, children, ns = node
    if attrs:
        out.append("<" + tag)
        for name, value in attrs.items():
            out.append(f' {name}="{escape_attr(value)}"')
        out.append(">")
    else:
        out.append("<" + tag + ">")
    if ns == HTML_NS:
        if tag in VOID:
            return
        if tag in LEADING_NEWLINE and children and type(children[0]) is str:
            if children[0].startswith("\n"):
                out.append("\n")
        raw_kids = tag in raw_tags
    else:
        raw_kids = False
    for child in children:
        _write(child, out, raw_kids, raw_tags)
    out.append("</" + tag + ">")
