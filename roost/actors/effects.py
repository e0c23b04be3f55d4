# What a handler asks of the world outside its actor, done once the handler
# has returned: each a typed message, each with exactly one place that does it.
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class SendParent:
    """A component's ``send_parent(event, data)``: to its parent's mailbox."""

    event: str
    data: Any


@dataclass(frozen=True, slots=True)
class Broadcast:
    """``broadcast(topic, message)``: to every subscriber of ``topic``."""

    topic: str
    message: Any


@dataclass(frozen=True, slots=True)
class SendUpdate:
    """``send_update(component_id, **props)``: props merged into that component's."""

    component_id: str
    props: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PushEvent:
    """``push_event(event, payload)``: a named event for the browser."""

    event: str
    payload: Any


@dataclass(frozen=True, slots=True)
class PushPatch:
    """A view's ``push_patch(to)``: the same view at URL ``to``; its ``handle_params`` runs."""

    to: str
    replace: bool = False


@dataclass(frozen=True, slots=True)
class PushNavigate:
    """A view's ``push_navigate(to)``: the view routed at ``to`` replaces it, no page load."""

    to: str
    replace: bool = False


@dataclass(frozen=True, slots=True)
class Redirect:
    """A view's ``redirect(to)``: the browser loads ``to`` (any URL, another site's too)."""

    to: str


Effect = SendParent | Broadcast | SendUpdate | PushEvent | PushPatch | PushNavigate | Redirect
