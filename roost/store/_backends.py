# Which state store backend a URL names: the one place that maps schemes to
# implementations, so the rest of roost holds a Store and nothing more.
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

from ._interface import Store
from .memory import MemoryStore


def _memory(url: SplitResult) -> Store:
    if url.netloc or url.path or url.query or url.fragment:
        raise ValueError("a memory:// store URL takes no host, path, query or fragment")
    return MemoryStore()


_SCHEMES: dict[str, Callable[[SplitResult], Store]] = {
    "memory": _memory,
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
    if url is None:
        return MemoryStore()
    parts = urlsplit(url)
    make = _SCHEMES.get(parts.scheme)
    if make is None:
        supported = ", ".join(f"{scheme}://" for scheme in _SCHEMES)
        found = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise ValueError(f"unsupported store URL: {found}; supported: {supported}")
    return make(parts)
