# Names for actors: register a ref under a name, look it up from anywhere in
# the app; a name is freed when its actor exits.
from __future__ import annotations

from .actor import ActorRef


class AlreadyRegistered(Exception):
    """The name is held by another running actor."""


class Registry:
    """A map of unique names to running actors (one per app)."""

    def __init__(self) -> None:
        self._names: dict[str, ActorRef] = {}

    def register(self, name: str, ref: ActorRef) -> None:
        """Give ``ref`` the name ``name`` until it exits or is unregistered."""
        holder = self._names.get(name)
        if holder is not None and holder.alive and holder is not ref:
            raise AlreadyRegistered(f"{name!r} is registered to {holder!r}")
        self._names[name] = ref
        ref.watch(lambda r, _reason: self._release(name, r))

    def unregister(self, name: str) -> None:
        self._names.pop(name, None)

    def whereis(self, name: str) -> ActorRef | None:
        """The running actor registered as ``name``, or None."""
        ref = self._names.get(name)
        return ref if ref is not None and ref.alive else None

    def _release(self, name: str, ref: ActorRef) -> None:
        if self._names.get(name) is ref:
            del self._names[name]
