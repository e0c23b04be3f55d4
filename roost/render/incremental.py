# Re-parse only what changed: when a new render differs from the last one
# only in attribute values and text, patch the old tree at those spots instead
# of parsing and walking the whole page again.
"""Incremental parsing for the differ's hot path.

A :class:`~roost.render.skeleton.Skeleton` maps every ``<`` of an actor's
HTML to the tag it starts (if any) and every element to its place in the
tree. While later renders keep that shape (the same tags in the same nesting;
only attribute values and text differ), :func:`reparse` finds the changed
stretches by string comparison, re-reads just those start tags and text runs
(in Python for the usual character references, else with lexbor in their
parent's context), checks each against the old tree, and returns the new
tree sharing every unchanged subtree with the old one. Anything it cannot
prove equal to a full parse returns ``None``: the caller parses in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

from .parse import parse_html
from .skeleton import END, OTHER, START, TAG, Skeleton
from .vdom import HTML_NS, MATH_NS, Element, Node, Tree, make_element

__all__ = ["Edit", "common_affixes", "reparse", "reparse_edits"]

# Text in these is foster-parented or changes the insertion mode: never patched.
_TABLEISH = frozenset("table tbody thead tfoot tr colgroup".split())
# Attributes of these steer tree construction (font breaking out of SVG,
# annotation-xml's encoding, declarative shadow roots; an input's type in a
# table, so inputs only there).
_ATTR_SENSITIVE = frozenset(("font", "annotation-xml", "template", "input"))

_CHUNK = 2048


def common_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and the longest common suffix after it."""
    p = _common_prefix(a, 0, len(a), b, 0, len(b))
    la, lb = len(a), len(b)
    m = min(la, lb) - p
    # Whole chunks first (each a memcmp), then the first difference in the last one.
    j = 0
    while j + _CHUNK <= m and a[la - j - _CHUNK : la - j] == b[lb - j - _CHUNK : lb - j]:
        j += _CHUNK
    end = min(j + _CHUNK, m)
    return p, j + _shared(a[la - end : la - j], b[lb - end : lb - j], "little")


def _common_prefix(a: str, ai: int, a_end: int, b: str, bi: int, b_end: int) -> int:
    # How many characters a[ai:a_end] and b[bi:b_end] share at their start.
    n = min(a_end - ai, b_end - bi)
    i = 0
    while i + _CHUNK <= n and a[ai + i : ai + i + _CHUNK] == b[bi + i : bi + i + _CHUNK]:
        i += _CHUNK
    end = min(i + _CHUNK, n)
    return i + _shared(a[ai + i : ai + end], b[bi + i : bi + end], "big")


def _shared(x: str, y: str, byteorder: Literal["big", "little"]) -> int:
    """How many characters ``x`` and ``y``, of one length, share at their start
    (``"big"``) or at their end (``"little"``): where the XOR of their bytes read
    as one integer has its highest bit (C speed, where a search in Python took a
    dozen steps). Text that is not ASCII is read in UTF-32, four bytes a character."""
    if x == y:
        return len(x)
    if x.isascii() and y.isascii():
        d = int.from_bytes(x.encode(), byteorder) ^ int.from_bytes(y.encode(), byteorder)
        return len(x) - (d.bit_length() + 7) // 8
    d = int.from_bytes(_utf32(x), byteorder) ^ int.from_bytes(_utf32(y), byteorder)
    return len(x) - (d.bit_length() + 31) // 32


def _utf32(text: str) -> bytes:
    return text.encode("utf-32-be", "surrogatepass")  # (a lone surrogate too)


Edit = tuple[list[int], Any, Any]
"""What a re-parse changed: (path, before, after), a text node's text or an
element's attributes (a dict), in document order."""


def reparse(
    old: str, new: str, tree: Tree, sk: Skeleton, affixes: tuple[int, int] | None = None
) -> Tree | None:
    """The parse of ``new`` built from ``tree`` (the parse of ``old``), or None.

    Succeeds when ``new`` has ``old``'s tags, in the same places, with only
    attribute values and text (outside tables, scripts and comments) changed.
    The result equals ``parse_html(new)``; ``sk`` stays valid for ``new``.
    ``affixes`` is ``common_affixes(old, new)`` if the caller has it.
    """
    done = reparse_edits(old, new, tree, sk, affixes)
    return done[0] if done is not None else None


def reparse_edits(
    old: str, new: str, tree: Tree, sk: Skeleton, affixes: tuple[int, int] | None = None
) -> tuple[Tree, list[Edit]] | None:
    """:func:`reparse`, and the texts and attributes it found changed."""
    p, q = affixes if affixes is not None else common_affixes(old, new)
    start = old.rfind("<", 0, p) if p < len(old) else old.rfind("<")
    end_old = old.find("<", len(old) - q)
    end_new = new.find("<", len(new) - q)
    if end_old < 0:
        end_old = len(old)
    if end_new < 0:
        end_new = len(new)
    at = max(start, 0)
    if old.count("<", at, end_old) != new.count("<", at, end_new):
        return None  # tags came or went
    kinds, eids = sk.kinds, sk.eids
    edits: list[Edit] = []
    for o, a, b in _changed_pieces(old, new, at, end_old, end_new):
        if o < 0:
            edit = _text_edit(tree, sk, -1, 0, "", a, b)
            if edit is None:
                return None
            edits.append(edit)
            continue
        kind = kinds[o]
        if kind == OTHER:
            return None
        if kind == END:
            ma = TAG.match(a, 1)
            mb = TAG.match(b, 1)
            if ma is None or mb is None or a[: ma.end()] != b[: mb.end()]:
                return None
            eid = eids[o]
            edit = _text_edit(
                tree, sk, sk.parent[eid], sk.index[eid] + 1, "", a[ma.end() :], b[mb.end() :]
            )
            if edit is None:
                return None
            edits.append(edit)
            continue
        ma = TAG.match(a)
        mb = TAG.match(b)
        if ma is None or mb is None:
            return None
        if ma.group(1).lower() != mb.group(1).lower() or ma.group(2) != mb.group(2):
            return None
        eid = eids[o]
        tag_a, tag_b = a[: ma.end()], b[: mb.end()]
        if tag_a != tag_b:
            attr_edit = _attr_edit(tree, sk, eid, "<" + tag_a, "<" + tag_b)
            if attr_edit is None:
                return None
            edits.append(attr_edit)
        gap_a, gap_b = a[ma.end() :], b[mb.end() :]
        if gap_a != gap_b:
            if kind == START:
                edit = _text_edit(tree, sk, eid, 0, "<" + tag_b, gap_a, gap_b, "<" + tag_a)
            else:
                edit = _text_edit(tree, sk, sk.parent[eid], sk.index[eid] + 1, "", gap_a, gap_b)
            if edit is None:
                return None
            edits.append(edit)
    for path, _, value in edits:
        tree = _replace(tree, path, 0, value)
    return tree, edits


def _changed_pieces(
    old: str, new: str, at: int, end_old: int, end_new: int
) -> Iterator[tuple[int, str, str]]:
    """Each piece of ``old`` between ``at`` and ``end_old`` (the text after a "<"
    up to the next) that differs from its piece of ``new`` (between ``at`` and
    ``end_new``, as many pieces), with the index of its "<" among all of
    ``old``'s (-1: the text before the first). ``at`` is a "<", or 0.

    Jumps from one difference to the next (a chunked comparison at C speed),
    never splitting the stretch: a change at the top of a 1,000-row page and
    one in its middle are two pieces, not a thousand."""
    xo = xn = at
    counted, below = 0, 0  # below: how many "<" of old come before `counted`
    while True:
        same = _common_prefix(old, xo, end_old, new, xn, end_new)
        if xo + same == end_old and xn + same == end_new:
            return
        lt = old.rfind("<", xo, xo + same)  # the "<" of the piece the difference is in
        lt_new = lt + (xn - xo) if lt >= 0 else -1
        eo = old.find("<", lt + 1, end_old)
        en = new.find("<", lt_new + 1, end_new)
        eo = end_old if eo < 0 else eo
        en = end_new if en < 0 else en
        if lt >= 0:
            below += old.count("<", counted, lt)
            counted = lt
        yield (below if lt >= 0 else -1), old[lt + 1 : eo], new[lt_new + 1 : en]
        if eo == end_old or en == end_new:
            return  # (as many "<" in both: they end together)
        xo, xn = eo, en


def _node_at(tree: Tree, path: list[int]) -> Element:
    """The element at ``path``, a skeleton's path (one not empty)."""
    el: Element
    nodes = tree
    for i in path:
        node = nodes[i]
        assert type(node) is Element  # a skeleton's paths lead through elements only
        el = node
        nodes = node[2]
    return el


def _context(tree: Tree, sk: Skeleton, eid: int) -> tuple[str, str, Element | None]:
    """(tag, namespace) to parse children of element ``eid`` in, and the element."""
    if eid < 0:
        return "div", HTML_NS, None
    el = _node_at(tree, sk.path(eid))
    return el[0], el[3], el


def _text_edit(
    tree: Tree,
    sk: Skeleton,
    parent: int,
    index: int,
    start_tag: str,
    old_gap: str,
    new_gap: str,
    old_start_tag: str = "",
) -> Edit | None:
    """The new text node for a changed run of text, checked against the old one."""
    if not old_gap or not new_gap:
        return None  # a text node appears or disappears: the shape changes
    tag, ns, el = _context(tree, sk, parent)
    if tag in _TABLEISH or tag == "script" or (ns == MATH_NS and tag == "annotation-xml"):
        return None
    kids = el[2] if el is not None else tree
    if index >= len(kids) or type(kids[index]) is not str:
        return None
    old_text = _decode_text(old_gap, tag, ns, bool(start_tag))
    new_text = _decode_text(new_gap, tag, ns, bool(start_tag))
    if old_text is not None and new_text is not None:
        pass  # the common case: no lexbor parser needed (one costs ~35 us)
    elif start_tag:
        # Right after the start tag: parse it along (RCDATA, a dropped newline).
        ptag, pns, _ = _context(tree, sk, sk.parent[parent])
        old_text = _only_text(parse_html(old_start_tag + old_gap, ptag, pns), tag)
        new_text = _only_text(parse_html(start_tag + new_gap, ptag, pns), tag)
    else:
        old_text = _only(parse_html(old_gap, tag, ns))
        new_text = _only(parse_html(new_gap, tag, ns))
    if old_text is None or new_text is None or old_text != kids[index]:
        return None
    path = sk.path(parent) if parent >= 0 else []
    path.append(index)
    return path, old_text, new_text


def _only(nodes: Tree) -> str | None:
    if len(nodes) == 1 and type(nodes[0]) is str:
        return nodes[0]
    return None


def _only_text(nodes: Tree, tag: str) -> str | None:
    if len(nodes) == 1 and type(nodes[0]) is Element and nodes[0][0] == tag:
        return _only(nodes[0][2])
    return None


def _attr_edit(tree: Tree, sk: Skeleton, eid: int, old_tag: str, new_tag: str) -> Edit | None:
    """The element with new attributes (and its current children)."""
    path = sk.path(eid)
    el = _node_at(tree, path)
    tag = el[0]
    ptag, pns, _ = _context(tree, sk, sk.parent[eid])
    if tag in _ATTR_SENSITIVE and (tag != "input" or ptag in _TABLEISH):
        return None
    if el[3] == HTML_NS:
        old_attrs = _parse_attrs(old_tag)
        new_attrs = _parse_attrs(new_tag)
        if old_attrs is not None and new_attrs is not None:
            if old_attrs != el[1]:
                return None
            return path, el[1], new_attrs
    old_el = parse_html(old_tag, ptag, pns)
    new_el = parse_html(new_tag, ptag, pns)
    if len(old_el) != 1 or len(new_el) != 1:
        return None
    o, n = old_el[0], new_el[0]
    if type(o) is not Element or type(n) is not Element or o[0] != tag or n[0] != tag:
        return None
    if o[1] != el[1]:
        return None
    return path, el[1], n[1]


# The character references autoescaping produces (and a few more), which
# decode the same in text and attribute values; anything else goes to lexbor.
_REFS = {
    "&amp;": "&",
    "&lt;": "<",
    "&gt;": ">",
    "&quot;": '"',
    "&apos;": "'",
    "&nbsp;": "\xa0",
    "&#34;": '"',
    "&#39;": "'",
    "&#x27;": "'",
    "&#38;": "&",
    "&#60;": "<",
    "&#62;": ">",
}
_REF = re.compile("|".join(map(re.escape, _REFS)))
_PLAIN_RAW = frozenset(("style", "xmp", "iframe", "noembed", "noframes", "noscript"))
_DROPS_NEWLINE = frozenset(("pre", "textarea", "listing"))


def _decode(raw: str) -> str | None:
    """Decode ``raw`` text or attribute value if it is simple enough, else None."""
    if "\r" in raw or "\0" in raw:
        return None
    if "&" not in raw:
        return raw
    refs = _REF.findall(raw)
    if len(refs) != raw.count("&"):
        return None
    return _REF.sub(_ref_value, raw)


def _ref_value(m: re.Match[str]) -> str:
    return _REFS[m.group()]


def _decode_text(gap: str, tag: str, ns: str, after_start: bool) -> str | None:
    """The text node a run of source text becomes in ``tag``, if simple; else None."""
    if ns == HTML_NS:
        if tag in _PLAIN_RAW:
            return None if "\r" in gap or "\0" in gap else gap
        if after_start and tag in _DROPS_NEWLINE and gap.startswith("\n"):
            gap = gap[1:]
    text = _decode(gap)
    return text or None


_ATTR = re.compile(
    r"[\t\n\f\r /]*+([^\t\n\f\r />][^\t\n\f\r />=]*+)"
    r"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:\"([^\"]*)\"|'([^']*)'|([^\t\n\f\r >]*)))?"
)
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _parse_attrs(tag: str) -> dict[str, str] | None:
    """The attributes of an HTML start tag (``<name ...>``) if simple; else None."""
    m = TAG.match(tag, 1)
    if m is None:
        return None
    attrs: dict[str, str] = {}
    body = tag[m.end(1) : m.end() - 1 - len(m.group(2))]
    for a in _ATTR.finditer(body):
        name = a.group(1)
        if not name.isascii() or "\0" in name:
            return None
        name = name.translate(_LOWER)
        if name in attrs:
            continue  # the first of duplicate attributes wins
        raw = a.group(2)
        if raw is None:
            raw = a.group(3)
            if raw is None:
                raw = a.group(4) or ""
        value = _decode(raw)
        if value is None:
            return None
        attrs[name] = value
    return attrs


def _replace(nodes: Tree, path: list[int], depth: int, value: str | dict[str, str]) -> Tree:
    # The edit at ``path``: a text node's new text, or an element's new attributes.
    k = path[depth]
    node = nodes[k]
    new: Node
    if depth == len(path) - 1:
        if type(value) is str:
            new = value
        else:
            assert type(node) is Element and type(value) is dict  # attributes end at an element
            new = make_element(node[0], value, node[2], node[3])
    else:
        assert type(node) is Element  # a path leads through elements
        new = make_element(node[0], node[1], _replace(node[2], path, depth + 1, value), node[3])
    return (*nodes[:k], new, *nodes[k + 1 :])
