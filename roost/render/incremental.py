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
# What a "<" starts: a tag (1: "/" of an end tag, 2: name, 3: "/" of "/>"),
# 4: a comment, doctype or bogus comment, or nothing (a "<" in text).
_TOKEN = re.compile(
    r"<(?:(/?)([a-zA-Z][^\t\n\f\r />]*)"
    r"(?>[\t\n\f\r ]+|/(?!>)|[^\t\n\f\r />][^\t\n\f\r />=]*"
    r"(?>[\t\n\f\r ]*=[\t\n\f\r ]*(?>\"[^\"]*\"|'[^']*'|[^\t\n\f\r >]*))?)*+"
    r"(/?)>|(!--|[!?]|/))?"
)
_COMMENT_END = re.compile(r"--!?>")
# Parser-implied table parts: for a start tag, by the open element, the
# elements a browser opens first.
_IMPLIED_BY: dict[str, dict[str, tuple[str, ...]]] = {
    "tr": {"table": ("tbody",)},
    "td": {"table": ("tbody", "tr"), "tbody": ("tr",), "thead": ("tr",), "tfoot": ("tr",)},
    "th": {"table": ("tbody", "tr"), "tbody": ("tr",), "thead": ("tr",), "tfoot": ("tr",)},
    "col": {"table": ("colgroup",)},
}
# Content of these (in HTML) is read raw up to their end tag.
_RAW = frozenset("script style textarea title xmp iframe noembed noframes noscript".split())
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


def _walk(
    nodes: tuple, parent: int, names: list[str], parents: list[int], index: list[int]
) -> None:
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
    match = _TOKEN.match
    kind_append = kinds.append
    eid_append = eids.append
    parent = -1  # the innermost open element
    in_foreign = False
    pos = find("<")
    while pos >= 0:
        m = match(html, pos)
        name = m.group(2)
        if name is None:
            kind_append(OTHER)
            eid_append(-1)
            if m.group(4) is None:
                pos = find("<", pos + 1)  # a "<" that is just text
                continue
            if m.group(4) == "!--":
                if html.startswith(">", pos + 4):
                    end = pos + 5
                elif html.startswith("->", pos + 4):
                    end = pos + 6
                else:
                    c = _COMMENT_END.search(html, pos + 4)
                    if c is None:
                        return None
                    end = c.end()
            else:
                end = find(">", pos)
                if end < 0:
                    return None
                end += 1
            for _ in range(html.count("<", pos + 1, end)):
                kind_append(OTHER)
                eid_append(-1)
            pos = find("<", end)
            continue
        end = m.end()
        inner = html.count("<", pos + 1, end)  # "<"s inside attribute values
        name = name.lower()
        if m.group(1):  # an end tag; it also closes the parser-implied parts
            while stack and implied[-1] and names[stack[-1]] != name:
                stack.pop()
                implied.pop()
                foreign.pop()
            if not stack or names[stack[-1]] != name or implied[-1]:
                return None
            kind_append(END if not inner else OTHER)
            eid_append(stack.pop())
            implied.pop()
            foreign.pop()
            parent = stack[-1] if stack else -1
            in_foreign = foreign[-1] if foreign else False
        else:
            if not in_foreign and name in _IMPLIED_BY:
                # The table parts a browser adds around a bare <tr>/<td>/<col>.
                top = names[parent] if parent >= 0 else ""
                for wrapper in _IMPLIED_BY[name].get(top, ()):
                    eid = len(names)
                    names.append(wrapper)
                    parents.append(parent)
                    stack.append(eid)
                    implied.append(True)
                    foreign.append(False)
                    parent = eid
            eid = len(names)
            names.append(name)
            parents.append(parent)
            eid_append(eid)
            if (in_foreign and m.group(3)) or (not in_foreign and name in VOID):
                kind_append(VOID_TAG if not inner else OTHER)
            else:
                kind_append(START if not inner else OTHER)
                if in_foreign:
                    kids_foreign = name not in _SVG_HTML_POINTS and name not in _MATH_HTML_POINTS
                else:
                    kids_foreign = name == "svg" or name == "math"
                stack.append(eid)
                implied.append(False)
                foreign.append(kids_foreign)
                parent = eid
                if not in_foreign and name in _RAW:
                    raw_end = _RAW_END[name].search(html, end)
                    if raw_end is None:
                        return None
                    # Every "<" inside raw text is text.
                    for _ in range(html.count("<", end, raw_end.start())):
                        kind_append(OTHER)
                        eid_append(-1)
                    end = raw_end.start()
                in_foreign = kids_foreign
        for _ in range(inner):
            kind_append(OTHER)
            eid_append(-1)
        pos = find("<", end)
    while stack and implied[-1]:
        stack.pop()
        implied.pop()
    if stack:
        return None
    return kinds, eids, names, parents


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


def reparse(
    old: str, new: str, tree: Tree, sk: Skeleton, affixes: tuple[int, int] | None = None
) -> Tree | None:
    """The parse of ``new`` built from ``tree`` (the parse of ``old``), or None.

    Succeeds when ``new`` has ``old``'s tags, in the same places, with only
    attribute values and text (outside tables, scripts and comments) changed.
    The result equals ``parse_html(new)``; ``sk`` stays valid for ``new``.
    ``affixes`` is ``common_affixes(old, new)`` if the caller has it.
    """
    p, q = affixes if affixes is not None else common_affixes(old, new)
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
    if el[3] == HTML_NS:  # type: ignore[index]
        old_attrs = _parse_attrs(old_tag)
        new_attrs = _parse_attrs(new_tag)
        if old_attrs is not None and new_attrs is not None:
            if old_attrs != el[1]:  # type: ignore[index]
                return None
            return path, _Attrs(new_attrs)
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
    m = _TAG.match(tag, 1)
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
