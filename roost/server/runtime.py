# The app's root supervision tree, as drawn in DESIGN.md: pubsub, store, the
# sessions dynamic supervisor and (under `roost run`) the HTTP server.
from __future__ import annotations

import contextlib
import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import anyio
import anyio.abc
import hypercorn.config
import hypercorn.trio
import trio

from .. import pubsub, store, telemetry
from ..actors import RECORD, Kick, Registry, Session, Snapshots, Transport, key_hash
from ..supervisor import (
    ChildNotFound,
    ChildSpec,
    DynamicSupervisor,
    MaxChildrenReached,
    NotRunning,
    Supervisor,
    events,
)
from .errors import crash_notice
from .limits import AddressLimits

if TYPE_CHECKING:
    from .app import App
    from .hypercorn_guard import GuardedConfig

log = logging.getLogger("roost.server")

B = TypeVar("B")


class ServerFull(Exception):
    """No room for a new session: ``App(max_sessions)`` sessions, each with its tab connected.

    A tab refused so is told ``server_full`` and its socket is closed with
    1013 (try again later); the browser backs off and tries again.
    """


def pubsub_factory(choice: object) -> Callable[[], pubsub.PubSub]:
    """What makes each runtime's pubsub, for ``App(pubsub=choice)``; see :func:`_factory`."""
    return _factory("pubsub", choice, pubsub.PubSub, pubsub.backend)


def store_factory(choice: object) -> Callable[[], store.Store]:
    """What makes each runtime's state store, for ``App(store=choice)``; see :func:`_factory`."""
    return _factory("store", choice, store.Store, store.backend)


def _factory(
    kind: str, choice: object, interface: type, make: Callable[[str | None], B]
) -> Callable[[], B]:
    """A function giving each new runtime its ``kind`` backend, as ``choice`` says.

    ``None`` or a URL: a new backend from ``make(url)`` each time (the URL is
    tried once here, so a bad one is a ``ValueError`` at once). An instance
    of ``interface`` (a backend object): that very object each time. Anything
    else, a backend class included, is a ``TypeError``.
    """
    if choice is None or isinstance(choice, str):
        url = choice
        if url is not None:
            make(url)  # a URL that names no backend is refused now, not at start-up
        return lambda: make(url)
    if isinstance(choice, type):
        raise TypeError(
            f"{kind} must be a backend object, not the class {choice.__name__} "
            f"(pass {choice.__name__}(...))"
        )
    if not isinstance(choice, interface):
        raise TypeError(
            f"{kind} must be a backend URL (str), a {interface.__name__} backend object "
            f"or None, not {type(choice).__name__}"
        )
    backend = cast(B, choice)
    return lambda: backend


class Runtime:
    """The running tree of one app in one process.

    ``run`` starts it under the caller's task group and reports ``started``
    once every child is up (the HTTP server listening, when ``bind`` is
    given). Cancelling the caller stops it in reverse order; a failure past
    the root's restart intensity is raised out of ``run``.
    """

    def __init__(self, app: App, bind: str | None = None, admin_bind: str | None = None) -> None:
        self.app = app
        self.bind = bind
        self.admin_bind = admin_bind
        """Where the admin endpoint (``roost tree``) listens, if anywhere; it is
        served only when the app's secret is configured (``ROOST_SECRET``)."""
        self.admin_urls: list[str] = []
        self.urls: list[str] = []
        self.pubsub = app.new_pubsub()
        self.store = app.new_store()
        self.names = Registry()
        self._sessions: dict[str, Session] = {}
        """Every session started and not ended yet, oldest first."""
        self._evicting: set[str] = set()
        self.sessions_started = 0
        """How many sessions have been started since the runtime was made (``roost
        run`` collects garbage once many of them are gone)."""
        self.addresses = AddressLimits(app.address_rate, app.max_pending_joins)
        """What the sockets of each client address may do together."""
        self.sessions = DynamicSupervisor(max_children=app.max_sessions, name="sessions")
        self.sessions.progress_level = logging.DEBUG  # a session began or ended: no news
        children = [
            ChildSpec("pubsub", self.pubsub.run),
            ChildSpec("store", self.store.run),
            *app.children,
            self.sessions.child_spec(id="sessions"),
        ]
        if bind is not None:
            children.append(ChildSpec("http", self._serve_http))
        if admin_bind is not None and app.signer.configured:
            children.append(ChildSpec("admin", self._serve_admin))
        # Named "": supervisor names are paths, and the root's children are at the top.
        self.root = Supervisor(children, strategy="one_for_one", name="")

    async def start_session(
        self,
        claims: dict[str, Any],
        transport: Transport,
        *,
        resume: str = "",
        kick: Kick | None = None,
    ) -> Session:
        """The session for a verified token's ``claims``, now sending to ``transport``.

        ``resume`` is what the ``Joined`` of this tab's earlier join gave it
        (``resume_token``): if that session still runs (the tab reconnected
        within the grace period) it is attached to ``transport`` and carries on
        with its state, and the socket it had is closed with its ``kick``. The
        session's id alone resumes nothing: the token's secret half must match.
        Otherwise a new session mounts, at the URL the page was served for
        (signed in the claims, so the view's ``handle_params`` sees what the
        dead render saw, never a string the client chose). Raises
        ``LookupError`` when no view is routed at the claimed path, and
        whatever the view's start raised otherwise.
        """
        route = claims.get("r", "")
        previous = self._resumable(resume)
        carried = None if previous is not None else await self._resumable_elsewhere(resume, route)
        if previous is not None and previous.route == route:
            await previous.wait_ready()
            if not previous.ended:
                await previous.attach(transport, kick)
                if not previous.ended:
                    _joined(previous, resumed=True)
                    return previous
        match = self.app.router.match(route)
        if match is None:
            raise LookupError(f"no view is routed at {route!r}")
        view_class = match.view
        params = {**claims.get("p", {}), **match.path_params}
        await self._make_room()
        session_id = secrets.token_hex(6)
        while session_id in self._sessions:
            session_id = secrets.token_hex(6)
        resume_key = None
        if carried is not None:
            # Its process is gone; its snapshots are in the shared store: the
            # same session (id, resume key) carries on here.
            session_id, resume_key = carried
        session = Session(
            session_id,
            view_class,
            params,
            claims.get("s") or {},
            transport,
            url=claims.get("u", route),
            route=route,
            pubsub=self.pubsub,
            names=self.names,
            grace=self.app.reconnect_grace,
            max_restarts=self.app.max_restarts,
            max_seconds=self.app.max_seconds,
            kick=kick,
            resolve=self.app.resolve,
            href=self.app.href,
            links=self.app.links,
            sign_flash=self.app.sign_flash,
            flash=claims.get("f"),
            snapshots=self._snapshots_of,
            resume_key=resume_key,
            crash_notice=functools.partial(crash_notice, dev=self.app.debug),
        )
        # What the page holds as served, by target (the dead render's fingerprints,
        # signed into the token): each actor's first render takes its entry.
        served = claims.get("h")
        if isinstance(served, dict) and served:
            session.tab.served = dict(served)
        # Known before it has started, so that a quick rejoin waits for it.
        self._sessions[session.id] = session
        self.sessions_started += 1
        session.when_ended(lambda: self._forget(session))
        try:
            await session.start(self.sessions)
        except MaxChildrenReached:
            # A session that ended by itself is gone from here a moment before
            # its supervisor has dropped it; the tab tries again.
            raise ServerFull(self.full_text()) from None
        _joined(session, resumed=False)
        return session

    def full(self) -> bool:
        """Whether a new tab would be refused now: ``max_sessions`` sessions, and not
        one of them without a socket (waiting out its grace) to make room."""
        limit = self.app.max_sessions
        return limit is not None and len(self._sessions) >= limit and self._detached() is None

    async def _make_room(self) -> None:
        """Make room for one more session, or raise :class:`ServerFull`.

        Sessions waiting out their reconnect grace count towards
        ``max_sessions`` (they hold their memory); when there are that many,
        the oldest of them without a socket is ended for the new tab, which
        is what its grace period would have come to. Only when every session
        has its tab connected is the new one refused.
        """
        limit = self.app.max_sessions
        while limit is not None and len(self._sessions) >= limit:
            victim = self._detached()
            if victim is None:
                raise ServerFull(self.full_text())
            log.info("%d sessions: ending %s, which has no socket, to make room", limit, victim.id)
            self._evicting.add(victim.id)
            try:
                await self.end_session(victim)
            finally:
                self._evicting.discard(victim.id)
            if not victim.ended:  # the sessions are shutting down
                raise ServerFull(self.full_text())

    def _detached(self) -> Session | None:
        """The oldest session without a socket that no other join is ending, if any."""
        for session in self._sessions.values():
            if not session.attached and not session.ended and session.id not in self._evicting:
                return session
        return None

    def full_text(self) -> str:
        """What a refused tab is told."""
        return f"the server is full ({self.app.max_sessions} sessions); try again later"

    async def end_session(self, session: Session) -> None:
        """Stop ``session`` (a normal exit); nothing if it already ended."""
        if not session.ended and self.sessions.running:
            with contextlib.suppress(ChildNotFound, NotRunning):
                await self.sessions.terminate_child(session.id)

    async def wait_session_gone(self, session_id: str) -> None:
        """Return once ``session_id`` is no longer a child of ``sessions``.

        A dynamic supervisor drops a child in the same step as it reports its
        ``exited`` or ``shutdown`` event, so this waits on those, not the clock.
        """
        session_id = session_id.partition(".")[0]
        if not self.sessions.running:
            return
        with events.listen(self.sessions.name) as recorder:
            seen = 0
            while self.sessions.running and any(
                child == session_id for child, _, _ in self.sessions.which_children()
            ):
                seen += 1
                await recorder.wait_for(child=session_id, count=seen)

    def live_sessions(self) -> list[Session]:
        """Every session running now, oldest first."""
        return list(self._sessions.values())

    def session(self, session_id: str) -> Session | None:
        """The running session with this id (or resume token), if any."""
        return self._sessions.get(session_id.partition(".")[0])

    def _resumable(self, resume: str) -> Session | None:
        session_id, _, key = resume.partition(".")
        session = self._sessions.get(session_id) if key else None
        if session is None or not hmac.compare_digest(key, session.resume_key):
            return None
        return session

    def _snapshots_of(self, session: Session) -> Snapshots:
        # A tab's snapshots, made when one of its actors first persists.
        record = {"route": session.route, "key": key_hash(session.resume_key)}
        secret = self.app.signer.secrets[0]
        return Snapshots(self.store, session.id, secret, self.app.snapshot_limit, record)

    async def _resumable_elsewhere(self, resume: str, route: str) -> tuple[str, str] | None:
        # A session another process ran (it died, or this is a new worker behind
        # the load balancer) whose record is in the shared store: (id, key).
        session_id, _, key = resume.partition(".")
        if not session_id or not key or session_id in self._sessions:
            return None
        probe = Snapshots(self.store, session_id, self.app.signer.secrets[0])
        record = await probe.load(RECORD)
        if record is None or record.get("route") != route:
            return None
        if not hmac.compare_digest(str(record.get("key", "")), key_hash(key)):
            return None
        log.info("session %s: resuming the state another process kept", session_id)
        return session_id, key

    def _forget(self, session: Session) -> None:
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]
            if telemetry.active():
                telemetry.emit(telemetry.Measurement("leave", meta={"session": session.id}))

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        self.app.runtime = self
        try:
            await self.root.run(task_status=task_status)
        finally:
            self.app.runtime = None

    async def stop(self) -> None:
        """Stop gracefully, as a deploy does: the listener first, then every session
        at once, each view asked to stop (it handles what it holds, then its
        ``terminate`` runs), then the app's own children and the backends. The
        sessions' snapshots are kept: their tabs may resume on another worker."""
        for session in self._sessions.values():
            session.keep_snapshots = True
        await self.root.stop()

    async def _serve_http(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        from .deferred import DeferredWrites
        from .http1 import DirectRequests
        from .websocket import DirectSockets

        assert self.bind is not None
        config = _hypercorn_config(self.bind, idle_timeout=getattr(self.app, "idle_timeout", 75.0))
        # roost's socket on the connection itself, not through ASGI (websocket.py).
        deferred = DeferredWrites()
        config.direct = DirectSockets(self.app, self.app.socket_path, deferred)
        # and its pages' GETs on the connection too (http1.py).
        config.requests = DirectRequests(self.app, config.write_timeout)

        class _Started:
            def started(inner, urls: list[str] | None = None) -> None:
                self.urls = list(urls or [])
                task_status.started(self.urls)

        trio.lowlevel.add_instrument(deferred)
        try:
            await hypercorn.trio.serve(self.app, config, task_status=_Started())  # type: ignore[arg-type]
        finally:
            with contextlib.suppress(KeyError):  # (Trio removes an instrument that raised)
                trio.lowlevel.remove_instrument(deferred)

    async def _serve_admin(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        from .admin import AdminEndpoint

        assert self.admin_bind is not None
        config = _hypercorn_config(self.admin_bind, idle_timeout=None)

        class _Started:
            def started(inner, urls: list[str] | None = None) -> None:
                self.admin_urls = list(urls or [])
                task_status.started(self.admin_urls)

        endpoint = AdminEndpoint(self, self.app.signer.secrets)
        await hypercorn.trio.serve(endpoint, config, task_status=_Started())  # type: ignore[arg-type]


def _hypercorn_config(bind: str, *, idle_timeout: float | None) -> GuardedConfig:
    """hypercorn's configuration under `roost run`: every per-connection bound it takes.

    The limits and their reasons are in ``hypercorn_guard`` (and
    docs/security.md); the guard it installs adds those hypercorn cannot be
    configured for. ``idle_timeout`` is the app's (a socket silent that long
    is closed by roost); hypercorn's own read timeout stays above it.
    """
    from . import hypercorn_guard as guard

    guard.install()
    config = guard.GuardedConfig()
    config.bind = [bind]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.graceful_timeout = 2.0
    config.websocket_max_message_size = guard.MAX_MESSAGE
    config.websocket_max_frames = guard.MAX_FRAMES_PER_MESSAGE
    config.h11_max_incomplete_size = guard.MAX_HEAD
    config.keep_alive_timeout = guard.HEAD_TIMEOUT
    config.max_app_queue_size = guard.APP_QUEUE
    config.read_timeout = (
        None if idle_timeout is None else int(idle_timeout + guard.READ_TIMEOUT_MARGIN)
    )
    return config


def _joined(session: Session, *, resumed: bool) -> None:
    if telemetry.active():
        meta = {"session": session.id, "resumed": resumed}
        telemetry.emit(telemetry.Measurement("join", meta=meta))
