# One browser tab's actors — its components and its view — under
# one supervisor, and the routing of client messages to them.
from __future__ import annotations

import contextlib
import functools
import logging
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from .. import protocol
from ..protocol import VIEW_TARGET
from ..pubsub import PubSub
from ..pubsub import backend as pubsub_backend
from ..supervisor import (
    ChildNotFound,
    ChildSpec,
    DynamicSupervisor,
    NotRunning,
    Supervisor,
    open_task_group,
)
from .actor import ActorRef
from .componentactor import ComponentActor
from .liveactor import LiveActor
from .loop import ActorRuntime, sole_exception
from .mailbox import MailboxClosed, MailboxFull
from .messages import ClientEvent, Resync, UploadChunk, UploadFiles, UploadProgress, Visited
from .outbox import Outbox, SessionEnded, Transport
from .registry import Registry
from .snapshots import Snapshots
from .tab import Resolve, Tab

if TYPE_CHECKING:
    from .liveview import LiveView

log = logging.getLogger("roost.session")

Kick = Callable[[int, str], Awaitable[None]]
"""Closes a tab's socket with a close code and reason (replaced by a newer one, cut off)."""

KICK_TIMEOUT = 1.0
"""Seconds a session waits for a socket it gave up on to close."""

CRASH_MESSAGE = "Something went wrong on the server. Reload the page to try again."


class Session:
    """The actors of one browser tab, started as one child of ``sessions``.

    Its supervisor restarts the view, within its restart intensity; the
    components' DynamicSupervisor runs beside the view, in the view's task
    group, from the first component placed. The session ends when its socket
    has been gone for ``grace`` seconds (a tab that reconnects sooner finds
    its actors as it left them): the deadline of the scope it runs in, so
    that waiting costs no task. A component that crashes is restarted alone by the
    components' supervisor; past that supervisor's restart intensity, or when
    the view crashes, the whole session restarts (the view re-mounts, its
    components with it). Past the session's own intensity the session ends
    and the client is told, in place of the view, by a ``Crash``.
    """

    def __init__(
        self,
        session_id: str,
        view_class: type[LiveView],
        params: dict[str, str],
        session: dict[str, Any],
        transport: Transport | None,
        *,
        url: str = "",
        route: str = "",
        pubsub: PubSub | None = None,
        names: Registry | None = None,
        kick: Kick | None = None,
        max_restarts: int = 3,
        max_seconds: float = 5.0,
        grace: float = 30.0,
        resolve: Resolve | None = None,
        href: Callable[[str], str] | None = None,
        links: Callable[[str], str] | None = None,
        sign_flash: Callable[[dict[str, str]], str] | None = None,
        flash: dict[str, str] | None = None,
        snapshots: Callable[[Session], Snapshots] | None = None,
        resume_key: str | None = None,
        crash_notice: Callable[[BaseException, str], str] | None = None,
    ) -> None:
        self.id = session_id
        """The session's public name (logs, the supervision tree); it resumes nothing."""
        self.resume_key = resume_key or secrets.token_urlsafe(16)
        """The secret a rejoin must show to take this session over; only the page
        that joined it holds it (from its ``Joined``), and it is never logged."""
        self.grace = grace
        self.route = route
        self._crash_notice = crash_notice
        self._transport = transport
        self._kick = kick
        self._on_end: list[Callable[[], None]] = []
        self.ended = False
        self.ready = False
        """Whether the session has started (or failed to): :meth:`wait_ready`."""
        # Made only while someone waits (most sessions never see a waiter).
        self._ready_event: anyio.Event | None = None
        self._changed: anyio.Event | None = None
        self.outbox = Outbox(transport, on_cut_off=self._cut_off)
        self._scope: anyio.CancelScope | None = None
        self._linger_until: float | None = None
        self.components_supervisor = DynamicSupervisor(
            max_restarts=max_restarts,
            max_seconds=max_seconds,
            name=f"sessions/{session_id}/view/components",
        )
        self.tab = Tab(
            self.outbox,
            pubsub if pubsub is not None else pubsub_backend(),
            names if names is not None else Registry(),
            self.components_supervisor,
        )
        """What the tab's actors share: the one record of which of them run."""
        self.tab.session_id = session_id
        self.tab.carried = resume_key is not None  # its id and key came from the store
        if snapshots is not None:
            self.tab.make_snapshots = functools.partial(snapshots, self)
        self.keep_snapshots = False
        """Keep its actors' snapshots when it ends (set as the server shuts down:
        its tab may resume on another worker)."""
        self.tab.resolve = resolve
        if href is not None:
            self.tab.href = href
        self.tab.links = links
        self.tab.sign_flash = sign_flash
        self.view = LiveActor(self.tab, view_class, params, session, url)
        self.view.flash = dict(flash or {})  # what the dead render showed
        self.tab.add_view(self.view)
        # The view ending normally (it redirected, or was stopped) ends the
        # session; a crash restarts it.
        self.supervisor = Supervisor(
            [ChildSpec("view", self._run_view, restart="transient", significant=True)],
            strategy="one_for_all",
            auto_shutdown="any_significant",
            max_restarts=max_restarts,
            max_seconds=max_seconds,
            name=f"sessions/{session_id}",
        )
        # A tab's actors starting and stopping is no news (crashes and restarts are).
        self.supervisor.progress_level = self.components_supervisor.progress_level = logging.DEBUG

    @property
    def resume_token(self) -> str:
        """What the tab's ``Joined`` carries and a rejoin shows: id and resume key."""
        return f"{self.id}.{self.resume_key}"

    def child_spec(self) -> ChildSpec:
        """The spec for the ``sessions`` dynamic supervisor (never restarted there)."""
        return ChildSpec(self.id, self.run, restart="temporary", type="supervisor")

    async def start(self, sessions: DynamicSupervisor) -> None:
        """Start this session as a child of ``sessions``; returns once its view has mounted.

        ``ready`` is set either way. If it fails to start, the session has
        ended (its ``when_ended`` callbacks ran) and the failure is raised.
        """
        try:
            await sessions.start_child(self.child_spec())
        except BaseException:
            self._end()  # it may never have run, to end by itself
            raise
        finally:
            self.ready = True
            if self._ready_event is not None:
                self._ready_event.set()

    async def wait_ready(self) -> None:
        """Return once the session has started (or failed to)."""
        if not self.ready:
            if self._ready_event is None:
                self._ready_event = anyio.Event()
            await self._ready_event.wait()

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        try:
            # Its deadline is the end of the grace period while no socket is
            # attached, and never while one is: lingering costs no task.
            if self._linger_until is None:  # started without a socket: the grace runs
                self._linger_until = math.inf if self.attached else self._grace_end()
            with anyio.CancelScope(deadline=self._linger_until) as self._scope:
                await self.supervisor.run(task_status=task_status)
            if self._scope.cancelled_caught and not self.attached:
                log.info("session %s: no reconnect within %s s, ended it", self.id, self.grace)
        except Exception as exc:
            log.error("session %s failed: %s", self.id, exc)
            notice = self._crash_notice
            text = notice(exc, CRASH_MESSAGE) if notice is not None else CRASH_MESSAGE
            self.outbox.write_now(protocol.Crash(VIEW_TARGET, text))
            raise
        finally:
            self._scope = None
            snapshots = self.tab.snapshots_made
            if snapshots is not None and snapshots.saved and not self.keep_snapshots:
                with anyio.CancelScope(shield=True):
                    await snapshots.forget()  # the tab is gone: nothing will resume them
            self._end()

    def mailbox_depth(self, target: str) -> int:
        """How many messages wait in actor ``target``'s mailbox (0 while it restarts)."""
        actor = self.tab.actor(target)
        return actor.queued if actor is not None else 0

    def actors(self) -> list[dict[str, Any]]:
        """The tab's actors now, the view first: ``target``, ``kind`` (``view`` or
        ``component``), ``state`` (``running``, or ``restarting`` between two
        incarnations), ``mailbox`` (its depth) and ``parent`` (None for the view)."""
        rows = []
        for target in self.tab.targets():
            actor = self.tab.actor(target)
            rows.append(
                {
                    "target": target,
                    "kind": "view" if target == VIEW_TARGET else "component",
                    "state": _state(self.tab.ref(target) is not None, actor),
                    "mailbox": self.mailbox_depth(target),
                    "parent": getattr(actor, "parent", None),
                }
            )
        return rows

    def kill(self, target: str, reason: BaseException | None = None) -> None:
        """Stop actor ``target`` at once (its task cancelled, nothing queued): an
        abnormal exit its supervisor restarts as it would a crash (``kill_child``).
        ``LookupError`` when it is not running."""
        try:
            if target == VIEW_TARGET:
                self.supervisor.kill_child("view", reason)
            else:
                self.components_supervisor.kill_child(target, reason)
        except (ChildNotFound, NotRunning) as exc:
            raise LookupError(f"no running actor {target!r} in session {self.id}: {exc}") from None

    def _end(self) -> None:
        if self.ended:
            return
        self.outbox.close()
        self.ended = True
        self.tab.remove_uploads()  # what was uploaded and never consumed
        self._notify()
        callbacks, self._on_end = self._on_end, []
        for callback in callbacks:
            callback()

    # -- the socket coming and going ---------------------------------------------

    async def attach(self, transport: Transport, kick: Kick | None = None) -> None:
        """Send to ``transport`` (a reconnected tab): every actor renders itself afresh.

        A socket still attached is closed with its ``kick``: one tab, one socket.
        """
        previous = self._kick if self._transport not in (None, transport) else None
        self._transport = transport
        self._kick = kick
        self.outbox.attach(transport)
        self._linger(math.inf)
        self._notify()
        if previous is not None:
            with anyio.move_on_after(KICK_TIMEOUT):
                await previous(protocol.CLOSE_POLICY, "replaced by a newer connection of this tab")
        for target in self.tab.targets():
            ref = self.tab.ref(target)
            if ref is not None:
                with contextlib.suppress(MailboxClosed):
                    await ref.send_wait(Resync(0))

    async def _cut_off(self, transport: Transport, reason: str) -> None:
        # The outbox gave up on this socket: detach, and close it so that the
        # tab reconnects and resyncs instead of waiting on a socket that is stuck.
        if transport != self._transport:
            return
        kick = self._kick
        log.warning("session %s: cutting its socket off: %s", self.id, reason)
        self.detach(transport)
        if kick is not None:
            with anyio.move_on_after(KICK_TIMEOUT):
                await kick(protocol.CLOSE_TRY_AGAIN, reason)

    def detach(self, transport: Transport | None = None) -> None:
        """The tab's socket is gone (if ``transport`` is given: only if it is that one).

        The actors keep running; the session ends unless a socket is attached
        again within ``grace`` seconds.
        """
        if transport is not None and transport != self._transport:
            return  # another socket took over already
        self._transport = None
        self._kick = None
        self.outbox.detach()
        self._linger(self._grace_end())
        self._notify()

    @property
    def attached(self) -> bool:
        """Whether a socket is attached."""
        return self._transport is not None

    def is_attached_to(self, transport: Transport) -> bool:
        return self._transport is not None and self._transport == transport

    @property
    def patches_coming(self) -> bool:
        """Whether an actor of the tab was handed a message by another since the
        socket last wrote what it queued: a patch may follow the one being sent,
        and should share its frame (the socket queues instead of writing at once)."""
        return self.tab.patches_coming

    @property
    def handoffs(self) -> int:
        """How many messages one actor of the tab handed another are not yet taken
        (``Tab.handoffs``): while any is, a patch may still follow."""
        return self.tab.handoffs

    def patches_sent(self) -> None:
        """The socket wrote what it had queued: clears ``patches_coming``."""
        self.tab.patches_coming = False

    async def wait_detached(self) -> None:
        """Return once no socket is attached (or the session has ended)."""
        while self._transport is not None and not self.ended:
            if self._changed is None:
                self._changed = anyio.Event()
            await self._changed.wait()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def _grace_end(self) -> float:
        return anyio.current_time() + self.grace

    def _linger(self, until: float) -> None:
        """End the session at ``until`` (``math.inf``: never) unless that changes first."""
        self._linger_until = until
        if self._scope is not None:
            self._scope.deadline = until

    def when_ended(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the session has ended (at once if it has)."""
        if self.ended:
            callback()
        else:
            self._on_end.append(callback)

    async def _run_view(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        # One incarnation of the view, with the tab's task group around it: the
        # components supervisor (from the first placement on) and every actor's
        # timers run there, so a view that stops or crashes takes them along,
        # and they cost no task while there are none.
        # A view that navigated away (`push_navigate`, a live link to another
        # view) ends normally and the view routed there runs next, in its place.
        while True:
            self.tab.forget_components()  # the next render places them anew
            error: BaseException | None = None
            try:
                async with open_task_group() as tg:
                    self.tab.bind(tg)
                    await self.view.run(task_status=task_status)
                    tg.cancel_scope.cancel()  # the view stopped: its components and timers too
            except BaseExceptionGroup as group:
                error = sole_exception(group)
                if error is None:
                    raise
            if error is not None:
                raise error  # itself, not wrapped in a group: it is the exit reason
            following = self.view.next_view
            if following is None:
                return
            view_class, params, url, answers = following
            previous = self.view
            self.view = LiveActor(self.tab, view_class, params, self.view.session_data, url)
            self.view.answers = answers
            self.view.flash, previous.carried = previous.carried, {}
            self.tab.add_view(self.view)
            task_status = anyio.TASK_STATUS_IGNORED  # started once, by the first view

    # -- reading the tab's actors (tests, tooling) ---------------------------------

    def runtime(self, target: str) -> ActorRuntime | None:
        """The view's or a component's runtime (render counts, state), by target id."""
        return self.tab.actor(target)

    @property
    def registry(self) -> dict[str, ActorRef]:
        """The running actors' refs by target id (a snapshot of the tab's record)."""
        return {t: ref for t in self.tab.targets() if (ref := self.tab.ref(t)) is not None}

    @property
    def components(self) -> dict[str, ComponentActor]:
        """The components' runtimes by id (a snapshot of the tab's record)."""
        return {
            t: actor
            for t in self.tab.targets()
            if isinstance(actor := self.tab.actor(t), ComponentActor)
        }

    # -- the client's messages -------------------------------------------------

    async def _visit(self, message: protocol.Visit) -> None:
        # The browser is at `url` already (a live link, back or forward).
        resolve = self.tab.resolve
        where = resolve(message.url, self.view.url) if resolve is not None else None
        if where is None:  # another site, or no view routed there: a page load
            await self.outbox.put(protocol.Navigate(message.url))
            await self.outbox.put(protocol.Ack(message.ref))
            return
        view, params, url = where
        ref = self.tab.ref(VIEW_TARGET)
        try:
            if ref is None:
                raise MailboxClosed("restarting")
            ref.send(Visited(message.ref, url, view, params))
        except MailboxFull:
            await self.outbox.put(protocol.Error(message.ref, protocol.OVERLOADED, "try again"))
        except MailboxClosed:
            text = "the view is restarting"
            await self.outbox.put(protocol.Error(message.ref, protocol.UNKNOWN_TARGET, text))

    async def send(self, message: protocol.ServerMessage) -> None:
        """Queue ``message`` for the socket, in order behind what the actors sent.

        Raises ``SessionEnded`` once the session is over.
        """
        await self.outbox.put(message)

    async def receive(
        self,
        message: protocol.Event
        | protocol.Sync
        | protocol.Heartbeat
        | protocol.Visit
        | protocol.Upload
        | protocol.Chunk
        | protocol.Progress,
    ) -> None:
        """Handle a message from the tab's client: a heartbeat is acknowledged, an
        event, a sync or an upload's files or chunk goes to its target actor's mailbox.

        An unknown target or a full mailbox is answered with an error at once;
        neither stops the session. Raises ``SessionEnded`` once it has ended.
        """
        if self.ended:
            raise SessionEnded(f"session {self.id} has ended")
        if isinstance(message, protocol.Heartbeat):
            await self.outbox.put(protocol.Ack(message.ref))
            return
        if isinstance(message, protocol.Visit):
            await self._visit(message)
            return
        ref = self.tab.ref(message.target)
        if ref is None:
            text = f"no actor {message.target!r}"
            await self.outbox.put(protocol.Error(message.ref, protocol.UNKNOWN_TARGET, text))
            return
        mail: ClientEvent | Resync | UploadFiles | UploadChunk | UploadProgress
        if isinstance(message, protocol.Event):
            mail = ClientEvent(message.ref, message.handler, message.params)
        elif isinstance(message, protocol.Upload):
            files = [(f.name, f.size, f.type) for f in message.files]
            mail = UploadFiles(message.ref, message.name, files)
        elif isinstance(message, protocol.Chunk):
            mail = UploadChunk(message.ref, message.entry, message.offset, message.data)
        elif isinstance(message, protocol.Progress):
            mail = UploadProgress(message.ref, message.entry, message.loaded)
        else:
            mail = Resync(message.ref)
        try:
            ref.send(mail)
        except MailboxFull:
            await self.outbox.put(protocol.Error(message.ref, protocol.OVERLOADED, "try again"))
        except MailboxClosed:
            text = f"{message.target!r} is restarting"
            await self.outbox.put(protocol.Error(message.ref, protocol.UNKNOWN_TARGET, text))


def _state(running: bool, actor: Any) -> str:
    # running; failed (a component whose start failed for good); else restarting.
    if running:
        return "running"
    return "failed" if getattr(actor, "failed", None) is not None else "restarting"
