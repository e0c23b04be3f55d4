# The runtime of one LiveComponent: its props, given by its parent without
# ever making the parent wait, and its messages up to a parent that may be
# restarting. The loop itself is ActorRuntime's (loop.py).
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import anyio

from .handlers import maybe_await
from .loop import ActorRuntime
from .mailbox import MailboxClosed, MailboxFull
from .messages import ComponentEvent, Update

if TYPE_CHECKING:
    from .component import LiveComponent
    from .tab import Tab

log = logging.getLogger("roost.actors")

PARENT_RESTART_WAIT = 5.0
"""Seconds a ``send_parent`` waits for a restarting parent before the message is lost."""


class ComponentActor(ActorRuntime):
    """Runs one ``LiveComponent`` placed by actor ``parent``.

    ``props`` are the last props its parent gave it: a restarted incarnation
    mounts with them. New props never make the parent wait (it may be the
    one this component is waiting on, in ``send_parent``): they are kept
    here, coalesced, and the component is woken by an ``Update`` marker if
    its mailbox has room; if not, it is busy and takes them after its
    current batch. ``update(**props)`` then runs once, with every prop that
    changed since it last ran, and not at all if the props came back to
    what it already has.
    """

    def __init__(
        self,
        tab: Tab,
        target: str,
        cls: type[LiveComponent],
        props: dict[str, Any],
        parent: str,
    ) -> None:
        super().__init__(tab, target)
        self.cls = cls
        self.props = props
        self.parent = parent
        self._seen = props  # the props the running incarnation has (mount or update)
        self._changes: dict[str, Any] | None = None  # for its next update(), coalesced
        self._woken = False  # an Update marker is in its mailbox
        self.failed: BaseException | None = None
        """Why its first start failed, if it did (it is then not running)."""

    def create(self) -> LiveComponent:
        component = self.cls()
        object.__setattr__(component, "_id", self.target)
        return component

    async def mount(self, state: LiveComponent) -> None:
        self._seen, self._changes, self._woken = self.props, None, False
        await maybe_await(state.mount(**self.props))

    def give_props(self, props: dict[str, Any], merge: bool = False) -> None:
        """New props from the parent (``merge``: merged into the current ones).

        Never waits. ``update`` runs only if they differ from the current props.
        """
        new = {**self.props, **props} if merge else props
        if new == self.props:
            return
        self.props = new
        self._changes = {**(self._changes or {}), **(props if merge else new)}
        self.tab.patches_coming = True
        mailbox = self._mailbox
        if self._woken or mailbox is None:
            return
        try:
            mailbox.put_nowait(Update())
            self._woken = True
            self.tab.handoffs += 1
        except MailboxFull:
            pass  # busy: the loop takes the props after its current batch
        except MailboxClosed:
            pass  # restarting: the next incarnation mounts with self.props

    async def take_props(self, state: LiveComponent) -> None:
        self._woken = False
        changes, self._changes = self._changes, None
        if changes is None or self.props == self._seen:
            return
        self._seen = self.props
        self._fault("update")
        await maybe_await(state.update(**changes))

    async def send_parent(self, event: str, data: Any) -> None:
        """Put ``ComponentEvent`` in the parent's mailbox, waiting for room.

        While the parent is restarting, wait (up to ``PARENT_RESTART_WAIT``
        seconds) for its next incarnation and deliver to that one.
        """
        message = ComponentEvent(self.target, event, data)
        self.tab.patches_coming = True
        deadline: float | None = None  # (from the first wait for a restart)
        while True:
            parent = self.tab.actor(self.parent)
            if parent is None:
                log.error("%s: send_parent(%r) lost: no parent %r", self.target, event, self.parent)
                return
            ref = parent.ref
            if ref is not None:
                self.tab.handoffs += 1  # counted before it can be taken
                try:
                    await ref.send_wait(message)
                    return
                except MailboxClosed:
                    self.tab.handoffs -= 1
                    if parent.ref is not ref:
                        continue  # it exited just now (its ref is gone): look again
                except BaseException:
                    self.tab.handoffs -= 1
                    raise
            # Taken only now (most sends never wait, and the event stays with the
            # parent until it restarts), with no await since `ref` was read: a
            # registration cannot slip in between.
            started = parent.next_start()
            if deadline is None:
                deadline = anyio.current_time() + PARENT_RESTART_WAIT
            with anyio.CancelScope(deadline=deadline):
                await started.wait()
                continue
            log.error(
                "%s: send_parent(%r) lost: parent %r did not restart within %s s",
                self.target,
                event,
                self.parent,
                PARENT_RESTART_WAIT,
            )
            return

    def stopped_text(self) -> str:
        if self.tab.is_current(self):
            return f"{self.target!r} is restarting"
        return f"{self.target!r} stopped"

    async def stopped(self, state: LiveComponent, reason: BaseException | None) -> None:
        if reason is None and not self.tab.is_current(self):  # its parent dropped it
            await maybe_await(state.unmount())
        await maybe_await(state.terminate(reason))
