# What a dead-rendered page holds: each actor's own content as a page load
# builds it, and a fingerprint of it, so that a join can skip resending it.
"""The served page, actor by actor.

A page load builds each actor's container from the dead render's HTML; when
the connected actor's first render parses into exactly that content, the
page need not be sent it again. :func:`served_contents` gives each
container's own content as the browser's parse of the page builds it (the
whole document, scripting enabled: no fragment-parsing assumption, so
markup that a page load nests differently than a lone render, such as a
stray end tag, simply does not match); :func:`fingerprint` names a tree
compactly, for the session token to carry from the dead render to the join.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from typing import cast

import msgspec
from selectolax.lexbor import LexborHTMLParser

from ..protocol import ATTR, VIEW_TARGET
from .parse import _children, _LexborNode
from .vdom import HTML_NS, Element, Node, Tree

__all__ = ["fingerprint", "served_contents", "served_fingerprints"]

_encode = msgspec.json.Encoder().encode


def fingerprint(tree: Tree) -> str:
    """A short name of ``tree`` (72 bits of BLAKE2b over a canonical encoding)."""
    digest = hashlib.blake2b(_encode(tree), digest_size=9).digest()
    return base64.urlsafe_b64encode(digest).decode()


def served_contents(page: str) -> dict[str, Tree]:
    """Each actor's own content in the page ``page``, as a page load builds it.

    The view's container is the element with the view's ``ATTR.ID``; every
    element with ``ATTR.ID`` inside it is another actor's container, whose
    content belongs to that actor and is left out of its parent's (an empty
    container, as the parent's live render places it). An id found more than
    once is left out altogether (which container it names is unclear).
    Empty when the page has no view container.
    """
    document = LexborHTMLParser(page, scripting=True)
    root = document.css_first(f'[{ATTR.ID}="{VIEW_TARGET}"]')
    if root is None:
        return {}
    first = cast("_LexborNode | None", root.first_child)
    content = _children(first, HTML_NS) if first is not None else ()
    out: dict[str, Tree] = {}
    twice: set[str] = set()
    out[VIEW_TARGET] = _split(content, out, twice)
    for target in twice:
        out.pop(target, None)
    return out


def served_fingerprints(page: str) -> dict[str, str]:
    """:func:`fingerprint` of each of the page's :func:`served_contents`.

    The pages of many visitors are often the very same (a page's token is
    added after): the last few pages' answers are kept (pages up to 64 KiB).
    """
    if len(page) > CACHED_PAGE_CHARS:
        return _served_fingerprints.__wrapped__(page)
    return dict(_served_fingerprints(page))


CACHED_PAGE_CHARS = 64 * 1024
"""Larger pages are not kept by :func:`served_fingerprints` (32 of them at most)."""


@functools.lru_cache(maxsize=32)
def _served_fingerprints(page: str) -> dict[str, str]:
    return {target: fingerprint(tree) for target, tree in served_contents(page).items()}


def _split(nodes: Tree, out: dict[str, Tree], twice: set[str]) -> Tree:
    """``nodes`` with every container emptied; the containers' content into ``out``."""
    changed = False
    kept: list[Node] = []
    for node in nodes:
        if type(node) is Element:
            tag, attrs, children, ns = node
            target = attrs.get(ATTR.ID)
            if target is not None:
                if target in out or target == VIEW_TARGET:
                    twice.add(target)
                out[target] = _split(children, out, twice)
                if children:
                    node = Element(tag, attrs, (), ns)
                    changed = True
            elif children:
                inner = _split(children, out, twice)
                if inner is not children:
                    node = Element(tag, attrs, inner, ns)
                    changed = True
        kept.append(node)
    return tuple(kept) if changed else nodes
