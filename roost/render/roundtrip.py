# HTML for insert/replace ops, checked to parse back (in the browser's way)
# into exactly the nodes it was made from.
"""Serialise nodes for the wire, refusing markup that would not round-trip."""

from __future__ import annotations

from .parse import parse_in_template
from .statics import Shared, row_pieces, share
from .vdom import Tree, to_html

__all__ = ["LossyMarkup", "html_for", "insert_html"]


class LossyMarkup(Exception):
    """Nodes whose serialisation parses into a different tree.

    The HTML parser builds some trees that no markup reproduces in isolation
    (an ``<a>`` foster-parented out of a table into another ``<a>``, say).
    Their differ falls back to replacing the actor's whole content.
    """


def html_for(nodes: Tree, ctx: str) -> str:
    """The HTML for ``nodes``, children of a parent whose children are in ``ctx``.

    Raises :class:`LossyMarkup` unless the browser applier's parse of the
    result (a ``<template>``, wrapped for SVG/MathML; scripting disabled, so
    ``<noscript>`` text is written escaped) gives ``nodes`` back.
    """
    html = to_html(nodes, scripting=False)
    if parse_in_template(html, ctx) != nodes:
        raise LossyMarkup(html)
    return html


def insert_html(nodes: Tree, ctx: str) -> str | Shared:
    """An INSERT op's HTML for ``nodes``: :func:`html_for`, with the markup
    its rows share sent once when that is smaller (:mod:`.statics`)."""
    pieces = row_pieces(nodes)
    if pieces is None:
        return html_for(nodes, ctx)
    html = "".join(pieces)  # serialised once, by row
    if parse_in_template(html, ctx) != nodes:
        raise LossyMarkup(html)
    return share(pieces) or html
