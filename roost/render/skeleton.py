# The shape of an actor's markup: which "<" starts which element's tag and
# where that element sits in the tree, trusted only when it agrees with lexbor.
"""Tag scanning for the incremental parser (see :mod:`roost.render.incremental`)."""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

from .vdom import BOUNDARY_ATTR, KEY_ATTR, VOID, Element, Tree, key_of

__all__ = ["END", "OTHER", "START", "TAG", "VOID_TAG", "Skeleton", "build_skeleton"]

# One start (or end) tag after its "<", as the HTML tokenizer reads it: the
# name, attributes with quoted or unquoted values, stray "/"s, and whether it
# ends with "/>". Atomic groups and possessive runs keep a malformed tag from
# backtracking: a name or an unquoted value, like the tokenizer's, runs to its
# end. A value opened by a quote runs to its closing quote (no tag here if it
# has none), and a name followed by "=" has a value: a quote never starts an
# unquoted one, and it is empty only right before ">".
TAG = re.compile(
    r"([a-zA-Z][^\t\n\f\r />]*+)"
    r"(?>[\t\n\f\r ]+|/(?!>)|[^\t\n\f\r />][^\t\n\f\r />=]*+"
    r"(?>[\t\n\f\r ]*+=[\t\n\f\r ]*+(?>\"[^\"]*\"|'[^']*'|(?![\"'])[^\t\n\f\r >]++|(?=>))"
    r"|(?![\t\n\f\r ]*=)))*+"
    r"(/?)>"
)
# Every "<" of template-like markup, for findall: a plain tag (1: "/" of an
# end tag, 2: name, 3: "/" of "/>"; names and double-quoted values without
# surprises, which the tokenizer reads the same way), 4: a comment or bogus
# comment holding no "<", 5: the start of anything else (the slow scan's
# business), or nothing (a "<" in text).
_FAST = re.compile(
    r'<(?:(/?)([a-zA-Z][a-zA-Z0-9-]*)(?:[\t\n\f\r ]+[a-zA-Z_:@][-a-zA-Z0-9_:.@]*(?:="[^"<]*")?)*'
    r"[\t\n\f\r ]*(/?)>|(!--(?!-?>)[^<]*?--!?>|!---?>|[!?][^<>]*>)|(/?[a-zA-Z]|[!?/]))?"
)
_COMMENT_END = re.compile(r"--!?>")
# Content of these (in HTML) is read raw up to their end tag.
_RAW = frozenset("script style textarea title xmp iframe noembed noframes noscript".split())
_RAW_END: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in _RAW
}
# Parser-implied table parts: for a start tag, by the open element, the
# elements a browser opens first.
_IMPLIED_BY: dict[str, dict[str, tuple[str, ...]]] = {
    "tr": {"table": ("tbody",)},
    "td": {"table": ("tbody", "tr"), "tbody": ("tr",), "thead": ("tr",), "tfoot": ("tr",)},
    "th": {"table": ("tbody", "tr"), "tbody": ("tr",), "thead": ("tr",), "tfoot": ("tr",)},
    "col": {"table": ("colgroup",)},
}
_SVG_HTML_POINTS = frozenset(("foreignobject", "desc", "title"))
_MATH_HTML_POINTS = frozenset(("mi", "mo", "mn", "ms", "mtext", "annotation-xml"))

OTHER, START, VOID_TAG, END = 0, 1, 2, 3
# A token: ("/" for an end tag, tag name, "/" for "/>", the number of "<"s
# inside it beyond its own (or, from _FAST, a falsy string), and a truthy
# string for markup the fast scan leaves to the slow one); a name of "" marks
# anything but a tag.
Token = tuple[str, str, str, "int | str", str]
_NOT_A_TAG: Token = ("", "", "", 0, "")


class Skeleton:
    """The shape of one actor's markup.

    ``kinds[o]``/``eids[o]``: what the ``o``-th ``<`` of the HTML starts
    (OTHER, START, VOID_TAG or END) and the id of its element (elements are
    numbered in document order); ``parent[e]`` and ``index[e]``: element
    ``e``'s parent id (-1: the container) and its child index there.

    ``plain``: no two siblings have the same key and no component boundary
    holds anything, so that a change of texts and attributes other than keys
    diffs node by node (``roost.render.diff.diff_edits``).
    """

    __slots__ = ("eids", "index", "kinds", "parent", "plain")

    def __init__(
        self,
        kinds: Sequence[int],
        eids: Sequence[int],
        parent: Sequence[int],
        index: Sequence[int],
        plain: bool = False,
    ) -> None:
        # Kept as machine ints: an actor holds its skeleton between renders, and
        # a list of Python ints costs ten times as much (a 1,000-row list: 60 KB).
        self.kinds = array("b", kinds)
        self.eids = array("i", eids)
        self.parent = array("i", parent)
        self.index = array("i", index)
        self.plain = plain

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
    shape = _shape(_FAST.findall(html), strict_raw=True)
    if shape is None:
        tokens = _slow_tokens(html)
        shape = _shape(tokens, strict_raw=False) if tokens is not None else None
        if shape is None:
            return None
    kinds, eids, names, parents = shape
    tree_names: list[str] = []
    tree_parents: list[int] = []
    index: list[int] = []
    _walk(tree, -1, tree_names, tree_parents, index)
    if tree_names != names or tree_parents != parents:
        return None
    return Skeleton(kinds, eids, parents, index, _plain(tree))


def _plain(nodes: Tree) -> bool:
    # Skeleton.plain of a child list and everything under it.
    keys: set[str] | None = None
    for node in nodes:
        if type(node) is not Element:
            continue
        attrs, children = node[1], node[2]
        if attrs and (KEY_ATTR in attrs or BOUNDARY_ATTR in attrs):
            if BOUNDARY_ATTR in attrs and children:
                return False
            key = key_of(node)
            if keys is None:
                keys = set()
            elif key in keys:
                return False
            assert key is not None
            keys.add(key)
        if children and not _plain(children):
            return False
    return True


def _walk(nodes: Tree, parent: int, names: list[str], parents: list[int], index: list[int]) -> None:
    for i, node in enumerate(nodes):
        if type(node) is Element:
            eid = len(names)
            names.append(node[0].lower())
            parents.append(parent)
            index.append(i)
            if node[2]:
                _walk(node[2], eid, names, parents, index)


def _slow_tokens(html: str) -> list[Token] | None:
    """One token per "<", following the tokenizer (raw text, comments, odd tags)."""
    out: list[Token] = []
    append = out.append
    find = html.find
    pos = find("<")
    while pos >= 0:
        nxt = html[pos + 1 : pos + 2]
        is_end = nxt == "/"
        if _letter(html[pos + 2 : pos + 3] if is_end else nxt):
            m = TAG.match(html, pos + 2 if is_end else pos + 1)
            if m is None:
                return None
            end = m.end()
            name = m.group(1).lower()
            append(("/" if is_end else "", name, m.group(2), html.count("<", pos + 1, end), ""))
            if not is_end and name in _RAW:
                raw_end = _RAW_END[name].search(html, end)
                if raw_end is None:
                    return None
                end = raw_end.start()
                out.extend([_NOT_A_TAG] * html.count("<", m.end(), end))
            pos = find("<", end)
            continue
        if html.startswith("<!--", pos):
            if html.startswith(">", pos + 4):
                end = pos + 5
            elif html.startswith("->", pos + 4):
                end = pos + 6
            else:
                c = _COMMENT_END.search(html, pos + 4)
                if c is None:
                    return None
                end = c.end()
        elif nxt in ("!", "?", "/"):
            end = find(">", pos)
            if end < 0:
                return None
            end += 1
        else:
            end = pos + 1  # a "<" that is just text
        append(_NOT_A_TAG)
        out.extend([_NOT_A_TAG] * html.count("<", pos + 1, end))
        pos = find("<", end)
    return out


def _letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _shape(
    tokens: list[Token], strict_raw: bool
) -> tuple[list[int], list[int], list[str], list[int]] | None:
    """Per "<": kind and element id; per element: name and parent id; None if odd.

    ``tokens``: one per "<", from ``_FAST.findall`` or :func:`_slow_tokens`.

    Elements must be closed by their own end tag (parser-implied table parts
    aside). With ``strict_raw``, a raw-text element must hold no "<" (the
    fast tokens do not know where raw text ends).
    """
    kinds: list[int] = []
    eids: list[int] = []
    names: list[str] = []
    parents: list[int] = []
    stack: list[int] = []  # open element ids
    implied: list[bool] = []  # per open element: opened by the parser, not a tag
    foreign: list[bool] = []  # per open element: its children are SVG/MathML
    kind_append = kinds.append
    eid_append = eids.append
    parent = -1
    in_foreign = False
    raw_open = ""  # a raw-text element just opened (strict_raw)
    for is_end, name, closing, inner, odd in tokens:
        if odd:
            return None
        if not name:
            if raw_open:
                return None
            kind_append(OTHER)
            eid_append(-1)
            continue
        name = name.lower()
        if is_end:
            if raw_open and raw_open != name:
                return None
            raw_open = ""
            while stack and implied[-1] and names[stack[-1]] != name:
                stack.pop()
                implied.pop()
                foreign.pop()
            if not stack or names[stack[-1]] != name or implied[-1]:
                return None
            kind_append(OTHER if inner else END)
            eid_append(stack.pop())
            implied.pop()
            foreign.pop()
            parent = stack[-1] if stack else -1
            in_foreign = foreign[-1] if foreign else False
        else:
            if raw_open:
                return None
            if not in_foreign and name in _IMPLIED_BY:
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
            if (in_foreign and closing) or (not in_foreign and name in VOID):
                kind_append(OTHER if inner else VOID_TAG)
            else:
                kind_append(OTHER if inner else START)
                if in_foreign:
                    kids_foreign = name not in _SVG_HTML_POINTS and name not in _MATH_HTML_POINTS
                else:
                    kids_foreign = name == "svg" or name == "math"
                    if strict_raw and name in _RAW:
                        raw_open = name
                stack.append(eid)
                implied.append(False)
                foreign.append(kids_foreign)
                parent = eid
                in_foreign = kids_foreign
        if inner:
            kinds.extend([OTHER] * inner)  # type: ignore[operator]
            eids.extend([-1] * inner)  # type: ignore[operator]
    while stack and implied[-1]:
        stack.pop()
        implied.pop()
    if stack or raw_open:
        return None
    return kinds, eids, names, parents
