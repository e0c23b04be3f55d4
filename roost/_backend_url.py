# Picking a backend by URL scheme, shared by pubsub and store: one table of
# schemes each, one way to refuse a URL (naming its scheme, never the URL).
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar
from urllib.parse import SplitResult, urlsplit

T = TypeVar("T")


def pick(kind: str, url: str | None, schemes: Mapping[str, Callable[[SplitResult], T]]) -> T:
    """The backend ``schemes`` makes for ``url`` (None: the ``memory`` one).

    Raises ``ValueError`` naming the scheme and the supported ones; never the
    whole URL, which may hold a password.
    """
    parts = urlsplit(url if url is not None else "memory://")
    make = schemes.get(parts.scheme.lower())
    if make is None:
        supported = ", ".join(f"{scheme}://" for scheme in schemes)
        found = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
        raise ValueError(f"unsupported {kind} URL: {found}; supported: {supported}")
    return make(parts)


def in_memory(kind: str, make: Callable[[], T]) -> Callable[[SplitResult], T]:
    """The ``memory://`` entry of a scheme table: a URL with nothing after the scheme."""

    def memory(url: SplitResult) -> T:
        if url.netloc or url.path or url.query or url.fragment:
            raise ValueError(f"a memory:// {kind} URL takes no host, path, query or fragment")
        return make()

    return memory
