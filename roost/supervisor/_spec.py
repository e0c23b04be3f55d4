# Child specifications: what a supervisor needs to know to start, restart and
# stop one child. Pure data, validated on construction.
from __future__ import annotations

import dataclasses
import math
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from ._errors import InvalidChildSpec

Restart: TypeAlias = Literal["permanent", "transient", "temporary"]
Shutdown: TypeAlias = float | Literal["infinity", "brutal_kill"]
ChildType: TypeAlias = Literal["worker", "supervisor"]
StartFn: TypeAlias = Callable[..., Awaitable[Any]]

_RESTARTS = ("permanent", "transient", "temporary")
_TYPES = ("worker", "supervisor")
WORKER_SHUTDOWN = 5.0
"""A worker's default ``shutdown`` (seconds), as OTP's 5000 ms."""


@dataclass(frozen=True, slots=True)
class ChildSpec:
    """How to start one child and how its supervisor treats it.

    ``start(*args, task_status=...)`` is an async callable; the child counts as
    started when it calls ``task_status.started(value)`` and ``value`` is what
    ``start_child`` returns. A start function with nothing to run returns
    :data:`IGNORE` instead (OTP's ``ignore``). ``restart`` says which exits are
    restarted: ``"permanent"`` always, ``"transient"`` only abnormal ones (an
    exception), ``"temporary"`` never.

    ``shutdown`` is how a stop goes: seconds ``T`` (a worker's default, 5) ask
    the child to stop (see :func:`on_stop_request`) and cancel it ``T`` seconds
    later; ``"infinity"`` (a supervisor's default) asks and waits as long as it
    takes; ``"brutal_kill"`` cancels at once without asking. A child that has
    not asked to hear the request is cancelled at once.

    ``significant`` children end their supervisor when they end (its
    ``auto_shutdown``); one must be transient or temporary. ``type`` is
    informational, as in OTP (``count_children`` counts it).

    Raises :class:`InvalidChildSpec` naming the field that is wrong.
    """

    id: Hashable
    start: StartFn
    args: tuple[Any, ...] = ()
    restart: Restart = "permanent"
    shutdown: Shutdown | None = None
    """None: the default for its ``type``, 5 seconds for a worker and
    ``"infinity"`` for a supervisor. Always set after construction."""
    type: ChildType = "worker"
    significant: bool = False

    def __post_init__(self) -> None:
        name = f"ChildSpec {self.id!r}"
        try:
            hash(self.id)
        except TypeError:
            raise InvalidChildSpec(f"{name}: id must be hashable") from None
        if not callable(self.start):
            raise InvalidChildSpec(f"{name}: start must be an async callable, not {self.start!r}")
        if self.restart not in _RESTARTS:
            raise InvalidChildSpec(
                f"{name}: restart must be one of {_RESTARTS}, not {self.restart!r}"
            )
        if self.type not in _TYPES:
            raise InvalidChildSpec(f"{name}: type must be one of {_TYPES}, not {self.type!r}")
        if self.shutdown is None:
            default = "infinity" if self.type == "supervisor" else WORKER_SHUTDOWN
            object.__setattr__(self, "shutdown", default)
        elif isinstance(self.shutdown, str):
            if self.shutdown not in ("infinity", "brutal_kill"):
                raise InvalidChildSpec(
                    f"{name}: shutdown must be seconds, 'infinity' or 'brutal_kill', "
                    f"not {self.shutdown!r}"
                )
        elif isinstance(self.shutdown, bool) or not isinstance(self.shutdown, int | float):
            raise InvalidChildSpec(
                f"{name}: shutdown must be seconds, 'infinity' or 'brutal_kill', "
                f"not {self.shutdown!r}"
            )
        elif not (self.shutdown >= 0 and not math.isnan(self.shutdown)):
            raise InvalidChildSpec(f"{name}: shutdown seconds must be >= 0, not {self.shutdown!r}")
        if not isinstance(self.significant, bool):
            raise InvalidChildSpec(f"{name}: significant must be True or False")
        if self.significant and self.restart == "permanent":
            raise InvalidChildSpec(
                f"{name}: a significant child must be transient or temporary, not permanent"
            )
        if isinstance(self.args, str | bytes) or not isinstance(self.args, tuple | list):
            raise InvalidChildSpec(f"{name}: args must be a tuple, not {self.args!r}")
        if not isinstance(self.args, tuple):
            object.__setattr__(self, "args", tuple(self.args))

    @property
    def shutdown_timeout(self) -> float | None:
        """Seconds from the start of a stop to the child's deadline; None: no deadline."""
        if isinstance(self.shutdown, str) or self.shutdown is None:
            return None
        return float(self.shutdown)


_FIELDS = tuple(f.name for f in dataclasses.fields(ChildSpec))


def as_child_spec(spec: object) -> ChildSpec:
    """``spec`` itself if it is a :class:`ChildSpec`; one made from a mapping of its
    fields (OTP's map specs, with the same defaults); else :class:`InvalidChildSpec`."""
    if isinstance(spec, ChildSpec):
        return spec
    if isinstance(spec, Mapping):
        missing = [key for key in ("id", "start") if key not in spec]
        unknown = sorted(repr(key) for key in spec if key not in _FIELDS)
        if missing or unknown:
            problems = [f"missing {', '.join(map(repr, missing))}"] if missing else []
            if unknown:
                problems.append(f"unknown {', '.join(unknown)} (fields: {', '.join(_FIELDS)})")
            raise InvalidChildSpec(f"child spec {dict(spec)!r}: {'; '.join(problems)}")
        return ChildSpec(**spec)
    raise InvalidChildSpec(
        f"a child spec must be a ChildSpec (or a mapping of its fields), "
        f"not {type(spec).__name__} {spec!r}"
    )


def restarts_after(spec: ChildSpec, abnormal: bool) -> bool:
    """Whether an exit of a child with this spec is restarted (OTP's rules)."""
    if spec.restart == "permanent":
        return True
    if spec.restart == "transient":
        return abnormal
    return False
