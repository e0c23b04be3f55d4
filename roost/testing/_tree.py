# Reaching into an app's running supervision tree from a test: find a
# session's actor, wait until a session is gone. Read-only, by public calls.
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from ..actors import ActorRef
from ..supervisor import DynamicSupervisor, events


def find_actor(supervisor: Any, name: str, within: Hashable | None = None) -> ActorRef | None:
    """The running actor called ``name`` in a supervision tree, by ``which_children``.

    ``within`` limits the search at the top level to the child with that id
    (one session under ``sessions``).
    """
    for child_id, value, _kind in supervisor.which_children():
        if within is not None and child_id != within:
            continue
        if isinstance(value, ActorRef):
            if value.name == name:
                return value
        elif value is not None and hasattr(value, "which_children"):
            found = find_actor(value, name)
            if found is not None:
                return found
    return None


def _ids(sessions: DynamicSupervisor) -> set[Hashable]:
    return {child_id for child_id, _value, _kind in sessions.which_children()}


async def session_gone(sessions: DynamicSupervisor, session_id: Hashable) -> None:
    """Return once ``session_id`` is no longer a child of ``sessions``.

    A dynamic supervisor drops a child in the same step as it reports its
    ``exited`` or ``shutdown`` event, and the child's task has ended by then;
    so this waits on those events, never on the clock.
    """
    if not sessions.running:
        return
    with events.listen(sessions.name) as recorder:
        seen = 0
        while session_id in _ids(sessions):
            seen += 1
            await recorder.wait_for(child=session_id, count=seen)
