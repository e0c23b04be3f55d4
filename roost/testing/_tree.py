# Reaching into an app's running supervision tree from a test: find a
# session's actor. Read-only, by public calls.
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from ..actors import ActorRef


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
