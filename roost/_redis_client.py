# The coredis client both Redis backends use: one way to connect (timeouts,
# TLS, no silent retries) and one way to tell a lost connection from a bug.
from __future__ import annotations

import ssl
from typing import Any

import anyio
import coredis
import coredis.exceptions
from anyio.abc import TaskStatus
from coredis.connection import TCPConnection, TCPLocation
from coredis.retry import NoRetryPolicy

from ._redis import RedisURL

CONNECT_TIMEOUT = 2.0
"""Seconds to open a connection to Redis before the attempt counts as failed."""
STREAM_TIMEOUT = 5.0
"""Seconds to wait for Redis to answer a command before it counts as unreachable."""

LOST = (coredis.exceptions.ConnectionError, TimeoutError, OSError)
"""What a call raises when Redis is down, restarting or unreachable."""


class _Connection(TCPConnection):
    """coredis's TCP connection, closing its buffers when an attempt fails.

    coredis 6.9 opens six memory streams per connection and closes them only
    once connected, so every failed attempt (Redis down) left them for the
    garbage collector, which warns (ResourceWarning; an error under
    ``-W error``). Closing them again after a connection that did connect
    does nothing.
    """

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        try:
            await super().run(task_status=task_status)
        finally:
            for stream in (
                self._write_buffer_in,
                self._write_buffer_out,
                self._push_message_buffer_in,
                self._push_message_buffer_out,
                self._streamed_message_buffer_in,
                self._streamed_message_buffer_out,
            ):
                stream.close()


def client(url: RedisURL) -> coredis.Redis[bytes]:
    """A new coredis client for ``url`` (bytes in, bytes out), not yet entered.

    Commands are not retried by coredis: a call while Redis is down fails at
    once, and the backend says what that means for its caller.
    """
    pool: coredis.ConnectionPool[_Connection] = coredis.ConnectionPool(
        connection_class=_Connection,
        location=TCPLocation(url.host, url.port),
        db=url.db,
        username=url.username,
        password=url.password,
        connect_timeout=CONNECT_TIMEOUT,
        stream_timeout=STREAM_TIMEOUT,
        ssl_context=_tls(url) if url.tls else None,
        client_name="roost",
    )
    redis: coredis.Redis[bytes] = coredis.Redis(
        connection_pool=pool, decode_responses=False, retry_policy=NoRetryPolicy()
    )
    return redis


def _tls(url: RedisURL) -> ssl.SSLContext:
    # Verified, hostname checked, unless the URL says otherwise.
    options = url.tls_options
    context = ssl.create_default_context(cafile=options.get("ssl_ca_certs"))
    if "ssl_certfile" in options:
        context.load_cert_chain(options["ssl_certfile"], options.get("ssl_keyfile"))
    if options.get("ssl_check_hostname", "true").lower() in ("0", "false", "no", "off"):
        context.check_hostname = False
    reqs = options.get("ssl_cert_reqs", "required")
    if reqs != "required":
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE if reqs == "none" else ssl.CERT_OPTIONAL
    return context


def lost_connection(exc: BaseException) -> bool:
    """Whether ``exc`` (or every exception in a group) is Redis being unreachable."""
    if isinstance(exc, BaseExceptionGroup):
        return all(lost_connection(inner) for inner in exc.exceptions)
    return isinstance(exc, LOST)


def first(exc: BaseException) -> Any:
    """The first exception inside nested groups, or ``exc`` itself."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc
