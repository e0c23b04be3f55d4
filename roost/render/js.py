# JS commands: what a binding does in the browser without a round trip,
# composed in Python or in a template, carried as a binding's value (JSON).
"""``JS``: client-side commands for a binding's value, as Phoenix's ``JS``."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Concatenate, Generic, ParamSpec, overload

__all__ = ["JS", "commands"]

P = ParamSpec("P")
TIME = 200
"""Milliseconds a transition lasts unless told (the browser client's default too)."""


def _time(ms: int) -> int | None:
    return None if ms == TIME else ms


class _Chain(Generic[P]):
    # A command usable on the class (`JS.show("#m")` starts a chain) and on a
    # chain (`JS.show("#m").push("opened")` extends it).
    def __init__(self, fn: Callable[Concatenate[JS, P], JS]) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    @overload
    def __get__(self, obj: None, owner: type[JS]) -> Callable[P, JS]: ...
    @overload
    def __get__(self, obj: JS, owner: type[JS]) -> Callable[P, JS]: ...
    def __get__(self, obj: JS | None, owner: type[JS]) -> Callable[P, JS]:
        chain = obj if obj is not None else owner()
        fn = self.fn

        def command(*args: P.args, **kwargs: P.kwargs) -> JS:
            return fn(chain, *args, **kwargs)

        command.__doc__ = fn.__doc__
        return command


class JS:
    """A list of commands the browser runs, in order, when a binding fires.

    Put it where an event name goes, as the value of a binding attribute
    (``{{ JS.show('#menu') }}``: ``JS`` is in every template), or build it in
    Python and render it. Each
    command returns a new, longer chain; ``to`` is a CSS selector (every match
    in the document; left off: the bound element itself). Changes the commands
    make to an element (classes, attributes, shown or hidden) stay when later
    patches of the server update that element; an element the server
    replaces starts over from what the server renders. Only ``push`` reaches
    the server. The value is JSON (``str(js)``); it holds no markup, so a
    template escapes it as any other attribute value.
    """

    __slots__ = ("ops",)

    def __init__(self, ops: tuple[tuple[str, dict[str, Any]], ...] = ()) -> None:
        self.ops = ops

    def _then(self, kind: str, **args: Any) -> JS:
        return JS((*self.ops, (kind, {k: v for k, v in args.items() if v is not None})))

    @_Chain
    def show(
        self,
        to: str | None = None,
        *,
        display: str | None = None,
        transition: str | None = None,
        time: int = TIME,
    ) -> JS:
        """Show the element(s): ``display`` (default: what its CSS gives, else
        ``block``); ``transition``: classes it carries for ``time`` ms meanwhile."""
        return self._then("show", to=to, display=display, transition=transition, time=_time(time))

    @_Chain
    def hide(self, to: str | None = None, *, transition: str | None = None, time: int = TIME) -> JS:
        """Hide the element(s) (``display: none``), after ``transition`` if given."""
        return self._then("hide", to=to, transition=transition, time=_time(time))

    @_Chain
    def toggle(self, to: str | None = None, *, display: str | None = None) -> JS:
        """Show the element(s) if hidden, else hide them."""
        return self._then("toggle", to=to, display=display)

    @_Chain
    def add_class(self, names: str, to: str | None = None) -> JS:
        """Add the space-separated class ``names``."""
        return self._then("add_class", names=names, to=to)

    @_Chain
    def remove_class(self, names: str, to: str | None = None) -> JS:
        """Remove the space-separated class ``names``."""
        return self._then("remove_class", names=names, to=to)

    @_Chain
    def toggle_class(self, names: str, to: str | None = None) -> JS:
        """Add each of the class ``names`` that is missing, remove each present."""
        return self._then("toggle_class", names=names, to=to)

    @_Chain
    def set_attribute(self, name: str, value: str, to: str | None = None) -> JS:
        """Set attribute ``name`` to ``value``."""
        return self._then("set_attribute", name=name, value=value, to=to)

    @_Chain
    def remove_attribute(self, name: str, to: str | None = None) -> JS:
        """Remove attribute ``name``."""
        return self._then("remove_attribute", name=name, to=to)

    @_Chain
    def transition(self, names: str, to: str | None = None, *, time: int = TIME) -> JS:
        """Add the class ``names`` for ``time`` ms (a CSS animation or transition)."""
        return self._then("transition", names=names, to=to, time=_time(time))

    @_Chain
    def focus(self, to: str | None = None) -> JS:
        """Focus the (first) element."""
        return self._then("focus", to=to)

    @_Chain
    def dispatch(self, event: str, to: str | None = None, *, detail: Any = None) -> JS:
        """Dispatch a bubbling DOM ``CustomEvent`` named ``event`` with ``detail``."""
        return self._then("dispatch", event=event, to=to, detail=detail)

    @_Chain
    def push(
        self, event: str, *, value: dict[str, Any] | None = None, target: str | None = None
    ) -> JS:
        """Send ``event`` to the server as the binding would send its own: with
        the binding's params plus ``value``, to ``target`` (an actor's id; left
        off: the element's actor)."""
        return self._then("push", event=event, value=value, target=target)

    def __str__(self) -> str:
        return json.dumps([list(op) for op in self.ops], separators=(",", ":"))

    def __repr__(self) -> str:
        return f"JS({self!s})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JS) and other.ops == self.ops

    def __hash__(self) -> int:
        return hash(str(self))


def commands(value: str) -> list[tuple[str, dict[str, Any]]] | None:
    """The commands a binding's ``value`` holds, or None when it is an event name."""
    if not value.startswith("["):
        return None
    try:
        ops = json.loads(value)
    except ValueError:
        return None
    if not isinstance(ops, list):
        return None
    return [
        (op[0], op[1] if len(op) > 1 and isinstance(op[1], dict) else {})
        for op in ops
        if isinstance(op, list) and op and isinstance(op[0], str)
    ]
