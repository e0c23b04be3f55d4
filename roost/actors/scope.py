# Where a template places LiveComponents: `live_component(...)` records the
# component for the rendering actor and returns its boundary element.
from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from ..protocol import ATTR

if TYPE_CHECKING:
    from .component import LiveComponent

log = logging.getLogger("roost.actors")

BOUNDARY = f'<div {ATTR.ID}="{{id}}">{{content}}</div>'


@dataclass
class ComponentHandle:
    """What a parent holds for a LiveComponent: its class, id and last props.

    Rendering it places the component: in a template (``{{ tabs }}``) or in
    a hand-written ``render()`` (``f"<main>{self.tabs}</main>"``, ``str(self.tabs)``).
    Outside a render there is nothing to place it in: ``str()`` raises
    (``repr()`` still describes it). The component's state lives in its own
    actor, out of the parent's reach.
    """

    cls: type[LiveComponent]
    id: str
    props: dict[str, Any] = field(default_factory=dict)

    def __html__(self) -> str:
        return self._place()

    def __str__(self) -> str:
        # An f-string or str() in a hand-written render() places the component,
        # as the template's {{ tabs }} does, rather than pasting its repr. A
        # plain str: "<main>" + Markup(...) would escape the "<main>".
        return str(self._place())

    def _place(self) -> Markup:
        if current_scope() is None:
            raise RuntimeError(
                f"component {self.id!r} ({self.cls.__name__}) can be rendered only while "
                "an actor renders: place it in the parent's template or render(), "
                "never format it elsewhere (use repr() to describe it)"
            )
        return live_component(self.cls, id=self.id, **self.props)


Placed = dict[str, tuple["type[LiveComponent]", dict[str, Any]]]
"""Component id -> (class, props), in the order a render placed them."""


class RenderScope:
    """Collects the components one render of one actor places.

    ``dead`` scopes (the HTTP render) mount and render each component in
    place, recursively; live scopes emit an empty boundary that the
    component's own actor fills. ``changed`` names the assigns changed since
    the actor's last render (None: render everything); the default
    ``render()`` re-renders only the template regions that read them.
    """

    def __init__(self, dead: bool = False, changed: set[str] | None = None) -> None:
        self.dead = dead
        self.changed = changed
        self.components: Placed = {}
        self._recording: Placed | None = None

    def place(self, cls: type[LiveComponent], id: str, props: dict[str, Any]) -> Markup:
        placed = (cls, props)
        self._add(id, placed)
        if self._recording is not None:
            self._recording[id] = placed
        content = render_dead(cls, props, id) if self.dead else ""
        return Markup(BOUNDARY.format(id=escape(id), content=content))

    def _add(self, id: str, placed: tuple[type[LiveComponent], dict[str, Any]]) -> None:
        if id in self.components:
            raise ValueError(f"component id {id!r} is placed twice in one render")
        self.components[id] = placed

    def regions(self, memory: dict[int, Placed]) -> _Regions:
        """The ``on_region`` hook for a ``RegionRenderer`` render in this scope
        (a context manager: ``with scope.regions(memory) as on_region``).

        ``memory`` (kept by the actor between renders) holds what each
        template region placed when it was last rendered: a region rendered
        now records its placements there afresh; a region replayed from
        cache places the same components again, so the actor does not take
        them for gone.
        """
        return _Regions(self, memory)


class _Regions:
    # The context manager and the hook in one: a class rather than a
    # generator's context manager, as every render of an actor enters one
    # (a broadcast, one per subscriber).
    __slots__ = ("_memory", "_scope")

    def __init__(self, scope: RenderScope, memory: dict[int, Placed]) -> None:
        self._scope = scope
        self._memory = memory

    def __enter__(self) -> Callable[[int, bool], None]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._scope._recording = None

    def __call__(self, index: int, replayed: bool) -> None:
        scope, memory = self._scope, self._memory
        if replayed:
            scope._recording = None
            for id, placed in memory.get(index, {}).items():
                scope._add(id, placed)
        else:
            scope._recording = memory[index] = {}


class _Current(threading.local):
    scope: RenderScope | None = None


# The render under way in this thread. Not a context variable: a render is
# synchronous (no other task runs until it returns), and setting a context
# variable makes a new mapping for the task's context at each render, which
# would outlive it (a broadcast: one per subscriber, for the collector).
_current = _Current()


class rendering:
    """Make ``scope`` the render scope of this thread for the ``with`` block,
    which must not await (a render is synchronous).

    A class rather than a generator's context manager: every render of an
    actor enters one (a broadcast, one per subscriber)."""

    __slots__ = ("_outer", "_scope")

    def __init__(self, scope: RenderScope) -> None:
        self._scope = scope

    def __enter__(self) -> RenderScope:
        self._outer = _current.scope
        _current.scope = self._scope
        return self._scope

    def __exit__(self, *exc: object) -> None:
        _current.scope = self._outer


def current_scope() -> RenderScope | None:
    """The scope of the render under way in this thread, if any."""
    return _current.scope


def live_component(cls: type[LiveComponent], id: str, **props: Any) -> Markup:
    """Place LiveComponent ``cls`` with ``id`` and ``props`` (template global)."""
    scope = _current.scope
    if scope is None:
        raise RuntimeError("live_component() is only available while an actor renders")
    return scope.place(cls, str(id), props)


def render_dead(cls: type[LiveComponent], props: dict[str, Any], id: str = "") -> str:
    """Mount and render a component once, in place, with its own components.

    A component with an ``async def mount`` cannot mount inside a (sync)
    template render: its boundary stays empty until its actor renders it. So
    does one that fails: the page is served, and the component's actor
    shows the failure in its place once connected.
    """
    if inspect.iscoroutinefunction(cls.mount):
        return ""
    try:
        component = cls(**props)
        component.mount(**props)
        with rendering(RenderScope(dead=True)):
            return str(component.render())
    except Exception:
        log.exception("component %r (%s) failed in the dead render", id, cls.__qualname__)
        return ""
