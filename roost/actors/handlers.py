# Explicitly declared event handlers and the validation of their parameters:
# the client can reach only what a view or component marks with @event.
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec

F = TypeVar("F", bound=Callable[..., Any])

_EVENT_ATTR = "__roost_event__"


def event(fn: F | None = None, *, name: str | None = None) -> Any:
    """Declare a method as an event handler the browser may invoke.

    ``@event`` uses the method's name as the event name; ``@event(name="x")``
    another. The handler's parameters are the event's parameters: each is
    converted to its annotation (``"3"`` -> ``3`` for ``int``), a missing
    required one or an unexpected one is refused with an error reply, and
    the actor stays alive. A ``**params`` parameter accepts any others.
    """

    def mark(f: F) -> F:
        setattr(f, _EVENT_ATTR, name or f.__name__)
        return f

    return mark(fn) if fn is not None else mark


_COMPONENT_ATTR = "__roost_component_event__"


def on_component(event: str) -> Callable[[F], F]:
    """Declare a method as the handler of a child component's ``send_parent(event, ...)``.

    The method is called as ``method(component_id, data)``. Such handlers are
    not reachable from the browser.
    """

    def mark(f: F) -> F:
        setattr(f, _COMPONENT_ATTR, event)
        return f

    return mark


class BadParams(Exception):
    """The parameters of an event do not fit its handler's signature."""


class Handler:
    """One declared handler: its method name and a validator for its params."""

    __slots__ = ("_accepts_extra", "_reserved", "_struct", "method")

    def __init__(self, method: Callable[..., Any]) -> None:
        self.method = method.__name__
        params = list(inspect.signature(method).parameters.values())
        fields: list[tuple[str, Any, Any] | tuple[str, Any]] = []
        self._accepts_extra = False
        # Names an event may not use: the instance's (``self``) and the
        # positional-only ones, which a call by keyword cannot fill.
        self._reserved = frozenset(p.name for p in params[:1] if p.kind is not p.VAR_POSITIONAL)
        for param in params[1:]:
            if param.kind is param.VAR_KEYWORD:
                self._accepts_extra = True
                continue
            if param.kind is param.VAR_POSITIONAL:
                continue
            if param.kind is param.POSITIONAL_ONLY:
                if param.default is param.empty:
                    raise TypeError(
                        f"@event handler {method.__qualname__}: parameter {param.name!r} is "
                        "positional-only without a default; event params are passed by name"
                    )
                self._reserved |= {param.name}
                continue
            annotation = Any if param.annotation is param.empty else param.annotation
            if isinstance(annotation, str):
                annotation = _resolve(annotation, method)
            if param.default is param.empty:
                fields.append((param.name, annotation))
            else:
                fields.append((param.name, annotation, param.default))
        self._struct = msgspec.defstruct(
            f"{self.method}_params", fields, forbid_unknown_fields=not self._accepts_extra
        )

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments for the handler, or ``BadParams`` saying why."""
        clash = self._reserved.intersection(params)
        if clash:
            raise BadParams(f"parameter name(s) not allowed: {', '.join(sorted(clash))}")
        try:
            converted = msgspec.convert(params, self._struct, strict=False)
        except msgspec.ValidationError as exc:
            raise BadParams(str(exc)) from None
        kwargs = {f: getattr(converted, f) for f in self._struct.__struct_fields__}
        if self._accepts_extra:
            for key, value in params.items():
                kwargs.setdefault(key, value)
        return kwargs


def _resolve(annotation: str, method: Callable[..., Any]) -> Any:
    try:
        return eval(annotation, getattr(method, "__globals__", {}))
    except Exception:
        return Any


def collect_handlers(cls: type) -> dict[str, Handler]:
    """Every ``@event`` handler of ``cls`` and its bases, by event name."""
    table: dict[str, Handler] = {}
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            name = getattr(value, _EVENT_ATTR, None)
            if name is not None:
                table[name] = Handler(value)
    return table


def collect_component_handlers(cls: type) -> dict[str, str]:
    """Every ``@on_component`` method name of ``cls`` and its bases, by event name."""
    table: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            name = getattr(value, _COMPONENT_ATTR, None)
            if name is not None:
                table[name] = attr
    return table


async def maybe_await(value: Any) -> Any:
    """Let handlers be plain functions or ``async def``."""
    if inspect.isawaitable(value):
        return await value
    return value
