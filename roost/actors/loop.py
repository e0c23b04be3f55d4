# The actor loop shared by views and components: mount, then handle batches
# of messages, render once per batch when assigns changed, put the patch in
# the tab's outbox, and start/update/stop the components it placed.
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc
import msgspec

from .. import protocol, telemetry
from ..render import Differ, client_html, fingerprint
from ..render.streams import has_streams, stream_ops
from ..render.streams import split as split_streams
from ..supervisor import Killed, on_stop_request
from .actor import NORMAL, ActorRef, Call
from .asyncwork import AsyncDone, AsyncResult
from .batch import Batch
from .effects import (
    Broadcast,
    Effect,
    PushEvent,
    PushNavigate,
    PushPatch,
    Redirect,
    SendParent,
    SendUpdate,
)
from .faults import Point
from .handlers import BadParams, checked_reply, maybe_await
from .mailbox import STOP, Mailbox
from .messages import (
    ClientEvent,
    ComponentEvent,
    Crash,
    Down,
    Exit,
    Info,
    InjectedCrash,
    LinkedExit,
    Rerender,
    Resync,
    Update,
    UploadChunk,
    UploadFiles,
    UploadProgress,
    Visited,
)
from .outbox import SessionEnded
from .scope import Placed, RenderScope, rendering
from .services import Services
from .snapshots import DEBOUNCE, RETRY_MAX, persisted
from .stateful import Stateful
from .uploads import UploadRefused, discard_all, preflight, stored_elsewhere, write_chunk

if TYPE_CHECKING:
    from .tab import Tab

_NO_OPS: list[Any] = []  # shared, never written to: no stream ops (a list a render would keep)

log = logging.getLogger("roost.actors")

_NO_CHILDREN: frozenset[str] = frozenset()  # shared: most actors place no component
_HANDOFFS = (ComponentEvent, Update)  # what Tab.handoffs counts

EXIT_REPLY_TIMEOUT = 5.0
"""Seconds an exiting actor may wait for room in the outbox for its last replies."""

_on_batch: Callable[[], object] | None = None


def call_on_each_batch(hook: Callable[[], object] | None) -> None:
    """Have ``hook`` called as any actor begins a batch of messages (None: no
    hook). ``roost run``'s young collections count batches with it: a broadcast
    runs thousands of them in one pass of Trio's scheduler. It must be cheap and
    must not raise; it is global to the process."""
    global _on_batch
    _on_batch = hook


def _same_placements(a: Placed, b: Placed) -> bool:
    # The same components in the same order, with the very same props (never
    # compared by value: a prop's == may be anything, or raise).
    if len(a) != len(b):
        return False
    for (ka, va), (kb, vb) in zip(a.items(), b.items(), strict=True):
        if ka != kb or va is not vb:
            return False
    return True


class ActorRuntime:
    """Runs one view or component as target ``target`` of ``tab``.

    Each ``run`` is one incarnation: a fresh instance, mounted anew, its full
    render sent to the client. The runtime object itself outlives
    incarnations and remembers what a restart needs (props, children).
    """

    def __init__(self, tab: Tab, target: str) -> None:
        self.tab = tab
        self.target = target
        self.renders = 0
        self.dropped = 0
        self.children: frozenset[str] = _NO_CHILDREN
        """The components this actor's last render placed."""
        self.state: Stateful | None = None
        self.ref: ActorRef | None = None
        """The running incarnation's ref, once it has rendered; None while it restarts."""
        self._services: Services | None = None
        self._mailbox: Mailbox | None = None
        self._effects: list[Effect] = []
        self._placed: Placed = {}
        self._next_start: anyio.Event | None = None

    # -- what views and components do differently ----------------------------

    graceful = True
    """Whether a stop request from its supervisor is heard (else it is cancelled)."""

    _unlisten: Callable[[], None] | None = None  # the running incarnation's, while it hears

    def stop_at_once(self) -> None:
        """From now on a stop of this incarnation cancels it at once: it no longer
        finishes the messages it holds first (a component its parent dropped)."""
        unlisten, self._unlisten = self._unlisten, None
        if unlisten is not None:
            unlisten()

    async def stopping(self) -> None:
        """Called when a stop request ended the loop, before ``stopped``: a view stops
        its components then (each finishing what it holds and running ``terminate``)."""

    _restoring = False  # this incarnation resumed a snapshot and has not yet handled a batch
    _poisoned = False  # ... and crashed: the next one mounts afresh
    _save_pending = False  # a debounced snapshot is on its way
    _full_html = ""  # a first render with its streams' items, until it is sent
    _stream_ops: list[Any] = _NO_OPS
    """What the last render put in its streams, as ops, until its patch is made."""

    def create(self) -> Stateful:
        raise NotImplementedError

    async def mount(self, state: Any) -> None:
        raise NotImplementedError

    async def take_props(self, state: Any) -> None:
        """Called after each batch (and on ``Update``): components apply new props."""

    async def send_parent(self, event: str, data: Any) -> None:
        log.warning("%s: send_parent(%r), but a view has no parent", self.target, event)

    async def redirect(self, to: str) -> None:
        """Load ``to`` in the browser (a view sends its flash along)."""
        await self.tab.outbox.put(protocol.Navigate(self.tab.href(to)))

    async def first_rendered(self) -> None:
        """Called once the incarnation's first render is on its way to the client."""

    async def go(self, to: str, replace: bool, *, patch: bool) -> None:
        log.warning("%s: push_patch/push_navigate(%r), but only a view navigates", self.target, to)

    async def visited(self, state: Any, message: Visited) -> bool:
        """The tab went to another URL (only a view is told); False when the reply
        is left to the view mounted in its place."""
        return True

    leaving = False
    """True once the view navigated away: its loop ends after the batch in hand."""

    def stopped_text(self) -> str:
        """The error text for client messages left unanswered by a normal stop."""
        return f"{self.target!r} stopped"

    async def stopped(self, state: Any, reason: BaseException | None) -> None:
        """Called after the last message, shielded from cancellation."""

    # -- the loop ------------------------------------------------------------

    @property
    def services(self) -> Services:
        """Timers, monitors, links, subscriptions of the running incarnation."""
        if self._services is None:
            raise RuntimeError(f"{self.target}: needs a running actor")
        return self._services

    @property
    def queued(self) -> int:
        """How many messages wait in the running incarnation's mailbox (0 between two)."""
        mailbox = self._mailbox
        return len(mailbox) if mailbox is not None else 0

    def next_start(self) -> anyio.Event:
        """An event set once the next incarnation is registered (reachable by target id)."""
        if self._next_start is None:
            self._next_start = anyio.Event()
        return self._next_start

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[ActorRef] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        state = self.create()
        object.__setattr__(state, "_actor", self)
        self.state = state
        mailbox = self._mailbox = Mailbox(type(state).mailbox_size)
        ref = ActorRef(self.target, mailbox)
        batch = Batch()
        reason: BaseException | None = None
        try:
            # No task group of its own: its timers run in the tab's (a task group
            # per actor would cost more than the actor's own task).
            self._services = Services(self, ref, mailbox, self.tab.spawn, self.tab.pubsub)
            begun = await self._begin(state, ref, task_status)
            if begun is not None:
                # Asked to stop (a tab that left, a deploy): the messages already in
                # are handled and rendered, then the actor ends normally (`terminate`).
                # (Here, not a call deeper: every idle actor keeps its frames.)
                self._unlisten = on_stop_request(mailbox.request_stop) if self.graceful else None
                try:
                    await self._flush_effects()
                    await self._reconcile()
                    if await self._handle_batches(state, mailbox, batch, *begun):
                        await self.stopping()
                finally:
                    self.stop_at_once()
        except BaseException as exc:
            if not isinstance(exc, anyio.get_cancelled_exc_class()):
                reason = exc
                # Its own code failed on the state it resumed (not a fault injected).
                if self._restoring and not isinstance(exc, InjectedCrash | Killed):
                    self._poisoned = True
            raise
        finally:
            if self.ref is ref:
                self.ref = None
            if self._services is not None:
                self._services.close()
                self._services = None
            self._effects.clear()
            discard_all(state)  # its uploads' files: the next incarnation mounts afresh
            left = mailbox.close()
            if self.tab.handoffs:  # never to be taken now
                self.tab.handoffs -= sum(isinstance(m, _HANDOFFS) for m in left)
            replies = batch.replies_on_exit(self.target, reason, self.stopped_text(), left)
            ref._exited(NORMAL if reason is None else reason)
            with anyio.CancelScope(shield=True):
                await self._send_last(replies)
                await self.stopped(state, reason)
            self._effects.clear()  # asked for by `terminate`/`unmount`: no one is left to do them

    async def _begin(
        self,
        state: Stateful,
        ref: ActorRef,
        task_status: anyio.abc.TaskStatus[ActorRef],
    ) -> tuple[Differ, str] | None:
        # Mount, resume a snapshot, send the first render, report started: the
        # actor's differ and HTML, or None when a hook or mount redirected.
        self._fault("mount")
        began = time.perf_counter() if telemetry.active() else None
        await self.mount(state)
        if began is not None:
            self._measured("mount", began, actor=type(state).__name__)
        if state.persist and self.tab.make_snapshots is not None:
            await self._restore(state)
        if getattr(state, "redirected_to", None) is not None:
            # A hook or mount sent the browser elsewhere: nothing to show here.
            task_status.started(ref)
            await self._flush_effects()
            return None
        html = self._render(state)
        differ = Differ(html)
        first = self._first_render(self._full_html or html, differ)  # with streams' items
        self._full_html = ""
        self._stream_ops = _NO_OPS  # the first render sends its items in its html
        await self.tab.outbox.put(first)
        if first.html is not None:  # else the page holds it as served, its title too
            await self._send_title(state)
        await self.first_rendered()
        self.ref = ref
        started, self._next_start = self._next_start, None
        if started is not None:
            started.set()
        task_status.started(ref)
        return differ, html

    async def _handle_batches(
        self, state: Stateful, mailbox: Mailbox, batch: Batch, differ: Differ, html: str
    ) -> bool:
        # True when a stop request ended it, False when the view navigated away.
        version = 1
        stopping = False
        while not stopping:
            while not mailbox:
                await mailbox.wait()
            stopping, version, html = await self._batch(
                state, mailbox, batch, differ, version, html
            )
            if self.leaving:
                return False
        return True

    async def _batch(
        self,
        state: Stateful,
        mailbox: Mailbox,
        batch: Batch,
        differ: Differ,
        version: int,
        html: str,
    ) -> tuple[bool, int, str]:
        # One batch: handled, rendered, sent. A call of its own, so that what it
        # held (its messages, its ops) is not kept while the actor waits for the next.
        hook = _on_batch
        if hook is not None:
            hook()
        outbox = self.tab.outbox
        stopping = False
        taken = mailbox.get_ready()
        if self.tab.handoffs:
            for m in taken:
                if isinstance(m, _HANDOFFS):
                    self.tab.handoffs -= 1
        took = time.perf_counter() if telemetry.active() else None
        batch.take(taken)  # owed their replies from now on, also if it dies meanwhile
        faults = self.tab.faults
        if faults is not None:  # a test holds, delays or drops what reaches it
            batch.todo = await faults.intercept(self.target, batch.todo)
        while batch.todo:
            message = batch.next()
            if message is STOP:
                stopping = True
            elif isinstance(message, Visited):
                if await self.visited(state, message):
                    batch.acks.append(message.ref)
            elif isinstance(message, Resync):
                await outbox.put(protocol.Render(self.target, version, client_html(html)))
                await self._send_title(state)
                if message.ref:
                    batch.acks.append(message.ref)
            else:
                await self._handle(state, message, batch)
            # Still the message in hand: an effect that fails (a broadcast
            # whose backend is down) fails it, as its handler raising would.
            await self._flush_effects()
            batch.handled()
        await self.take_props(state)
        await self._flush_effects()
        batch.rendering = True
        changed = state._tracker.changed(state.__dict__)
        if changed and state.persist and self.tab.make_snapshots is not None:
            await self._snapshot(state, changed, now=bool(batch.acks))
        if changed and not self.leaving:  # a view navigating away shows nothing more
            if "page_title" in changed:
                await self._send_title(state)
            html = self._render(state, changed)
            self._full_html = ""  # (a first render's only)
            began = time.perf_counter() if took is not None else None
            ops = differ.update(html)
            if self._stream_ops:
                ops = ops + self._stream_ops
                self._stream_ops = _NO_OPS
            if began is not None:  # its time, and the size of the ops it found
                self._measured("diff", began, size=len(msgspec.json.encode(ops)), ops=len(ops))
            if ops:
                version += 1
                # The batch's acks ride in its patch (the client settles them
                # once it applied it), unless it places or drops components:
                # then they follow those starts and stops, as Acks.
                fold = self._placed.keys() == self.children
                acks = batch.foldable() if fold else ()
                await outbox.put(protocol.patch(self.target, version, ops, acks))
                if took is not None and any(isinstance(m, ClientEvent) for m in taken):
                    self._measured("event_to_patch", took)
            await self._reconcile()
        while batch.acks:
            await outbox.put(batch.ack(batch.acks[0]))
            del batch.acks[0]
        self._restoring = False  # it handled and rendered a batch: not poisoned
        return stopping, version, html

    # -- snapshots (persist = True): kept across restarts ---------------------------

    async def _restore(self, state: Stateful) -> None:
        # Mounted afresh (subscriptions, timers, defaults); then the kept assigns
        # of the snapshot, unless the last incarnation crashed at once on them.
        made = self.tab.snapshots_made
        if not self.tab.carried and (made is None or self.target not in made.saved):
            # A session begun here, whose actor saved nothing yet: the store holds
            # nothing of it (its id is new), so no read, nor a Snapshots made for one.
            return
        snapshots = self.tab.snapshots
        assert snapshots is not None
        if self._poisoned:
            self._poisoned = False
            log.warning(
                "%s: its restored state crashed at once; mounting afresh (snapshot dropped)",
                self.target,
            )
            await snapshots.forget([self.target])
            return
        values = await snapshots.load(self.target)
        if not values:
            return
        kept = persisted(state) or ()
        for name, value in values.items():
            if name in kept or getattr(type(state), "persist", False) is True:
                setattr(state, name, value)
        self._restoring = True
        log.info("%s: resumed from its snapshot (%s)", self.target, ", ".join(sorted(values)))

    async def _snapshot(self, state: Stateful, changed: set[str], *, now: bool) -> None:
        # After a batch, before its acks leave: an acknowledged event is kept.
        # Without acks (timers, pubsub) at most once per DEBOUNCE seconds.
        kept = persisted(state)
        if not kept or not changed.intersection(kept):
            return
        if now:
            await self._save(state, kept)
        elif not self._save_pending:
            self._save_pending = True
            self.tab.spawn(self._save_later)

    async def _save(self, state: Stateful, kept: tuple[str, ...]) -> None:
        snapshots = self.tab.snapshots
        assert snapshots is not None
        values = {name: getattr(state, name) for name in kept if hasattr(state, name)}
        if await snapshots.save(self.target, values) == "failed" and not self._save_pending:
            # The store is away: the state is tried again until it takes it, so
            # that what was acknowledged meanwhile is not lost to a later restart.
            self._save_pending = True
            self.tab.spawn(self._save_later)

    async def _save_later(self) -> None:
        # The debounced save, and the retries of one the store failed (the
        # current state each time, waits doubling up to RETRY_MAX).
        wait = DEBOUNCE
        while True:
            await anyio.sleep(wait)
            state = self.state
            kept = persisted(state) if state is not None and self.ref is not None else None
            if not kept:
                self._save_pending = False
                return
            snapshots = self.tab.snapshots
            assert snapshots is not None
            values = {name: getattr(state, name) for name in kept if hasattr(state, name)}
            if await snapshots.save(self.target, values, again=wait > DEBOUNCE) != "failed":
                self._save_pending = False
                return
            wait = min(wait * 2, RETRY_MAX)

    async def _send_title(self, state: Stateful) -> None:
        # A view's `page_title`, for the browser's document.title (components have none).
        title = getattr(state, "page_title", None)
        if title is not None and self.target == protocol.VIEW_TARGET:
            await self.tab.outbox.put(protocol.Title(str(title)))

    def _first_render(self, html: str, differ: Differ) -> protocol.Render:
        # A new session's first render of exactly what its page holds as served
        # (the dead render's fingerprint, from the token) goes without the HTML.
        served = self.tab.served
        expected = served.pop(self.target, None) if served else None
        if not served:
            self.tab.served = None  # all taken: nothing kept for the session's life
        if expected is not None and expected == fingerprint(differ.tree):
            return protocol.Render(self.target, 1)
        return protocol.Render(self.target, 1, client_html(html))

    async def _send_last(self, replies: list[protocol.Ack | protocol.Error]) -> None:
        # Called shielded: bounded, so a stuck outbox cannot hold the exit forever.
        with anyio.move_on_after(EXIT_REPLY_TIMEOUT):
            for reply in replies:
                try:
                    await self.tab.outbox.put(reply)
                except SessionEnded:
                    return

    def _measured(
        self, name: telemetry.Name, began: float, size: int | None = None, **meta: Any
    ) -> None:
        # A duration for telemetry, from `began` (perf_counter) to now; `size` in bytes.
        took = time.perf_counter() - began
        meta.update(session=self.tab.session_id, target=self.target)
        telemetry.emit(telemetry.Measurement(name, took, size, meta=meta))

    def _streamed(self, state: Stateful, html: str) -> str:
        # Streams: their containers stay empty in the actor's VDOM; what this
        # render put in them leaves as STREAM ops, and the server forgets it.
        meta = state.__dict__.get("_stream_meta") or {}
        self._stream_ops = _NO_OPS
        if has_streams(html):
            html, containers = split_streams(html)
            self._stream_ops = stream_ops(containers, meta) or _NO_OPS
        object.__setattr__(state, "_stream_meta", None)
        state._streams_sent()
        return html

    def _fault(self, point: Point) -> None:
        # A crash point a test armed for this actor (roost.testing); else nothing.
        faults = self.tab.faults
        if faults is not None:
            faults.check(self.target, point)

    def _render(self, state: Stateful, changed: set[str] | None = None) -> str:
        # `changed`: the assigns changed since the last render (None: a full render).
        self._fault("render")
        began = time.perf_counter() if telemetry.active() else None
        with rendering(RenderScope(changed=changed)) as scope:
            html = str(state.render())  # a Markup (str subclass) becomes plain text
        if began is not None:
            self._measured("render", began, full=changed is None)
        links = self.tab.links
        if links is not None:
            html = links(html)
        if "streams" in state.__dict__:
            self._full_html = html
            html = self._streamed(state, html)
        elif self._stream_ops:
            self._stream_ops = _NO_OPS
        placed = scope.components
        if not _same_placements(placed, self._placed):  # else kept: not a new dict a render
            self._placed = placed
        self.renders += 1
        state._tracker.reset(state.__dict__)
        return html

    async def _handle(self, state: Stateful, message: Any, batch: Batch) -> None:
        if isinstance(message, ClientEvent):
            await self._handle_event(state, message, batch)
        elif isinstance(message, Info):
            self._fault("info")
            await maybe_await(state.handle_info(message.message))
        elif isinstance(message, ComponentEvent):
            await maybe_await(
                state.handle_component_event(message.component_id, message.event, message.data)
            )
        elif isinstance(message, Update):
            await self.take_props(state)
        elif isinstance(message, Call):
            message.reply(await maybe_await(state.handle_call(message.request)))
        elif isinstance(message, Down):
            await maybe_await(state.handle_info(message))
        elif isinstance(message, Exit):
            if not state.trap_exits:
                reason = message.reason
                cause = reason if isinstance(reason, BaseException) else None
                raise LinkedExit(f"linked actor {message.ref.name!r} exited: {reason!r}") from cause
            await maybe_await(state.handle_info(message))
        elif isinstance(message, Crash):
            raise InjectedCrash(message.reason)
        elif isinstance(message, AsyncDone):
            await self._async_done(state, message)
        elif isinstance(message, Rerender):
            state._render_anew()
        elif isinstance(message, UploadFiles | UploadChunk | UploadProgress):
            await self._upload(state, message, batch)
        else:
            # None of roost's own kinds: the app's, as `ref.send(x)` sent it.
            # OTP hands any such message to handle_info; so does roost.
            self._fault("info")
            await maybe_await(state.handle_info(message))

    async def _upload(
        self, state: Stateful, message: UploadFiles | UploadChunk | UploadProgress, batch: Batch
    ) -> None:
        # Chosen files are checked before any byte comes (the reply names the
        # accepted entries); a chunk is written, and answered once rendered.
        try:
            if isinstance(message, UploadFiles):
                batch.replies[message.ref] = preflight(state, self.tab.upload_dir, message)
            else:
                if isinstance(message, UploadChunk):
                    name, entry = write_chunk(state, message)
                else:
                    name, entry = stored_elsewhere(state, message)
                await maybe_await(state.handle_upload_progress(name, entry))
        except UploadRefused as exc:
            await self.tab.outbox.put(protocol.Error(message.ref, exc.code, str(exc)))
            return
        batch.acks.append(message.ref)

    async def _async_done(self, state: Stateful, done: AsyncDone) -> None:
        # A piece of async work finished: its assigns (assign_async) or its
        # handler (start_async) get the result; a stale one (cancelled or
        # started again since) is dropped.
        if not self.services.work.current(done.name, done.token):
            return
        result = done.result
        if done.keys is None:
            await maybe_await(state.handle_async(done.name, result))
            return
        values = result.result if result.ok else None
        for key in done.keys:
            if result.failed is not None:
                setattr(state, key, AsyncResult.error(result.failed))
            elif isinstance(values, dict) and key in values:
                setattr(state, key, AsyncResult.done(values[key]))
            else:
                reason = f"assign_async: the function returned no value for {key!r}"
                setattr(state, key, AsyncResult.error(KeyError(reason)))

    async def _handle_event(self, state: Stateful, message: ClientEvent, batch: Batch) -> None:
        # A crash in the handler is answered when the actor exits (see Batch).
        outbox = self.tab.outbox
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
        self._fault("event")
        began = time.perf_counter() if telemetry.active() else None
        reply = await maybe_await(getattr(state, handler.method)(**kwargs))
        if began is not None:
            self._measured("event", began, event=message.name)
        if reply is not None:
            batch.replies[message.ref] = checked_reply(state, handler, reply)
        batch.acks.append(message.ref)

    # -- components this actor placed -----------------------------------------

    async def _reconcile(self) -> None:
        placed = self._placed
        if not placed and not self.children:
            return  # (most actors place no component)
        for gone in self.children - placed.keys():
            await self.tab.stop_component(gone)
        for cid, (cls, props) in placed.items():
            await self.tab.place_component(self.target, cid, cls, props)
        if self.children != placed.keys():
            self.children = frozenset(placed) if placed else _NO_CHILDREN

    # -- effects: what handlers ask for, done once the handler returned ---------

    def effect(self, effect: Effect) -> None:
        self._effects.append(effect)

    async def _flush_effects(self) -> None:
        while self._effects:
            effect = self._effects.pop(0)
            match effect:
                case SendParent(event, data):
                    await self.send_parent(event, data)
                case Broadcast(topic, message):
                    await self.tab.pubsub.broadcast(topic, message)
                case SendUpdate(component_id, props):
                    self.tab.send_update(component_id, props)
                case PushEvent(event, payload):
                    await self.tab.outbox.put(protocol.PushEvent(event, payload))
                case PushPatch(to, replace):
                    await self.go(to, replace, patch=True)
                case PushNavigate(to, replace):
                    await self.go(to, replace, patch=False)
                case Redirect(to):
                    await self.redirect(to)
                case _:
                    raise TypeError(f"{self.target}: unknown effect {effect!r}")


def sole_exception(group: BaseExceptionGroup) -> BaseException | None:
    """The one exception inside ``group`` (and its nested groups), if there is
    exactly one and it is not a cancellation; else None."""
    inner: BaseException = group
    while isinstance(inner, BaseExceptionGroup) and len(inner.exceptions) == 1:
        inner = inner.exceptions[0]
    if isinstance(inner, BaseExceptionGroup | anyio.get_cancelled_exc_class()):
        return None
    return inner
