# What a session holds in memory, for tests and benchmarks that bound it.
from __future__ import annotations

import gc
import sys
import types
from typing import Any

# Shared by every session, or the runtime's: not counted as a session's own.
_SHARED = (type, types.ModuleType, types.FunctionType, types.CodeType)
_RUNTIME = (types.FrameType, types.CoroutineType, types.MethodType)
_OUTSIDE = ("trio", "anyio", "jinja2")


def held_bytes(session: Any) -> int:
    """Bytes of the objects ``session`` (a ``LiveClient``'s ``.session``) holds:
    its tab, its actors, their state, VDOM and render caches.

    Not counted: what it shares with others (classes, modules, functions,
    templates), the runtime's tasks and frames, and the test client. A
    shallow-size sum over what it reaches (``sys.getsizeof``): a figure to
    compare, as a session grows, not its exact footprint.
    """
    seen: set[int] = set()
    todo = [session]
    total = 0
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, _SHARED) or isinstance(obj, _RUNTIME):
            continue
        module = type(obj).__module__
        if module.split(".")[0] in _OUTSIDE or module.startswith("roost.testing"):
            continue
        total += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return total
