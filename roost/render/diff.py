# Tree diff: the ops that turn one VDOM tree into another, addressed by
# child-index paths; unchanged subtrees are skipped by C-level tuple equality.
"""Diff two VDOM trees into wire ops (see :mod:`roost.render.ops`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .keyed import diff_keyed
from .ops import ATTR_CODES, INSERT, REMOVE, REMOVE_ATTR, REPLACE, SET_ATTR, SPLICE, TEXT
from .parse import parse_html
from .roundtrip import LossyMarkup, html_for, insert_html
from .splice import splice_args
from .vdom import (
    BOUNDARY_ATTR,
    HTML_NS,
    KEY_ATTR,
    Comment,
    Element,
    Node,
    ProcessingInstruction,
    Tree,
    children_context,
    compatible,
)
from .wire import full_html

__all__ = ["diff_children", "diff_edits", "diff_html", "diff_node", "diff_trees", "replace_all"]


def diff_html(old_html: str, new_html: str) -> list[Any]:
    """The wire ops that turn an actor's content ``old_html`` into ``new_html``.

    Exactly what :meth:`Differ.update` sends for that change.
    """
    if old_html == new_html:
        return []
    new_html = str(new_html)  # plain str on the wire, even for Jinja's Markup
    return diff_trees(parse_html(old_html), parse_html(new_html), new_html)


def diff_trees(old: Tree, new: Tree, new_html: str | None = None) -> list[Any]:
    """The ops that turn the tree ``old`` into ``new`` (both tuples of nodes).

    If some inserted part of ``new`` would not parse back into itself, the
    ops are a single replace of the whole content with ``new_html`` (the
    source, which parses into ``new`` by definition; ``to_html(new)`` if not
    given), made fit for the client's inert parse by :func:`full_html`.
    """
    ops: list[Any] = []
    if old == new:
        return ops
    try:
        diff_children(old, new, [], ops, HTML_NS)
    except LossyMarkup:
        return replace_all(full_html(new, new_html))
    return ops


def diff_edits(edits: Iterable[tuple[list[int], Any, Any]]) -> list[Any] | None:
    """The ops :func:`diff_trees` gives for a change of texts and attributes only.

    ``edits``: (path, before, after) of each text node (a str) or element
    attributes (a dict) that changed, in document order, in a tree where no
    two siblings share a key and no component boundary holds anything (see
    ``Skeleton.plain``). None if one changes a key or a boundary's id: keyed
    matching then decides what is kept.
    """
    ops: list[Any] = []
    for path, before, after in edits:
        if before == after:
            continue  # written differently, read the same (&amp; and &#38;)
        if type(after) is str:
            _set_text(before, after, path, ops)
            continue
        if before.get(KEY_ATTR) != after.get(KEY_ATTR) or before.get(BOUNDARY_ATTR) != after.get(
            BOUNDARY_ATTR
        ):
            return None
        diff_attrs(before, after, path, ops)
    return ops


def replace_all(html: str) -> list[Any]:
    """The ops that set the whole content to ``html``.

    The client parses ``html`` as a ``<div>``'s content in an inert document
    (scripting disabled): pass :func:`roost.render.client_html` of the source.
    """
    return [[REPLACE, [], html]]


def diff_node(old: Node, new: Node, path: list[int], ops: list[Any]) -> None:
    """Append to ``ops`` the ops that turn ``old`` (at ``path``) into ``new``.

    ``old`` and ``new`` must be :func:`compatible`; a component boundary's
    attributes are compared but its children never are.

    Raises ``TypeError`` for two different nodes of different kinds.
    """
    # Each test names both nodes (``type(old) is type(new) is X``): the
    # callers checked that their kinds agree, and so the type checker knows.
    if type(old) is type(new) is Element:
        oa, na = old[1], new[1]
        if oa != na:
            diff_attrs(oa, na, path, ops)
        if BOUNDARY_ATTR in na:
            return
        ok, nk = old[2], new[2]
        if ok != nk:
            ctx = HTML_NS if new[3] == HTML_NS else children_context(new[0], new[3], na)
            diff_children(ok, nk, path, ops, ctx)
        return
    if old == new:
        return
    if type(old) is type(new) is str:
        _set_text(old, new, path, ops)
    elif type(old) is type(new) is Comment:
        _set_text(old[0], new[0], path, ops)
    elif type(old) is type(new) is ProcessingInstruction:
        _set_text(old[1], new[1], path, ops)
    else:
        raise TypeError(f"cannot patch {old!r} into {new!r}: they are not compatible")


def _set_text(old: str, new: str, path: list[int], ops: list[Any]) -> None:
    args = splice_args(old, new)
    if args is None:
        ops.append([TEXT, path, new])
    else:
        ops.append([SPLICE, path, *args])


def diff_attrs(old: dict[str, str], new: dict[str, str], path: list[int], ops: list[Any]) -> None:
    """Append the ops for changed attributes of one element.

    One SET_ATTR for all changed and added ones (a SPLICE instead for a long
    value whose change is short), one REMOVE_ATTR for all removed ones. A
    name in ``ATTR_NAMES`` goes as its index there.
    """
    sets: list[Any] = []
    splices: list[Any] = []
    for name, value in new.items():
        before = old.get(name)
        if before != value:
            args = splice_args(before, value) if before is not None else None
            if args is None:
                sets.append(ATTR_CODES.get(name, name))
                sets.append(value)
            else:
                splices.append([SPLICE, path, *args, ATTR_CODES.get(name, name)])
    if sets:
        ops.append([SET_ATTR, path, *sets])
    ops.extend(splices)
    gone = [ATTR_CODES.get(name, name) for name in old if name not in new]
    if gone:
        ops.append([REMOVE_ATTR, path, *gone])


def diff_children(old: Tree, new: Tree, path: list[int], ops: list[Any], ctx: str) -> None:
    """Append the ops that turn the child list ``old`` of ``path`` into ``new``.

    ``ctx`` is the namespace the parent's children parse in (for inserts).
    Unkeyed children pair up by position after the equal prefix and suffix.
    """
    n, m = len(old), len(new)
    lo = 0
    top = min(n, m)
    while lo < top and old[lo] == new[lo]:
        lo += 1
    hi_o, hi_n = n, m
    while hi_o > lo and hi_n > lo and old[hi_o - 1] == new[hi_n - 1]:
        hi_o -= 1
        hi_n -= 1
    if lo == hi_o and lo == hi_n:
        return
    mid_old = old[lo:hi_o]
    mid_new = new[lo:hi_n]
    if _has_keys(mid_old) or _has_keys(mid_new):
        diff_keyed(mid_old, mid_new, lo, path, ops, ctx, diff_node)
        return
    common = min(len(mid_old), len(mid_new))
    for i in range(common):
        a = mid_old[i]
        b = mid_new[i]
        if a == b:
            continue
        if compatible(a, b):
            diff_node(a, b, [*path, lo + i], ops)
        else:
            ops.append([REPLACE, [*path, lo + i], html_for((b,), ctx)])
    if len(mid_old) > common:
        count = len(mid_old) - common
        op = [REMOVE, [*path, lo + common]]
        if count > 1:
            op.append(count)
        ops.append(op)
    elif len(mid_new) > common:
        ops.append([INSERT, [*path, lo + common], insert_html(mid_new[common:], ctx)])


def _has_keys(nodes: Tree) -> bool:
    for node in nodes:
        if type(node) is Element and node[1] and (KEY_ATTR in node[1] or BOUNDARY_ATTR in node[1]):
            return True
    return False
