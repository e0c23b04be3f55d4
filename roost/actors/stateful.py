# What LiveView and LiveComponent share: public attributes as tracked
# assigns, declared handlers, a template next to the class, and the services
# of the actor that runs them (timers, pubsub, messages to other actors).
from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from ..render import RegionRenderer, environment_for
from . import uploads
from .actor import noop
from .assigns import _MISSING, ChangeTracker, replaced_only
from .asyncwork import AsyncResult
from .effects import Broadcast, Effect, PushEvent, SendUpdate
from .handlers import Handler, collect_component_handlers, collect_handlers
from .scope import ComponentHandle, Placed, current_scope, live_component
from .uploads import UploadConfig, UploadEntry

log = logging.getLogger("roost.actors")

T = TypeVar("T")

# Globals a template region may call whose result depends only on their arguments.
_PURE_CALLS = ("live_component", "flash_group")

if TYPE_CHECKING:
    import jinja2

    from .actor import ActorRef
    from .loop import ActorRuntime


class Stateful:
    """State as public attributes, rendered by a template, run by an actor.

    Public attributes are the *assigns*: what the template sees. Assigning a
    different value marks the actor for a re-render (at most one render per
    batch of handled messages; no change, no render). Attributes whose names
    start with ``_`` are private and never trigger one.
    """

    # roost's own private attributes are slots: the assigns' dict (what each
    # render, and each batch's change check, goes through) holds only the app's.
    __slots__ = ("__dict__", "__weakref__", "_actor", "_regions", "_tracker")

    template: ClassVar[str | None] = None
    """File name of the Jinja2 template, looked up next to the class's module."""

    mailbox_size: ClassVar[int] = 256
    """How many messages may wait; see docs/guide.md for what happens past it."""

    trap_exits: ClassVar[bool] = False
    """When True, a linked actor's failure arrives as ``Exit`` in ``handle_info``."""

    persist: ClassVar[bool | tuple[str, ...]] = False
    """Keep assigns across restarts (docs/guide.md, "State that survives"):
    ``True`` for every public one, or the names of those to keep."""
    render_regions: ClassVar[bool] = True
    """When True, a re-render renders only the template regions that read a
    changed assign (see docs/render.md); False renders the whole template."""

    __roost_handlers__: ClassVar[dict[str, Handler]] = {}
    __roost_component_handlers__: ClassVar[dict[str, str]] = {}
    __roost_template_dir__: ClassVar[str] = "."

    _tracker: ChangeTracker
    _actor: ActorRuntime | None
    _regions: tuple[RegionRenderer, dict[int, Placed]] | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__roost_handlers__ = collect_handlers(cls)
        cls.__roost_component_handlers__ = collect_component_handlers(cls)
        cls.__roost_template_dir__ = template_dir(cls)

    def __init__(self) -> None:
        object.__setattr__(self, "_tracker", ChangeTracker())
        object.__setattr__(self, "_actor", None)
        object.__setattr__(self, "_regions", None)

    def __setattr__(self, name: str, value: Any) -> None:
        if name[0] != "_":
            if isinstance(value, Stateful):
                value = value._as_assign(name)
            self._tracker.assigned(name, self.__dict__.get(name, _MISSING), value)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        if name[0] != "_":
            self._tracker.mark(name)  # gone from the template: a change too

    def _as_assign(self, name: str) -> Any:
        """What an actor keeps when this is assigned to its attribute ``name``."""
        return self

    @property
    def assigns(self) -> dict[str, Any]:
        """The public attributes, as the template sees them."""
        return {k: v for k, v in self.__dict__.items() if k[0] != "_"}

    def render(self) -> str:
        """The HTML content; by default ``template`` rendered with the assigns.

        The template can also call ``live_component(Class, id="x", **props)``
        to place a LiveComponent.

        In a running actor, a re-render renders only the template regions
        that read an assign changed since the last render, and re-uses the
        rest (``render_regions``); a dead render renders the whole template.
        """
        if self.template is None:
            raise NotImplementedError(f"{type(self).__name__} needs a template or a render()")
        env = environment_for(self.__roost_template_dir__)
        scope = current_scope()
        if scope is None or scope.dead or not self.render_regions:
            html = env.get_template(self.template).render(
                self.assigns, live_component=live_component
            )
            return self._after_template(env, html)
        regions = self._regions
        if regions is None or regions[0].name != self.template:
            renderer = RegionRenderer(env, self.template, pure_calls=_PURE_CALLS)
            regions = (renderer, {})
            object.__setattr__(self, "_regions", regions)
        renderer, placed = regions
        context = self.assigns  # (a new dict)
        context["live_component"] = live_component
        with scope.regions(placed) as on_region:
            html = renderer.render(context, scope.changed, on_region)
        return self._after_template(env, html)

    def _streams_sent(self) -> None:
        # The items the last render streamed have left as STREAM ops: neither
        # the state nor the template's renderer keeps them. The next render
        # counts `streams` as changed, so that its containers show them no
        # more; a render that streamed nothing leaves the regions replayable.
        if self.__dict__.get("streams") is NO_STREAMS:
            return
        object.__setattr__(self, "streams", NO_STREAMS)
        regions = self._regions
        if regions is not None:
            regions[0].expire("streams")

    def _after_template(self, env: jinja2.Environment, html: str) -> str:
        # What the view's render adds around its template's HTML (LiveView: the flash).
        return html

    def _render_anew(self) -> None:
        """Make the next render a whole one, none of the last render's output
        re-used (dev mode: a template's file changed, maybe an included one)."""
        object.__setattr__(self, "_regions", None)
        self._tracker.mark("template")  # something to render for, with no assign changed

    def handle_info(self, message: Any) -> Any:
        """Handle a message that is not a client event (timers, pubsub, actors)."""

    def handle_call(self, request: Any) -> Any:
        """Answer a ``call`` from another actor; the return value is the reply."""
        raise NotImplementedError(f"{type(self).__name__} does not answer calls")

    def handle_component_event(self, component_id: str, event: str, data: Any) -> Any:
        """A child component's ``send_parent(event, data)``.

        By default this calls the method marked ``@on_component(event)``;
        override it to handle every component event in one place.
        """
        method = self.__roost_component_handlers__.get(event)
        if method is None:
            raise LookupError(
                f"{type(self).__name__} has no handler for component event {event!r} "
                f"(from {component_id!r}): add @on_component({event!r}) or "
                "handle_component_event"
            )
        return getattr(self, method)(component_id, data)

    # -- services of the actor that runs this ---------------------------------

    @property
    def connected(self) -> bool:
        """True in a running actor; False during the HTTP (dead) render.

        In a dead render ``send_after``, ``subscribe``, ``broadcast`` and the
        other services do nothing: there is no actor to receive their results.
        """
        return self._actor is not None

    @property
    def id(self) -> str:
        """This actor's target id: ``"0"`` for a view, the component's id otherwise."""
        if self._actor is None:
            raise RuntimeError(f"{type(self).__name__} is not running in an actor")
        return self._actor.target

    @property
    def ref(self) -> ActorRef:
        """The ref of this actor's running incarnation."""
        return self._running().services.ref

    def monitor(self, ref: ActorRef) -> Any:
        """Receive ``Down(ref, reason)`` in ``handle_info`` when ``ref``'s actor exits.

        Returns a function that cancels the monitor.
        """
        return self._running().services.monitor(ref)

    def link(self, ref: ActorRef) -> None:
        """Fail together with ``ref``'s actor (see ``trap_exits``)."""
        self._running().services.link(ref)

    def register(self, name: str) -> None:
        """Make this actor findable app-wide as ``name`` (``whereis``) while it runs."""
        runtime = self._running()
        runtime.tab.names.register(name, runtime.services.ref)

    def whereis(self, name: str) -> ActorRef | None:
        """The running actor registered as ``name``, or None."""
        return self._running().tab.names.whereis(name)

    def _running(self) -> ActorRuntime:
        if self._actor is None:
            raise RuntimeError(f"{type(self).__name__} is not running in an actor")
        return self._actor

    def send_after(self, delay: float, message: Any) -> Any:
        """Deliver ``message`` to ``handle_info`` after ``delay`` seconds.

        Returns a function that cancels the timer if it has not fired yet.
        """
        if self._actor is None:
            return noop
        return self._actor.services.send_after(delay, message)

    def start_async(self, name: str, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` off the mailbox: the actor handles its events
        meanwhile. A coroutine function runs as a task the actor owns
        (cancelled when it stops or restarts); a plain function in a worker
        thread. Its result comes to ``handle_async(name, result)`` as an
        :class:`AsyncResult` (``ok`` and ``result``, or ``failed`` with the
        exception: a failure of the work is no crash of the actor). Starting
        ``name`` again cancels the run before it. Nothing in a dead render."""
        if self._actor is not None:
            self._actor.services.work.start(name, fn, args, None)

    def assign_async(self, keys: str | Sequence[str], fn: Callable[..., Any], *args: Any) -> None:
        """Set each of ``keys`` to a loading :class:`AsyncResult` now, and run
        ``fn(*args)`` off the mailbox (as ``start_async``); it returns a dict
        with a value for each key, which then become ``ok`` results (or, if it
        fails, ``failed`` ones): the template shows each state."""
        names = (keys,) if isinstance(keys, str) else tuple(keys)
        for key in names:
            setattr(self, key, AsyncResult.pending())
        if self._actor is not None:
            self._actor.services.work.start(_async_name(names), fn, args, names)

    def cancel_async(self, name: str | Sequence[str]) -> bool:
        """Cancel the work ``name`` (or ``assign_async``'s keys): no result
        comes; its assigns become ``failed`` with ``"cancelled"``. False if none ran."""
        if self._actor is None:
            return False
        key = name if isinstance(name, str) else _async_name(tuple(name))
        keys = self._actor.services.work.cancel(key)
        for assign in keys or ():
            setattr(self, assign, AsyncResult.error("cancelled"))
        return keys is not None

    def handle_async(self, name: str, result: AsyncResult[Any]) -> Any:
        """The result of ``start_async(name, ...)``; by default a failure is logged."""
        if result.failed is not None:
            log.warning("%s: async work %r failed: %r", type(self).__name__, name, result.failed)

    def stream(
        self,
        name: str,
        items: Iterable[Any],
        *,
        at: int = -1,
        limit: int | None = None,
        reset: bool = False,
        dom_id: Callable[[Any], str] | None = None,
    ) -> None:
        """Send ``items`` to stream ``name`` (docs/guide.md, "Streams"): the next
        render renders them (``{% for dom_id, item in streams.NAME %}`` inside
        the element ``id="NAME" roost-update="stream"``), the browser inserts
        them at ``at`` (-1 the end, 0 the front), keeps at most ``limit`` (a
        negative one: the last ones), and the server forgets them. ``reset``
        empties the container first. An item whose ``dom_id`` is already there
        replaces it. ``dom_id(item)`` defaults to ``NAME-<id>``, the item's
        ``id`` key or attribute."""
        streams = self.__dict__.get("streams")
        pending = dict(streams.pending) if isinstance(streams, Streams) else {}
        meta = dict(self.__dict__.get("_stream_meta") or {})
        make_id = dom_id or _default_dom_id(name)
        entries = [*pending.get(name, []), *((make_id(item), item) for item in items)]
        pending[name] = entries
        asked = dict(meta.get(name) or {})
        asked.update(at=at, limit=limit, reset=reset or asked.get("reset", False))
        meta[name] = asked
        object.__setattr__(self, "_stream_meta", meta)
        self.streams = Streams(pending)  # a new object: the render sees the change

    def stream_insert(
        self, name: str, item: Any, *, at: int = -1, limit: int | None = None
    ) -> None:
        """Insert (or replace, by its dom id) one ``item`` in stream ``name``."""
        self.stream(name, [item], at=at, limit=limit)

    def stream_delete(self, name: str, item: Any) -> None:
        """Remove ``item`` (or the dom id given as a str) from stream ``name``'s container."""
        target = item if isinstance(item, str) else _default_dom_id(name)(item)
        meta = dict(self.__dict__.get("_stream_meta") or {})
        asked = dict(meta.get(name) or {})
        asked["deletes"] = [*asked.get("deletes", ()), target]
        meta[name] = asked
        object.__setattr__(self, "_stream_meta", meta)
        streams = self.__dict__.get("streams")
        self.streams = Streams(dict(streams.pending) if isinstance(streams, Streams) else {})

    def subscribe(self, topic: str) -> None:
        """Receive every ``broadcast`` on ``topic`` in ``handle_info``.

        When the mailbox is full, pubsub messages are dropped (and counted),
        so a slow subscriber never holds up a broadcast.
        """
        if self._actor is not None:
            self._actor.services.subscribe(topic)

    def broadcast(self, topic: str, message: Any) -> None:
        """Publish ``message`` to every subscriber of ``topic`` (this actor too, if subscribed)."""
        self._effect(Broadcast(topic, message))

    def send_update(self, component_id: str, **props: Any) -> None:
        """Give component ``component_id`` new props (merged into its current ones)."""
        handle = next(
            (
                v
                for v in self.__dict__.values()
                if isinstance(v, ComponentHandle) and v.id == component_id
            ),
            None,
        )
        if handle is not None:
            handle.props = {**handle.props, **props}
            # A template region replayed from cache places it with these props too.
            regions = self._regions
            for placed in regions[1].values() if regions is not None else ():
                if component_id in placed:
                    placed[component_id] = (handle.cls, handle.props)
        self._effect(SendUpdate(component_id, props))

    # -- uploads (roost/actors/uploads.py) ---------------------------------------

    def allow_upload(
        self,
        name: str,
        *,
        accept: Sequence[str] = (),
        max_entries: int = 1,
        max_file_size: int = 8_000_000,
        chunk_size: int = 32_000,
        auto_upload: bool = True,
        external: Callable[[UploadEntry], dict[str, Any]] | None = None,
    ) -> UploadConfig:
        """Allow upload ``name``: a file input ``roost-upload="name"`` sends its files.

        ``accept``: extensions (``".png"``) and types (``"image/png"``,
        ``"image/*"``), empty for any file; ``max_entries`` files at once, each
        at most ``max_file_size`` bytes, sent ``chunk_size`` bytes at a time
        (at most ``protocol.MAX_CHUNK_BYTES``). The ``uploads`` assign holds it
        as ``uploads[name]`` (an ``UploadConfig``): its ``entries`` with their
        ``progress``, ``done`` and ``errors``, and its own ``errors``. A file
        that does not fit is refused before any of its bytes is sent. Allowing
        ``name`` again drops its entries. ``ValueError`` for a bad limit.

        ``auto_upload``: the bytes go as soon as files are chosen (or dropped
        on a ``roost-drop-target="name"``); False: the choice is checked at
        once, the bytes go when the input's form is submitted, and the submit
        event follows them (Phoenix's default).

        ``external``: straight to storage. Called with each accepted entry, it
        gives the dict the page's uploader needs (a presigned URL, say), whose
        ``"uploader"`` names a function of ``window.Roost.uploaders``; the
        browser sends the file there, not over the socket, and reports its
        progress. ``consume_uploaded_entries`` then hands ``fn`` that dict
        instead of a path.
        """
        return uploads.allow_upload(
            self,
            name,
            accept=accept,
            max_entries=max_entries,
            max_file_size=max_file_size,
            chunk_size=chunk_size,
            auto_upload=auto_upload,
            external=external,
        )

    def cancel_upload(self, name: str, ref: str) -> bool:
        """Drop entry ``ref`` of upload ``name`` and its file (a chunk still on its
        way is refused: the browser stops sending it). False if there is none."""
        return uploads.cancel_upload(self, name, ref)

    def consume_uploaded_entries(self, name: str, fn: Callable[[Any, UploadEntry], T]) -> list[T]:
        """Call ``fn(path, entry)`` for each finished entry of upload ``name``
        (``path``: its temporary file, removed once ``fn`` returns: move or copy
        it to keep it; for an ``external`` upload, the entry's meta dict instead);
        the entries leave ``uploads``. ``fn``'s results, in order."""
        return uploads.consume_uploaded_entries(self, name, fn)

    def handle_upload_progress(self, name: str, entry: UploadEntry) -> Any:
        """Called after each chunk of upload ``name`` is written (``entry.done`` at the last)."""

    def push_event(self, event: str, payload: Any = None) -> None:
        """Send a named event to the browser (``roost:<event>`` on ``window``)."""
        self._effect(PushEvent(event, payload))

    def _effect(self, effect: Effect) -> None:
        # In a dead render there is no actor: effects have no one to do them.
        if self._actor is not None:
            self._actor.effect(effect)


def template_dir(cls: type) -> str:
    """Where ``cls``'s template is looked up: the directory of its module's file."""
    try:
        return os.path.dirname(inspect.getfile(cls))
    except (TypeError, OSError):  # defined in a REPL, or in `python -c`
        return os.getcwd()


def _async_name(keys: tuple[str, ...]) -> str:
    # assign_async's work is named for its keys.
    return "assign:" + ",".join(keys)


@replaced_only
class Streams:
    """The ``streams`` assign: per stream, the items the next render inserts
    (``(dom_id, item)`` pairs); an unknown name is an empty stream."""

    __slots__ = ("pending",)

    def __init__(self, pending: dict[str, list[tuple[str, Any]]] | None = None) -> None:
        self.pending = pending or {}

    def __getattr__(self, name: str) -> list[tuple[str, Any]]:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.pending.get(name, [])

    def __getitem__(self, name: str) -> list[tuple[str, Any]]:
        return self.pending.get(name, [])


NO_STREAMS = Streams()
"""The ``streams`` assign after a render: shared (never written to, as a ``Streams``
is only ever replaced), so that a render leaves no new object behind for it."""


def _default_dom_id(name: str) -> Callable[[Any], str]:
    def dom_id(item: Any) -> str:
        key = item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
        if key is None:
            raise ValueError(f"stream {name!r}: an item without an id; pass dom_id=")
        return f"{name}-{key}"

    return dom_id
