# An actor's bounded inbox: many writers, one reader (the actor's own task).
from __future__ import annotations

from typing import Any

import anyio


class MailboxFull(Exception):
    """Raised by ``Mailbox.put_nowait`` when the mailbox holds ``capacity`` messages."""


class MailboxClosed(Exception):
    """The actor behind this mailbox has stopped."""


class Mailbox:
    """A bounded FIFO of messages for one actor.

    Writers choose the overflow policy by the call they make: ``put_nowait``
    refuses at once when full (client events, pubsub), ``put`` waits for room
    (backpressure between actors). The mailbox never grows past ``capacity``.
    """

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._send, self._receive = anyio.create_memory_object_stream[Any](capacity)

    def put_nowait(self, message: Any) -> None:
        """Deliver ``message`` now, or raise ``MailboxFull`` / ``MailboxClosed``."""
        try:
            self._send.send_nowait(message)
        except anyio.WouldBlock:
            raise MailboxFull(f"mailbox full ({self.capacity} messages)") from None
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise MailboxClosed("actor has stopped") from None

    async def put(self, message: Any) -> None:
        """Deliver ``message``, waiting while the mailbox is full."""
        try:
            await self._send.send(message)
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise MailboxClosed("actor has stopped") from None

    async def get(self) -> Any:
        """The next message, waiting for one."""
        return await self._receive.receive()

    def get_ready(self) -> list[Any]:
        """Every message already waiting, without waiting for more."""
        ready = []
        while True:
            try:
                ready.append(self._receive.receive_nowait())
            except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                return ready

    def __len__(self) -> int:
        return self._receive.statistics().current_buffer_used

    def close(self) -> list[Any]:
        """Refuse further messages and return the ones still queued, in order.

        Writers waiting for room get ``MailboxClosed``; their messages were
        never delivered and are not returned.
        """
        self._send.close()  # withdraws waiting writers first: they see MailboxClosed
        left = self.get_ready()
        self._receive.close()
        return left
