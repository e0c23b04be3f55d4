"""Test tooling for roost apps: a live client in process or over a WebSocket.

``LiveClient.mount(app, "/")`` opens a view in this process (the app's real
runtime and session, no socket); ``LiveClient.connect(url, "/")`` opens one
on a running server over a real WebSocket. Both keep the page as the browser
does, wait on frames instead of sleeping, and inject faults. See
docs/testing.md. Nothing in roost's runtime imports this package.
"""

from ..actors import InjectedCrash as InjectedCrash
from ._backends import FaultyPubSub as FaultyPubSub
from ._backends import FaultyStore as FaultyStore
from ._chaos import Chaos as Chaos
from ._chaos import chaos as chaos
from ._client import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
from ._client import LiveClient as LiveClient
from ._crashes import CrashReport as CrashReport
from ._crashes import UnexpectedCrash as UnexpectedCrash
from ._errors import Disconnected as Disconnected
from ._errors import EventError as EventError
from ._errors import MountError as MountError
from ._errors import SelectorError as SelectorError
from ._errors import WaitTimeout as WaitTimeout
from ._frames import Frame as Frame
from ._leaks import LeakedTasksError as LeakedTasksError
from ._leaks import no_leaked_tasks as no_leaked_tasks
from ._memory import held_bytes as held_bytes
from ._network import NetworkFaults as NetworkFaults

__all__ = [
    "DEFAULT_TIMEOUT",
    "Chaos",
    "CrashReport",
    "Disconnected",
    "EventError",
    "FaultyPubSub",
    "FaultyStore",
    "Frame",
    "InjectedCrash",
    "LeakedTasksError",
    "LiveClient",
    "MountError",
    "NetworkFaults",
    "SelectorError",
    "UnexpectedCrash",
    "WaitTimeout",
    "chaos",
    "held_bytes",
    "no_leaked_tasks",
]
