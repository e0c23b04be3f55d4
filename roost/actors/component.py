# LiveComponent: a stateful part of a page in its own actor, addressed by
# id; Component: a stateless piece of markup rendered inline by its parent.
from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from markupsafe import Markup

from ..render import environment_for
from .effects import SendParent
from .scope import ComponentHandle, live_component
from .stateful import Stateful, template_dir


class LiveComponent(Stateful):
    """A stateful component with its own actor, mailbox, template and VDOM.

    A parent places it in its template, ``{{ live_component(Tabs, id="tabs",
    tabs=tabs) }}``, or declares it in ``mount`` as ``self.tabs = Tabs(tabs=...)``
    and writes ``{{ tabs }}``. ``mount(**props)`` runs once, ``update(**props)``
    only when a parent render passes different props. Events from inside its
    container go to its own mailbox; ``send_parent`` talks back. A crash
    restarts only this component, re-mounted with the last props it was given.
    """

    __slots__ = ("_id", "_props")  # (not in the assigns' dict: see Stateful)

    _id: str | None
    _props: dict[str, Any]

    def __init__(self, id: str | None = None, **props: Any) -> None:
        super().__init__()
        object.__setattr__(self, "_id", id)
        object.__setattr__(self, "_props", props)

    def _as_assign(self, name: str) -> ComponentHandle:
        # The seed's style: `self.tabs = Tabs(...)` declares a component with
        # id "tabs"; the parent keeps a handle, never the component itself.
        return ComponentHandle(type(self), self._id or name, self._props)

    def mount(self, **props: Any) -> Any:
        """Set the initial state; by default every prop becomes an assign."""
        for name, value in props.items():
            setattr(self, name, value)

    def update(self, **props: Any) -> Any:
        """Take changed props; by default every prop becomes an assign again."""
        for name, value in props.items():
            setattr(self, name, value)

    def unmount(self) -> Any:
        """Called when the parent no longer renders this component (then ``terminate``)."""

    def terminate(self, reason: BaseException | None) -> Any:
        """Called when this component's actor stops, with its state intact: ``reason``
        is None for a normal stop (its session ended, the server shut down, its parent
        dropped it), else the exception it failed with."""

    def send_parent(self, event: str, data: Any = None) -> None:
        """Send ``event`` with ``data`` to the parent's ``handle_component_event``."""
        self._effect(SendParent(event, data))


class Component:
    """A stateless component: markup rendered inline into its parent's HTML.

    No actor, no VDOM, no state of its own: ``Badge(count=3)`` in a template
    (or as an assign, ``{{ badge }}``) renders ``template`` with its props.
    """

    template: ClassVar[str | None] = None
    __roost_template_dir__: ClassVar[str] = "."

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__roost_template_dir__ = template_dir(cls)

    def __init__(self, **props: Any) -> None:
        self.props = props

    def render(self) -> str:
        """The markup; by default ``template`` rendered with the props."""
        if self.template is None:
            raise NotImplementedError(f"{type(self).__name__} needs a template or a render()")
        env = environment_for(self.__roost_template_dir__)
        return env.get_template(self.template).render(self.props, live_component=live_component)

    def __html__(self) -> str:
        return Markup(self.render())

    def __eq__(self, other: object) -> bool:
        # Equal props, equal markup: re-assigning an equal component is no change.
        if type(other) is not type(self):
            return NotImplemented
        return bool(self.props == other.props)

    # Props may be unhashable (lists, dicts), and objects equal by value must
    # hash alike: so, like a non-frozen dataclass, a Component is unhashable.
    __hash__ = None  # type: ignore[assignment]


def template_classes() -> Iterator[type[Stateful | Component]]:
    """Every class defined so far that renders a template of its own: the
    subclasses of LiveView and LiveComponent (Stateful's) and of Component."""
    seen: set[type] = set()
    todo: list[type[Any]] = [Stateful, Component]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
                yield sub
