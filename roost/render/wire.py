# The HTML of a full render, as sent to the browser client: made so that the
# client's inert parse builds exactly the nodes a page load of the source builds.
"""HTML for the client's full-content parses (``Render`` messages, ``REPLACE []``).

A page load parses an actor's content as the children of its container
``<div>``, with scripting enabled; that is what :func:`parse_html` builds and
what every diff starts from. The client parses every later HTML string
inertly, with scripting *disabled*: a ``Render`` message's HTML as a
``<template>``'s ``innerHTML``, a whole-content ``REPLACE`` in a
``<div>`` of an inert document. Two things differ:

- ``<noscript>``: its content is raw text with scripting enabled, markup with
  it disabled (``<noscript><p>a</noscript>`` is one text node in the page, a
  ``<p>`` in the template; and a formatting element left open before it is
  reconstructed around it only in the template). No other element parses by
  the scripting flag: ``script``, ``style``, ``xmp``, ``iframe``,
  ``noembed``, ``noframes`` and ``plaintext`` are raw text and ``textarea``
  and ``title`` RCDATA either way.
- The ``<template>`` context: until the first start tag other than a
  head-ish tag (``base``, ``link``, ``meta``, ``noframes``, ``script``,
  ``style``, ``template``, ``title`` …), a template keeps table parts
  (``<tr><td>1`` is a row, in a ``<div>`` just the text ``1``) and drops end
  tags (``</p>`` is an empty ``<p>`` in a ``<div>``, nothing in a template).
  A leading ``<html>`` tag, which adds nothing to either parse, switches the
  template to the ``<div>`` rules at once.

:func:`client_html` rewrites the content's HTML accordingly.
"""

from __future__ import annotations

import re

from .parse import opens_body, parse_client_html, parse_html
from .vdom import Tree, escape_text, to_html

__all__ = ["client_html", "full_html"]

_BODY = "<html>"  # parsed as content, a no-op that puts a template in the body rules

# A <noscript> start tag (quoted attribute values may hold ">") and its raw
# content with scripting enabled: up to the end tag or the end of the input.
_NOSCRIPT_CONTENT = re.compile(
    r"""(<noscript(?=[\t\n\f\r />])(?:[^>"']|"[^"]*"|'[^']*')*>)"""
    r"(.*?)(?=</noscript[\t\n\f\r />]|\Z)",
    re.I | re.S,
)


def client_html(html: str) -> str:
    """The HTML to send in a ``Render`` message for the content ``html``.

    The client's parse of the result (a ``<template>``'s ``innerHTML``,
    scripting disabled; see :func:`roost.render.parse.parse_client_html`)
    builds ``parse_html(html)``: the nodes a page load of ``html`` builds
    and every diff of this content starts from.

    - Fast path: unless ``html`` contains ``<noscript`` (in any case),
      ``html`` itself when its first tag is a start tag that takes a template
      to the ``<div>`` rules (``<div``, ``<p``, ``<h1`` …, or no tag at
      all), else ``"<html>" + html``. No parse.
    - With ``<noscript``: ``html`` with each ``<noscript>``'s raw content
      escaped, checked to parse into ``parse_html(html)`` the client's way
      (two parses in all). Where it does not (a ``<b>`` closed implicitly
      before a ``<noscript>`` would be reopened around it), the tree
      serialised with its ``<noscript>`` text escaped (a third parse checks
      it). Content that fails both (the second one fails only for trees no
      markup builds in isolation, see
      :class:`roost.render.roundtrip.LossyMarkup`, and only with such a
      ``<b>`` too) gets the escaped source.

    A ``str`` subclass (Jinja's ``Markup``) comes back as a plain ``str``.
    """
    if type(html) is not str:
        html = str(html)  # Markup would escape the "<html>" added to it
    if "<noscript" not in html.lower():
        return html if opens_body(html) else _BODY + html
    return _rewrite(html, parse_html(html))


def full_html(tree: Tree, html: str | None = None) -> str:
    """The HTML that sets a container's whole content to ``tree`` on the client.

    ``html`` is the source ``tree`` was parsed from (``parse_html(html) ==
    tree``), if known: then this is :func:`client_html` of it without a
    second parse; else ``tree`` serialised for the client.
    """
    if html is None:
        return _body(to_html(tree, scripting=False))
    if type(html) is not str:
        html = str(html)
    if "<noscript" not in html.lower():
        return _body(html)
    return _rewrite(html, tree)


def _rewrite(html: str, tree: Tree) -> str:
    escaped = _body(_NOSCRIPT_CONTENT.sub(_escape_content, html))
    if parse_client_html(escaped) == tree:
        return escaped
    serialised = _body(to_html(tree, scripting=False))
    if parse_client_html(serialised) == tree:
        return serialised
    return escaped  # both differ: the tree has parts no markup builds in isolation


def _escape_content(match: re.Match[str]) -> str:
    return match[1] + escape_text(match[2])


def _body(html: str) -> str:
    return html if opens_body(html) else _BODY + html
