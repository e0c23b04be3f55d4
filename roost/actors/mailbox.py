# An actor's bounded inbox: many writers, one reader (the actor's own task).
# A plain list, and the reader's task parked on it while it waits (Trio's own
# low-level parking, not an Event: every actor has one and mostly waits, so a
# waiting mailbox must cost next to nothing).
from __future__ import annotations

import types
from collections.abc import Awaitable, Generator
from typing import Any

import anyio
import trio

try:
    # What Trio's public trap, trio.lowlevel.wait_task_rescheduled, yields to
    # its scheduler. Each call of that trap makes four objects (its coroutine,
    # an inner generator, this message and its dict) and each bound abort
    # method one more, and a waiting actor keeps them until its next message:
    # a broadcast to 10,000 views left 50,000 for the collector to trace. A
    # mailbox yields one message of its own instead, through one generator.
    from trio._core._traps import WaitTaskRescheduled

    _Parked: Any = WaitTaskRescheduled
    # Only the message this module knows: one field, the abort function.
    if [a.name for a in getattr(_Parked, "__attrs_attrs__", ())] != ["abort_func"]:
        _Parked = None
except ImportError:  # a Trio that moved or changed it: its public trap, a few objects more a wait
    _Parked = None


@types.coroutine
def _park(parked: Any) -> Generator[Any, Any, None]:
    # The trap itself: the scheduler resumes the task with an outcome
    # (a value from `reschedule`, or the Cancelled the abort allowed).
    (yield parked).unwrap()


class _Stop:
    def __repr__(self) -> str:
        return "STOP"


STOP: Any = _Stop()
"""The last message of an actor asked to stop (``request_stop``)."""


class MailboxFull(Exception):
    """Raised by ``Mailbox.put_nowait`` when the mailbox holds ``capacity`` messages."""


class MailboxClosed(Exception):
    """The actor behind this mailbox has stopped."""


class Mailbox:
    """A bounded FIFO of messages for one actor.

    Writers choose the overflow policy by the call they make: ``put_nowait``
    refuses at once when full (client events, pubsub), ``put`` waits for room
    (backpressure between actors; waiting writers go first come, first served).
    The mailbox never grows past ``capacity``.
    """

    __slots__ = ("_closed", "_items", "_parked", "_reader", "_writers", "capacity")

    def __init__(self, capacity: int = 256) -> None:
        self.capacity = capacity
        self._items: list[Any] = []
        self._closed = False
        # Waiting for a message: the reader's task (Trio), or an event it waits on.
        self._reader: trio.lowlevel.Task | anyio.Event | None = None
        self._writers: list[anyio.Event] | None = None  # writers waiting for room
        self._parked: Any = None  # the reader's trap message, made on its first wait

    def put_nowait(self, message: Any) -> None:
        """Deliver ``message`` now, or raise ``MailboxFull`` / ``MailboxClosed``."""
        if self._closed:
            raise MailboxClosed("actor has stopped")
        if len(self._items) >= self.capacity or self._writers:
            raise MailboxFull(f"mailbox full ({self.capacity} messages)")
        self._items.append(message)
        if self._reader is not None:
            self._wake_reader()

    async def put(self, message: Any) -> None:
        """Deliver ``message``, waiting while the mailbox is full."""
        if self._closed:
            raise MailboxClosed("actor has stopped")
        if self._writers or len(self._items) >= self.capacity:
            await self._wait_for_room()
        self._items.append(message)
        if self._reader is not None:
            self._wake_reader()
        self._room()

    async def _wait_for_room(self) -> None:
        # Only the first writer in line is woken, and only when there is room.
        if self._writers is None:
            self._writers = []
        event = anyio.Event()
        self._writers.append(event)
        try:
            while True:
                await event.wait()
                if self._closed:
                    raise MailboxClosed("actor has stopped")
                if len(self._items) < self.capacity:
                    return
                at = self._writers.index(event)
                event = self._writers[at] = anyio.Event()
        finally:
            self._writers.remove(event)
            if not self._writers:
                self._writers = None

    async def get(self) -> Any:
        """The next message, waiting for one."""
        while not self._items:
            try:
                self._reader = trio.lowlevel.current_task()
            except RuntimeError:  # not under Trio (asyncio, through anyio): an event
                await self._wait_event()
                continue
            await self._trap()
        message = self._items.pop(0)
        self._room()
        return message

    def wait(self) -> Awaitable[None]:
        """Something to await until a message may have come (await it while the
        mailbox is empty, then look again). Not a coroutine of its own: an idle
        actor waits on Trio's trap alone, with no frame of this method kept."""
        try:
            self._reader = trio.lowlevel.current_task()
        except RuntimeError:  # not under Trio (asyncio, through anyio): an event
            return self._wait_event()
        return self._trap()

    def _trap(self) -> Awaitable[None]:
        # Park the reader's task (it is `_reader`) until `_wake_reader`.
        if _Parked is None:
            return trio.lowlevel.wait_task_rescheduled(self._abort_get)  # noqa: ASYNC105 (awaited by the caller)
        parked = self._parked
        if parked is None:
            # Holds the bound abort method, and so the mailbox: a cycle `close` breaks.
            parked = self._parked = _Parked(self._abort_get)
        return _park(parked)

    def get_ready(self) -> list[Any]:
        """Every message already waiting, without waiting for more."""
        items = self._items
        if not items:
            return []
        # A copy, and the mailbox keeps its own list: an actor's batch then
        # leaves no new object behind for the collector (a broadcast: one per
        # subscriber).
        ready = items.copy()
        items.clear()
        self._room()
        return ready

    def request_stop(self) -> None:
        """Queue ``STOP`` after the messages already in, room or not (its supervisor
        asks the actor to stop: it handles those, then ends). Once; not once closed."""
        if not self._closed and STOP not in self._items:
            self._items.append(STOP)
            if self._reader is not None:
                self._wake_reader()

    def _wake_reader(self) -> None:
        task, self._reader = self._reader, None
        if isinstance(task, anyio.Event):
            task.set()
        elif task is not None:
            trio.lowlevel.reschedule(task)

    async def _wait_event(self) -> None:
        event = anyio.Event()
        self._reader = event
        try:
            await event.wait()
        finally:
            if self._reader is event:
                self._reader = None

    def _abort_get(self, raise_cancel: Any) -> trio.lowlevel.Abort:
        self._reader = None  # cancelled while waiting: nothing to wake any more
        return trio.lowlevel.Abort.SUCCEEDED

    def _room(self) -> None:
        if self._writers and len(self._items) < self.capacity:
            self._writers[0].set()

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> list[Any]:
        """Refuse further messages and return the ones still queued, in order.

        Writers waiting for room get ``MailboxClosed``; their messages were
        never delivered and are not returned.
        """
        self._closed = True
        self._parked = None
        left, self._items = self._items, []
        for writer in list(self._writers or ()):
            writer.set()
        return left
