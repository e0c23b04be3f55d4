"""Telemetry: what roost measures as it runs, for subscribers in this process.

Each measurement is a :class:`Measurement`: its ``name`` (one of ``NAMES``),
the ``duration`` it took (seconds) and/or the ``bytes`` it moved, and ``meta``
(the session, the actor's target, the event's name...). Subscribe with
:func:`subscribe` (the dashboard, tests, your own metrics);
:mod:`roost.telemetry.prometheus` exports them (``pip install roost[prometheus]``).

Nothing is measured while nobody subscribes: each point checks one flag.
Callbacks run synchronously where the measurement is made (an actor's task):
keep them quick, never blocking; an exception from one is logged and ignored.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

from ..supervisor import SupervisorEvent
from ..supervisor import events as supervision

__all__ = [
    "NAMES",
    "Measurement",
    "Name",
    "active",
    "emit",
    "listen",
    "subscribe",
]

log = logging.getLogger("roost.telemetry")

Name: TypeAlias = Literal[
    "mount",  # an actor's mount (duration; meta: session, target, view)
    "handle_params",  # a view's handle_params (duration)
    "event",  # a client event handled (duration; meta: event)
    "render",  # an actor's template rendered (duration)
    "diff",  # its VDOM diffed into patch ops (duration)
    "event_to_patch",  # from taking an event to its patch queued (duration)
    "send",  # a frame written to a socket (duration of the write; bytes; meta: message)
    "receive",  # a frame read from a socket (bytes)
    "join",  # a session started or resumed (meta: resumed)
    "leave",  # a session ended
    "supervision",  # a supervision event (meta: event, path, reason)
]
NAMES: tuple[str, ...] = Name.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One thing measured: ``duration`` in seconds, ``bytes``, both (``send``) or neither."""

    name: Name
    duration: float | None = None
    bytes: int | None = None
    meta: dict[str, Any] = field(default_factory=dict)


Subscriber: TypeAlias = Callable[[Measurement], None]
_subscribers: list[Subscriber] = []
_unsubscribe_supervision: Callable[[], None] | None = None


active: Callable[[], int] = _subscribers.__len__
"""``active()``: whether anyone listens (how many do), which each measuring point
checks first. The list's own ``__len__``, so that the check costs no Python call
on the paths that measure nothing (every click, every render)."""


def emit(measurement: Measurement) -> None:
    """Hand ``measurement`` to every subscriber."""
    for callback in list(_subscribers):
        try:
            callback(measurement)
        except Exception:
            log.exception("telemetry subscriber %r failed", callback)


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Call ``callback(measurement)`` for everything measured from now on;
    returns the unsubscribe function."""
    global _unsubscribe_supervision
    _subscribers.append(callback)
    if _unsubscribe_supervision is None:
        _unsubscribe_supervision = supervision.subscribe(_from_supervision)

    def unsubscribe() -> None:
        global _unsubscribe_supervision
        with contextlib.suppress(ValueError):
            _subscribers.remove(callback)
        if not _subscribers and _unsubscribe_supervision is not None:
            _unsubscribe_supervision()
            _unsubscribe_supervision = None

    return unsubscribe


@contextlib.contextmanager
def listen() -> Iterator[list[Measurement]]:
    """Collect every measurement made in the block (for tests)."""
    seen: list[Measurement] = []
    unsubscribe = subscribe(seen.append)
    try:
        yield seen
    finally:
        unsubscribe()


def _from_supervision(event: SupervisorEvent) -> None:
    path = supervision.child_path(event.supervisor, event.child)
    meta = {"event": event.kind, "path": path if event.child is not None else event.supervisor}
    if event.reason is not None:
        meta["reason"] = event.reason
    emit(Measurement("supervision", meta=meta))
