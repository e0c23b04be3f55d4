# One tab's outgoing messages, in order, to whatever socket is attached:
# actors put typed messages, the outbox encodes each once (roost.protocol's
# codec), keeps the bytes queued within a budget, and writes them in order.
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc

from .. import protocol

Transport = Callable[[str], Awaitable[None]]
"""Writes one encoded server message (a JSON text frame) to a tab's socket."""

CutOff = Callable[[Transport, str], Awaitable[None]]
"""Called with a transport the outbox gave up on, and why (it fell behind or stalled)."""

WRITE_TIMEOUT = 10.0
"""Seconds one write may take before the socket is taken for dead."""

MAX_BYTES = 1024 * 1024
"""Bytes of encoded messages one socket may have waiting before it is cut off."""


class SessionEnded(Exception):
    """The session failed past its restart limit or was stopped."""


class Outbox:
    """A bounded queue of server messages for one browser tab.

    Two bounds, two policies. By count (``capacity`` messages): actors
    ``await put(...)`` and wait while it is full (backpressure). By bytes
    (``max_bytes`` of encoded frames waiting): a socket that falls that far
    behind is cut off (``on_cut_off``) rather than buffered for, and so is one
    whose write takes longer than ``write_timeout``: a tab that does not read
    must not grow the server's memory or hold its session's messages hostage.
    While no socket is attached (the tab is reconnecting), messages are
    dropped rather than queued: the tab gets full renders when it is back.
    """

    def __init__(
        self,
        transport: Transport | None,
        capacity: int = 256,
        *,
        max_bytes: int = MAX_BYTES,
        write_timeout: float = WRITE_TIMEOUT,
        on_cut_off: CutOff | None = None,
    ) -> None:
        self._transport = transport
        self._send, self._receive = anyio.create_memory_object_stream[tuple[Transport, str]](
            capacity
        )
        self._write: anyio.CancelScope | None = None
        self._bytes = 0
        self._closed = False
        self.max_bytes = max_bytes
        self.write_timeout = write_timeout
        self.on_cut_off = on_cut_off
        self.dropped = 0

    @property
    def attached(self) -> bool:
        return self._transport is not None

    @property
    def queued_bytes(self) -> int:
        """Bytes of encoded messages waiting for the socket."""
        return self._bytes

    def attach(self, transport: Transport) -> None:
        """Send to ``transport`` from now on; nothing queued for the old one reaches it."""
        self._switch(transport)

    def detach(self) -> None:
        """Drop messages until a transport is attached again."""
        self._switch(None)

    def _switch(self, transport: Transport | None) -> None:
        self._transport = transport
        if self._write is not None:
            self._write.cancel()  # a write stuck on the old socket is abandoned
        while True:
            try:
                self._receive.receive_nowait()
            except (anyio.WouldBlock, anyio.ClosedResourceError, anyio.EndOfStream):
                break
            self.dropped += 1
        self._bytes = 0

    async def put(self, message: protocol.ServerMessage) -> None:
        """Queue ``message`` for the socket, waiting while the queue is full.

        Raises ``SessionEnded`` once the session is over.
        """
        text = protocol.encode(message)
        transport = self._transport
        if transport is None:
            if self._closed:
                raise SessionEnded("the session has ended")
            self.dropped += 1
            return
        if self._bytes + len(text) > self.max_bytes:
            await self._cut_off(
                transport, f"fell behind by more than {self.max_bytes} bytes of messages"
            )
            self.dropped += 1
            return
        self._bytes += len(text)
        try:
            await self._send.send((transport, text))
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise SessionEnded("the session has ended") from None

    async def write_now(self, message: protocol.ServerMessage, timeout: float = 1.0) -> None:  # noqa: ASYNC109
        """Write ``message`` to the socket at once, past the queue (the session's last
        words, when it failed for good and its queue is gone); bounded by ``timeout``."""
        transport = self._transport
        if transport is not None:
            with anyio.move_on_after(timeout):
                await transport(protocol.encode(message))

    def close(self) -> None:
        """Drop what is queued and refuse more: the session is over."""
        self._closed = True
        self._send.close()
        self._receive.close()
        self._bytes = 0

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Write queued messages to their transport until cancelled."""
        task_status.started(self)
        while True:
            transport, text = await self._receive.receive()
            self._bytes -= len(text)
            # (Transports are often bound methods: compared by ==, never by identity.)
            if transport != self._transport:
                self.dropped += 1  # queued for a socket that is gone
                continue
            with anyio.CancelScope(deadline=anyio.current_time() + self.write_timeout) as scope:
                self._write = scope
                await transport(text)
            self._write = None
            if scope.cancelled_caught and self._transport == transport:
                self.dropped += 1
                await self._cut_off(transport, f"a write took more than {self.write_timeout} s")

    async def _cut_off(self, transport: Transport, reason: str) -> None:
        if self._transport != transport:
            return
        self.detach()
        if self.on_cut_off is not None:
            await self.on_cut_off(transport, reason)
