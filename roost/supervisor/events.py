"""Supervision events: one record per thing a supervisor does, logged and published.

Every event goes to the logger ``roost.supervisor`` as one line naming the
child by its path in the tree (``extra``: ``event``, ``supervisor``, ``child``,
``path``, ``reason``) and to every subscriber. Subscribe with
:func:`subscribe` (returns the unsubscribe function) or, in tests, with
``with listen() as recorder: ... await recorder.wait_for(kind="restarted", child="a")``.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import anyio

logger = logging.getLogger("roost.supervisor")

EventKind: TypeAlias = Literal[
    "supervisor_started",  # all initial children started; run() reported started
    "started",  # a child started (initially or by start_child)
    "start_failed",  # a child's start function raised (or never called started)
    "ignored",  # a child's start function returned IGNORE: nothing to run
    "exited",  # a child ended by itself; reason "normal" or its exception
    "restarted",  # a child was started again by its supervisor's strategy
    "shutdown",  # the supervisor stopped a child; detail["stopped_by"]: request / cancellation
    "shutdown_overdue",  # a child still running past its shutdown deadline, cancelled
    "intensity_reached",  # more restarts than max_restarts within max_seconds
    "auto_shutdown",  # a significant child ended: the supervisor shuts itself down
    "escalated",  # the supervisor fails to its parent
    "supervisor_stopped",  # run() returns (reason "normal", "auto_shutdown") or raises
]

KINDS: tuple[str, ...] = EventKind.__args__  # type: ignore[attr-defined]

_LEVELS = {
    "start_failed": logging.ERROR,
    "shutdown_overdue": logging.ERROR,
    "intensity_reached": logging.ERROR,
    "escalated": logging.ERROR,
}


@dataclass(frozen=True)
class SupervisorEvent:
    """One supervision event.

    ``reason`` is ``"normal"``, ``"shutdown"`` or ``repr`` of the exception
    (then also in ``exception``); ``detail`` holds kind-specific data such as
    the strategy or the overdue child's stack.
    """

    kind: EventKind
    supervisor: str
    child: Hashable | None = None
    reason: str | None = None
    exception: BaseException | None = field(default=None, repr=False)
    detail: dict[str, Any] = field(default_factory=dict, repr=False)
    progress_level: int = field(default=logging.INFO, repr=False)
    """The level its supervisor logs progress at (see :data:`PROGRESS`)."""

    def matches(self, kind: str | None, child: Any, supervisor: str | None) -> bool:
        return (
            (kind is None or self.kind == kind)
            and (child is _ANY or self.child == child)
            and (supervisor is None or self.supervisor == supervisor)
        )


Subscriber: TypeAlias = Callable[[SupervisorEvent], None]
_subscribers: list[Subscriber] = []
_ANY: Any = object()


def subscribe(callback: Subscriber) -> Callable[[], None]:
    """Call ``callback(event)`` for every supervision event; returns the unsubscribe.

    Callbacks run synchronously inside the supervisor: keep them quick and
    non-blocking. An exception from one is logged and otherwise ignored.
    """
    _subscribers.append(callback)

    def unsubscribe() -> None:
        with contextlib.suppress(ValueError):
            _subscribers.remove(callback)

    return unsubscribe


class Recorder:
    """Keeps every event seen while listening; lets a task wait for one without sleeping."""

    def __init__(self, supervisor: str | None = None) -> None:
        self.supervisor = supervisor
        self.events: list[SupervisorEvent] = []
        self._wakeups: list[anyio.Event] = []

    def __call__(self, event: SupervisorEvent) -> None:
        if self.supervisor is not None and event.supervisor != self.supervisor:
            return
        self.events.append(event)
        wakeups, self._wakeups = self._wakeups, []
        for wakeup in wakeups:
            wakeup.set()

    def of(
        self, kind: str | None = None, child: Any = _ANY, supervisor: str | None = None
    ) -> list[SupervisorEvent]:
        """The recorded events matching all the given filters."""
        return [e for e in self.events if e.matches(kind, child, supervisor)]

    def kinds(self, child: Any = _ANY) -> list[str]:
        """The kinds of the recorded events (of one child, if given), in order."""
        return [e.kind for e in self.events if child is _ANY or e.child == child]

    async def wait_for(
        self,
        kind: str | None = None,
        child: Any = _ANY,
        supervisor: str | None = None,
        count: int = 1,
    ) -> SupervisorEvent:
        """Wait until ``count`` matching events were recorded (counting those already
        seen) and return the ``count``-th one."""
        if kind is not None and kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}; known: {KINDS}")
        while True:
            found = self.of(kind, child, supervisor)
            if len(found) >= count:
                return found[count - 1]
            wakeup = anyio.Event()
            self._wakeups.append(wakeup)
            await wakeup.wait()


@contextlib.contextmanager
def listen(supervisor: str | None = None) -> Iterator[Recorder]:
    """Record supervision events (of one supervisor by name, or all) for the block."""
    recorder = Recorder(supervisor)
    unsubscribe = subscribe(recorder)
    try:
        yield recorder
    finally:
        unsubscribe()


def child_path(supervisor: str, child: Any) -> str:
    """Where ``child`` of ``supervisor`` is in the tree: ``supervisor/child``.

    Supervisor names are paths (``sessions/7f3a/view/components``); the root's
    name is ``""``, so its children are at the top (``sessions``, ``pubsub``).
    """
    return f"{supervisor}/{child}" if supervisor else str(child)


def _describe(event: SupervisorEvent) -> str:
    # One readable line, naming the child by its path in the tree.
    sup, reason = event.supervisor or "root", event.reason
    path = child_path(event.supervisor, event.child)
    detail = event.detail
    match event.kind:
        case "supervisor_started":
            return f"supervisor {sup!r} started ({detail.get('children', 0)} children)"
        case "started":
            return f"{path}: started"
        case "start_failed":
            return f"{path}: failed to start: {reason}"
        case "ignored":
            return f"{path}: ignored (nothing to run)"
        case "exited":
            then = detail.get("then")
            return f"{path}: exited ({reason})" + (f"; {then}" if then else "")
        case "restarted":
            return f"{path}: restarted ({detail.get('strategy')})"
        case "shutdown":
            return f"{path}: shut down"
        case "shutdown_overdue":
            return (
                f"{path}: still running {detail.get('timeout')}s after its stop began, "
                f"cancelled (it shields itself from cancellation and a task cannot be "
                f"killed, so the supervisor keeps waiting). Its stack:\n"
                f"{detail.get('stack', '')}"
            )
        case "intensity_reached":
            return (
                f"supervisor {sup!r}: restart intensity reached "
                f"(more than {detail.get('max_restarts')} restarts in "
                f"{detail.get('max_seconds')}s), last exit by {path}: {reason}"
            )
        case "auto_shutdown":
            return (
                f"supervisor {sup!r}: significant child {path} ended; shutting down "
                f"(auto_shutdown={detail.get('auto_shutdown')})"
            )
        case "escalated":
            return f"supervisor {sup!r} shut down its children and fails to its parent: {reason}"
        case "supervisor_stopped":
            return f"supervisor {sup!r} stopped ({reason})"
    return f"{path}: {event.kind} {reason}"  # pragma: no cover


PROGRESS = frozenset({"started", "supervisor_started", "exited", "shutdown", "supervisor_stopped"})
"""The progress reports: a start, and an end that is no failure. A supervisor
logs them at its ``progress_level`` (INFO; the sessions' supervisors: DEBUG,
as OTP logs all of them, since thousands of sessions come and go)."""


def emit(event: SupervisorEvent) -> None:
    """Log ``event`` on ``roost.supervisor`` and hand it to every subscriber."""
    level = _LEVELS.get(event.kind, logging.INFO)
    if event.kind in ("exited", "shutdown") and event.exception is not None:
        level = logging.WARNING  # an abnormal exit, or an error raised while shutting down
    elif event.kind in PROGRESS:
        level = event.progress_level
    if logger.isEnabledFor(level):  # (thousands of sessions: no text nobody reads)
        exc_info = event.exception if level >= logging.WARNING and event.exception else None
        logger.log(
            level,
            _describe(event),
            exc_info=exc_info,
            extra={
                "event": event.kind,
                "supervisor": event.supervisor,
                "child": event.child,
                "path": child_path(event.supervisor, event.child)
                if event.child is not None
                else event.supervisor,
                "reason": event.reason,
            },
        )
    for callback in list(_subscribers):
        try:
            callback(event)
        except Exception:
            logger.exception("supervision event subscriber %r failed", callback)
