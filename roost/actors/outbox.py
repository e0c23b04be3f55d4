# One session's outgoing messages, in order, to whatever socket is attached:
# actors put, the outbox task encodes and writes.
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import anyio.abc

from .. import protocol

Transport = Callable[[str], Awaitable[None]]


class Outbox:
    """A bounded queue of server messages for one browser tab.

    Actors ``await put(...)``: when the socket is slower than the actors, they
    wait (backpressure) instead of growing memory. The queue outlives the
    outbox task, so a restarted outbox loses nothing that was queued. While no
    socket is attached (the tab is reconnecting) messages are dropped: the tab
    gets full renders when it is back.
    """

    def __init__(self, transport: Transport | None, capacity: int = 256) -> None:
        self._transport = transport
        self._send, self._receive = anyio.create_memory_object_stream[Any](capacity)
        self.dropped = 0

    @property
    def attached(self) -> bool:
        return self._transport is not None

    def attach(self, transport: Transport) -> None:
        """Send to ``transport`` from now on; what was queued for the old one is dropped."""
        self._drop_queued()
        self._transport = transport

    def detach(self) -> None:
        """Drop messages until a transport is attached again."""
        self._transport = None
        self._drop_queued()

    def _drop_queued(self) -> None:
        while True:
            try:
                self._receive.receive_nowait()
            except (anyio.WouldBlock, anyio.ClosedResourceError, anyio.EndOfStream):
                return
            self.dropped += 1

    async def put(self, message: Any) -> None:
        """Queue ``message`` for the socket, waiting while the queue is full."""
        await self._send.send(message)

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
            else:
                await transport(protocol.encode(message))
