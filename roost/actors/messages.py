# The messages an actor's mailbox carries, besides ``Call``.
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ClientEvent:
    """A browser event for a declared handler; ``ref`` is answered on the wire."""

    ref: int
    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Info:
    """Anything else for ``handle_info``: timers, pubsub, other actors."""

    message: Any


@dataclass(frozen=True, slots=True)
class Resync:
    """The client lost track of this actor's version: send a full render."""

    ref: int
