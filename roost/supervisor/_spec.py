# Child specifications: what a supervisor needs to know to start, restart and
# stop one child. Pure data, validated on construction.
from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

Restart: TypeAlias = Literal["permanent", "transient", "temporary"]
Shutdown: TypeAlias = float | Literal["infinity", "brutal_kill"]
ChildType: TypeAlias = Literal["worker", "supervisor"]
StartFn: TypeAlias = Callable[..., Awaitable[Any]]

_RESTARTS = ("permanent", "transient", "temporary")
_TYPES = ("worker", "supervisor")


@dataclass(frozen=True)
class ChildSpec:
    """How to start one child and how its supervisor treats it.

    ``start(*args, task_status=...)`` is an async callable; the child counts as
    started when it calls ``task_status.started(value)`` and ``value`` is what
    ``start_child`` returns. ``restart`` says which exits are restarted:
    ``"permanent"`` always, ``"transient"`` only abnormal ones (an exception),
    ``"temporary"`` never. ``shutdown`` is the number of seconds the child is
    given to finish after it is cancelled, ``"infinity"`` (wait, never report)
    or ``"brutal_kill"`` (cancel; no grace period; never report).
    ``type`` is informational, as in OTP (``count_children`` counts it).
    """

    id: Hashable
    start: StartFn
    args: tuple[Any, ...] = ()
    restart: Restart = "permanent"
    shutdown: Shutdown = 5.0
    type: ChildType = "worker"

    def __post_init__(self) -> None:
        if not callable(self.start):
            raise TypeError(f"ChildSpec {self.id!r}: start must be an async callable")
        if self.restart not in _RESTARTS:
            raise ValueError(f"ChildSpec {self.id!r}: restart must be one of {_RESTARTS}")
        if self.type not in _TYPES:
            raise ValueError(f"ChildSpec {self.id!r}: type must be one of {_TYPES}")
        if isinstance(self.shutdown, str):
            if self.shutdown not in ("infinity", "brutal_kill"):
                raise ValueError(
                    f"ChildSpec {self.id!r}: shutdown must be seconds, 'infinity' or 'brutal_kill'"
                )
        elif isinstance(self.shutdown, bool) or not isinstance(self.shutdown, int | float):
            raise TypeError(f"ChildSpec {self.id!r}: shutdown must be a number or a keyword")
        elif not (self.shutdown >= 0 and not math.isnan(self.shutdown)):
            raise ValueError(f"ChildSpec {self.id!r}: shutdown seconds must be >= 0")
        if not isinstance(self.args, tuple):
            object.__setattr__(self, "args", tuple(self.args))

    @property
    def shutdown_timeout(self) -> float | None:
        """Seconds before a child that has not stopped is reported; None: never reported."""
        if isinstance(self.shutdown, str):
            return None
        return float(self.shutdown)


def restarts_after(spec: ChildSpec, abnormal: bool) -> bool:
    """Whether an exit of a child with this spec is restarted (OTP's rules)."""
    if spec.restart == "permanent":
        return True
    if spec.restart == "transient":
        return abnormal
    return False
