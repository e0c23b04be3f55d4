# The test client's copy of the page: one tree per target, changed only by the
# messages the browser gets, with the browser's rules; composed for queries.
from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ..protocol import ATTR, CRASH_CLASS, VALUE, VIEW_TARGET
from ..render import Element, apply_ops, parse_client_html, served_contents, to_html
from ..render.vdom import Node, Tree

VIEW = VIEW_TARGET
"""The target id of the session's LiveView, whose container is the page."""

CONTAINER_ATTR = ATTR.ID
CRASHED_ATTR = ATTR.CRASHED


class Page:
    """Every target's content as the browser holds it.

    A target's tree changes only by its own ``Render`` (replace, version reset;
    without HTML: keep the content the page was served, if its container still
    holds it untouched), ``Patch`` (applied with :func:`roost.render.apply_ops`
    when its version is exactly one more than the target's) and ``Crash`` (an
    alert in its place).
    Any element with the container attribute (``ATTR.ID``) inside a target's content is another
    actor's container: :meth:`content` fills it with that actor's tree, so a
    parent's patch never touches a child's content.
    """

    def __init__(self) -> None:
        self._trees: dict[str, Tree] = {}
        self._versions: dict[str, int] = {}
        self._crashed: set[str] = set()
        self._document: LexborHTMLParser | None = None
        self._served: dict[str, Tree] = {}

    def load(self, page: str) -> None:
        """The page as a browser loads it: each container holds its content as
        served (:func:`roost.render.served_contents`) until its target gets
        content of its own or its container leaves the page."""
        self._served = served_contents(page)

    def version(self, target: str) -> int | None:
        """The target's current version, or None before its first render or after a gap."""
        return self._versions.get(target)

    def render(self, target: str, version: int, html: str) -> None:
        fresh = parse_client_html(html)  # as the browser parses a Render
        old = self._trees.get(target)
        # As the browser does: a stream's container keeps the items it holds.
        self._trees[target] = keep_streams(old, fresh) if old is not None else fresh
        self._versions[target] = version
        self._crashed.discard(target)
        self._document = None
        self._changed(target)

    def keep(self, target: str, version: int) -> bool:
        """A ``Render`` without HTML: the target's content is what the page was
        served. True when the container still holds that (it is kept, at
        ``version``); False when the target's content changed since or its
        container left the page (the target then waits for a full render)."""
        tree = self._served.pop(target, None)
        if tree is None:
            self._versions.pop(target, None)
            return False
        self._trees[target] = tree
        self._versions[target] = version
        self._crashed.discard(target)
        self._document = None
        self._changed(target)
        return True

    def patch(self, target: str, version: int, ops: list[Any]) -> bool:
        """Apply a patch; False on a version gap (the target then waits for a render).

        A patch for a target without a current version is ignored, as the
        browser ignores it. :class:`roost.render.PatchError` if the ops do not
        fit the tree (a server bug the test should see).
        """
        current = self._versions.get(target)
        if current is None or target not in self._trees:
            return True
        if version != current + 1:
            del self._versions[target]
            return False
        self._trees[target] = apply_ops(self._trees[target], ops)
        self._versions[target] = version
        self._document = None
        self._changed(target)
        return True

    def crash(self, target: str, message: str) -> None:
        alert = Element("p", {"role": "alert", "class": CRASH_CLASS}, (message,))
        self._trees[target] = (alert,)
        self._versions.pop(target, None)
        self._crashed.add(target)
        self._document = None
        self._changed(target)

    def _changed(self, target: str) -> None:
        # The target's served content is gone, and so is that of any container
        # its change took off the page (a container added again later is empty).
        if not self._served:
            return
        self._served.pop(target, None)
        on_page: set[str] = set()

        def walk(nodes: Tree) -> None:
            for node in nodes:
                if type(node) is Element:
                    child = node[1].get(CONTAINER_ATTR)
                    if child is None:
                        walk(node[2])
                    elif child not in on_page:
                        on_page.add(child)
                        walk(self._trees.get(child, self._served.get(child, ())))

        on_page.add(VIEW)
        walk(self._trees.get(VIEW, self._served.get(VIEW, ())))
        for gone in self._served.keys() - on_page:
            del self._served[gone]

    # -- reading -----------------------------------------------------------

    def content(self, target: str = VIEW) -> Tree:
        """The target's tree with every known child container filled in."""
        return self._compose(self._trees.get(target, ()), {target})

    def _compose(self, nodes: Tree, seen: set[str]) -> Tree:
        out = []
        for node in nodes:
            if type(node) is Element:
                tag, attrs, children, ns = node
                child = attrs.get(CONTAINER_ATTR)
                if child is not None and child in self._trees and child not in seen:
                    if child in self._crashed:
                        attrs = {**attrs, CRASHED_ATTR: ""}
                    children = self._compose(self._trees[child], seen | {child})
                else:
                    children = self._compose(children, seen)
                node = Element(tag, attrs, children, ns)
            out.append(node)
        return tuple(out)

    def unfilled(self) -> list[str]:
        """Ids of the actor containers on the page whose actor has not rendered yet."""
        missing: list[str] = []

        def walk(nodes: Tree) -> None:
            for node in nodes:
                if type(node) is Element:
                    child = node[1].get(CONTAINER_ATTR)
                    if child is not None and child not in self._trees:
                        missing.append(child)
                    walk(node[2])

        if VIEW in self._trees:
            walk(self.content())
        return missing

    def container(self) -> LexborNode:
        """The view's container element in a parsed copy of the composed page."""
        if self._document is None:
            crashed = f' {CRASHED_ATTR}=""' if VIEW in self._crashed else ""
            html = f'<div {CONTAINER_ATTR}="{VIEW}"{crashed}>{to_html(self.content())}</div>'
            self._document = LexborHTMLParser(html)
        node = self._document.css_first(f'[{CONTAINER_ATTR}="{VIEW}"]')
        assert node is not None
        return node

    def select(self, selector: str) -> list[LexborNode]:
        """The view's container and the elements in it that match ``selector``."""
        return self.container().css(selector)


def closest(node: LexborNode | None, attr: str) -> LexborNode | None:
    """``node`` or its nearest ancestor element that has attribute ``attr``."""
    while node is not None and node.is_element_node:
        if attr in node.attributes:
            return node
        node = node.parent
    return None


def closest_form(node: LexborNode | None) -> LexborNode | None:
    """``node`` or its nearest ancestor that is a ``<form>``."""
    while node is not None and node.is_element_node:
        if node.tag == "form":
            return node
        node = node.parent
    return None


def attribute(node: LexborNode, name: str) -> str | None:
    """An attribute's value (``""`` for one without a value), None when absent."""
    attrs = node.attributes
    if name not in attrs:
        return None
    value = attrs[name]
    return "" if value is None else value


def keep_streams(old: Tree, fresh: Tree) -> Tree:
    """``fresh`` with each stream container (``roost-update="stream"``) of
    ``old`` still holding its items, before the ones ``fresh`` brings (an item
    sent again replaces its old self)."""
    held: dict[str, tuple[Node, ...]] = {}

    def collect(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            if type(node) is Element:
                if node.attrs.get(ATTR.UPDATE) == VALUE.STREAM and node.attrs.get("id"):
                    held[node.attrs["id"]] = node.children
                else:
                    collect(node.children)

    def merge(nodes: tuple[Node, ...]) -> tuple[Node, ...]:
        out: list[Node] = []
        for node in nodes:
            if type(node) is Element:
                key = node.attrs.get("id")
                if node.attrs.get(ATTR.UPDATE) == VALUE.STREAM and key in held:
                    sent = {c.attrs.get("id") for c in node.children if type(c) is Element}
                    kept = [
                        c for c in held[key] if type(c) is Element and c.attrs.get("id") not in sent
                    ]
                    node = Element(node.tag, node.attrs, (*kept, *node.children), node.ns)
                else:
                    node = Element(node.tag, node.attrs, merge(node.children), node.ns)
            out.append(node)
        return tuple(out)

    collect(old)
    return merge(fresh) if held else fresh
