# Keyed children: match siblings by key, keep the longest run already in
# order, and move, insert or remove the rest — never a cascade of replaces.
"""Diff a child list whose nodes carry keys (``data-key``, or a boundary's id)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Any

from .ops import INSERT, MOVE, REMOVE
from .roundtrip import insert_html
from .vdom import Comment, Element, Node, ProcessingInstruction, Tree, compatible, key_of

__all__ = ["diff_keyed", "longest_increasing"]


def diff_keyed(
    old: Tree,
    new: Tree,
    offset: int,
    path: list[int],
    ops: list[Any],
    ctx: str,
    diff_node: Callable[[Node, Node, list[int], list[Any]], None],
) -> None:
    """Append the ops turning children ``old`` into ``new`` of the node at ``path``.

    ``old``/``new`` are the differing middle of the child lists, starting at
    child index ``offset``. A keyed node matches the old node with the same
    key (and tag); an unkeyed node matches the next unused old unkeyed node of
    the same kind. Unmatched old nodes are removed, unmatched new nodes
    inserted (a run as one op), and of the matched ones only those outside the
    longest run still in order are moved; then each pair is diffed in place
    with ``diff_node``. ``ctx`` is the namespace the children parse in.
    """

    by_key: dict[str, int] = {}
    unkeyed: dict[object, list[int]] = {}
    for i, node in enumerate(old):
        key = key_of(node)
        if key is None:
            unkeyed.setdefault(_kind(node), []).append(i)
        elif key not in by_key:
            by_key[key] = i
    for queue in unkeyed.values():
        queue.reverse()  # pop() from the end takes them in document order

    used = [False] * len(old)
    src: list[int] = []
    for node in new:
        key = key_of(node)
        j = -1
        if key is None:
            waiting = unkeyed.get(_kind(node))
            if waiting:
                j = waiting.pop()
        else:
            i = by_key.get(key, -1)
            if i >= 0 and not used[i] and compatible(old[i], node):
                j = i
        if j >= 0:
            used[j] = True
        src.append(j)

    # 1. Removals, from the last so earlier indexes stay valid; runs as one op.
    i = len(old) - 1
    while i >= 0:
        if used[i]:
            i -= 1
            continue
        end = i
        while i >= 0 and not used[i]:
            i -= 1
        count = end - i
        op = [REMOVE, [*path, offset + i + 1]]
        if count > 1:
            op.append(count)
        ops.append(op)

    # 2. Moves and inserts, right to left, each placed before its right
    #    neighbour (the anchor), which is already where it belongs.
    cur: list[object] = [i for i in range(len(old)) if used[i]]
    stable = longest_increasing([j for j in src if j >= 0])
    anchor: object = None
    k = len(new) - 1
    while k >= 0:
        j = src[k]
        if j < 0:
            start = k
            while start > 0 and src[start - 1] < 0:
                start -= 1
            pos = cur.index(anchor) if anchor is not None else len(cur)
            ops.append([INSERT, [*path, offset + pos], insert_html(new[start : k + 1], ctx)])
            placed = [("new", n) for n in range(start, k + 1)]
            cur[pos:pos] = placed
            anchor = placed[0]
            k = start - 1
            continue
        if j not in stable:
            frm = cur.index(j)
            del cur[frm]
            to = cur.index(anchor) if anchor is not None else len(cur)
            cur.insert(to, j)
            ops.append([MOVE, [*path, offset + frm], offset + to])
        anchor = j
        k -= 1

    # 3. Each matched pair in place, at its final index.
    for k, j in enumerate(src):
        if j >= 0:
            a, b = old[j], new[k]
            if a != b:
                diff_node(a, b, [*path, offset + k], ops)


def _kind(node: Node) -> object:
    """What an unkeyed node may be matched with: an element of the same tag
    and namespace, a processing instruction of the same target, another text
    or another comment."""
    if type(node) is Element:
        return (node[0], node[3])
    t = type(node)
    if t is ProcessingInstruction:
        return ("?", node[0])
    return t is Comment


def longest_increasing(seq: list[int]) -> set[int]:
    """The values of one longest strictly increasing subsequence of ``seq``."""
    tails: list[int] = []  # tails[n]: smallest tail value of an increasing run of n+1
    tail_at: list[int] = []  # index in seq of that tail
    prev = [-1] * len(seq)
    for i, value in enumerate(seq):
        n = bisect_left(tails, value)
        if n == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[n] = value
            tail_at[n] = i
        prev[i] = tail_at[n - 1] if n else -1
    out: set[int] = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        out.add(seq[i])
        i = prev[i]
    return out
