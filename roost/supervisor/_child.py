# One child inside a supervisor: its spec, its current run, and the
# task_status its start function reports through.
from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from ._markers import IGNORE, RESTARTING
from ._shutdown import Instance, running_on_trio
from ._spec import ChildSpec

if TYPE_CHECKING:
    from ._core import SupervisorBase
    from .events import EventKind


@dataclass(eq=False, slots=True)
class Child:
    """A child spec inside a supervisor, and its current run if it has one.

    ``instance`` is set from the moment a start begins (the child is then
    *starting*) until its supervisor has accounted for its end, so the id and
    the ``max_children`` slot stay taken while a start runs without the lock.
    """

    spec: ChildSpec
    instance: Instance | None = None
    # Stopped, and to be started by the supervisor's restart work (a strategy's
    # range, or a restart whose start failed and will be retried).
    pending_restart: bool = field(default=False, repr=False)
    # Its supervisor is restarting it: shown as RESTARTING until a start succeeds.
    restarting: bool = field(default=False, repr=False)
    # Added by start_child and not started yet: forgotten if it does not start.
    adding: bool = field(default=False, repr=False)
    # How many times its supervisor restarted it (a start that succeeded).
    restarts: int = field(default=0, repr=False)

    @property
    def id(self) -> Hashable:
        return self.spec.id

    @property
    def running(self) -> bool:
        """It has started and its supervisor has not finished stopping it."""
        return self.instance is not None and self.instance.started

    @property
    def starting(self) -> bool:
        """A start is under way: the start function has not called ``started()``."""
        return self.instance is not None and not self.instance.started

    @property
    def busy(self) -> bool:
        """Starting, running, or waiting for a restart: not a stopped child."""
        return self.instance is not None or self.pending_restart

    @property
    def state(self) -> str:
        """``running``, ``starting``, ``restarting``, ``stopping`` or ``stopped``."""
        instance = self.instance
        if instance is not None and instance.stopping:
            return "stopping"
        if self.running:
            return "running"
        if self.restarting or self.pending_restart:
            return "restarting"
        return "starting" if instance is not None else "stopped"

    @property
    def value(self) -> Any:
        """What ``which_children`` shows: the started value, RESTARTING, or None."""
        if self.restarting and not self.running:
            return RESTARTING
        return self.instance.value if self.instance is not None else None


class ChildStatus(anyio.abc.TaskStatus[Any]):
    """The task_status a start function sees: records the value and shields the child.

    Its supervisor's ``_child_started`` runs, in the child's task, at the moment
    the child reports started — unless its start was cancelled or its supervisor
    is stopping it — so the ``started`` event always comes before anything the
    child does next.
    """

    __slots__ = ("_child", "_detail", "_instance", "_kind", "_outer", "_supervisor")

    def __init__(
        self,
        supervisor: SupervisorBase,
        child: Child,
        instance: Instance,
        outer: anyio.abc.TaskStatus[Any],
        kind: EventKind,
        detail: dict[str, Any] | None,
    ) -> None:
        self._supervisor = supervisor
        self._child = child
        self._instance = instance
        self._outer = outer
        self._kind = kind
        self._detail = detail

    def never_started(self) -> None:
        """The start function returned without ``started()``: its ``start`` returns None."""
        outer, self._outer = self._outer, anyio.TASK_STATUS_IGNORED
        outer.started(None)

    def started(self, value: Any = None) -> None:
        if value is IGNORE:
            raise RuntimeError(
                "a start function with nothing to run returns IGNORE; "
                "it does not report it through task_status.started()"
            )
        if self._instance.started:
            raise RuntimeError("task_status.started() called twice")
        self._instance.started = True
        self._instance.value = value
        outer, self._outer = self._outer, anyio.TASK_STATUS_IGNORED
        # Trio's task status keeps start()'s temporary nursery (its cancel
        # scope and status): dropped here, not held for the child's lifetime.
        outer.started(value)
        # From now on only its supervisor stops it, in order. Until now the
        # caller of start being cancelled cancelled the start too; if that has
        # just happened, started() left the child behind to be cancelled, and a
        # shield would keep that cancellation away from it forever.
        if not _start_was_cancelled():
            self._instance.scope.shield = True
            if not self._instance.stopping:
                self._supervisor._child_started(self._child, self._kind, self._detail)
        self._detail = None


def _start_was_cancelled() -> bool:
    """In a child that just called ``started``: whether its ``start`` call was cancelled."""
    if running_on_trio():
        import trio

        # Trio moves a started task into its nursery unless start() was cancelled.
        return trio.lowlevel.current_task().eventual_parent_nursery is not None
    return anyio.current_effective_deadline() == -math.inf
