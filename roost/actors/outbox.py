# One session's outgoing messages, in order, to whatever socket is attached:
# actors put typed messages, the outbox task hands them to the transport,
# which encodes them (the one codec is roost.protocol's).
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc

from .. import protocol

Transport = Callable[[protocol.ServerMessage], Awaitable[None]]
"""Writes one server message to a tab's socket (encoding it for the wire)."""

WRITE_TIMEOUT = 10.0
"""Seconds one write may take before the socket is taken for dead."""


class SessionEnded(Exception):
    """The session failed past its restart limit or was stopped."""


class Outbox:
    """A bounded queue of server messages for one browser tab.

    Actors ``await put(...)``: when the socket is slower than the actors, they
    wait (backpressure) instead of growing memory. While no socket is
    attached (the tab is reconnecting), messages are dropped rather than
    queued: the tab gets full renders when it is back. A write that takes
    longer than ``write_timeout`` detaches the socket (``on_stall``): a
    half-open connection must not hold the session's messages hostage.
    """

    def __init__(
        self,
        transport: Transport | None,
        capacity: int = 256,
        *,
        write_timeout: float = WRITE_TIMEOUT,
        on_stall: Callable[[Transport], None] | None = None,
    ) -> None:
        self._transport = transport
        self._send, self._receive = anyio.create_memory_object_stream[Any](capacity)
        self._write: anyio.CancelScope | None = None
        self.write_timeout = write_timeout
        self.on_stall = on_stall
        self.dropped = 0

    @property
    def attached(self) -> bool:
        return self._transport is not None

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
                return
            self.dropped += 1

    async def put(self, message: protocol.ServerMessage) -> None:
        """Queue ``message`` for the socket, waiting while the queue is full.

        Raises ``SessionEnded`` once the session is over.
        """
        try:
            await self._send.send(message)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise SessionEnded("the session has ended") from None

    def close(self) -> None:
        """Drop what is queued and refuse more: the session is over."""
        self._send.close()
        self._receive.close()

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Write queued messages to the transport until cancelled."""
        task_status.started(self)
        while True:
            message = await self._receive.receive()
            transport = self._transport
            if transport is None:
                self.dropped += 1
                continue
            with anyio.CancelScope(deadline=anyio.current_time() + self.write_timeout) as scope:
                self._write = scope
                await transport(message)
            self._write = None
            if scope.cancelled_caught and self._transport is transport:
                self.dropped += 1
                if self.on_stall is not None:
                    self.on_stall(transport)
