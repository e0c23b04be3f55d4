# Shared statics: a run of similar rows (a list's items) sent as their common
# markup once plus each row's differing parts, as Phoenix's comprehensions are.
"""Factor the markup many rows share out of an INSERT's or a STREAM's HTML.

A *shared* value stands for a list of HTML strings (the rows)::

    {"s": [static0, static1, ..., staticN], "d": [row, row, ...]}

where each ``row`` is either a list of ``N`` strings (row HTML = ``static0 +
row[0] + static1 + ... + row[N-1] + staticN``) or a plain string (a row of
another shape, sent whole). :func:`rows` turns it back into the strings, so
what the browser parses is exactly the HTML the rows were: this changes bytes
on the wire, never the markup.

Which parts are "dynamic" is read off the HTML, not the template: text between
tags and double-quoted attribute values (how :func:`roost.render.vdom.to_html`
writes them); any part that is the same in every row of the common shape
joins the statics. Sharing is used only when it saves bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

from .vdom import Element, Tree, to_html

__all__ = ["MIN_ROWS", "Shared", "row_pieces", "rows", "share"]

MIN_ROWS = 3
"""Fewer rows than this are always sent as plain HTML."""

Shared = dict[str, list[Any]]

# The parts that may differ between rows of one shape: an attribute value
# (after `="`, up to the closing quote) or a run of text after a tag.
_DYNAMIC = re.compile(r'((?<==")[^"]*(?=")|(?<=>)[^<]+)')

# A plain string costs its quotes and a comma in JSON; a list its brackets.
_STR = 3
_LIST = 2


def share(htmls: Sequence[str]) -> Shared | None:
    """``htmls`` as a shared value, or ``None`` when that would not be smaller.

    The shape most rows have (their markup with text and attribute values
    taken out) is the one shared; rows of other shapes go whole.
    """
    if len(htmls) < MIN_ROWS:
        return None
    parts = [_DYNAMIC.split(html) for html in htmls]
    shapes = [tuple(p[0::2]) for p in parts]
    shape, count = Counter(shapes).most_common(1)[0]
    if count < MIN_ROWS:
        return None
    members = [i for i, s in enumerate(shapes) if s == shape]
    first = parts[members[0]]
    varying = [j for j in range(1, len(first), 2) if any(parts[i][j] != first[j] for i in members)]
    statics: list[str] = []
    run = first[0]
    vary = set(varying)
    for j in range(1, len(first), 2):
        if j in vary:
            statics.append(run)
            run = first[j + 1]
        else:
            run += first[j] + first[j + 1]
    statics.append(run)
    member = set(members)
    data: list[Any] = [
        [parts[i][j] for j in varying] if i in member else htmls[i] for i in range(len(htmls))
    ]
    plain = sum(len(h) + _STR for h in htmls)
    shared = (
        sum(len(s) + _STR for s in statics)
        + sum(_LIST + sum(len(v) + _STR for v in row) for row in data if type(row) is list)
        + sum(len(row) + _STR for row in data if type(row) is str)
        + 12  # {"s":,"d":[]}
    )
    if shared >= plain:
        return None
    return {"s": statics, "d": data}


def row_pieces(nodes: Tree) -> list[str] | None:
    """The HTML of ``nodes`` by row, for :func:`share`; None for fewer than
    ``MIN_ROWS`` elements (not worth sharing).

    A row is an element and the non-element nodes after it (the whitespace
    between list items); nodes before the first element are a row of their own.
    """
    starts = [i for i, node in enumerate(nodes) if type(node) is Element]
    if len(starts) < MIN_ROWS:
        return None
    if starts[0] != 0:
        starts.insert(0, 0)
    bounds = [*starts, len(nodes)]
    return [to_html(nodes[a:b], scripting=False) for a, b in pairwise(bounds)]


def rows(value: str | Shared | list[str]) -> list[str]:
    """The HTML strings a shared value (or a plain list, or one string) stands for.

    Raises ``ValueError`` for a row whose parts do not fit the statics.
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    statics: list[str] = value["s"]
    out: list[str] = []
    for row in value["d"]:
        if type(row) is str:
            out.append(row)
            continue
        html = [statics[0]]
        for dynamic, static in zip(row, statics[1:], strict=True):
            html.append(dynamic)
            html.append(static)
        out.append("".join(html))
    return out
