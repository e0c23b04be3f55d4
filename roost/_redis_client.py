# The coredis client both Redis backends use: one way to connect (timeouts,
# TLS, no silent retries) and one way to tell a lost connection from a bug.
from __future__ import annotations

import math
import ssl

import anyio
import anyio.lowlevel
import coredis
import coredis.exceptions
from anyio.abc import TaskStatus
from coredis.connection import TCPConnection, TCPLocation
from coredis.retry import NoRetryPolicy
from coredis.typing import RedisValueT

from ._redis import RedisURL

CONNECT_TIMEOUT = 2.0
"""Seconds to open a connection to Redis before the attempt counts as failed."""
STREAM_TIMEOUT = 5.0
"""Seconds to wait for Redis to answer a command before it counts as unreachable."""

LOST = (
    coredis.exceptions.ConnectionError,
    TimeoutError,
    OSError,
    anyio.ClosedResourceError,
    anyio.BrokenResourceError,
)
"""What a call raises when Redis is down, restarting or unreachable (coredis 6.9
lets a command sent while a lost connection closes fail with the anyio errors)."""


class _Connection(TCPConnection):
    """coredis's TCP connection, mended in three places (coredis 6.9).

    - It opens six memory streams per connection and closes them only once
      connected, so every failed attempt (Redis down) left them to the
      garbage collector, which warns (ResourceWarning; an error under ``-W
      error``): ``run`` closes them (again, after a connection that did
      connect, which does nothing).
    - A connection attempt cancelled during its handshake raised
      ``ConnectionError`` in place of the cancellation, so a caller whose
      scope was cancelled saw "Redis unreachable": ``run`` lets a
      cancellation be one.
    - A connection closes its buffers a moment before it says it is
      unusable, so the UNSUBSCRIBE its pubsub sends when cancelled could fail
      with ``ClosedResourceError``, which that cleanup does not expect:
      ``send_command`` raises coredis's ``ConnectionError`` instead.
    """

    def send_command(self, command: bytes, *args: RedisValueT) -> None:
        try:
            super().send_command(command, *args)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
            raise coredis.exceptions.ConnectionError("Connection closed") from exc

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        try:
            await super().run(task_status=task_status)
        except coredis.exceptions.ConnectionError:
            if anyio.current_effective_deadline() == -math.inf:
                await anyio.lowlevel.checkpoint()  # cancelled: raises the cancellation
            raise
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
