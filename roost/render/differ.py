# One actor's render state: its current HTML and VDOM, and the diff of each
# new render against them (the hot path of every render).
"""The per-actor differ."""

from __future__ import annotations

from typing import Any

from .diff import diff_edits, diff_trees
from .incremental import Edit, common_affixes, reparse_edits
from .parse import parse_html
from .skeleton import Skeleton, build_skeleton
from .vdom import Tree

__all__ = ["Differ"]


class Differ:
    """Holds one actor's current content and turns each new render into ops.

    ``Differ(html)`` starts from the content ``html`` (what the browser was
    sent in full). :meth:`update` returns the wire ops that turn the current
    content into the new one and makes the new one current.
    """

    __slots__ = ("_html", "_skeleton", "_skip", "_streak", "_tree")

    def __init__(self, html: str = "") -> None:
        html = str(html)  # a str subclass (Jinja's Markup) escapes on slicing
        self._html = html
        self._tree: Tree = _parse(html)
        # The shape of the current markup, for re-parsing only what changed;
        # built on the first update that could use it (None: not built yet).
        self._skeleton: Skeleton | None = None
        self._streak = 0  # skeleton builds that failed in a row
        self._skip = 0  # updates left before trying to build one again

    @property
    def html(self) -> str:
        """The current content, as last rendered."""
        return self._html

    @property
    def tree(self) -> Tree:
        """The current content as a VDOM tree."""
        return self._tree

    def update(self, new_html: str) -> list[Any]:
        """Return the ops from the current content to ``new_html``; make it current.

        An unchanged ``new_html`` returns ``[]``. The ops hold plain ``str``
        and ``int`` only, even if ``new_html`` is a ``str`` subclass such as
        Jinja's ``Markup``.
        """
        old_html = self._html
        if new_html == old_html:
            return []
        new_html = str(new_html)  # a str subclass (Jinja's Markup) escapes on slicing
        small = len(new_html) <= SHARED_RENDER_BYTES
        tree = _parses.get(new_html) if small else None
        ops = None
        if tree is not None:
            # Content seen moments ago (a tab switched back, a toggle, the
            # render every other tab of a broadcast made): no parse, and its
            # ops from the tree this actor holds may be in the memo too.
            self._skeleton = None  # the skeleton is of the old shape
        else:
            reparsed = self._reparse(old_html, new_html)
            if reparsed is None:
                tree = _parse(new_html)
                self._skeleton = None  # the shape may have changed
            else:
                tree, edits = reparsed
                if small:
                    _remember(new_html, tree)
                # Only texts and attributes changed: their ops without a walk of the trees.
                skeleton = self._skeleton
                if skeleton is not None and skeleton.plain:
                    ops = diff_edits(edits)
                    if ops is None:  # a key changed: siblings' keys may repeat from now on
                        skeleton.plain = False
        if ops is None:
            ops = _diff(self._tree, tree, new_html)
        self._html = new_html
        self._tree = tree
        return ops

    def _reparse(self, old_html: str, new_html: str) -> tuple[Tree, list[Edit]] | None:
        """The new tree from the old one, and the edits, when only attributes and
        text changed."""
        affixes = common_affixes(old_html, new_html)
        skeleton = self._skeleton
        if skeleton is None:
            p, q = affixes
            if old_html.count("<", p, len(old_html) - q) != new_html.count(
                "<", p, len(new_html) - q
            ):
                return None  # tags came or went: not worth a skeleton
            if self._skip:
                self._skip -= 1
                return None
            skeleton = build_skeleton(old_html, self._tree)
            if skeleton is None:
                # Markup our tag scan cannot mirror: back off (1, 2, 4 … 64 updates).
                self._streak += 1
                self._skip = min(2 ** (self._streak - 1), 64)
                return None
            self._streak = 0
            self._skeleton = skeleton
        # (It counts the tags in the changed stretch itself: not counted twice here.)
        return reparse_edits(old_html, new_html, self._tree, skeleton, affixes)


# -- work shared between actors ---------------------------------------------------
#
# Many actors often render the very same content: every tab of a chat after a
# broadcast, every new tab of a page. Trees are immutable, so the parse of an
# HTML text made moments ago serves them all (and they share its memory), and
# so do the ops between two trees they share. A small bounded memo, newest kept.

SHARED_PARSES = 64
"""How many recent parses are kept for other actors to share."""
SHARED_HTML_BYTES = 256 * 1024
"""Their HTML at most, all together (a large page is parsed by each actor)."""

_parses: dict[str, Tree] = {}
_parsed_bytes = 0
_diffs: dict[tuple[int, int], tuple[Tree, Tree, list[Any]]] = {}


SHARED_RENDER_BYTES = 16 * 1024
"""The largest render looked up before re-parsing, and kept after: larger
content is hashed at a cost, and is rarely rendered again to the byte."""
_SHARED_MAX = SHARED_HTML_BYTES // 4


def _parse(html: str) -> Tree:
    tree = _parses.get(html)
    if tree is not None:
        return tree
    tree = parse_html(html)
    _remember(html, tree)
    return tree


def _remember(html: str, tree: Tree) -> None:
    # Keep the parse of ``html`` (which the memo does not hold yet) for others.
    global _parsed_bytes
    size = len(html)
    if size > _SHARED_MAX:
        return
    while _parses and (len(_parses) >= SHARED_PARSES or _parsed_bytes + size > SHARED_HTML_BYTES):
        oldest = next(iter(_parses))
        _parsed_bytes -= len(oldest)
        del _parses[oldest]
    _parses[html] = tree
    _parsed_bytes += size


def _diff(old: Tree, new: Tree, new_html: str) -> list[Any]:
    # Keyed by identity, checked against the trees kept (an id is reused only
    # once its object is gone, and the entry keeps both alive). The ops are
    # read-only to every caller.
    key = (id(old), id(new))
    hit = _diffs.get(key)
    if hit is not None and hit[0] is old and hit[1] is new:
        return hit[2]
    ops = diff_trees(old, new, new_html)
    if new is _parses.get(new_html):  # only trees others may hold too
        if len(_diffs) >= SHARED_PARSES:
            del _diffs[next(iter(_diffs))]
        _diffs[key] = (old, new, ops)
    return ops
