# Which state store a URL names: the one place that maps schemes to
# implementations, so the rest of roost holds a Store and nothing more.
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import SplitResult

from .._backend_url import in_memory, pick
from ._interface import Store
from .memory import MemoryStore

_SCHEMES: dict[str, Callable[[SplitResult], Store]] = {
    "memory": in_memory("store", MemoryStore),
}


def backend(url: str | None = None) -> Store:
    """A new, not yet running state store for ``url``.

    Args:
      url: ``None`` or ``"memory://"`` for a store in this process only (the
        default). Start the result with ``await task_group.start(store.run)``
        or as a supervisor's child.

    Raises:
      ValueError: if the URL's scheme is not one of the supported ones, or
        the URL does not suit its scheme. The message names the scheme, never
        the whole URL, which may hold a password.
    """
    return pick("store", url, _SCHEMES)
