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


class ActorExited(MailboxClosed):
    """The actor stopped (or crashed) before it answered a ``call``.

    ``reason`` is its exit reason: ``"normal"`` or the exception it died of
    (also the ``__cause__``).
    """

    def __init__(self, name: str, reason: Any) -> None:
        super().__init__(f"actor {name!r} exited before it replied: {reason!r}")
        self.name = name
        self.reason = reason
        if isinstance(reason, BaseException):
            self.__cause__ = reason


@dataclass(eq=False)
class Call:
    """A request that expects one reply (see ``ActorRef.call``)."""

    request: Any
    _reply: Any = field(default=None, repr=False)
    _error: BaseException | None = field(default=None, repr=False)
    _done: anyio.Event = field(default_factory=anyio.Event, repr=False)

    @property
    def answered(self) -> bool:
        return self._done.is_set()

    def reply(self, value: Any) -> None:
        """Answer the caller; later answers are ignored."""
        if not self._done.is_set():
            self._reply = value
            self._done.set()

    def fail(self, error: BaseException) -> None:
        """Make the caller's ``call`` raise ``error``; ignored once answered."""
        if not self._done.is_set():
            self._error = error
            self._done.set()

    def result(self) -> Any:
        """The reply, or the error given to ``fail`` raised."""
        if self._error is not None:
            raise self._error
        return self._reply


NORMAL = "normal"
"""Exit reason of an actor that returned or was stopped by its supervisor."""

ExitWatcher = Callable[["ActorRef", Any], None]


def noop() -> None:
    """A cancel function with nothing to cancel."""


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
        self._watchers: dict[object, ExitWatcher] = {}
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
            return noop
        key = object()
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

    async def call(self, request: Any, timeout: float | None = 5.0) -> Any:  # noqa: ASYNC109
        """Send ``request`` to ``handle_call`` and wait for the actor's reply.

        ``timeout`` (seconds, None for no limit) covers both waiting for room
        in a full mailbox and waiting for the reply. Raises ``CallTimeout``
        when no reply comes within it; ``ActorExited`` (a ``MailboxClosed``)
        as soon as the actor stops or crashes without replying, or when it is
        not running.
        """
        message = Call(request)
        unwatch = self.watch(lambda ref, reason: message.fail(ActorExited(ref.name, reason)))
        try:
            with anyio.move_on_after(math.inf if timeout is None else timeout):
                if not message.answered:
                    try:
                        await self._mailbox.put(message)
                    except MailboxClosed:
                        message.fail(ActorExited(self.name, self.exit_reason or NORMAL))
                await message._done.wait()
        finally:
            unwatch()
        if message.answered:
            return message.result()
        raise CallTimeout(f"{self.name} did not reply within {timeout} s")

    def __repr__(self) -> str:
        return f"<ActorRef {self.name}>"


__all__ = ["ActorExited", "ActorRef", "Call", "CallTimeout", "MailboxClosed", "MailboxFull"]
