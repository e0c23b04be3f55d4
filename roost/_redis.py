# What the Redis backends share without importing coredis: their URL, the
# error a caller sees while Redis is down, and logging an outage once.
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import SplitResult, parse_qsl, unquote

DEFAULT_PORT = 6379
NAMESPACE = re.compile(r"[A-Za-z0-9_.-]*")
TLS_OPTIONS = (
    "ssl_ca_certs",
    "ssl_certfile",
    "ssl_keyfile",
    "ssl_cert_reqs",
    "ssl_check_hostname",
)
CERT_REQS = ("none", "optional", "required")


class RedisUnavailable(ConnectionError):
    """Redis cannot be reached now; the call did nothing that can be relied on.

    Raised by the Redis store's ``get``, ``put`` and ``delete`` while the
    server is down (the caller retries later: the store reconnects on the
    next call), and by a Redis backend's ``run`` that cannot connect when it
    starts. The message names the server as ``host:port``, never the URL,
    which may hold a password.
    """


@dataclass(frozen=True)
class RedisURL:
    """A ``redis://`` or ``rediss://`` backend URL, checked and taken apart."""

    host: str
    port: int
    db: int
    username: str | None
    password: str | None = field(repr=False)
    tls: bool
    tls_options: dict[str, str]
    namespace: str
    ttl: int | None
    """Seconds a stored value lives (``?ttl=``); None: no ``ttl`` option given."""

    @property
    def where(self) -> str:
        """``host:port``, for messages (the password is never shown)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse(kind: str, url: SplitResult, options: tuple[str, ...] = ()) -> RedisURL:
    """Check a ``redis://`` / ``rediss://`` URL for a ``kind`` backend.

    ``redis://[[user]:password@]host[:port][/db][?namespace=NAME]``, plus the
    query ``options`` this kind also takes (the store's ``ttl``) and, for
    ``rediss://``, the ``ssl_*`` options. Raises ``ValueError`` naming what
    is wrong, never repeating the URL (it may hold a password).
    """
    scheme = url.scheme.lower()
    what = f"a {scheme}:// {kind} URL"
    if url.fragment:
        raise ValueError(f"{what} takes no #fragment")
    try:
        port = url.port or DEFAULT_PORT
    except ValueError:
        raise ValueError(f"{what} has a bad port: a number from 1 to 65535") from None
    path = url.path.strip("/")
    if path and not (path.isascii() and path.isdigit()):
        raise ValueError(f"{what}'s path is the database number (/0, /1, ...), if any")
    known = ("namespace", *options, *(TLS_OPTIONS if scheme == "rediss" else ()))
    query: dict[str, str] = {}
    try:
        pairs = parse_qsl(url.query, keep_blank_values=True, strict_parsing=bool(url.query))
    except ValueError:
        raise ValueError(f"{what} has a malformed query string") from None
    for name, value in pairs:
        if name not in known:
            raise ValueError(f"{what} takes no option {name!r}; it takes: {', '.join(known)}")
        if name in query:
            raise ValueError(f"{what} gives option {name!r} twice")
        query[name] = value
    namespace = query.get("namespace", "")
    if not NAMESPACE.fullmatch(namespace):
        raise ValueError(
            f"{what}: namespace must be letters, digits, '_', '.' or '-', not {namespace!r}"
        )
    ttl: int | None = None
    if "ttl" in query:
        text = query["ttl"]
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"{what}: ttl is whole seconds (0: values never expire), not {text!r}")
        ttl = int(text)
    if query.get("ssl_cert_reqs", "required") not in CERT_REQS:
        raise ValueError(f"{what}: ssl_cert_reqs is one of {', '.join(CERT_REQS)}")
    return RedisURL(
        host=url.hostname or "localhost",
        port=port,
        db=int(path) if path else 0,
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        tls=scheme == "rediss",
        tls_options={name: query[name] for name in TLS_OPTIONS if name in query},
        namespace=namespace,
        ttl=ttl,
    )


def require_coredis(kind: str) -> None:
    """Raise a clear ``ImportError`` if coredis (the ``redis`` extra) is missing."""
    try:
        import coredis  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ImportError(
            f"the redis:// {kind} backend needs coredis: pip install 'roost[redis]'"
        ) from exc


def reason(exc: BaseException) -> str:
    """One line saying why a call to Redis failed (the innermost error and its cause)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc) or type(exc).__name__
    cause = exc.__cause__
    if cause is not None and str(cause) and str(cause) not in text:
        text += f" ({cause})"
    return text


class Outage:
    """Logs Redis going away once per outage, and its coming back once."""

    def __init__(self, log: logging.Logger, where: str, retrying: bool) -> None:
        self.log = log
        self.where = where
        self.retrying = retrying
        self.down = False

    def lost(self, exc: BaseException) -> None:
        """A call failed: log it if Redis was up until now."""
        if not self.down:
            self.down = True
            then = ", retrying" if self.retrying else ""
            self.log.warning("redis at %s unreachable: %s%s", self.where, reason(exc), then)

    def reached(self) -> None:
        """A call succeeded: log it if Redis was down until now."""
        if self.down:
            self.down = False
            self.log.warning("redis at %s back", self.where)
