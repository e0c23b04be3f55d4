"""OTP-style supervision on anyio/Trio: supervisors, dynamic supervisors, child specs.

See docs/supervision.md for the semantics and where they differ from OTP.
"""

from . import events as events
from ._dynamic import DynamicSupervisor as DynamicSupervisor
from ._errors import AlreadyPresent as AlreadyPresent
from ._errors import AlreadyStarted as AlreadyStarted
from ._errors import ChildNeverStarted as ChildNeverStarted
from ._errors import ChildNotFound as ChildNotFound
from ._errors import ChildRunning as ChildRunning
from ._errors import ChildStartError as ChildStartError
from ._errors import ChildTerminated as ChildTerminated
from ._errors import MaxChildrenReached as MaxChildrenReached
from ._errors import NotRunning as NotRunning
from ._errors import RestartIntensityExceeded as RestartIntensityExceeded
from ._errors import SupervisorError as SupervisorError
from ._spec import ChildSpec as ChildSpec
from ._supervisor import Supervisor as Supervisor
from .events import SupervisorEvent as SupervisorEvent

__all__ = [
    "AlreadyPresent",
    "AlreadyStarted",
    "ChildNeverStarted",
    "ChildNotFound",
    "ChildRunning",
    "ChildSpec",
    "ChildStartError",
    "ChildTerminated",
    "DynamicSupervisor",
    "MaxChildrenReached",
    "NotRunning",
    "RestartIntensityExceeded",
    "Supervisor",
    "SupervisorError",
    "SupervisorEvent",
    "events",
]
