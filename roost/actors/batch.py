# The batch of messages an actor is handling, and what it owes the client
# for them: an Ack once handled, or an error reply when the actor exits first.
from __future__ import annotations

from typing import Any

from .. import protocol
from .actor import NORMAL, ActorExited, Call
from .messages import ClientEvent, Resync

_NO_ACKS: list[int] = []  # shared, never written to


class Batch:
    """The messages taken from the mailbox together, rendered for once.

    ``todo`` are the ones not handled yet, ``current`` the one being
    handled, ``acks`` the refs of client messages handled and owed an
    ``Ack`` (sent after the batch's render). ``rendering`` is True from the
    end of the last handler until the acks are sent.
    """

    __slots__ = ("acks", "current", "rendering", "replies", "todo")

    def __init__(self) -> None:
        self.todo: list[Any] = []  # small: a list costs less than a deque
        self.current: Any = None
        self.acks: list[int] = []
        # The handlers' replies (what they returned), by ref: sent in an Ack
        # of their own, never folded into a patch.
        self.replies: dict[int, dict[str, Any]] = {}
        self.rendering = False

    def take(self, messages: list[Any]) -> None:
        self.todo.extend(messages)
        self.rendering = False

    def next(self) -> Any:
        """The next message to handle; it stays ``current`` until ``handled``."""
        self.current = self.todo.pop(0)
        return self.current

    def handled(self) -> None:
        self.current = None

    def foldable(self) -> list[int]:
        """The acks a patch may carry (and that are then owed no ``Ack``): those
        without a reply, taken out of ``acks``."""
        if not self.acks:
            return _NO_ACKS  # (no new list to hold the next ones: most batches have none)
        if not self.replies:
            folded, self.acks = self.acks, []
            return folded
        folded = [ref for ref in self.acks if ref not in self.replies]
        self.acks = [ref for ref in self.acks if ref in self.replies]
        return folded

    def ack(self, ref: int) -> protocol.Ack:
        """The ``Ack`` owed for ``ref`` (with its handler's reply, if any)."""
        return protocol.Ack(ref, self.replies.pop(ref, None))

    def replies_on_exit(
        self, target: str, reason: BaseException | None, stopped: str, left: list[Any]
    ) -> list[protocol.Ack | protocol.Error]:
        """What the client is owed when the actor exits now, for this batch and ``left``.

        ``left`` are the messages still in the mailbox. Every client message
        gets exactly one reply: an ``Ack`` if it was handled, unless the
        actor crashed while rendering the batch (its effect never showed);
        otherwise an error, ``crashed`` after a crash, ``unknown_target``
        with the text ``stopped`` after a normal stop. Waiting calls fail
        with ``ActorExited``.
        """
        current = self.current
        if reason is None:
            code = protocol.UNKNOWN_TARGET
            queued = in_render = stopped
        else:
            code, kind = protocol.CRASHED, type(reason).__name__
            queued = f"{target!r} crashed ({kind}) before handling this"
            in_render = f"{kind} while rendering {target!r}"
        # The message in hand when it crashed is answered as such, even if its
        # handler had returned (its effects failed).
        failed = current.ref if isinstance(current, ClientEvent) and reason is not None else None
        replies: list[protocol.Ack | protocol.Error] = [
            protocol.Error(ref, code, in_render)
            if reason is not None and self.rendering
            else protocol.Ack(ref, self.replies.pop(ref, None))
            for ref in self.acks
            if ref != failed
        ]
        self.acks = []
        self.replies.clear()
        for message in [current, *self.todo, *left]:
            if isinstance(message, Call):
                message.fail(ActorExited(target, NORMAL if reason is None else reason))
            elif isinstance(message, ClientEvent | Resync) and message.ref:
                text = queued
                if reason is not None and message is current and isinstance(message, ClientEvent):
                    text = f"{type(reason).__name__} in {message.name}"
                replies.append(protocol.Error(message.ref, code, text))
        self.current = None
        self.todo.clear()
        return replies
