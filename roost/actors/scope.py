# Where a template places LiveComponents: `live_component(...)` records the
# component for the rendering actor and returns its boundary element.
from __future__ import annotations

import contextvars
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

if TYPE_CHECKING:
    from .component import LiveComponent

BOUNDARY = '<div data-roost-id="{id}">{content}</div>'


@dataclass
class ComponentHandle:
    """What a parent holds for a LiveComponent: its class, id and last props.

    Rendering it (``{{ tabs }}``) places the component; the component's
    state lives in its own actor, out of the parent's reach.
    """

    cls: type[LiveComponent]
    id: str
    props: dict[str, Any] = field(default_factory=dict)

    def __html__(self) -> str:
        return live_component(self.cls, id=self.id, **self.props)


class RenderScope:
    """Collects the components one render of one actor places.

    ``dead`` scopes (the HTTP render) mount and render each component in
    place, recursively; live scopes emit an empty boundary that the
    component's own actor fills.
    """

    def __init__(self, dead: bool = False) -> None:
        self.dead = dead
        self.components: dict[str, tuple[type[LiveComponent], dict[str, Any]]] = {}

    def place(self, cls: type[LiveComponent], id: str, props: dict[str, Any]) -> Markup:
        if id in self.components:
            raise ValueError(f"component id {id!r} is placed twice in one render")
        self.components[id] = (cls, props)
        content = render_dead(cls, props) if self.dead else ""
        return Markup(BOUNDARY.format(id=escape(id), content=content))


_scope: contextvars.ContextVar[RenderScope | None] = contextvars.ContextVar(
    "roost_render_scope", default=None
)


@contextmanager
def rendering(scope: RenderScope) -> Iterator[RenderScope]:
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def live_component(cls: type[LiveComponent], id: str, **props: Any) -> Markup:
    """Place LiveComponent ``cls`` with ``id`` and ``props`` (template global)."""
    scope = _scope.get()
    if scope is None:
        raise RuntimeError("live_component() is only available while an actor renders")
    return scope.place(cls, str(id), props)


def render_dead(cls: type[LiveComponent], props: dict[str, Any]) -> str:
    """Mount and render a component once, in place, with its own components.

    A component with an ``async def mount`` cannot mount inside a (sync)
    template render: its boundary stays empty until its actor renders it.
    """
    if inspect.iscoroutinefunction(cls.mount):
        return ""
    component = cls(**props)
    component.mount(**props)
    with rendering(RenderScope(dead=True)):
        return component.render()
