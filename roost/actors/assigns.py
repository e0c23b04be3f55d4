# Change tracking for an actor's public attributes ("assigns"): an actor
# renders only when one of them changed since its last render.
from __future__ import annotations

import copy
from typing import Any

_CONTAINERS = (list, dict, set, bytearray)


class ChangeTracker:
    """Remembers which assigns changed since the last ``reset``.

    A plain assignment marks a name changed when the new value differs from
    the old one (``is not`` and ``!=``). Lists, dicts and sets are also
    compared with a shallow copy taken at the last render, so in-place
    mutation (``self.items.append(x)``) is seen too. Deeper mutation inside
    such a container is not: assign a new value for that.
    """

    __slots__ = ("_changed", "_copies")

    def __init__(self) -> None:
        self._changed: set[str] = set()
        self._copies: dict[str, Any] = {}

    def assigned(self, name: str, old: Any, new: Any) -> None:
        if name in self._changed:
            return
        if old is _MISSING or (old is not new and not _equal(old, new)):
            self._changed.add(name)

    def changed(self, assigns: dict[str, Any]) -> set[str]:
        """The names that changed, including containers mutated in place."""
        changed = set(self._changed)
        for name, snapshot in self._copies.items():
            if name not in changed and not _equal(assigns.get(name, _MISSING), snapshot):
                changed.add(name)
        return changed

    def mark(self, name: str) -> None:
        """Force ``name`` to count as changed."""
        self._changed.add(name)

    def reset(self, assigns: dict[str, Any]) -> None:
        """Start a new round: nothing has changed relative to ``assigns``."""
        self._changed.clear()
        self._copies = {k: copy.copy(v) for k, v in assigns.items() if isinstance(v, _CONTAINERS)}


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False
