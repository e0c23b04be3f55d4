# One browser tab's actors: its outbox, its view and (later) its components,
# under one supervisor; and the routing of client messages to them.
from __future__ import annotations

import logging
from typing import Any

import anyio
import anyio.abc

from .. import protocol
from ..supervisor import ChildSpec, Supervisor
from .actor import ActorRef
from .live import LiveActor
from .liveview import LiveView
from .mailbox import MailboxClosed, MailboxFull
from .messages import ClientEvent, Resync
from .outbox import Outbox, Transport

log = logging.getLogger("roost.session")

VIEW_TARGET = "0"
"""The target id of a session's LiveView; components use their own ids."""


class Session:
    """The actors of one browser tab, started as one child of ``sessions``.

    Children, in start order: the outbox, then the view (``rest_for_one``: a
    failed outbox restarts the view too, a failed view leaves the outbox).
    When the view fails past its restart intensity the session ends and the
    client is told, in place of that view, with a ``Crash`` message.
    """

    def __init__(
        self,
        session_id: str,
        view_class: type[LiveView],
        params: dict[str, str],
        session: dict[str, Any],
        transport: Transport,
        *,
        max_restarts: int = 3,
        max_seconds: float = 5.0,
    ) -> None:
        self.id = session_id
        self.registry: dict[str, ActorRef] = {}
        self._transport = transport
        self.outbox = Outbox(transport)
        self.view = LiveActor(view_class, VIEW_TARGET, params, session, self.outbox, self.registry)
        self.supervisor = Supervisor(
            [
                ChildSpec("outbox", self.outbox.run),
                ChildSpec("view", self.view.run),
            ],
            strategy="rest_for_one",
            max_restarts=max_restarts,
            max_seconds=max_seconds,
            name=f"session {session_id}",
        )

    def child_spec(self) -> ChildSpec:
        """The spec for the ``sessions`` dynamic supervisor (never restarted there)."""
        return ChildSpec(self.id, self.run, restart="temporary", type="supervisor")

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        try:
            await self.supervisor.run(task_status=task_status)
        except Exception as exc:
            log.error("session %s failed: %s", self.id, exc)
            with anyio.CancelScope(shield=True), anyio.move_on_after(1):
                await self._transport(
                    protocol.encode(
                        protocol.Crash(
                            VIEW_TARGET, "Something went wrong. Reload the page to try again."
                        )
                    )
                )
            raise
        finally:
            self.outbox.close()

    async def dispatch(self, message: protocol.Event | protocol.Sync) -> None:
        """Route a client message to its target actor's mailbox.

        An unknown target or a full mailbox is answered with an error at once;
        neither stops the session.
        """
        ref = self.registry.get(message.target)
        if ref is None:
            await self.outbox.put(
                protocol.Error(message.ref, protocol.UNKNOWN_TARGET, f"no actor {message.target!r}")
            )
            return
        mail = (
            ClientEvent(message.ref, message.handler, message.params)
            if isinstance(message, protocol.Event)
            else Resync(message.ref)
        )
        try:
            ref.send(mail)
        except MailboxFull:
            await self.outbox.put(
                protocol.Error(message.ref, protocol.OVERLOADED, "try again later")
            )
        except MailboxClosed:
            await self.outbox.put(
                protocol.Error(
                    message.ref, protocol.UNKNOWN_TARGET, f"{message.target!r} is restarting"
                )
            )
