# The Python applier: the test oracle for the diff and what the in-process
# test client patches its copy of the page with; same rules as patch.js.
"""Apply wire ops to a VDOM tree."""

from __future__ import annotations

from typing import Any

from .ops import (
    INSERT,
    MOVE,
    REMOVE,
    REMOVE_ATTR,
    REPLACE,
    SET_ATTR,
    SPLICE,
    STREAM,
    TEXT,
    attr_name,
)
from .parse import parse_html, parse_in_template
from .splice import apply_splice
from .statics import rows
from .vdom import (
    BOUNDARY_ATTR,
    HTML_NS,
    Comment,
    Element,
    Node,
    ProcessingInstruction,
    Tree,
    children_context,
    make_comment,
    make_element,
)

__all__ = ["PatchError", "apply_ops"]


class PatchError(ValueError):
    """An op does not fit the tree it is applied to (a bad path or op)."""


class _El:
    """A mutable element while ops are applied."""

    __slots__ = ("attrs", "kids", "ns", "tag")

    def __init__(self, tag: str, attrs: dict[str, str], kids: list[_El | _Data], ns: str) -> None:
        self.tag = tag
        self.attrs = attrs
        self.kids = kids
        self.ns = ns


class _Data:
    """A mutable text, comment or processing instruction node (``kind``)."""

    __slots__ = ("data", "kind", "target")

    def __init__(self, data: str, kind: type, target: str = "") -> None:
        self.data = data
        self.kind = kind
        self.target = target


def apply_ops(tree: str | Tree, ops: list[Any]) -> Tree:
    """Return the tree that ``ops`` turn ``tree`` (a tree or an HTML string) into.

    The ops are applied in order with exactly the browser applier's rules:
    inserted/replacing HTML is parsed as a ``<template>`` parses it (in an
    ``<svg>``/``<math>`` wrapper under foreign parents), a whole-content
    replace as a ``<div>``'s content in an inert document, both with
    scripting disabled (``<noscript>`` content is markup); and a component
    boundary's children are never entered. ``tree`` (an HTML string is
    parsed as a page load parses it) itself is not changed.

    Raises :class:`PatchError` if an op does not fit the tree.
    """
    if isinstance(tree, str):
        tree = parse_html(tree)
    root = _El("div", {}, [_thaw(node) for node in tree], HTML_NS)
    for op in ops:
        try:
            _apply(root, op)
        except (IndexError, TypeError, AttributeError) as exc:
            raise PatchError(f"op {op!r} does not fit the tree: {exc}") from exc
    return tuple(_freeze(node) for node in root.kids)


def _apply(root: _El, op: list[Any]) -> None:
    code, path = op[0], op[1]
    if code == REPLACE and not path:
        root.kids[:] = [_thaw(node) for node in parse_html(op[2], scripting=False)]
        return
    if code in (INSERT, REMOVE, MOVE, REPLACE):
        if not path:
            raise PatchError(f"op {op!r} needs a child path")
        parent = _resolve(root, path[:-1])
        if not isinstance(parent, _El):
            raise PatchError(f"op {op!r}: parent is not an element")
        index = path[-1]
        kids = parent.kids
        if code == INSERT:
            if not 0 <= index <= len(kids):
                raise PatchError(f"op {op!r}: index out of range")
            kids[index:index] = _parse_for(parent, "".join(_rows(op)))
            return
        if not 0 <= index < len(kids):
            raise PatchError(f"op {op!r}: no such child")
        if code == REMOVE:
            count = op[2] if len(op) > 2 else 1
            if index + count > len(kids):
                raise PatchError(f"op {op!r}: not that many children")
            del kids[index : index + count]
        elif code == MOVE:
            node = kids.pop(index)
            to = op[2]
            if not 0 <= to <= len(kids):
                kids.insert(index, node)
                raise PatchError(f"op {op!r}: target index out of range")
            kids.insert(to, node)
        else:
            kids[index : index + 1] = _parse_for(parent, op[2])
        return
    node = _resolve(root, path)
    if code == STREAM:
        if not isinstance(node, _El) or node is root:
            raise PatchError(f"op {op!r}: not a stream container")
        _apply_stream(node, op)
        return
    if code == TEXT:
        if not isinstance(node, _Data):
            raise PatchError(f"op {op!r}: not a text, comment or processing instruction")
        node.data = op[2]
    elif code == SET_ATTR:
        if not isinstance(node, _El) or node is root:
            raise PatchError(f"op {op!r}: not an element of the content")
        args = op[2:]
        if len(args) % 2:
            raise PatchError(f"op {op!r}: names and values must pair up")
        for i in range(0, len(args), 2):
            node.attrs[_name(op, args[i])] = args[i + 1]
    elif code == SPLICE:
        start, count, insert = op[2], op[3], op[4]
        if len(op) > 5:
            name = _name(op, op[5])
            if not isinstance(node, _El) or node is root or name not in node.attrs:
                raise PatchError(f"op {op!r}: no such attribute")
            node.attrs[name] = apply_splice(node.attrs[name], start, count, insert)
        elif isinstance(node, _Data):
            node.data = apply_splice(node.data, start, count, insert)
        else:
            raise PatchError(f"op {op!r}: not a text, comment or processing instruction")
    elif code == REMOVE_ATTR:
        if not isinstance(node, _El) or node is root:
            raise PatchError(f"op {op!r}: not an element of the content")
        for name in op[2:]:
            node.attrs.pop(_name(op, name), None)
    else:
        raise PatchError(f"unknown op code in {op!r}")


def _name(op: list[Any], name: Any) -> str:
    # An attribute name as written, or its index in protocol.ATTR_NAMES.
    try:
        return attr_name(name)
    except (IndexError, TypeError) as exc:
        raise PatchError(f"op {op!r}: {exc}") from exc


def _rows(op: list[Any]) -> list[str]:
    # An INSERT's HTML or a STREAM's items, plain or shared (see .statics).
    try:
        return rows(op[2])
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise PatchError(f"op {op!r}: malformed shared rows") from exc


def _apply_stream(container: _El, op: list[Any]) -> None:
    # See ops.STREAM: children are matched by their id attribute.
    at, limit, deletes, reset = op[3], op[4], op[5], op[6]
    kids = container.kids
    if reset:
        kids.clear()
    gone = set(deletes)
    kids[:] = [k for k in kids if not (isinstance(k, _El) and k.attrs.get("id") in gone)]
    for html in _rows(op):
        new = [n for n in _parse_for(container, html) if isinstance(n, _El)]
        dom_id = new[0].attrs.get("id") if new else None
        where = next(
            (i for i, k in enumerate(kids) if isinstance(k, _El) and k.attrs.get("id") == dom_id),
            None,
        )
        if where is not None:
            kids[where : where + 1] = new
        elif at == -1 or at >= len(kids):
            kids.extend(new)
        else:
            kids[at:at] = new
    if limit is not None:
        elements = [k for k in kids if isinstance(k, _El)]
        keep = elements[:limit] if limit >= 0 else elements[limit:]
        kept = {id(k) for k in keep}
        kids[:] = [k for k in kids if not isinstance(k, _El) or id(k) in kept]


def _resolve(root: _El, path: list[int]) -> _El | _Data:
    node: _El | _Data = root
    for index in path:
        if not isinstance(node, _El):
            raise PatchError(f"path {path!r} goes through a text node")
        if node is not root and BOUNDARY_ATTR in node.attrs:
            raise PatchError(f"path {path!r} enters a component boundary")
        if not 0 <= index < len(node.kids):
            raise PatchError(f"path {path!r} has no node")
        node = node.kids[index]
    return node


def _parse_for(parent: _El, html: str) -> list[_El | _Data]:
    ns = children_context(parent.tag, parent.ns, parent.attrs)
    return [_thaw(node) for node in parse_in_template(html, ns)]


def _thaw(node: Node) -> _El | _Data:
    if type(node) is Element:
        tag, attrs, kids, ns = node
        return _El(tag, dict(attrs), [_thaw(kid) for kid in kids], ns)
    if type(node) is str:
        return _Data(node, str)
    if type(node) is Comment:
        return _Data(node[0], Comment)
    return _Data(node[1], ProcessingInstruction, node[0])


def _freeze(node: _El | _Data) -> Node:
    if isinstance(node, _Data):
        if node.kind is Comment:
            return make_comment(node.data)
        if node.kind is ProcessingInstruction:
            return ProcessingInstruction(node.target, node.data)
        return node.data
    return make_element(node.tag, node.attrs, tuple(_freeze(k) for k in node.kids), node.ns)
