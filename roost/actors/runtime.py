# The actor loop shared by views and components: mount, then handle batches
# of messages, render once per batch when assigns changed, put the patch in
# the session's outbox, and start/update/stop the components it placed.
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc

from .. import protocol
from ..render import Differ
from .actor import NORMAL, ActorRef, Call
from .handlers import BadParams, maybe_await
from .mailbox import Mailbox, MailboxClosed, MailboxFull
from .messages import (
    ClientEvent,
    ComponentEvent,
    Crash,
    Down,
    Exit,
    Info,
    InjectedCrash,
    LinkedExit,
    Resync,
    Update,
)
from .scope import RenderScope, rendering
from .stateful import Stateful

if TYPE_CHECKING:
    from .component import LiveComponent
    from .liveview import LiveView
    from .session import Session

log = logging.getLogger("roost.actors")


class ActorRuntime:
    """Runs one view or component as target ``target`` of ``session``.

    Each ``run`` is one incarnation: a fresh instance, mounted anew, its full
    render sent to the client. The runtime object itself outlives
    incarnations and remembers what a restart needs (props, children).
    """

    def __init__(self, session: Session, target: str) -> None:
        self.session = session
        self.target = target
        self.renders = 0
        self.dropped = 0
        self.children: set[str] = set()
        self.state: Stateful | None = None
        self._tg: anyio.abc.TaskGroup | None = None
        self._mailbox: Mailbox | None = None
        self._effects: list[tuple[Any, ...]] = []
        self._placed: dict[str, tuple[type[LiveComponent], dict[str, Any]]] = {}
        self._unsubscribe: list[Callable[[], None]] = []
        self._current: ActorRef | None = None

    # -- what views and components do differently ----------------------------

    def create(self) -> Stateful:
        raise NotImplementedError

    async def mount(self, state: Any) -> None:
        raise NotImplementedError

    async def stopped(self, state: Any, reason: BaseException | None) -> None:
        """Called after the last message, shielded from cancellation."""

    # -- the loop ------------------------------------------------------------

    @property
    def ref(self) -> ActorRef | None:
        """The running incarnation's ref, if one is running."""
        return self.session.registry.get(self.target)

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[ActorRef] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        state = self.create()
        object.__setattr__(state, "_actor", self)
        self.state = state
        mailbox = self._mailbox = Mailbox(type(state).mailbox_size)
        ref = self._current = ActorRef(self.target, mailbox)
        outbox = self.session.outbox
        reason: BaseException | None = None
        try:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                await self.mount(state)
                html = self._render(state)
                differ = Differ(html)
                version = 1
                await outbox.put(protocol.Render(self.target, version, html))
                self.session.registry[self.target] = ref
                task_status.started(ref)
                await self._flush_effects()
                await self._reconcile()
                while True:
                    batch = [await mailbox.get(), *mailbox.get_ready()]
                    acks: list[int] = []
                    for message in batch:
                        if isinstance(message, Resync):
                            await outbox.put(protocol.Render(self.target, version, html))
                            if message.ref:
                                acks.append(message.ref)
                            continue
                        await self._handle(state, message, acks)
                        await self._flush_effects()
                    changed = state._tracker.changed(state.__dict__)
                    if changed:
                        html = self._render(state, changed)
                        ops = differ.update(html)
                        if ops:
                            version += 1
                            await outbox.put(protocol.Patch(self.target, version, ops))
                        await self._reconcile()
                    for ack in acks:
                        await outbox.put(protocol.Ack(ack))
        except BaseException as exc:
            if not isinstance(exc, anyio.get_cancelled_exc_class()):
                reason = exc
            raise
        finally:
            if self.session.registry.get(self.target) is ref:
                del self.session.registry[self.target]
            for unsubscribe in self._unsubscribe:
                unsubscribe()
            self._unsubscribe.clear()
            mailbox.close()
            self._tg = None
            self._effects.clear()
            ref._exited(NORMAL if reason is None else reason)
            with anyio.CancelScope(shield=True):
                await self.stopped(state, reason)

    def _render(self, state: Stateful, changed: set[str] | None = None) -> str:
        # `changed`: the assigns changed since the last render (None: a full render).
        with rendering(RenderScope(changed=changed)) as scope:
            html = str(state.render())  # a Markup (str subclass) becomes plain text
        self._placed = scope.components
        self.renders += 1
        state._tracker.reset(state.__dict__)
        return html

    async def _handle(self, state: Stateful, message: Any, acks: list[int]) -> None:
        if isinstance(message, ClientEvent):
            await self._handle_event(state, message, acks)
        elif isinstance(message, Info):
            await maybe_await(state.handle_info(message.message))
        elif isinstance(message, ComponentEvent):
            await maybe_await(
                state.handle_component_event(message.component_id, message.event, message.data)
            )
        elif isinstance(message, Update):
            await maybe_await(state.update(**message.props))  # type: ignore[attr-defined]
        elif isinstance(message, Call):
            message.reply(await maybe_await(state.handle_call(message.request)))
        elif isinstance(message, Down):
            await maybe_await(state.handle_info(message))
        elif isinstance(message, Exit):
            if not state.trap_exits:
                raise LinkedExit(f"linked actor {message.ref.name!r} exited: {message.reason!r}")
            await maybe_await(state.handle_info(message))
        elif isinstance(message, Crash):
            raise InjectedCrash(message.reason)

    async def _handle_event(self, state: Stateful, message: ClientEvent, acks: list[int]) -> None:
        outbox = self.session.outbox
        handler = state.__roost_handlers__.get(message.name)
        if handler is None:
            text = f"{type(state).__name__} has no event handler {message.name!r}"
            await outbox.put(protocol.Error(message.ref, protocol.UNKNOWN_EVENT, text))
            return
        try:
            kwargs = handler.validate(message.params)
        except BadParams as exc:
            await outbox.put(protocol.Error(message.ref, protocol.BAD_PARAMS, str(exc)))
            return
        try:
            await maybe_await(getattr(state, handler.method)(**kwargs))
        except Exception as exc:
            text = f"{type(exc).__name__} in {message.name}"
            await outbox.put(protocol.Error(message.ref, protocol.CRASHED, text))
            raise
        acks.append(message.ref)

    # -- components this actor placed -----------------------------------------

    async def _reconcile(self) -> None:
        placed = self._placed
        for gone in self.children - placed.keys():
            await self.session.stop_component(gone)
        for cid, (cls, props) in placed.items():
            await self.session.place_component(self.target, cid, cls, props)
        self.children = set(placed)

    # -- effects: what handlers ask for, done once the handler returned ---------

    def effect(self, kind: str, *args: Any) -> None:
        self._effects.append((kind, *args))

    async def _flush_effects(self) -> None:
        while self._effects:
            kind, *args = self._effects.pop(0)
            if kind == "send_parent":
                await self._send_parent(*args)
            elif kind == "broadcast":
                await self.session.pubsub.broadcast(*args)
            elif kind == "send_update":
                await self.session.send_update(*args)
            elif kind == "push_event":
                await self.session.outbox.put(protocol.PushEvent(*args))

    async def _send_parent(self, event: str, data: Any) -> None:
        parent = getattr(self, "parent", None)
        ref = self.session.registry.get(parent) if parent is not None else None
        if ref is None:
            log.warning("%s: send_parent(%r) has no running parent", self.target, event)
            return
        try:
            await ref.send_wait(ComponentEvent(self.target, event, data))
        except MailboxClosed:
            log.warning("%s: parent %s stopped before send_parent(%r)", self.target, parent, event)

    # -- services ----------------------------------------------------------------

    def send_after(self, delay: float, message: Any) -> Callable[[], None]:
        """Deliver ``Info(message)`` after ``delay`` seconds; returns a cancel function."""
        if self._tg is None or self._mailbox is None:
            raise RuntimeError("send_after needs a running actor")
        mailbox = self._mailbox
        scope = anyio.CancelScope()

        async def timer() -> None:
            with scope:
                await anyio.sleep(max(delay, 0))
                await mailbox.put(Info(message))

        self._tg.start_soon(timer)
        return scope.cancel

    def monitor(self, other: ActorRef) -> Callable[[], None]:
        """Get ``Down(other, reason)`` in ``handle_info`` when ``other`` exits."""
        mine = self._running_ref()
        return other.watch(lambda r, reason: _deliver(mine, Down(r, reason)))

    def link(self, other: ActorRef) -> None:
        """Fail together: an abnormal exit of either makes the other fail too.

        An actor with ``trap_exits = True`` gets ``Exit(ref, reason)`` in
        ``handle_info`` instead of failing.
        """
        mine = self._running_ref()

        def propagate(to: ActorRef) -> Callable[[ActorRef, object], None]:
            def on_exit(r: ActorRef, reason: object) -> None:
                if reason != NORMAL:
                    _deliver(to, Exit(r, reason))

            return on_exit

        other.watch(propagate(mine))
        mine.watch(propagate(other))

    def _running_ref(self) -> ActorRef:
        ref = self._current
        if ref is None or not ref.alive:
            raise RuntimeError(f"{self.target}: needs a running actor")
        return ref

    def subscribe(self, topic: str) -> None:
        """Deliver broadcasts on ``topic`` as ``Info``; dropped while the mailbox is full."""
        mailbox = self._mailbox
        if mailbox is None:
            raise RuntimeError("subscribe needs a running actor")

        def deliver(_topic: str, message: Any) -> None:
            try:
                mailbox.put_nowait(Info(message))
            except MailboxFull:
                self.dropped += 1
                log.warning("%s: mailbox full, dropped a message on %r", self.target, topic)
            except MailboxClosed:
                pass

        self._unsubscribe.append(self.session.pubsub.subscribe(topic, deliver))


def _deliver(to: ActorRef, message: object) -> None:
    # Exit and DOWN signals must not be lost silently: a full mailbox is logged.
    try:
        to.send(message)
    except MailboxFull:
        log.error("%s: mailbox full, lost %r", to.name, message)
    except MailboxClosed:
        pass


class LiveActor(ActorRuntime):
    """Runs a session's ``LiveView`` (target ``"0"``)."""

    def __init__(
        self,
        session: Session,
        target: str,
        view_class: type[LiveView],
        params: dict[str, str],
        session_data: dict[str, Any],
        url: str = "",
    ) -> None:
        super().__init__(session, target)
        self.view_class = view_class
        self.params = params
        self.session_data = session_data
        self.url = url

    def create(self) -> LiveView:
        return self.view_class()

    async def mount(self, state: LiveView) -> None:
        await maybe_await(state.mount(self.params, self.session_data))
        await maybe_await(state.handle_params(self.params, self.url))

    async def stopped(self, state: LiveView, reason: BaseException | None) -> None:
        await maybe_await(state.terminate(reason))


class ComponentActor(ActorRuntime):
    """Runs one ``LiveComponent`` placed by actor ``parent``.

    ``props`` are the last props its parent gave it: a restarted incarnation
    mounts with them.
    """

    def __init__(
        self,
        session: Session,
        target: str,
        cls: type[LiveComponent],
        props: dict[str, Any],
        parent: str,
    ) -> None:
        super().__init__(session, target)
        self.cls = cls
        self.props = props
        self.parent = parent

    def create(self) -> LiveComponent:
        component = self.cls()
        object.__setattr__(component, "_id", self.target)
        return component

    async def mount(self, state: LiveComponent) -> None:
        await maybe_await(state.mount(**self.props))

    async def give_props(self, props: dict[str, Any], merge: bool = False) -> None:
        """New props from the parent: ``update`` runs only if they differ."""
        new = {**self.props, **props} if merge else props
        if new == self.props:
            return
        self.props = new
        ref = self.ref
        if ref is not None:
            try:
                await ref.send_wait(Update(props if merge else new))
            except MailboxClosed:
                pass  # restarting: the next incarnation mounts with self.props

    async def stopped(self, state: LiveComponent, reason: BaseException | None) -> None:
        if reason is None and self.session.components.get(self.target) is not self:
            await maybe_await(state.unmount())
