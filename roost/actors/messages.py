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
class Visited:
    """The tab went to ``url`` (a live link, back or forward) where ``view`` is routed
    with ``params``; ``ref`` is answered on the wire."""

    ref: int
    url: str
    view: type
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Resync:
    """The client lost track of this actor's version: send a full render."""

    ref: int


@dataclass(frozen=True, slots=True)
class ComponentEvent:
    """A child component's ``send_parent(event, data)``."""

    component_id: str
    event: str
    data: Any


@dataclass(frozen=True, slots=True)
class Update:
    """A component has new props waiting on its runtime (from its parent's
    render or ``send_update``): take them. Only a wake-up call; the props
    themselves are never queued (see ``ComponentActor.give_props``)."""


@dataclass(frozen=True, slots=True)
class Crash:
    """Fault injection: the actor raises ``InjectedCrash`` when it handles this."""

    reason: str = "injected crash"


class InjectedCrash(Exception):
    """Raised by an actor on purpose, by ``Crash`` (roost.testing's fault injection)."""


@dataclass(frozen=True, slots=True)
class Down:
    """A monitored actor exited: ``reason`` is ``"normal"`` or its exception."""

    ref: Any
    reason: Any


@dataclass(frozen=True, slots=True)
class Exit:
    """A linked actor exited abnormally (seen only by actors with ``trap_exits``)."""

    ref: Any
    reason: Any


class LinkedExit(Exception):
    """An actor fails because an actor linked to it failed."""


@dataclass(frozen=True, slots=True)
class UploadFiles:
    """The files a tab chose for upload ``name`` (``protocol.Upload``): checked
    before any of their bytes come; ``ref`` is answered with the entries' refs."""

    ref: int
    name: str
    files: list[tuple[str, int, str]]


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """Bytes of external upload entry ``entry`` stored so far (``protocol.Progress``)."""

    ref: int
    entry: str
    loaded: int


@dataclass(frozen=True, slots=True)
class UploadChunk:
    """The bytes at ``offset`` of upload entry ``entry``, base64 (``protocol.Chunk``)."""

    ref: int
    entry: str
    offset: int
    data: str


class Rerender:
    """Render the whole template again, as if everything changed: a patch goes out
    if the HTML differs (dev mode sends it when a template's file changed)."""

    __slots__ = ()
