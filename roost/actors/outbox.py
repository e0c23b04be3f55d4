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
    outbox task, so a restarted outbox loses nothing that was queued.
    """

    def __init__(self, transport: Transport, capacity: int = 256) -> None:
        self._transport = transport
        self._send, self._receive = anyio.create_memory_object_stream[Any](capacity)

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
            await self._transport(protocol.encode(message))
