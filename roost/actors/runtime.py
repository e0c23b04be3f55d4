# The actor runtime, as the session imports it: the loop every actor runs
# (loop.py), and the runtimes of its two kinds, views and components.
from __future__ import annotations

from .componentactor import ComponentActor as ComponentActor
from .liveactor import LiveActor as LiveActor
from .loop import ActorRuntime as ActorRuntime
from .services import Services as Services

__all__ = ["ActorRuntime", "ComponentActor", "LiveActor", "Services"]
