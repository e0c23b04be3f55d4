# Streams: list items rendered once, sent, and then dropped from the server.
# A stream's container (roost-update="stream") is kept empty in the actor's
# VDOM; what each render put in it leaves as one STREAM op instead.
"""Split stream containers' rendered items out of a render."""

from __future__ import annotations

import functools
from typing import Any

from ..protocol import ATTR, OP, VALUE
from .parse import parse_html
from .statics import share
from .vdom import Element, Node, Tree, to_html


def has_streams(html: str) -> bool:
    """Whether ``html`` may hold a stream container (a cheap test first)."""
    return f'{ATTR.UPDATE}="{VALUE.STREAM}"' in html


def split(html: str) -> tuple[str, list[tuple[str, list[int], list[tuple[str, str]]]]]:
    """``html`` with every stream container emptied, and for each container
    (its ``id``, its path of child indexes in the emptied tree) the items the
    render put in it, as (their ``id``, their HTML), in order.

    The answer is read-only: a broadcast makes many actors render the very
    same HTML (a chat's new message), and the last few answers are shared
    (for HTML up to 64 KiB).
    """
    if len(html) > CACHED_HTML_CHARS:
        return _split.__wrapped__(html)
    return _split(html)


CACHED_HTML_CHARS = 64 * 1024
"""Larger renders are split each time (32 of the others are kept)."""


@functools.lru_cache(maxsize=32)
def _split(html: str) -> tuple[str, list[tuple[str, list[int], list[tuple[str, str]]]]]:
    found: list[tuple[str, list[int], list[tuple[str, str]]]] = []

    def walk(nodes: tuple[Node, ...], path: list[int]) -> tuple[Node, ...]:
        out: list[Node] = []
        for i, node in enumerate(nodes):
            if type(node) is Element:
                if node.attrs.get(ATTR.UPDATE) == VALUE.STREAM:
                    items = [
                        (child.attrs.get("id", ""), to_html(child))
                        for child in node.children
                        if type(child) is Element
                    ]
                    found.append((node.attrs.get("id", ""), [*path, i], items))
                    node = Element(node.tag, node.attrs, (), node.ns)
                elif node.children:
                    children = walk(node.children, [*path, i])
                    if children is not node.children:
                        node = Element(node.tag, node.attrs, children, node.ns)
            out.append(node)
        result = tuple(out)
        return nodes if result == nodes else result

    tree: Tree = parse_html(html)
    stripped = walk(tree, [])
    return (html if stripped is tree else to_html(stripped)), found


def stream_ops(
    containers: list[tuple[str, list[int], list[tuple[str, str]]]],
    pending: dict[str, dict[str, Any]],
) -> list[Any]:
    """The STREAM ops for what a render put in each container and what its
    actor asked (``pending``, by container id: ``at``, ``limit``, ``deletes``,
    ``reset``): ``[OP.STREAM, path, [html, ...], at, limit, deletes, reset]`` (each
    item's id is its element's own ``id``: not sent twice; the items' shared
    markup sent once where that is smaller, see :mod:`.statics`)."""
    ops: list[Any] = []
    for container_id, path, items in containers:
        asked = pending.get(container_id, {})
        deletes = list(asked.get("deletes", ()))
        reset = bool(asked.get("reset", False))
        if not items and not deletes and not reset:
            continue
        htmls = [item for _dom_id, item in items]
        ops.append(
            [
                OP.STREAM,
                path,
                share(htmls) or htmls,
                asked.get("at", -1),
                asked.get("limit"),
                deletes,
                reset,
            ]
        )
    return ops
