# The exceptions a supervisor raises, to its caller or to its parent.
from __future__ import annotations

from collections.abc import Hashable


class SupervisorError(Exception):
    """Base class of every error roost.supervisor raises itself."""


class ChildStartError(SupervisorError):
    """A child's start function failed while ``Supervisor.run`` started its children.

    The child's own exception is ``__cause__``; children started before it have
    already been shut down, in reverse order.
    """

    def __init__(self, supervisor: str, child: Hashable) -> None:
        super().__init__(f"supervisor {supervisor!r}: child {child!r} failed to start")
        self.supervisor = supervisor
        self.child = child


class RestartIntensityExceeded(SupervisorError):
    """More than ``max_restarts`` restarts within ``max_seconds``: the supervisor gave up.

    Raised out of ``run`` after every child was shut down (reverse order), so the
    parent sees an abnormal exit. ``__cause__`` is the last child's exception.
    """

    def __init__(
        self, supervisor: str, child: Hashable, max_restarts: int, max_seconds: float
    ) -> None:
        super().__init__(
            f"supervisor {supervisor!r}: restart intensity exceeded "
            f"(more than {max_restarts} restarts in {max_seconds:g}s), last by child {child!r}"
        )
        self.supervisor = supervisor
        self.child = child
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds


class ChildNeverStarted(SupervisorError):
    """A start function returned without calling ``task_status.started()``."""


class ChildTerminated(SupervisorError):
    """``start_child``/``restart_child``: the child was stopped while it was starting.

    ``terminate_child`` of a child that has not called ``started()`` yet, or its
    supervisor shutting down, cancels its start; the caller of the start gets
    this (``.supervisor``, ``.child``). ``__cause__`` is what the start function
    raised while it was being cancelled, if anything.
    """

    def __init__(self, supervisor: str, child: Hashable, how: str) -> None:
        super().__init__(f"supervisor {supervisor!r}: child {child!r} was {how} while starting")
        self.supervisor = supervisor
        self.child = child


class MaxChildrenReached(SupervisorError):
    """``DynamicSupervisor.start_child`` past ``max_children``."""


class AlreadyStarted(SupervisorError):
    """``start_child`` with the id of a running child (OTP ``already_started``)."""


class AlreadyPresent(SupervisorError):
    """``start_child`` with the id of a stopped child whose spec is kept.

    OTP's ``already_present``.
    """


class ChildNotFound(SupervisorError, LookupError):
    """No child with that id (OTP ``not_found``)."""


class ChildRunning(SupervisorError):
    """``restart_child``/``delete_child`` on a running child (OTP ``running``).

    Also for a child that is starting or waiting for its restart to be retried
    (OTP ``restarting``).
    """


class NotRunning(SupervisorError):
    """The supervisor is not running (not started yet, or already stopped)."""


class Killed(Exception):
    """The exit reason of a child stopped by ``kill_child`` (OTP's ``killed``)."""


class InvalidChildSpec(SupervisorError, ValueError):
    """A child spec that cannot be used, and why: not a :class:`ChildSpec` (nor a
    mapping of its fields), a field with a wrong value, a significant child that
    is permanent or whose supervisor has ``auto_shutdown="never"``, a duplicate id.

    OTP's ``invalid_child_spec``, ``invalid_restart_type``, ``bad_combination``...
    A ``ValueError`` too.
    """
