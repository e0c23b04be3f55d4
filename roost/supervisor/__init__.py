"""OTP-style supervision on anyio/Trio: supervisors, dynamic supervisors, child specs.

See docs/supervision.md for the semantics and where they differ from OTP.
"""

from . import events as events
from ._core import AutoShutdown as AutoShutdown
from ._dynamic import DynamicSupervisor as DynamicSupervisor
from ._errors import AlreadyPresent as AlreadyPresent
from ._errors import AlreadyStarted as AlreadyStarted
from ._errors import ChildNeverStarted as ChildNeverStarted
from ._errors import ChildNotFound as ChildNotFound
from ._errors import ChildRunning as ChildRunning
from ._errors import ChildStartError as ChildStartError
from ._errors import ChildTerminated as ChildTerminated
from ._errors import InvalidChildSpec as InvalidChildSpec
from ._errors import Killed as Killed
from ._errors import MaxChildrenReached as MaxChildrenReached
from ._errors import NotRunning as NotRunning
from ._errors import RestartIntensityExceeded as RestartIntensityExceeded
from ._errors import SupervisorError as SupervisorError
from ._markers import IGNORE as IGNORE
from ._markers import RESTARTING as RESTARTING
from ._spec import ChildSpec as ChildSpec
from ._stop_request import on_stop_request as on_stop_request
from ._stop_request import stop_requested as stop_requested
from ._supervisor import Supervisor as Supervisor
from ._tasks import TaskGroup as TaskGroup
from ._tasks import open_task_group as open_task_group
from .events import SupervisorEvent as SupervisorEvent

__all__ = [
    "IGNORE",
    "RESTARTING",
    "AlreadyPresent",
    "AlreadyStarted",
    "AutoShutdown",
    "ChildNeverStarted",
    "ChildNotFound",
    "ChildRunning",
    "ChildSpec",
    "ChildStartError",
    "ChildTerminated",
    "DynamicSupervisor",
    "InvalidChildSpec",
    "Killed",
    "MaxChildrenReached",
    "NotRunning",
    "RestartIntensityExceeded",
    "Supervisor",
    "SupervisorError",
    "SupervisorEvent",
    "TaskGroup",
    "events",
    "on_stop_request",
    "open_task_group",
    "stop_requested",
]
