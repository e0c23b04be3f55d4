"""roost: Phoenix-style LiveViews for Python on Trio.

Every LiveView is an actor (a task with a bounded mailbox) under an
OTP-style supervision tree; it renders its own Jinja2 template, diffs its own
VDOM and sends only its own patches to the browser. This module is the whole
public API for apps: everything else is private or inside a subpackage
(``roost.testing`` for tests, ``roost.render`` and ``roost.supervisor`` for
their own, larger APIs).
"""

from ._presence import Presence as Presence
from ._presence import PresenceDiff as PresenceDiff
from .actors import ActorRef as ActorRef
from .actors import AsyncResult as AsyncResult
from .actors import Component as Component
from .actors import Down as Down
from .actors import Exit as Exit
from .actors import LinkedExit as LinkedExit
from .actors import LiveComponent as LiveComponent
from .actors import LiveView as LiveView
from .actors import UploadConfig as UploadConfig
from .actors import UploadEntry as UploadEntry
from .actors import event as event
from .actors import live_component as live_component
from .actors import on_component as on_component
from .render import JS as JS
from .render import flash_group as flash_group
from .server import App as App
from .supervisor import ChildSpec as ChildSpec
from .supervisor import DynamicSupervisor as DynamicSupervisor
from .supervisor import Supervisor as Supervisor

__version__ = "0.1.0"
