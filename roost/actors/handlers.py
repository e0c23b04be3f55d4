# Explicitly declared event handlers and the validation of their parameters:
# the client can reach only what a view or component marks with @event.
from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, TypeVar

import msgspec
import msgspec.inspect

from ..protocol import MAX_INT_BITS, TARGET_PARAM, ints_fit

F = TypeVar("F", bound=Callable[..., Any])

_EVENT_ATTR = "__roost_event__"


def event(fn: F | None = None, *, name: str | None = None) -> Any:
    """Declare a method as an event handler the browser may invoke.

    ``@event`` uses the method's name as the event name; ``@event(name="x")``
    another. The handler's parameters are the event's parameters: each is
    converted to its annotation (``"3"`` -> ``3`` for ``int``), a missing
    required one or an unexpected one is refused with an error reply, and
    the actor stays alive. A ``**params`` parameter accepts any others.

    Annotations are resolved when the class is defined (``__init_subclass__``),
    also string ones (``from __future__ import annotations``): a name is looked
    up in the class body, then the class's own name, then the globals of the
    method's module. So a type must be defined or imported *before* the class
    (as it must be without the ``__future__`` import), a type nested in the
    class body may be used by its bare name, and names of the class body shadow
    module globals there (as they do in Python 3.14, PEP 649): a method called
    ``set`` hides the builtin from the annotations of its class. Names local to
    an enclosing function are not visible to string annotations. An annotation
    that cannot be resolved, or names a type that no event's JSON params could
    be converted to (an arbitrary class, say), is a ``TypeError`` when the
    class is defined, never a silently unchecked parameter.
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

    def __init__(self, method: Callable[..., Any], owner: type | None = None) -> None:
        """``owner`` is the class whose body defines ``method``: its namespace
        resolves the annotations (see ``event``)."""
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
            if param.annotation is param.empty:
                annotation: Any = Any
            else:
                annotation = _resolve(method, owner, param.name, param.annotation)
                _check_convertible(method, param.name, annotation)
            if param.default is param.empty:
                fields.append((param.name, annotation))
            else:
                fields.append((param.name, annotation, param.default))
        self._struct = msgspec.defstruct(
            f"{self.method}_params", fields, forbid_unknown_fields=not self._accepts_extra
        )

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """The keyword arguments for the handler, or ``BadParams`` saying why."""
        if TARGET_PARAM in params and TARGET_PARAM not in self._struct.__struct_fields__:
            # What changed, sent with every change event: for handlers that ask.
            params = {k: v for k, v in params.items() if k != TARGET_PARAM}
        clash = self._reserved.intersection(params)
        if clash:
            raise BadParams(f"parameter name(s) not allowed: {', '.join(sorted(clash))}")
        try:
            converted = msgspec.convert(params, self._struct, strict=False)
        except msgspec.ValidationError as exc:
            raise BadParams(str(exc)) from None
        kwargs = msgspec.structs.asdict(converted)
        if not ints_fit(kwargs):  # "9" * 4000 converts to an int as happily as "9"
            raise BadParams(f"an integer parameter does not fit in {MAX_INT_BITS} bits")
        if self._accepts_extra:
            for key, value in params.items():
                kwargs.setdefault(key, value)
        return kwargs


def checked_reply(owner: object, handler: Handler, reply: Any) -> dict[str, Any]:
    """``reply``, what ``handler`` returned, if it can be its event's reply: a
    dict the wire can carry (JSON). Else a ``TypeError`` -- a bug of the
    handler, which crashes its actor as any other would."""
    where = f"{type(owner).__name__}.{handler.method}"
    if not isinstance(reply, dict):
        raise TypeError(
            f"{where} returned a {type(reply).__name__}: an event handler returns "
            "None, or a dict (its reply, for a JS hook's pushEvent)"
        )
    try:
        msgspec.json.encode(reply)
    except (TypeError, msgspec.EncodeError) as exc:
        raise TypeError(f"{where} returned a reply that is not JSON: {exc}") from None
    return reply


def _resolve(method: Callable[..., Any], owner: type | None, name: str, annotation: Any) -> Any:
    """``annotation`` of parameter ``name`` as a type, string or not (see ``event``)."""
    globalns: dict[str, Any] = getattr(inspect.unwrap(method), "__globals__", {})
    localns: dict[str, Any] = {}
    if owner is not None:
        localns[owner.__name__] = owner
        localns.update(vars(owner))
    # Only this parameter's annotation: an unresolvable return annotation (a
    # TYPE_CHECKING import, say) does not concern the event's params.
    holder = SimpleNamespace(__annotations__={name: annotation})
    try:
        return typing.get_type_hints(holder, globalns, localns, include_extras=True)[name]
    except Exception as exc:
        raise TypeError(
            f"@event handler {method.__qualname__}: cannot resolve the annotation "
            f"{_describe(annotation)} of parameter {name!r} ({type(exc).__name__}: {exc}); "
            "annotations are resolved when the class is defined, from the class body "
            "and the module's globals: define or import the type before the class"
        ) from exc


# What the params of an event can hold: they arrive as JSON.
_JSON_TYPES = (str, int, float, bool, type(None), list, dict)


def _check_convertible(method: Callable[..., Any], name: str, annotation: Any) -> None:
    """A ``TypeError`` unless msgspec can convert event params to ``annotation``."""
    try:
        info = msgspec.inspect.type_info(annotation)
    except Exception as exc:
        raise TypeError(
            f"@event handler {method.__qualname__}: parameter {name!r} is annotated "
            f"{_describe(annotation)}, which msgspec cannot validate "
            f"({type(exc).__name__}: {exc})"
        ) from exc
    for custom in _custom_types(info):
        # msgspec checks a type it does not know with isinstance only, which
        # no value decoded from JSON passes unless the type is that general.
        if not any(_is_subclass(t, custom) for t in _JSON_TYPES):
            raise TypeError(
                f"@event handler {method.__qualname__}: parameter {name!r} is annotated "
                f"{_describe(annotation)}, but msgspec cannot convert an event's "
                f"params (JSON) to {_describe(custom)}; use a type msgspec supports "
                "(str, int, float, bool, list, dict, Literal, Enum, datetime, a "
                "msgspec.Struct, a dataclass, ...)"
            )


def _custom_types(info: msgspec.inspect.Type) -> list[type]:
    """The classes of every ``CustomType`` in the (possibly cyclic) type ``info``."""
    found: list[type] = []
    seen: set[int] = set()
    stack: list[object] = [info]
    while stack:
        node = stack.pop()
        if isinstance(node, tuple):
            stack.extend(node)
        elif isinstance(node, msgspec.inspect.Type | msgspec.inspect.Field):
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, msgspec.inspect.CustomType):
                found.append(node.cls)
            stack.extend(getattr(node, f) for f in node.__struct_fields__)
    return found


def _is_subclass(cls: type, base: type) -> bool:
    try:
        return issubclass(cls, base)
    except TypeError:
        return False


def _describe(annotation: Any) -> str:
    if isinstance(annotation, str):
        return repr(annotation)
    if isinstance(annotation, type):
        return annotation.__qualname__
    return repr(annotation)


def collect_handlers(cls: type) -> dict[str, Handler]:
    """Every ``@event`` handler of ``cls`` and its bases, by event name.

    A ``TypeError`` if a handler's parameters cannot be validated (see
    ``event``): ``cls`` is being defined, and that is where the mistake is.
    """
    table: dict[str, Handler] = {}
    for klass in reversed(cls.__mro__):
        for value in vars(klass).values():
            name = getattr(value, _EVENT_ATTR, None)
            if name is not None:
                table[name] = Handler(value, klass)
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
    if value is None:  # most handlers: plain, returning nothing (isawaitable is slow)
        return None
    if inspect.isawaitable(value):
        return await value
    return value
