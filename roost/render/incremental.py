# Re-parse only what changed: when a new render differs from the last one
# only in attribute values and text, patch the old tree at those spots instead
# of parsing and walking the whole page again.
"""Incremental parsing for the differ's hot path.

A :class:`Skeleton` maps every ``<`` of an actor's HTML to the tag it starts
(if any) and every element to its place in the tree. It is built once per
*shape* of the markup and only trusted when our tag scan and lexbor's tree
agree element for element. While later renders keep that shape (the same
tags in the same nesting; only attribute values and text differ),
:func:`reparse` finds the changed stretches by string comparison, re-parses
just those start tags and text runs with lexbor in their parent's context,
and returns the new tree sharing every unchanged subtree with the old one.
Anything it cannot prove safe returns ``None``: the caller parses in full.
"""

from __future__ import annotations

import re

from .parse import parse_html
from .vdom import HTML_NS, MATH_NS, VOID, Element, Tree, make_element

__all__ = ["Skeleton", "build_skeleton", "common_affixes", "reparse"]

_WS = "\t\n\f\r "
# One start (or end) tag after its "<", as the HTML tokenizer reads it: the
# name, attributes with quoted or unquoted values, stray "/"s, and whether it
# ends with "/>". Atomic groups keep a malformed tag from backtracking.
_TAG = re.compile(
    r"([a-zA-Z][^\t\n\f\r />]*)"
    r"(?>[\t\n\f\r ]+|/(?!>)|[^\t\n\f\r />][^\t\n\f\r />=]*"
    r"(?>[\t\n\f\r ]*=[\t\n\f\r ]*(?>\"[^\"]*\"|'[^']*'|[^\t\n\f\r >]*))?)*+"
    r"(/?)>"
)
_COMMENT_END = re.compile(r"--!?>")
# Content of these (in HTML) is read raw up to their end tag.
_RAW = frozenset(
    "script style textarea title xmp iframe noembed noframes noscript".split()
)
_RAW_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in _RAW
}
# Text in these is foster-parented or changes the insertion mode: never patched.
_TABLEISH = frozenset("table tbody thead tfoot tr colgroup".split())
# Attributes of these steer tree construction (font breaking out of SVG,
# annotation-xml's encoding, declarative shadow roots; an input's type in a
# table, so inputs only there).
_ATTR_SENSITIVE = frozenset(("font", "annotation-xml", "template", "input"))
_SVG_HTML_POINTS = frozenset(("foreignobject", "desc", "title"))
_MATH_HTML_POINTS = frozenset(("mi", "mo", "mn", "ms", "mtext", "annotation-xml"))

OTHER, START, VOID_TAG, END = 0, 1, 2, 3


class Skeleton:
    """The shape of one actor's markup (see the module docstring).

    ``kinds[o]``/``eids[o]``: what the ``o``-th ``<`` starts (OTHER, START,
    VOID_TAG or END) and the element id it belongs to; ``parent[e]`` and
    ``index[e]``: element ``e``'s parent id (-1: the container) and its
    child index there.
    """

    __slots__ = ("eids", "index", "kinds", "parent")

    def __init__(
        self, kinds: list[int], eids: list[int], parent: list[int], index: list[int]
    ) -> None:
        self.kinds = kinds
        self.eids = eids
        self.parent = parent
        self.index = index

    def path(self, eid: int) -> list[int]:
        """Child-index path of element ``eid`` from the container."""
        out: list[int] = []
        parent, index = self.parent, self.index
        while eid >= 0:
            out.append(index[eid])
            eid = parent[eid]
        out.reverse()
        return out


def build_skeleton(html: str, tree: Tree) -> Skeleton | None:
    """Scan ``html``'s tags and match them with ``tree`` (its parse); None if they differ.

    Markup whose element structure comes from the tags as written (closed
    elements, void elements, ``<tr>`` in a table with an implied ``<tbody>``)
    qualifies; markup that relies on other parser repairs does not.
    """
    scanned = _scan(html)
    if scanned is None:
        return None
    kinds, eids, names, parents = scanned
    tree_names: list[str] = []
    tree_parents: list[int] = []
    index: list[int] = []
    _walk(tree, -1, tree_names, tree_parents, index)
    if tree_names != names or tree_parents != parents:
        return None
    return Skeleton(kinds, eids, parents, index)


def _walk(nodes: tuple, parent: int, names: list[str], parents: list[int], index: list[int]) -> None:
    for i, node in enumerate(nodes):
        if type(node) is Element:
            eid = len(names)
            names.append(node[0].lower())
            parents.append(parent)
            index.append(i)
            if node[2]:
                _walk(node[2], eid, names, parents, index)


def _scan(html: str) -> tuple[list[int], list[int], list[str], list[int]] | None:
    """Tokenize tags; per "<": kind and element id; per element: name, parent id."""
    kinds: list[int] = []
    eids: list[int] = []
    names: list[str] = []
    parents: list[int] = []
    stack: list[int] = []  # open element ids
    implied: list[bool] = []  # per open element: opened by the parser, not a tag
    foreign: list[bool] = []  # per open element: its children are SVG/MathML
    find = html.find
    pos = find("<")
    while pos >= 0:
        nxt = html[pos + 1 : pos + 2]
        if nxt.isascii() and nxt.isalpha():
            m = _TAG.match(html, pos + 1)
            if m is None:
                return None
            name = m.group(1).lower()
            in_foreign = bool(foreign) and foreign[-1]
            if not in_foreign:
                # The implied table parts a browser adds (and we can mirror).
                top = names[stack[-1]] if stack else ""
                if name == "tr" and top == "table":
                    _open(names, parents, stack, implied, foreign, "tbody", True, False)
                elif name in ("td", "th") and top in ("tbody", "thead", "tfoot", "table"):
                    if top == "table":
                        _open(names, parents, stack, implied, foreign, "tbody", True, False)
                    _open(names, parents, stack, implied, foreign, "tr", True, False)
                elif name == "col" and top == "table":
                    _open(names, parents, stack, implied, foreign, "colgroup", True, False)
            eid = len(names)
            names.append(name)
            parents.append(stack[-1] if stack else -1)
            self_closing = m.group(2) == "/"
            if in_foreign and self_closing or not in_foreign and name in VOID:
                kinds.append(VOID_TAG)
                eids.append(eid)
                end = m.end()
            else:
                kinds.append(START)
                eids.append(eid)
                if in_foreign:
                    kids_foreign = name not in _SVG_HTML_POINTS and name not in _MATH_HTML_POINTS
                else:
                    kids_foreign = name in ("svg", "math")
                stack.append(eid)
                implied.append(False)
                foreign.append(kids_foreign)
                end = m.end()
                if not in_foreign and name in _RAW:
                    raw_end = _RAW_END[name].search(html, end)
                    if raw_end is None:
                        return None
                    # Every "<" inside raw text is text.
                    for _ in range(html.count("<", end, raw_end.start())):
                        kinds.append(OTHER)
                        eids.append(-1)
                    end = raw_end.start()
            pos = find("<", end)
            continue
        if nxt == "/":
            nxt2 = html[pos + 2 : pos + 3]
            if not (nxt2.isascii() and nxt2.isalpha()):
                return None
            m = _TAG.match(html, pos + 2)
            if m is None:
                return None
            name = m.group(1).lower()
            # Close the parser-implied elements the end tag closes with it.
            while stack and implied[-1] and names[stack[-1]] != name:
                _close(stack, implied, foreign)
            if not stack or names[stack[-1]] != name or implied[-1]:
                return None
            kinds.append(END)
            eids.append(stack[-1])
            _close(stack, implied, foreign)
            pos = find("<", m.end())
            continue
        if html.startswith("<!--", pos):
            if html.startswith(">", pos + 4):
                end = pos + 5
            elif html.startswith("->", pos + 4):
                end = pos + 6
            else:
                m = _COMMENT_END.search(html, pos + 4)
                if m is None:
                    return None
                end = m.end()
        elif nxt in ("!", "?"):
            end = find(">", pos)
            if end < 0:
                return None
            end += 1
        else:
            kinds.append(OTHER)  # a "<" that is just text
            eids.append(-1)
            pos = find("<", pos + 1)
            continue
        kinds.append(OTHER)
        eids.append(-1)
        for _ in range(html.count("<", pos + 1, end)):
            kinds.append(OTHER)
            eids.append(-1)
        pos = find("<", end)
    while stack and implied[-1]:
        _close(stack, implied, foreign)
    if stack:
        return None
    return kinds, eids, names, parents


def _open(
    names: list[str],
    parents: list[int],
    stack: list[int],
    implied: list[bool],
    foreign: list[bool],
    name: str,
    is_implied: bool,
    kids_foreign: bool,
) -> None:
    eid = len(names)
    names.append(name)
    parents.append(stack[-1] if stack else -1)
    stack.append(eid)
    implied.append(is_implied)
    foreign.append(kids_foreign)


def _close(stack: list[int], implied: list[bool], foreign: list[bool]) -> None:
    stack.pop()
    implied.pop()
    foreign.pop()


_CHUNK = 2048


def common_affixes(a: str, b: str) -> tuple[int, int]:
    """Lengths of the longest common prefix and the longest common suffix after it."""
    n = min(len(a), len(b))
    # Whole chunks first (each a memcmp), then a binary search in the last one.
    i = 0
    while i + _CHUNK <= n and a[i : i + _CHUNK] == b[i : i + _CHUNK]:
        i += _CHUNK
    lo, hi = i, min(i + _CHUNK, n)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[i:mid] == b[i:mid]:
            lo = mid
        else:
            hi = mid - 1
    p = lo
    la, lb, m = len(a), len(b), n - lo
    j = 0
    while j + _CHUNK <= m and a[la - j - _CHUNK : la - j] == b[lb - j - _CHUNK : lb - j]:
        j += _CHUNK
    lo, hi = j, min(j + _CHUNK, m)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[la - mid : la - j] == b[lb - mid : lb - j]:
            lo = mid
        else:
            hi = mid - 1
    return p, lo


def reparse(old: str, new: str, tree: Tree, sk: Skeleton) -> Tree | None:
    """The parse of ``new`` built from ``tree`` (the parse of ``old``), or None.

    Succeeds when ``new`` has ``old``'s tags, in the same places, with only
    attribute values and text (outside tables, scripts and comments) changed.
    The result equals ``parse_html(new)``; ``sk`` stays valid for ``new``.
    """
    p, q = common_affixes(old, new)
    start = old.rfind("<", 0, p + 1) if p < len(old) else old.rfind("<")
    end_old = old.find("<", len(old) - q)
    end_new = new.find("<", len(new) - q)
    if end_old < 0:
        end_old = len(old)
    if end_new < 0:
        end_new = len(new)
    if start < 0:
        first = -1  # the first piece is the text before any "<"
        olds = old[:end_old].split("<")
        news = new[:end_new].split("<")
    else:
        first = old.count("<", 0, start) - 1  # piece 0 is "" (before this "<")
        olds = old[start:end_old].split("<")
        news = new[start:end_new].split("<")
        if olds[0] or news[0]:
            return None
    if len(olds) != len(news):
        return None
    kinds, eids = sk.kinds, sk.eids
    edits: list[tuple[list[int], object]] = []
    for i, (a, b) in enumerate(zip(olds, news, strict=True)):
        if a == b:
            continue
        o = first + i
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
            ma = _TAG.match(a, 1)
            mb = _TAG.match(b, 1)
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
        ma = _TAG.match(a)
        mb = _TAG.match(b)
        if ma is None or mb is None:
            return None
        if ma.group(1).lower() != mb.group(1).lower() or ma.group(2) != mb.group(2):
            return None
        eid = eids[o]
        tag_a, tag_b = a[: ma.end()], b[: mb.end()]
        if tag_a != tag_b:
            edit = _attr_edit(tree, sk, eid, "<" + tag_a, "<" + tag_b)
            if edit is None:
                return None
            edits.append(edit)
        gap_a, gap_b = a[ma.end() :], b[mb.end() :]
        if gap_a != gap_b:
            if kind == START:
                edit = _text_edit(tree, sk, eid, 0, "<" + tag_b, gap_a, gap_b, "<" + tag_a)
            else:
                edit = _text_edit(tree, sk, sk.parent[eid], sk.index[eid] + 1, "", gap_a, gap_b)
            if edit is None:
                return None
            edits.append(edit)
    for path, value in edits:
        tree = _replace(tree, path, 0, value)
    return tree


def _node_at(tree: Tree, path: list[int]) -> object:
    node: object = None
    nodes = tree
    for i in path:
        node = nodes[i]
        nodes = node[2]  # type: ignore[index]
    return node


def _context(tree: Tree, sk: Skeleton, eid: int) -> tuple[str, str, Element | None]:
    """(tag, namespace) to parse children of element ``eid`` in, and the element."""
    if eid < 0:
        return "div", HTML_NS, None
    el = _node_at(tree, sk.path(eid))
    return el[0], el[3], el  # type: ignore[index,return-value]


def _text_edit(
    tree: Tree,
    sk: Skeleton,
    parent: int,
    index: int,
    start_tag: str,
    old_gap: str,
    new_gap: str,
    old_start_tag: str = "",
) -> tuple[list[int], object] | None:
    """The new text node for a changed run of text, checked against the old one."""
    if not old_gap or not new_gap:
        return None  # a text node appears or disappears: the shape changes
    tag, ns, el = _context(tree, sk, parent)
    if tag in _TABLEISH or tag == "script" or ns == MATH_NS and tag == "annotation-xml":
        return None
    kids = el[2] if el is not None else tree
    if index >= len(kids) or type(kids[index]) is not str:
        return None
    if start_tag:
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
    return path, new_text


def _only(nodes: tuple) -> str | None:
    if len(nodes) == 1 and type(nodes[0]) is str:
        return nodes[0]
    return None


def _only_text(nodes: tuple, tag: str) -> str | None:
    if len(nodes) == 1 and type(nodes[0]) is Element and nodes[0][0] == tag:
        return _only(nodes[0][2])
    return None


def _attr_edit(
    tree: Tree, sk: Skeleton, eid: int, old_tag: str, new_tag: str
) -> tuple[list[int], object] | None:
    """The element with new attributes (and its current children)."""
    path = sk.path(eid)
    el = _node_at(tree, path)
    tag = el[0]  # type: ignore[index]
    ptag, pns, _ = _context(tree, sk, sk.parent[eid])
    if tag in _ATTR_SENSITIVE and (tag != "input" or ptag in _TABLEISH):
        return None
    old_el = parse_html(old_tag, ptag, pns)
    new_el = parse_html(new_tag, ptag, pns)
    if len(old_el) != 1 or len(new_el) != 1:
        return None
    o, n = old_el[0], new_el[0]
    if type(o) is not Element or type(n) is not Element or o[0] != tag or n[0] != tag:
        return None
    if o[1] != el[1]:  # type: ignore[index]
        return None
    return path, _Attrs(n[1])


class _Attrs:
    """An edit that swaps an element's attributes (children as they are by then)."""

    __slots__ = ("attrs",)

    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs


def _replace(nodes: tuple, path: list[int], depth: int, value: object) -> tuple:
    k = path[depth]
    node = nodes[k]
    if depth == len(path) - 1:
        if type(value) is _Attrs:
            new = make_element(node[0], value.attrs, node[2], node[3])
        else:
            new = value
    else:
        new = make_element(node[0], node[1], _replace(node[2], path, depth + 1, value), node[3])
    return (*nodes[:k], new, *nodes[k + 1 :])
