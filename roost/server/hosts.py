# Which Host names the app answers to, and whether a socket's Origin is this
# server's own: the two checks that stop DNS rebinding and cross-site sockets.
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from .._logging import clip

LOOPBACK = ("localhost", "127.0.0.1", "::1")
"""The names served when neither the app nor ``ROOST_ALLOWED_HOSTS`` names any."""


class HostCheck:
    """The ``Host`` names an app serves: exact names, ``.example.com`` for it and
    its subdomains, or ``*`` for any. Ports are not compared."""

    def __init__(self, allowed: Sequence[str] | None = None) -> None:
        if allowed is None:
            env = os.environ.get("ROOST_ALLOWED_HOSTS", "")
            allowed = [h.strip() for h in env.split(",") if h.strip()] or list(LOOPBACK)
        self.allowed = [_bare(h.lower()) for h in allowed]
        self._any = "*" in self.allowed

    def extend(self, hosts: Sequence[str]) -> None:
        """Serve ``hosts`` too."""
        self.allowed += [_bare(h.lower()) for h in hosts]
        self._any = "*" in self.allowed

    def allows(self, host: str) -> bool:
        """Whether ``host`` (as in a ``Host`` header, port optional) is served."""
        if self._any:
            return True
        name = _bare(_without_port(host.lower()))
        for pattern in self.allowed:
            if name == pattern or (
                pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:])
            ):
                return True
        return False

    def refusal(self, scope: dict[str, Any]) -> str | None:
        """Why a request's ``Host`` is refused, or None."""
        host = header(scope, b"host")
        if host is None:
            return "the request has no Host header"
        if not self.allows(host):
            return (
                f"Host {clip(host)!r} is not served: add it to App(allowed_hosts=...) "
                "or ROOST_ALLOWED_HOSTS"
            )
        return None


def origin_refusal(scope: dict[str, Any]) -> str | None:
    """Why a socket's ``Origin`` is not this server's own scheme, host and port, or None.

    A request without ``Origin`` (not from a browser page) is let through: the
    check protects browsers' users from other sites, and tokens guard the rest.
    """
    origin = header(scope, b"origin")
    if origin is None:
        return None
    parts = urlsplit(origin)
    scheme = {"ws": "http", "wss": "https"}.get(scope.get("scheme", "ws"), "http")
    host = header(scope, b"host") or ""
    if parts.scheme != scheme or parts.netloc.lower() != host.lower():
        return f"origin {clip(origin)!r} is not this server ({scheme}://{clip(host)})"
    return None


def header(scope: dict[str, Any], name: bytes) -> str | None:
    """The value of header ``name`` (lower case) in an ASGI scope, if present."""
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def _without_port(host: str) -> str:
    if host.startswith("["):  # [::1]:8000
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _bare(host: str) -> str:
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host
