# The actor core: a Trio task that owns a mailbox and handles one message at
# a time; ActorRef is the only handle other code gets to it.
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio

from .mailbox import Mailbox, MailboxClosed, MailboxFull


class CallTimeout(Exception):
    """An actor did not answer a ``call`` in time."""


@dataclass(eq=False)
class Call:
    """A request that expects one reply (see ``ActorRef.call``)."""

    request: Any
    _reply: Any = field(default=None, repr=False)
    _done: anyio.Event = field(default_factory=anyio.Event, repr=False)

    def reply(self, value: Any) -> None:
        """Answer the caller; later answers are ignored."""
        if not self._done.is_set():
            self._reply = value
            self._done.set()


NORMAL = "normal"
"""Exit reason of an actor that returned or was stopped by its supervisor."""

ExitWatcher = Callable[["ActorRef", Any], None]


class ActorRef:
    """A handle to a running actor: send it messages, never touch its state.

    Each ref names one incarnation: a restarted actor gets a new ref, and
    messages sent to the old one fail with ``MailboxClosed``. Watchers added
    with ``watch`` learn when (and why) this incarnation exits.
    """

    __slots__ = ("_mailbox", "_watchers", "exit_reason", "name")

    def __init__(self, name: str, mailbox: Mailbox) -> None:
        self.name = name
        self._mailbox = mailbox
        self._watchers: dict[int, ExitWatcher] = {}
        self.exit_reason: Any = None

    @property
    def alive(self) -> bool:
        return self.exit_reason is None

    def watch(self, watcher: ExitWatcher) -> Callable[[], None]:
        """Call ``watcher(ref, reason)`` once this actor exits; returns the cancel.

        Watching an actor that has already exited calls ``watcher`` at once
        with its reason. ``reason`` is ``NORMAL`` or the exception it died of.
        """
        if not self.alive:
            watcher(self, self.exit_reason)
            return _noop
        key = id(watcher)
        self._watchers[key] = watcher

        def cancel() -> None:
            self._watchers.pop(key, None)

        return cancel

    def _exited(self, reason: Any) -> None:
        self.exit_reason = reason
        watchers, self._watchers = self._watchers, {}
        for watcher in watchers.values():
            watcher(self, reason)

    def send(self, message: Any) -> None:
        """Deliver ``message`` now or raise ``MailboxFull`` / ``MailboxClosed``."""
        self._mailbox.put_nowait(message)

    async def send_wait(self, message: Any) -> None:
        """Deliver ``message``, waiting while the mailbox is full."""
        await self._mailbox.put(message)

    async def call(self, request: Any, timeout: float = 5.0) -> Any:  # noqa: ASYNC109
        """Send ``request`` and wait for the actor's reply.

        Raises ``CallTimeout`` when no reply comes within ``timeout`` seconds.
        """
        message = Call(request)
        await self._mailbox.put(message)
        with anyio.move_on_after(timeout if timeout is not None else math.inf):
            await message._done.wait()
            return message._reply
        raise CallTimeout(f"{self.name} did not reply within {timeout} s")

    def __repr__(self) -> str:
        return f"<ActorRef {self.name}>"


def _noop() -> None:
    pass


__all__ = ["ActorRef", "Call", "CallTimeout", "MailboxClosed", "MailboxFull"]
