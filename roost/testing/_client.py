# LiveClient: a test's browser tab, in process or over a real WebSocket. It
# keeps the page as the browser does and waits on frames, never on the clock.
from __future__ import annotations

import base64
import contextlib
import inspect
import itertools
import mimetypes
import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar
from urllib.parse import urljoin

import anyio
import anyio.abc
import msgspec
import trio
import trio.testing
from selectolax.lexbor import LexborNode

from .. import protocol
from ..actors import ActorRef, Faults, Filler, MailboxFull, Point, Session
from ..protocol import ATTR, TARGET_PARAM
from ..render.js import commands
from ..server import App
from ..supervisor import Killed, SupervisorEvent
from ._crashes import AllowCrashes, CrashReport, CrashWatch
from ._errors import Disconnected, EventError, MountError, SelectorError, WaitTimeout
from ._faults import crash_actor
from ._forms import form_params
from ._frames import Closed, Deliver, Frame, Loaded, Lost
from ._inprocess import InProcessLink
from ._network import NetworkFaults
from ._page import CONTAINER_ATTR, VIEW, Page, attribute, closest, closest_form
from ._socket import SocketLink
from ._taskgroup import task_group
from ._watchdog import Watchdog

DEFAULT_TIMEOUT = 5.0
"""Wall-clock seconds any one wait may take before it fails (:class:`WaitTimeout`)."""

VALUE_PREFIX = ATTR.VALUE_PREFIX

T = TypeVar("T")


class _Link(Protocol):
    url: str
    session_id: str | None
    """The server's id of this tab's session once joined: sent as ``resume`` on a rejoin."""

    def bind(self, tg: anyio.abc.TaskGroup, deliver: Deliver) -> None: ...
    async def connect(self) -> str | None: ...
    async def send(self, text: str) -> None: ...
    async def disconnect(self) -> None: ...
    async def close(self) -> None: ...
    def actor_ref(self, target: str) -> ActorRef: ...
    def live_session(self) -> Session: ...
    def follow(self, to: str, client: Any, timeout: float) -> Any: ...


Uploader = Callable[[dict[str, Any], str, bytes], Any]
"""Stands for a page's uploader in tests of an external upload: called with the
entry's meta, the file's name and bytes; returns the progress values (bytes
stored so far) to report, or None for just the whole size; may be async."""


class LiveClient:
    """One browser tab on a roost app, for tests: read the page, act, inject faults.

    Open one with :meth:`mount` (in process: the app's real runtime and
    session, no socket) or :meth:`connect` (a real WebSocket to a running
    server); both give the same API and both close everything they started
    when their ``async with`` block ends.

    The client keeps the page exactly as the browser does: each target's
    content changes only by the ``Render``, ``Patch`` and ``Crash`` messages
    received for it, applied as each frame arrives with the browser's rules
    (ops by :func:`roost.render.apply_ops`, versions in order, a version gap
    answered with a ``Sync``; a ``Render`` without HTML keeps the content the
    page was served, if untouched since, else asks for a ``Sync``). Frames
    arrive only while the test awaits something, so between two awaits the
    page holds still.

    Every wait ends on frames, not on time: an event ends with the reply to
    its ref (an ``Ack``, or the ``Patch`` that carries it, once applied);
    :meth:`wait_for` with the frame that makes its condition true.
    ``timeout`` (wall-clock seconds per wait, so Trio's ``autojump_clock``
    does not cut it short) only bounds a wait that would otherwise hang, and
    then raises :class:`WaitTimeout`.
    """

    frames: list[Frame]
    """Every frame, both ways, in order: its text and its size in bytes."""

    messages: list[protocol.ServerMessage]
    """Every message received from the server, decoded, in order."""

    replies: dict[int, protocol.Ack | protocol.Joined | protocol.Error]
    """The reply to each ref answered so far: its ``Error``, ``Joined``, or
    ``Ack`` (``Ack(ref)`` also for a ref a ``Patch`` answered)."""

    def __init__(
        self,
        link: _Link,
        timeout: float,
        tg: anyio.abc.TaskGroup,
        watchdog: Watchdog,
        allow_crashes: AllowCrashes = False,
    ) -> None:
        """Internal: use :meth:`mount` or :meth:`connect`."""
        self.timeout = timeout
        self._watch = CrashWatch(allow_crashes)
        self.frames = []
        self.messages = []
        self.replies = {}
        self._link = link
        self._tg = tg
        self._watchdog = watchdog
        self._changed = anyio.Event()
        self._failure: Exception | None = None
        self._page = Page()
        # Each target's version as this connection's frames carried it: a
        # Patch that leaves its version off is the next one.
        self._carried: dict[str, int] = {}
        self._refs = itertools.count(1)
        self._replies: dict[int, protocol.Ack | protocol.Joined | protocol.Error] = {}
        self._connected = False
        self._close_reason = "not connected"
        self._read_from = 0
        self._taken: set[int] = set()
        self._linking = False
        self._deferred: list[str] = []
        # Uploads allowed with auto_upload=False: checked, their bytes sent on
        # their form's submit. (target, name) -> what _send_entries sends then.
        self._held: dict[tuple[str, str], tuple[Any, ...]] = {}
        self.url = link.url
        """The tab's URL as the browser's address bar would show it: where it was
        opened, then where ``push_patch``, ``push_navigate`` and :meth:`navigate` led."""
        self.redirected_to: str | None = None
        """Where the server last sent the tab with a page load (``redirect``, or a
        navigation no view is routed at), if it did."""

    # -- opening -------------------------------------------------------------

    @classmethod
    def mount(
        cls,
        app: App,
        path: str = "/",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        session: dict[str, Any] | None = None,
        allow_crashes: AllowCrashes = False,
    ) -> AbstractAsyncContextManager[LiveClient]:
        """Open ``path`` (with its query string) of ``app`` in this process, no socket.

        What a browser's visit makes the server do, done directly: the dead
        render (``mount`` runs, the token is signed), then a session started
        from the token's claims under the app's runtime, whose frames come to
        this client. If ``app`` has no running runtime, one is started for the
        block (clients opened inside it share it: two tabs, one server).
        Returns once the view's first render arrived.

        ``session`` is the cookie session the page request carries (what a
        login put there): ``mount`` gets it on both renders.

        Any crash of the tab's actors that the test did not inject (with
        :meth:`crash`, :meth:`kill`, :meth:`crash_at`, or an event sent with
        ``expect_error=True`` that got ``crashed``) fails the test with
        :class:`UnexpectedCrash` (the actor, the exception, its traceback) at
        the test's next call on this client or when the block ends.
        ``allow_crashes=True`` lets any actor crash; a collection of targets
        (``{"tabs"}``) lets those.

        Raises :class:`MountError` (``not_found``: no view at that path;
        ``join_failed``: the live mount raised; ``redirected``: an ``on_mount``
        hook or ``mount`` redirected) or what the dead render raised.
        """
        return _open(cls, InProcessLink(app, path, session), timeout, allow_crashes)

    @classmethod
    def connect(
        cls,
        url: str,
        path: str = "/",
        *,
        app: App | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        allow_crashes: AllowCrashes = False,
    ) -> AbstractAsyncContextManager[LiveClient]:
        """Open ``path`` on the server at ``url`` (``http://host:port``) over a real WebSocket.

        Like a browser: GET the page for its ``data-roost-token``, open the
        socket (with an ``Origin`` header), send ``Join`` and wait for the
        view's render and the join's ``Ack``. Pass ``app``, the app that server
        runs in this process, to use :meth:`crash` and to make
        :meth:`disconnect` (and the end of the block) wait until the server
        has dropped the session; with ``app``, the tab's unexpected crashes
        fail the test as under :meth:`mount` (``allow_crashes`` likewise), and
        the network faults of :attr:`network` apply.

        Raises :class:`MountError` when the page request fails (``http_404``,
        ...), the handshake is refused, or the server refuses the join (its
        error code).
        """
        return _open(cls, SocketLink(url, path, app), timeout, allow_crashes)

    # -- the page ------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """False once the connection (in process: the session) ended, as far as seen."""
        return self._connected

    @property
    def session(self) -> Session:
        """In process only: the server side of this tab (its actors, their render
        counts and state), for white-box assertions. ``RuntimeError`` over a socket
        or while not connected."""
        session = getattr(self._link, "session", None)
        if not isinstance(session, Session):
            raise RuntimeError("the session is reachable only in process, while connected")
        return session

    @property
    def renders(self) -> list[protocol.Render | protocol.Patch]:
        """The received messages that changed a target's content, in order."""
        return [m for m in self.messages if isinstance(m, protocol.Render | protocol.Patch)]

    def html(self, selector: str | None = None) -> str:
        """The view's content as HTML, child actors' content composed in (``selector``:
        the one matching element's outer HTML instead)."""
        if selector is None:
            self._check()
            return self._page.container().inner_html or ""
        return self._one(selector).html or ""

    def text(self, selector: str) -> str:
        """The text of the one element matching ``selector``, whitespace at both ends stripped."""
        return self._one(selector).text().strip()

    def attr(self, selector: str, name: str) -> str | None:
        """Attribute ``name`` of the one element matching ``selector`` (None when absent)."""
        return attribute(self._one(selector), name)

    def exists(self, selector: str) -> bool:
        """Whether the view's container or any element in it matches ``selector``."""
        self._check()
        return bool(self._page.select(selector))

    def version(self, target: str = VIEW) -> int | None:
        """The version of ``target``'s content held, None before its render (or after a gap)."""
        return self._page.version(target)

    def _one(self, selector: str) -> LexborNode:
        self._check()
        nodes = self._page.select(selector)
        if len(nodes) != 1:
            html = self.html()
            shown = html if len(html) <= 600 else html[:600] + "..."
            raise SelectorError(
                f"{selector!r} matched {len(nodes)} elements, expected exactly one; "
                f"the view is: {shown}"
            )
        return nodes[0]

    # -- acting --------------------------------------------------------------

    async def event(
        self,
        handler: str,
        params: dict[str, Any] | None = None,
        /,
        *,
        target: str = VIEW,
        expect_error: bool = False,
        **kwargs: Any,
    ) -> protocol.Ack | protocol.Error:
        """Send event ``handler`` to ``target`` and wait for its reply.

        The parameters are ``params`` and the keyword arguments together (the
        dict for names such as ``target``). Returns the ``Ack`` (``Ack(ref)``
        when the reply came in the patch the event caused), after every patch
        the event caused has been applied. An ``Error`` reply raises
        :class:`EventError` (with ``.code``), unless ``expect_error``: then it
        is returned, and an ``Ack`` raises ``AssertionError`` instead.
        :class:`Disconnected` if the connection ends first.
        """
        self._check()
        values = {**(params or {}), **kwargs}
        ref = next(self._refs)
        await self._send(protocol.Event(ref, handler, values, target))
        reply = await self._reply(ref, f"event {handler!r}")
        if isinstance(reply, protocol.Error):
            if reply.code == protocol.CRASHED:
                self._watch.expect(target)  # the test is told of this crash, here
            if expect_error:
                return reply
            raise EventError(handler, target, reply)
        if expect_error:
            raise AssertionError(f"event {handler!r} was acknowledged; an error was expected")
        return reply

    async def click(
        self, selector: str, *, expect_error: bool = False
    ) -> protocol.Ack | protocol.Error | None:
        """Click the one element matching ``selector``, as the browser's binding does.

        The event is the click binding (``ATTR.CLICK``) of that element or its nearest
        ancestor having one; its params are that element's ``ATTR.VALUE_PREFIX``
        attributes (strings); its target the nearest ``[roost-target]``, else
        the enclosing actor container. Then as :meth:`event`. A binding whose
        value is JS commands (``roost.JS``) sends each of its ``push`` commands
        (the DOM ones run only in a browser) and returns the last one's reply,
        or None when it has none.
        """
        binding = self._binding(selector, ATTR.CLICK)
        return await self._fire(binding, ATTR.CLICK, _values(binding), selector, expect_error)

    async def _fire(
        self,
        binding: LexborNode,
        binding_attr: str,
        params: dict[str, Any],
        selector: str,
        expect_error: bool,
    ) -> protocol.Ack | protocol.Error | None:
        # What the browser does for a binding: send the event it names, or run
        # its JS commands, of which only each `push` reaches the server (the
        # last one's reply is returned; None when there is none).
        value = attribute(binding, binding_attr) or ""
        ops = commands(value)
        if ops is None:
            target = self._target(binding, selector)
            return await self.event(value, params, target=target, expect_error=expect_error)
        reply: protocol.Ack | protocol.Error | None = None
        for kind, args in ops:
            if kind == "push":
                target = args.get("target") or self._target(binding, selector)
                values = {**params, **(args.get("value") or {})}
                reply = await self.event(
                    args["event"], values, target=target, expect_error=expect_error
                )
        return reply

    async def submit(
        self, form_selector: str, *, expect_error: bool = False, **fields: Any
    ) -> protocol.Ack | protocol.Error | None:
        """Submit the one form matching ``form_selector`` (or the form with the
        submit binding around it), as the browser does after the user filled in
        ``fields`` (by field name).

        The params are exactly what the browser's binding sends: every field of
        the form as the page holds it, ``fields`` in place of those, and the
        form's ``ATTR.VALUE_PREFIX`` attributes (a list for a multi-select or a
        checkbox group, a boolean for a lone checkbox without a value). A name
        no field of the form has is a :class:`SelectorError`. Uploads of the
        form's inputs held back (``auto_upload=False``) are sent first. Then as
        :meth:`click`.
        """
        binding = self._binding(form_selector, ATTR.SUBMIT)
        params = {**form_params(binding, fields), **_values(binding)}
        await self._send_held(binding)
        return await self._fire(binding, ATTR.SUBMIT, params, form_selector, expect_error)

    async def change(
        self, selector: str, *, expect_error: bool = False, **fields: Any
    ) -> protocol.Ack | protocol.Error | None:
        """Type into the field (or the form) matching ``selector``, as the
        browser's change binding sends it: the form's fields as the page holds
        them with ``fields`` in their place, the binding's ``ATTR.VALUE_PREFIX``
        attributes, and ``_target``, the name of the field that changed (the
        selector's field, else the first of ``fields``), which a handler gets
        if it has a ``_target`` parameter. Then as :meth:`click`.
        """
        element = self._one(selector)
        binding = closest(element, ATTR.CHANGE)
        if binding is None:
            raise SelectorError(f"{selector!r} has no {ATTR.CHANGE}, nor has any element around it")
        form = element if element.tag == "form" else closest_form(element)
        name = attribute(element, "name") if element.tag != "form" else None
        if form is not None:
            params = form_params(form, fields)
        else:
            params = {name or "": attribute(element, "value") or "", **fields}
        changed = name or next(iter(fields), None)
        if changed is not None:
            params[TARGET_PARAM] = changed
        params.update(_values(binding))
        return await self._fire(binding, ATTR.CHANGE, params, selector, expect_error)

    def follow_redirect(
        self, *, timeout: float | None = None
    ) -> AbstractAsyncContextManager[LiveClient]:
        """Open, as a new client, the page the server last sent this tab to with
        a page load (:attr:`redirected_to`: a ``redirect``, or a navigation to a
        path no view is at), on the same app (in process) or server, with the
        same cookie session and ``allow_crashes``. ``AssertionError`` when the
        tab was not redirected, or was sent to another site.
        """
        to = self.redirected_to
        if to is None:
            raise AssertionError("the view did not redirect (redirected_to is None)")
        opened: AbstractAsyncContextManager[LiveClient] = self._link.follow(
            to, self, timeout if timeout is not None else self.timeout
        )
        return opened

    async def hook_event(
        self, selector: str, event: str, payload: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Push ``event`` from the JS hook on the one element matching
        ``selector``, as its ``this.pushEvent(event, payload)`` does: to that
        element's actor. Returns the handler's reply (the dict it returned, or
        None), once what it caused has been applied. Errors as :meth:`event`."""
        element = self._one(selector)
        ack = await self.event(event, payload or {}, target=self._target(element, selector))
        assert isinstance(ack, protocol.Ack)
        return ack.reply

    async def keydown(
        self, selector: str, key: str, *, expect_error: bool = False
    ) -> protocol.Ack | protocol.Error | None:
        """Press ``key`` (an ``event.key``, such as ``"Enter"``) in the one element
        matching ``selector``, as the browser's key binding does.

        The event is the keydown binding (``ATTR.KEYDOWN``) of that element or
        its nearest ancestor having one. When that element has a key filter
        (``ATTR.KEY``) that ``key`` does not match (case-insensitively), nothing
        is sent and ``None`` is returned. The params are ``key``, the field's
        ``value`` for an input (its attribute) or a textarea (its text), and the element's
        ``ATTR.VALUE_PREFIX`` attributes; the target as for :meth:`click`. Then
        as :meth:`event`.
        """
        return await self._key(selector, key, ATTR.KEYDOWN, expect_error)

    async def keyup(
        self, selector: str, key: str, *, expect_error: bool = False
    ) -> protocol.Ack | protocol.Error | None:
        """Release ``key`` in the one element matching ``selector``: as :meth:`keydown`,
        for the keyup binding (``ATTR.KEYUP``)."""
        return await self._key(selector, key, ATTR.KEYUP, expect_error)

    async def _key(
        self, selector: str, key: str, binding_attr: str, expect_error: bool
    ) -> protocol.Ack | protocol.Error | None:
        binding = self._binding(selector, binding_attr)
        wanted = attribute(binding, ATTR.KEY)
        if wanted is not None and wanted.lower() != key.lower():
            return None
        params: dict[str, Any] = {"key": key}
        if binding.tag == "input":
            params["value"] = attribute(binding, "value") or ""
        elif binding.tag == "textarea":
            params["value"] = binding.text(deep=True)
        params.update(_values(binding))
        return await self._fire(binding, binding_attr, params, selector, expect_error)

    def _binding(self, selector: str, binding_attr: str) -> LexborNode:
        # The element the one match of `selector` sends `binding_attr` events from.
        binding = closest(self._one(selector), binding_attr)
        if binding is None:
            raise SelectorError(
                f"{selector!r} has no {binding_attr}, nor has any element around it"
            )
        return binding

    def _target(self, binding: LexborNode, selector: str) -> str:
        # The nearest [roost-target], else the enclosing actor's container.
        explicit = closest(binding, ATTR.TARGET)
        if explicit is not None:
            target = attribute(explicit, ATTR.TARGET)
        else:
            container = closest(binding, CONTAINER_ATTR)
            target = attribute(container, CONTAINER_ATTR) if container is not None else None
        if target is None:
            raise SelectorError(f"{selector!r} is in no actor's container")
        return target

    async def upload(
        self,
        selector: str,
        *files: str | os.PathLike[str] | tuple[str, bytes],
        chunks: int | None = None,
        external: Uploader | None = None,
    ) -> list[str | None]:
        """Choose ``files`` in the one file input matching ``selector`` (bound
        with ``ATTR.UPLOAD``), as the browser does: their names, sizes and types
        first, then each accepted file in chunks of the upload's ``chunk_size``,
        one at a time, each sent once the last is answered. A file is a path
        (read a chunk at a time) or ``(name, content)``; its type is guessed
        from its name. ``chunks``: stop after that many chunks of each file (a
        cancel half-way). Returns each file's entry ref, None for one refused
        (its errors are on the page). A chunk refused (the entry cancelled) ends
        that file's upload; other errors raise :class:`EventError`.

        For an upload allowed with ``auto_upload=False`` only the check happens
        here; the bytes go when :meth:`submit` submits the input's form, as in
        the browser.

        For an ``external`` upload, ``external(meta, name, content)`` stands for
        the page's uploader: it stores the file where ``meta`` says (or checks
        ``meta``), and returns the progress values (bytes) the uploader reports,
        each then sent as a ``Progress`` (None: just the whole size). Without
        it, such an upload fails the test.
        """
        binding = self._binding(selector, ATTR.UPLOAD)
        return await self._choose(binding, ATTR.UPLOAD, selector, files, chunks, external)

    async def drop(
        self,
        selector: str,
        *files: str | os.PathLike[str] | tuple[str, bytes],
        chunks: int | None = None,
        external: Uploader | None = None,
    ) -> list[str | None]:
        """Drop ``files`` on the one element matching ``selector`` (or the drop
        target around it, ``ATTR.DROP_TARGET``): they go to the upload it names,
        as :meth:`upload` sends them."""
        binding = self._binding(selector, ATTR.DROP_TARGET)
        return await self._choose(binding, ATTR.DROP_TARGET, selector, files, chunks, external)

    async def _choose(
        self,
        binding: LexborNode,
        binding_attr: str,
        selector: str,
        files: tuple[str | os.PathLike[str] | tuple[str, bytes], ...],
        chunks: int | None,
        external: Uploader | None,
    ) -> list[str | None]:
        target = self._target(binding, selector)
        name = attribute(binding, binding_attr) or ""
        infos = [_file_info(f) for f in files]
        self._held.pop((target, name), None)  # a new choice replaces one not sent yet
        ref = next(self._refs)
        await self._send(protocol.Upload(ref, name, infos, target))
        reply = await self._reply(ref, f"upload {name!r}")
        if isinstance(reply, protocol.Error):
            raise EventError(f"upload {name!r}", target, reply)
        answer = reply.reply or {}
        refs: list[str | None] = answer.get("refs", [])
        size = int(answer.get("chunk_size", protocol.MAX_CHUNK_BYTES))
        metas = answer.get("external") or [None] * len(files)
        accepted = [
            (entry, file, meta)
            for file, entry, meta in zip(files, refs, metas, strict=True)
            if entry
        ]
        if any(meta is not None for _, _, meta in accepted) and external is None:
            raise AssertionError(
                f"upload {name!r} is external (straight to storage): pass "
                "external=fn(meta, name, content), standing for the page's uploader"
            )
        job = (target, accepted, size, chunks, external)
        if answer.get("auto") is False:
            self._held[(target, name)] = job
        else:
            await self._send_entries(*job)
        return refs

    async def _send_entries(
        self,
        target: str,
        accepted: list[tuple[str, Any, dict[str, Any] | None]],
        size: int,
        chunks: int | None,
        external: Uploader | None,
    ) -> None:
        for entry, file, meta in accepted:
            if meta is None:
                await self._upload_file(target, entry, _chunks(file, size), chunks)
                continue
            assert external is not None
            filename, content = _content(file)
            reported = external(meta, filename, content)
            if inspect.isawaitable(reported):
                reported = await reported
            for loaded in reported if reported is not None else [len(content)]:
                ref = next(self._refs)
                await self._send(protocol.Progress(ref, entry, loaded, target))
                reply = await self._reply(ref, f"progress of upload entry {entry!r}")
                if isinstance(reply, protocol.Error):
                    if reply.code == protocol.NO_UPLOAD:
                        break  # cancelled
                    raise EventError(f"progress of {entry!r}", target, reply)

    async def _send_held(self, form: LexborNode) -> None:
        # A form's submit first sends the uploads of its inputs held back.
        for (target, name), job in list(self._held.items()):
            selector = f'[{ATTR.UPLOAD}="{name}"], [{ATTR.DROP_TARGET}="{name}"]'
            if not any(self._target(el, selector) == target for el in form.css(selector)):
                continue
            del self._held[(target, name)]
            await self._send_entries(*job)

    async def _upload_file(
        self, target: str, entry: str, pieces: Iterator[bytes], limit: int | None
    ) -> None:
        offset = 0
        for sent, piece in enumerate(pieces):
            if limit is not None and sent >= limit:
                return
            ref = next(self._refs)
            data = base64.b64encode(piece).decode()
            await self._send(protocol.Chunk(ref, entry, offset, data, target))
            reply = await self._reply(ref, f"a chunk of upload entry {entry!r}")
            if isinstance(reply, protocol.Error):
                if reply.code == protocol.NO_UPLOAD:
                    return  # cancelled: the browser stops sending it too
                raise EventError(f"chunk of {entry!r}", target, reply)
            offset += len(piece)

    async def navigate(self, to: str) -> protocol.Ack | protocol.Error:
        """Go to ``to`` (a path with its query, or a URL) without a page load, as a
        ``roost-link`` click or the browser's back and forward do: the address
        becomes ``to``, then the view routed there either takes its params
        (``handle_params``, when it is the tab's view) or is mounted in the
        tab's place. Returns the reply once what it caused has been applied; a
        new view's first render has arrived too. ``to`` no view is routed at
        (or another site's) sets :attr:`redirected_to` instead.
        """
        self._check()
        url = urljoin(self.url, to)
        self.url = url
        ref = next(self._refs)
        await self._send(protocol.Visit(ref, url))
        return await self._reply(ref, f"going to {to!r}")

    async def _reply(self, ref: int, what: str) -> protocol.Ack | protocol.Error:
        # The reply to `ref`, once the patches it answers have applied.
        def replied() -> protocol.Ack | protocol.Joined | protocol.Error | None:
            return self._replies.pop(ref, None)

        reply: protocol.Ack | protocol.Joined | protocol.Error = await self._until(
            replied, f"the reply to {what} (ref {ref})"
        )
        if isinstance(reply, protocol.Joined):
            raise AssertionError(f"{what} was answered as a join: {reply!r}")
        return reply

    async def wait_for(
        self,
        condition: str | Callable[[LiveClient], Any],
        text: str | None = None,
    ) -> Any:
        """Wait until ``condition`` holds, for what the server sends on its own.

        ``condition`` is a CSS selector (some element matches it, and with
        ``text``, one whose stripped text equals it) or a callable given this
        client and returning something truthy, which is then returned (a
        :class:`SelectorError` inside it counts as not yet). It is checked now
        and after each frame received. :class:`WaitTimeout` after the client's
        ``timeout``, :class:`Disconnected` when the connection ends first.
        """
        self._check()
        if isinstance(condition, str):
            selector = condition

            def check() -> Any:
                nodes = self._page.select(selector)
                return any(text is None or n.text().strip() == text for n in nodes)

            what = f"{selector!r}" + ("" if text is None else f" with text {text!r}")
        else:
            if text is not None:
                raise TypeError("text= goes with a selector, not a callable")

            def check() -> Any:
                try:
                    return condition(self)
                except SelectorError:
                    return None

            what = getattr(condition, "__name__", repr(condition))
        return await self._until(check, what)

    async def next_message(self, *types: type[protocol.ServerMessage]) -> protocol.ServerMessage:
        """The oldest received message not yet returned here (of one of ``types``, if given).

        Messages count from the end of the mount (the join's render and ack
        are not returned); each is returned once; ones skipped for not
        matching ``types`` stay for later calls. Waits for the next frames if
        none is there yet.
        """
        self._check()

        def find() -> list[protocol.ServerMessage] | None:
            for index in range(self._read_from, len(self.messages)):
                message = self.messages[index]
                if index in self._taken or (types and not isinstance(message, types)):
                    continue
                self._taken.add(index)
                while self._read_from in self._taken:
                    self._taken.discard(self._read_from)
                    self._read_from += 1
                return [message]
            return None

        what = "the next message" + (f" of {[t.__name__ for t in types]}" if types else "")
        found = await self._until(find, what)
        return found[0]

    # -- faults --------------------------------------------------------------

    async def crash(
        self, target: str = VIEW, *, reason: str = "crash injected by LiveClient.crash"
    ) -> protocol.Render | protocol.Crash:
        """Make actor ``target`` fail (raise :class:`InjectedCrash` in its own task).

        Its supervisor handles that like any failure. Returns the next full
        ``Render`` of ``target`` (it restarted; returns once its components
        rendered too) or the ``Crash`` message (it failed past its restart
        limit), applied to the page. Over a socket this needs
        ``connect(..., app=app)``. ``LookupError`` when the actor is not running.
        """
        self._check()
        ref = self._link.actor_ref(target)
        start = len(self.messages)
        await crash_actor(ref, reason)
        return await self._restarted(target, start)

    async def kill(
        self, target: str = VIEW, *, reason: str = "killed by LiveClient.kill"
    ) -> protocol.Render | protocol.Crash:
        """Stop actor ``target`` at once: its task is cancelled where it is (in a
        handler, a render, a wait), not queued behind its mailbox as :meth:`crash`
        is. Its supervisor handles the exit (``Killed``) as a crash. The client
        messages it was handling or held are answered ``unknown_target``.
        Returns as :meth:`crash` does. ``LookupError`` when it is not running.
        """
        self._check()
        start = len(self.messages)
        self._link.live_session().kill(target, Killed(reason))
        return await self._restarted(target, start)

    async def _restarted(self, target: str, start: int) -> protocol.Render | protocol.Crash:
        def fresh() -> protocol.Render | protocol.Crash | None:
            for message in self.messages[start:]:
                if isinstance(message, protocol.Render | protocol.Crash):
                    if message.target == target:
                        return message
            return None

        message: protocol.Render | protocol.Crash = await self._until(
            fresh, f"{target!r} to restart after its crash"
        )
        if isinstance(message, protocol.Render):
            if target == VIEW:
                # Its components restarted with it; the page keeps their old
                # content meanwhile (as the browser does): wait for their renders.
                children = {
                    attribute(node, CONTAINER_ATTR)
                    for node in self._page.select(f"[{CONTAINER_ATTR}]")
                } - {VIEW, None}

                def rendered() -> bool:
                    seen = {
                        m.target for m in self.messages[start:] if isinstance(m, protocol.Render)
                    }
                    return children <= seen

                await self._until(rendered, f"the components of {target!r} to render again")
            await self._settle()
        return message

    def crash_at(self, target: str, point: Point, *, times: int | None = 1) -> None:
        """Make ``target`` crash (``InjectedCrash``, raised in its own task) the
        next ``times`` times it reaches ``point``: ``"mount"``, ``"update"`` (a
        component's new props), ``"render"``, ``"event"`` (before a handler
        runs) or ``"info"`` (before ``handle_info``); ``times=None``: every
        time, until :meth:`heal` (for restart-limit tests). Armed by target id
        for this tab's session: it covers an actor restarting, or a component
        not placed yet."""
        self._faults().arm(target, point, times)

    def delay_messages(self, target: str, seconds: float) -> None:
        """Every batch of messages reaches ``target`` ``seconds`` late (on Trio's
        clock: ``autojump_clock`` makes it instant); 0 stops it."""
        self._faults().delay(target, seconds)

    def drop_messages(self, target: str, count: int | None = None) -> None:
        """Lose the next ``count`` messages sent to ``target`` (None: all of
        them, until :meth:`heal`). A lost client event is never answered: a
        wait for its reply ends with :class:`WaitTimeout`."""
        self._faults().drop(target, count)

    @asynccontextmanager
    async def full_mailbox(self, target: str = VIEW) -> AsyncIterator[int]:
        """Inside the block, ``target`` handles nothing and its mailbox is full
        (yields its capacity): what the overflow policy does is what the block
        sees (an event is answered ``overloaded``). At the end it handles what
        waited, in order."""
        self._check()
        faults = self._faults()
        ref = self._link.actor_ref(target)
        parked = faults.hold(target)
        try:
            with contextlib.suppress(MailboxFull):
                ref.send(Filler())  # wakes it: it takes what is in, then waits
            await self._bounded(parked.wait(), f"{target!r} to stop taking messages")
            capacity = 0
            with contextlib.suppress(MailboxFull):
                while True:
                    ref.send(Filler())
                    capacity += 1
            yield capacity
        finally:
            faults.release(target)
            # It takes the filler at once: the mailbox has room when the block ends.
            await self._bounded(trio.testing.wait_all_tasks_blocked(), "the mailbox to drain")

    def heal(self, target: str | None = None) -> None:
        """Disarm every crash point and message fault (of ``target``, or all)."""
        self._faults().heal(target)

    def _faults(self) -> Faults:
        tab = self._link.live_session().tab
        if tab.faults is None:
            tab.faults = Faults()
        return tab.faults

    @property
    def network(self) -> NetworkFaults:
        """The faults of this client's connection (:meth:`connect` only): latency
        each way, frames lost, the connection cut while an event is in flight."""
        faults: NetworkFaults | None = getattr(self._link, "network", None)
        if faults is None:
            raise RuntimeError("network faults need a socket: LiveClient.connect(url, ...)")
        return faults

    # -- observing -------------------------------------------------------------------

    @property
    def supervision(self) -> list[SupervisorEvent]:
        """Every supervision event of this tab's actors so far (its sessions'
        supervisors): starts, exits, restarts, escalations, in order."""
        return list(self._watch.events)

    @property
    def crashes(self) -> list[CrashReport]:
        """Every crash of this tab's actors so far, injected or not, in order."""
        return list(self._watch.crashes)

    def restarts(self, target: str | None = None) -> int:
        """How many times ``target`` (or any actor of the tab) was restarted."""
        return self._watch.restarts(target)

    def escalations(self, target: str | None = None) -> int:
        """How many times a supervisor of the tab gave up and failed to its parent
        (past its restart limit, or a child that would not start); with
        ``target``, only the times that actor's failures made it give up."""

        def cause(event: SupervisorEvent) -> str:
            child = getattr(event.exception, "child", None)  # RestartIntensityExceeded's
            return VIEW if child == "view" else str(child)

        return sum(
            1
            for e in self._watch.events
            if e.kind == "escalated" and (target is None or cause(e) == target)
        )

    def mailbox_depth(self, target: str = VIEW) -> int:
        """How many messages wait in ``target``'s mailbox now."""
        return self._link.live_session().mailbox_depth(target)

    def tree(self) -> list[dict[str, Any]]:
        """The tab's actors now: for each, ``target``, ``kind`` (view or
        component), ``state`` (running or restarting), ``restarts``,
        ``mailbox`` (its depth) and ``parent`` (a component's)."""
        rows = self._link.live_session().actors()
        for row in rows:
            row["restarts"] = self.restarts(row["target"])
        return rows

    async def disconnect(self) -> None:
        """Drop the connection, as a network loss would: the server keeps the
        session (every actor, with its state) for the app's ``reconnect_grace``
        seconds. Returns with every frame received before the drop applied and
        :attr:`connected` False."""
        self._check()
        await self._bounded(self._link.disconnect(), "the connection to close")
        await self._until(lambda: not self._connected, "the end of the connection")

    async def reconnect(self) -> None:
        """Join again with the same token, as the browser does after a lost
        connection: within the grace period the session resumes where it was;
        after it, a new session mounts. Returns once the view (and its
        components) rendered."""
        self._check()
        if self._connected:
            raise RuntimeError("still connected: call disconnect() first")
        await self._join()

    # -- internals -----------------------------------------------------------

    async def _join(self) -> None:
        start = len(self.messages)
        self._carried = {}
        self._connected = True  # frames may arrive while the link connects
        self._linking = True
        try:
            token = await self._bounded(self._link.connect(), f"connecting to {self._link.url}")
        except BaseException:
            self._connected = False
            raise
        finally:
            self._linking = False
        deferred, self._deferred = self._deferred, []
        for target in deferred:
            self._tg.start_soon(self._resync, target)
        if token is not None:
            ref = next(self._refs)
            resume = self._link.session_id or ""
            await self._send(protocol.Join(ref, token, self._link.url, resume))
            reply = await self._until(lambda: self._replies.pop(ref, None), "the reply to join")
            if isinstance(reply, protocol.Error):
                await self._bounded(self._link.disconnect(), "the refused socket to close")
                self._connected = False
                raise MountError(reply.code, reply.message)
            if isinstance(reply, protocol.Joined):
                self._link.session_id = reply.session
        if self._link.session_id:
            self._watch.session(self._link.session_id.partition(".")[0])

        def rendered() -> bool:
            # A Render kept as served, or (one the page no longer held) the full one after it.
            return self._page.version(VIEW) is not None and any(
                isinstance(m, protocol.Render) and m.target == VIEW for m in self.messages[start:]
            )

        await self._until(rendered, "the view's first render")
        await self._settle()

    async def _settle(self) -> None:
        """Wait until every actor container on the page has its actor's render."""
        await self._until(
            lambda: not self._page.unfilled(), "the first render of every component on the page"
        )

    async def _leave(self) -> None:
        if self._connected:
            try:
                await self._send(protocol.Leave())
            except Disconnected:
                pass
        await self._link.close()

    async def _send(self, message: protocol.ClientMessage) -> None:
        if not self._connected:
            raise Disconnected(self._close_reason)
        text = protocol.encode(message)
        self.frames.append(Frame(True, text))
        await self._link.send(text)

    def _ask_resync(self, target: str) -> None:
        # In process, a session's first frames arrive while the link still
        # connects (it cannot send yet): those syncs wait until it has.
        if self._linking:
            self._deferred.append(target)
        else:
            self._tg.start_soon(self._resync, target)

    async def _resync(self, target: str) -> None:
        try:
            await self._send(protocol.Sync(next(self._refs), target))
        except Disconnected:
            pass  # the next join renders everything afresh anyway

    async def _bounded(self, awaitable: Any, what: str) -> Any:
        with self._watchdog.deadline(self.timeout):
            return await awaitable
        raise WaitTimeout(f"waited {self.timeout} s for {what}")

    async def _until(self, check: Callable[[], T | None], what: str) -> T:
        with self._watchdog.deadline(self.timeout):
            while True:
                self._raise_failure()
                result = check()
                if result:
                    return result
                if not self._connected:
                    raise Disconnected(f"{self._close_reason} while waiting for {what}")
                await self._changed.wait()
        received = [f.text for f in self.frames if not f.sent][-5:]
        raise WaitTimeout(
            f"waited {self.timeout} s for {what}; the last frames received: {received}"
        )

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _check(self) -> None:
        # At each call of the test: a frame that failed to apply, or an actor
        # crash nobody asked for, fails it there.
        self._raise_failure()
        self._watch.check()

    def _deliver(self, item: str | Closed | Loaded | Lost) -> None:
        """Take one frame (or the end) from the connection, in arrival order."""
        try:
            self._process(item)
        except Exception as exc:  # a frame the browser could not apply: the test must see it
            exc.add_note(f"roost.testing: while applying the frame {item!r}")
            if self._failure is None:
                self._failure = exc
        self._changed.set()
        self._changed = anyio.Event()

    def _process(self, item: str | Closed | Loaded | Lost) -> None:
        if isinstance(item, Lost):
            for message in protocol.decode_server_frame(item.text):
                self._carry(message)
            return
        if isinstance(item, Closed):
            self._connected = False
            self._close_reason = item.reason
            return
        if isinstance(item, Loaded):
            self._page.load(item.page)
            return
        self.frames.append(Frame(False, item))
        for message in protocol.decode_server_frame(item):
            self._apply(message)

    def _carry(self, message: protocol.ServerMessage) -> protocol.ServerMessage:
        # The message with its version filled in if the wire left it off.
        if isinstance(message, protocol.Patch | protocol.Render):
            carried = self._carried
            if isinstance(message, protocol.Patch) and not message.version:
                last = carried.get(message.target)
                if last is not None:  # else a gap: the page asks for a render
                    message = msgspec.structs.replace(message, version=last + 1)
            carried[message.target] = message.version
        return message

    def _apply(self, message: protocol.ServerMessage) -> None:
        message = self._carry(message)
        self.messages.append(message)
        page = self._page
        if isinstance(message, protocol.Render):
            if message.html is not None:
                page.render(message.target, message.version, message.html)
            elif not page.keep(message.target, message.version) and self._connected:
                self._ask_resync(message.target)
        elif isinstance(message, protocol.Patch):
            if not page.patch(message.target, message.version, message.op_list) and self._connected:
                self._ask_resync(message.target)
            for ref in message.acked:  # answered once the patch has applied
                self.replies[ref] = self._replies[ref] = protocol.Ack(ref)
        elif isinstance(message, protocol.Crash):
            page.crash(message.target, message.message)
        elif isinstance(message, protocol.Url):
            self.url = urljoin(self.url, message.to)
        elif isinstance(message, protocol.Navigate):
            self.redirected_to = urljoin(self.url, message.to)
        elif isinstance(message, protocol.Ack | protocol.Joined | protocol.Error):
            self.replies[message.ref] = self._replies[message.ref] = message


@asynccontextmanager
async def _open(
    cls: type[LiveClient], link: _Link, limit: float, allow_crashes: AllowCrashes
) -> AsyncIterator[LiveClient]:
    watchdog = Watchdog()
    async with task_group() as tg:
        await tg.start(watchdog.run)
        client = cls(link, limit, tg, watchdog, allow_crashes)
        link.bind(tg, client._deliver)
        client._watch.start()
        try:
            await client._join()
            client._read_from = len(client.messages)
            yield client
            # What the test's last action set off has run its course (a crash
            # it caused included) before the test is told it passed.
            with watchdog.deadline(limit):
                await trio.testing.wait_all_tasks_blocked()
            client._check()
        except BaseException:
            await _close(client, watchdog, limit)
            raise
        finally:
            client._watch.stop()
        if not await _close(client, watchdog, limit):
            raise WaitTimeout(f"waited {limit} s for the session to end when the block ended")


async def _close(client: LiveClient, watchdog: Watchdog, limit: float) -> bool:
    """Leave and end the session, shielded; False if that took longer than ``limit``."""
    with anyio.CancelScope(shield=True), watchdog.deadline(limit) as scope:
        await client._leave()
    return not scope.cancelled_caught


def _file_info(file: str | os.PathLike[str] | tuple[str, bytes]) -> protocol.FileInfo:
    # What the browser tells of a chosen file: name, size, type (by its name).
    if isinstance(file, tuple):
        name, size = file[0], len(file[1])
    else:
        name, size = os.path.basename(file), os.path.getsize(file)
    return protocol.FileInfo(name, size, mimetypes.guess_type(name)[0] or "")


def _content(file: str | os.PathLike[str] | tuple[str, bytes]) -> tuple[str, bytes]:
    # A file's name and all its bytes (for an external upload's stand-in uploader).
    if isinstance(file, tuple):
        return file[0], file[1]
    with open(file, "rb") as f:
        return os.path.basename(file), f.read()


def _chunks(file: str | os.PathLike[str] | tuple[str, bytes], size: int) -> Iterator[bytes]:
    # A file's bytes, `size` at a time (a path is read a chunk at a time).
    if isinstance(file, tuple):
        content = file[1]
        for start in range(0, len(content), size):
            yield content[start : start + size]
        return
    with open(file, "rb") as f:
        while piece := f.read(size):
            yield piece


def _values(binding: LexborNode) -> dict[str, str]:
    """The element's ``ATTR.VALUE_PREFIX`` attributes as event params (strings)."""
    return {
        name[len(VALUE_PREFIX) :]: "" if value is None else value
        for name, value in binding.attributes.items()
        if name.startswith(VALUE_PREFIX)
    }
