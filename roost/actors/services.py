# What one actor incarnation sets up with the world outside its mailbox:
# timers, monitors, links and pubsub subscriptions, all undone when it exits.
from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from .actor import NORMAL, ActorRef, ExitWatcher, noop
from .asyncwork import AsyncWork
from .mailbox import Mailbox, MailboxClosed, MailboxFull
from .messages import Down, Exit, Info

if TYPE_CHECKING:
    from ..pubsub import PubSub
    from .loop import ActorRuntime

Spawn = Callable[[Callable[[], Coroutine[Any, Any, None]]], None]
"""Starts a task in the tab's task group (where every actor's timers run)."""

log = logging.getLogger("roost.actors")

_keys = itertools.count()


class Services:
    """The services of one running incarnation of ``runtime``'s actor.

    Timers run as tasks of the tab's task group; ``close`` cancels them, so
    they end with the incarnation. Exit
    watchers put on other actors (``monitor``, ``link``) and pubsub
    subscriptions are removed by ``close``, which the runtime calls when the
    incarnation exits: an actor that watched a long-lived one leaves nothing
    behind on it.
    """

    __slots__ = (
        "_mailbox",
        "_pubsub",
        "_spawn",
        "_timers",
        "_unsubscribe",
        "_watching",
        "_work",
        "ref",
        "runtime",
    )

    def __init__(
        self,
        runtime: ActorRuntime,
        ref: ActorRef,
        mailbox: Mailbox,
        spawn: Spawn,
        pubsub: PubSub,
    ) -> None:
        self.runtime = runtime
        self._pubsub = pubsub
        self.ref = ref
        self._mailbox = mailbox
        self._spawn = spawn
        self._timers: set[anyio.CancelScope] | None = None  # made with the first timer
        self._work: AsyncWork | None = None
        # Made on first use, as the timers' set: most actors never watch nor subscribe.
        self._watching: dict[int, Callable[[], None]] | None = None
        self._unsubscribe: list[Callable[[], None]] | None = None

    def send_after(self, delay: float, message: Any) -> Callable[[], None]:
        """Deliver ``Info(message)`` after ``delay`` seconds; returns a cancel function."""
        mailbox = self._mailbox
        scope = anyio.CancelScope()
        timers = self._timers
        if timers is None:
            timers = self._timers = set()
        timers.add(scope)

        async def timer() -> None:
            try:
                with scope:
                    await anyio.sleep(max(delay, 0))
                    await mailbox.put(Info(message))
            except MailboxClosed:
                pass  # the actor exited meanwhile
            finally:
                timers.discard(scope)

        self._spawn(timer)
        return scope.cancel

    def monitor(self, other: ActorRef) -> Callable[[], None]:
        """Get ``Down(other, reason)`` in ``handle_info`` when ``other`` exits."""
        mine = self._alive_ref()
        return self._watch(other, lambda r, reason: _deliver(mine, Down(r, reason)))

    def link(self, other: ActorRef) -> None:
        """Fail together: an abnormal exit of either makes the other fail too.

        An actor with ``trap_exits = True`` gets ``Exit(ref, reason)`` in
        ``handle_info`` instead of failing.
        """
        mine = self._alive_ref()
        self._watch(other, _propagate_to(mine))
        # Watchers on our own ref fire (and are dropped) when we exit.
        mine.watch(_propagate_to(other))

    def subscribe(self, topic: str) -> None:
        """Deliver broadcasts on ``topic`` as ``Info``; dropped while the mailbox is full."""
        mailbox = self._mailbox
        runtime = self.runtime

        def deliver(_topic: str, message: Any) -> None:
            try:
                mailbox.put_nowait(Info(message))
            except MailboxFull:
                runtime.dropped += 1
                log.warning("%s: mailbox full, dropped a message on %r", runtime.target, topic)
            except MailboxClosed:
                pass

        if self._unsubscribe is None:
            self._unsubscribe = []
        self._unsubscribe.append(self._pubsub.subscribe(topic, deliver))

    @property
    def work(self) -> AsyncWork:
        """Its async work (``start_async``, ``assign_async``), made on first use."""
        if self._work is None:
            self._work = AsyncWork(self._mailbox, self._spawn)
        return self._work

    def close(self) -> None:
        """Cancel the timers and the async work; undo every subscription and
        every watcher still set on another actor."""
        if self._work is not None:
            self._work.close()
        timers, self._timers = self._timers, None
        for scope in list(timers or ()):
            scope.cancel()
        unsubscribes, self._unsubscribe = self._unsubscribe, None
        for unsubscribe in unsubscribes or ():
            unsubscribe()
        watching, self._watching = self._watching, None
        for cancel in (watching or {}).values():
            cancel()

    def _watch(self, other: ActorRef, watcher: ExitWatcher) -> Callable[[], None]:
        # Remember the cancel until the watcher fires or is cancelled, so that
        # neither side keeps the other's closures once they are of no use.
        key = next(_keys)
        if self._watching is None:
            self._watching = {}
        watching = self._watching

        def fire(ref: ActorRef, reason: Any) -> None:
            watching.pop(key, None)
            watcher(ref, reason)

        watching[key] = noop  # `other` may have exited: then `fire` runs at once
        unwatch = other.watch(fire)
        if key in watching:
            watching[key] = unwatch

        def cancel() -> None:
            watching.pop(key, None)
            unwatch()

        return cancel

    def _alive_ref(self) -> ActorRef:
        if not self.ref.alive:
            raise RuntimeError(f"{self.runtime.target}: needs a running actor")
        return self.ref


def _propagate_to(to: ActorRef) -> ExitWatcher:
    def on_exit(ref: ActorRef, reason: object) -> None:
        if reason != NORMAL:
            _deliver(to, Exit(ref, reason))

    return on_exit


def _deliver(to: ActorRef, message: object) -> None:
    # Exit and DOWN signals must not be lost silently: a full mailbox is logged.
    try:
        to.send(message)
    except MailboxFull:
        log.error("%s: mailbox full, lost %r", to.name, message)
    except MailboxClosed:
        pass
