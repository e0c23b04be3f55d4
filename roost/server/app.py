# The ASGI application: the dead render over HTTP, the client's files, the
# WebSocket (socket.py), and lifespan for servers other than `roost run`.
from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import anyio
import anyio.abc
import sniffio
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute
from starlette.routing import Router as StarletteRouter

from .. import protocol
from .._dev import dev_mode
from ..actors import SNAPSHOT_LIMIT, LiveView, dead_page
from ..pubsub import PubSub
from ..render import below_mount, served_fingerprints
from ..render.environment import set_auto_reload
from ..store import Store
from ..supervisor import ChildSpec
from .errors import dev_error_page
from .hosts import HostCheck
from .layout import Layout, calling_folder, page_title, provide_static_url
from .routing import Router, query_params, signable
from .runtime import pubsub_factory, store_factory
from .socket import serve_socket
from .static import StaticFiles, respond_client
from .tokens import BadToken, TokenSigner

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger("roost.server")

# Where a page's token goes until it is signed (the signed token, URL-safe
# base64, needs no escaping in the attribute either).
_TOKEN_MARK = f"roost-token-{secrets.token_hex(8)}"

PREFIX = "/_roost"
"""Path prefix of roost's own routes: the client files and the WebSocket."""

SOCKET_PATH = PREFIX + "/socket"

SHUTDOWN_TIMEOUT = 10.0
"""Seconds a host's shutdown leaves the sessions to stop gracefully (each view's
``terminate`` runs) before the rest of the supervision tree is cancelled."""

ERROR_PAGE = (
    b"<!DOCTYPE html><title>Server error</title>"
    b"<p>Something went wrong on the server. Reload the page to try again.</p>"
)


class App:
    """A roost application: routes from URL paths to LiveView classes.

    A tab whose socket drops keeps its session (every actor, with its state)
    for ``reconnect_grace`` seconds; the browser rejoins it when it
    reconnects. Each session's supervisors (its view's, its components') allow
    ``max_restarts`` restarts within ``max_seconds`` before they give up (a
    components supervisor then fails to the view, which re-mounts; a view
    past it ends the session and its page shows an error). ``children`` are
    the app's own services (child specs), started under the root supervisor
    after pubsub and store and before the sessions. ``App`` is an ASGI
    callable. ``roost run module:app`` serves it under the supervision tree;
    any other ASGI server works too, in which
    case the tree is started by the ASGI lifespan, by the host's lifespan
    (``FastAPI(lifespan=app.lifespan)``), or else by the first request.
    Mounted under a path (``Mount("/live", app=app)``), the app serves
    everything below it (docs/guide.md, "Mounting in Starlette or FastAPI").

    ``dashboard``: the path to serve the live dashboard at (``"/dev/dashboard"``, say;
    off unless given;
    docs/operations.md), asking for the server's secret whenever it has one.

    The page (docs/guide.md, "Layout and static files"): ``layout`` names the
    app's root layout, a Jinja2 template wrapping every view (default:
    roost's own page shell); ``title`` is the page title of a view without a
    ``page_title``. ``static_dir`` is a folder served under ``static_path``
    (``/static``), its ``favicon.ico`` at ``/favicon.ico``; templates get
    ``static_url(name)`` for its files' digested URLs. Relative paths in
    ``layout`` and ``static_dir`` are from the folder of the module that
    creates the ``App``. A missing file or a layout that does not place the
    view is a ``ValueError`` here, at start-up.

    ``debug`` turns dev mode on or off (docs/guide.md, "Dev mode"); None: on
    when ``ROOST_ENV=dev``.

    The backends (docs/testing.md, "Failing backends"): ``pubsub`` and
    ``store`` are each None (the in-memory one, the default), a backend URL
    (``"memory://"``, given to ``roost.pubsub.backend`` or
    ``roost.store.backend``) or a backend object (a
    :class:`~roost.pubsub.PubSub`, a :class:`~roost.store.Store`). A URL
    gives every start of the app's tree a new backend; an object is used as
    it is by every start, so a test can hold it (a
    ``roost.testing.FaultyPubSub``, say). A URL no backend serves is a
    ``ValueError`` here, anything else (a backend class, another object) a
    ``TypeError``.

    What a client may do (docs/security.md says why each limit is there):

    - ``allowed_hosts``: the ``Host`` names served (a leading dot matches
      subdomains, ``"*"`` any); others get 400, and their sockets are
      refused. Default: ``ROOST_ALLOWED_HOSTS`` (comma separated), else the
      loopback names only.
    - ``check_origin``: a socket's ``Origin`` must be this server's own
      scheme, host and port.
    - ``event_rate = (per_second, burst)`` messages per socket, and
      ``address_rate`` per client address across its sockets; more are
      refused with ``rate_limited``. ``max_pending_joins`` sockets per address
      may be open without having joined; a socket must join within
      ``join_timeout`` seconds, and is closed after ``idle_timeout`` seconds
      without a frame (either up to an eighth of it, at most 5 s, later).
    - ``outbox_bytes``: what the server keeps waiting for one socket; a
      socket that falls further behind is cut off (it reconnects and resyncs).
    - ``max_sessions``: sessions in this process (None: no limit), those
      waiting out their reconnect grace included. When there are that many,
      the oldest session without a socket is ended to make room for a new
      tab; when every one has its tab connected, a new tab's socket is
      refused with ``server_full`` and closed with 1013 (try again later).
    """

    def __init__(
        self,
        routes: Mapping[str, type[LiveView]],
        *,
        secret: str | Sequence[str] | None = None,
        title: str = "roost",
        max_sessions: int | None = 10_000,
        check_origin: bool = True,
        children: Sequence[ChildSpec] = (),
        reconnect_grace: float = 30.0,
        max_restarts: int = 3,
        max_seconds: float = 5.0,
        event_rate: tuple[float, int] = (50.0, 200),
        address_rate: tuple[float, int] | None = (200.0, 800),
        max_pending_joins: int | None = 8,
        join_timeout: float = 10.0,
        idle_timeout: float = 75.0,
        outbox_bytes: int = 1024 * 1024,
        allowed_hosts: Sequence[str] | None = None,
        http_routes: Sequence[BaseRoute] = (),
        session_cookie: str = "roost_session",
        layout: str | os.PathLike[str] | None = None,
        static_dir: str | os.PathLike[str] | None = None,
        static_path: str = "/static",
        debug: bool | None = None,
        pubsub: str | PubSub | None = None,
        store: str | Store | None = None,
        dashboard: str | None = None,
        snapshot_limit: int = SNAPSHOT_LIMIT,
    ) -> None:
        self.routes = dict(routes)
        self.snapshot_limit = snapshot_limit
        """Bytes an actor's snapshot may take (``persist``); past it, it is not saved."""
        self.dashboard = dashboard
        """The path of the live dashboard (docs/operations.md), if it is on."""
        if dashboard is not None:
            from ..dashboard import dashboard_view  # only for apps that turn it on

            if not dashboard.startswith("/") or dashboard.startswith(PREFIX + "/"):
                raise ValueError(
                    f"dashboard={dashboard!r}: a path of the app's own, such as "
                    f'"/dev/dashboard" (not below {PREFIX}/, which serves roost\'s client)'
                )

            self.routes[dashboard] = dashboard_view(self)
        self.http = StarletteRouter(routes=list(http_routes)) if http_routes else None
        """The app's plain HTTP endpoints (Starlette routes), for paths no view is at."""
        self.router = Router(self.routes)
        """The routes compiled (a malformed pattern is a ``ValueError`` here, at start-up)."""
        self.signer = TokenSigner(secret)
        # The cookie session, unless a host app's SessionMiddleware gave one.
        dispatch: Any = self._dispatch
        self._with_session = SessionMiddleware(
            dispatch, secret_key=self.signer.cookie_secret, session_cookie=session_cookie
        )
        self.title = title
        self.max_sessions = max_sessions
        self.check_origin = check_origin
        self.children = list(children)
        self.reconnect_grace = reconnect_grace
        if max_restarts < 0 or max_seconds <= 0:
            raise ValueError("max_restarts must be >= 0 and max_seconds > 0")
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self.event_rate = event_rate
        self.address_rate = address_rate
        self.max_pending_joins = max_pending_joins
        self.join_timeout = join_timeout
        self.idle_timeout = idle_timeout
        self.outbox_bytes = outbox_bytes
        self.hosts = HostCheck(allowed_hosts)
        self.new_pubsub = pubsub_factory(pubsub)
        """Gives each start of the tree its pubsub backend (``pubsub``)."""
        self.new_store = store_factory(store)
        """Gives each start of the tree its state store (``store``)."""
        self.runtime: Runtime | None = None
        self._started_lazily: anyio.Event | None = None
        """Set once a tree started by a request is up (None: none was started so)."""
        self._root_seen: str | None = None
        """The mount point of the last request (None before the first)."""
        self._warned_two_roots = False
        self.debug = dev_mode(debug)
        """Dev mode: templates re-read when their file changes, a failed page shows its error."""
        set_auto_reload(self.debug)
        folder = calling_folder()
        self.static = None if static_dir is None else StaticFiles(folder / static_dir, static_path)
        """The app's static folder (``static_dir``), or None."""
        self.layout = Layout(layout, folder=folder, prefix=PREFIX, static=self.static)
        """The page shell every view is served in (``layout``, else roost's own)."""
        if self.debug:  # open pages follow their templates' edits
            from .._reload import TemplateWatcher  # watchfiles: only a dev server needs it

            self.children.append(TemplateWatcher(self).child_spec())
        if self.static is not None:
            provide_static_url(self.static, folder, self.routes.values())

    socket_path = SOCKET_PATH
    """Where a page's socket connects, below the app's mount point."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            self._mounted_at(mount_root(scope))
            started = self._started_lazily
            if self.runtime is None or (started is not None and not started.is_set()):
                # No lifespan came (a Starlette or FastAPI host does not forward it).
                await self._start_lazily()
            # The cookie session is the page request's: a socket's comes signed in
            # its token, so a socket needs no cookie middleware (nor its memory).
            if scope["type"] == "http" and "session" not in scope:
                await self._with_session(scope, receive, send)
                return
        await self._dispatch(scope, receive, send)

    async def _dispatch(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            if route_path(scope) == SOCKET_PATH:
                await serve_socket(self, scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1008, "reason": "not found"})
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # -- HTTP ----------------------------------------------------------------

    def answers_reads(self, path: str) -> bool:
        """Whether a GET or HEAD of ``path`` (below the mount point) is answered
        by roost itself, with a page, a static file, its client or a 404, and
        never by the app's ``http`` endpoints (which may stream or read on)."""
        if self.http is None or path.startswith(PREFIX + "/"):
            return True
        if self.static is not None and self.static.name_of(path):
            return True
        return self.router.match(path) is not None

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        host = self.hosts.refusal(scope)
        if host is not None:
            log.warning("http request refused: %s", host)
            await _respond(send, 400, host.encode(), "text/plain; charset=utf-8")
            return
        path = route_path(scope)
        reading = scope["method"] in ("GET", "HEAD")
        if reading and self.static is not None and (name := self.static.name_of(path)):
            await self.static.respond(scope, send, name)
            return
        match = self.router.match(path)
        if self.http is not None and not (match and reading) and not path.startswith(PREFIX + "/"):
            # The app's own endpoints: a path no view or file is at, or another
            # method than a page's (a login form's POST to its own page's path).
            # (`answers_reads` says the same of a GET, for roost's own HTTP path.)
            await self.http(scope, receive, send)
            return
        if not reading:
            await _respond(send, 405, b"method not allowed", "text/plain")
            return
        if path.startswith(PREFIX + "/"):
            await respond_client(scope, send, path[len(PREFIX) + 1 :])
            return
        if match is None:
            await _respond(send, 404, b"not found", "text/plain")
            return
        if match.route.pattern == self.dashboard and not self._may_see_dashboard(scope):
            await _respond(
                send,
                401,
                b"the dashboard needs the server's secret",
                "text/plain",
                no_store=True,
                extra=dashboard_challenge(),
            )
            return
        query = scope.get("query_string", b"").decode("latin-1")
        params = {**query_params(query), **match.path_params}
        flash, had_cookie = self._take_flash(scope)
        session = dict(scope.get("session") or {})
        try:
            html = await self.dead_render(
                path, match.view, params, url=request_url(scope), session=session, flash=flash
            )
        except PageRedirect as redirect:
            await _redirect(send, app_href(mount_root(scope), redirect.to))
            return
        except Exception as exc:
            log.exception("the dead render of %s failed", path)
            page = dev_error_page(exc, path=path) if self.debug else ERROR_PAGE
            await _respond(send, 500, page, "text/html; charset=utf-8", no_store=True)
            return
        # The page carries a session token: never share it through a cache.
        # A flash is shown once: its cookie goes with the page that showed it.
        cleared = [(b"set-cookie", _CLEAR_FLASH)] if had_cookie else []
        await _respond(
            send, 200, html.encode(), "text/html; charset=utf-8", no_store=True, extra=cleared
        )

    def _may_see_dashboard(self, scope: dict[str, Any]) -> bool:
        from ..dashboard import allowed

        return allowed(scope, self.signer.secrets, self.signer.configured, self.debug)

    def sign_flash(self, flash: dict[str, str]) -> str:
        """The token of ``flash`` for the cookie a redirect's next page reads."""
        return self.signer.sign({"flash": flash})

    def _take_flash(self, scope: dict[str, Any]) -> tuple[dict[str, str], bool]:
        # What the page before asked this one to show: a redirect's cookie
        # (FLASH_COOKIE), or `session["_flash"]` from a plain HTTP endpoint
        # (a login); taken, so that it shows once. And whether the cookie came.
        flash: dict[str, str] = {}
        token = _cookie(scope, protocol.FLASH_COOKIE)
        if token:
            try:
                claims = self.signer.verify(token)
            except BadToken:
                claims = {}
            value = claims.get("flash")
            if isinstance(value, dict):
                flash.update({str(k): str(v) for k, v in value.items()})
        session = scope.get("session")
        if isinstance(session, dict) and isinstance(session.get("_flash"), dict):
            flash.update({str(k): str(v) for k, v in session.pop("_flash").items()})
        return flash, token is not None

    async def dead_render(
        self,
        path: str,
        view_class: type[LiveView],
        params: dict[str, str],
        *,
        url: str | None = None,
        session: dict[str, Any] | None = None,
        flash: dict[str, str] | None = None,
    ) -> str:
        """The whole page for ``path``: the view mounted and rendered once, plus its token.

        ``url`` is the page's whole URL (``http://localhost`` + ``path`` if not
        given): the view's ``handle_params`` gets it here and, signed into the
        token, again when the page's socket joins. ``session`` is the request's
        cookie session: ``mount`` gets it here and, signed into the token, once
        connected. Raises :class:`PageRedirect` when an ``on_mount`` hook or
        ``mount`` redirected.
        """
        url = url if url is not None else f"http://localhost{path}"
        session = session or {}
        dead = await dead_page(view_class, params, url, session, flash)
        if dead.redirect is not None:
            raise PageRedirect(dead.redirect)
        content = self.links(dead.html)
        title = page_title(dead.view, self.title)

        # One layout render: the token goes in place of a marker once signed.
        page = self.layout.render(content, _TOKEN_MARK, page_title=title, title=self.title)
        claims: dict[str, Any] = {"r": path, "p": signable(params), "u": url}
        if session:
            claims["s"] = session
        if flash:
            claims["f"] = flash  # the connected mount shows what the page showed
        # What each actor's container holds once the page has loaded (the token
        # does not change it): a join whose first render of an actor is exactly
        # that sends a version instead of the content again (docs/protocol.md).
        served = served_fingerprints(page)
        if served:
            claims["h"] = served
        return page.replace(_TOKEN_MARK, self.signer.sign(claims), 1)

    # -- lifespan ------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def lifespan(self, host: object = None) -> AsyncIterator[None]:
        """Run the app's supervision tree for the duration of an ``async with``.

        For a host that does not forward the ASGI lifespan to the apps it
        mounts (Starlette and FastAPI do not): ``FastAPI(lifespan=app.lifespan)``,
        or ``async with app.lifespan(): ...`` inside the host's own lifespan.
        (``host``, the host app Starlette passes, is not used.) The tree is up
        when the block starts; when it ends, the tree stops gracefully (each
        view's ``terminate`` runs) within ``SHUTDOWN_TIMEOUT`` seconds and
        whatever is left is cancelled. A tree that runs already (``roost run``,
        or one a request started) is left as it is. A failure of the tree past
        its root's restart intensity is raised out of the block.
        """
        if self.runtime is not None:
            yield
            return
        from .runtime import Runtime

        runtime = Runtime(self)
        async with anyio.create_task_group() as tg:
            await tg.start(runtime.run)
            try:
                yield
            finally:
                with anyio.CancelScope(shield=True):
                    await _stop(runtime)
                tg.cancel_scope.cancel()

    async def _lifespan(self, receive: Any, send: Any) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup"
        started = False
        try:
            async with self.lifespan():
                started = True
                await send({"type": "lifespan.startup.complete"})
                message = await receive()
        except Exception as exc:
            log.exception("the supervision tree failed")
            failed = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
            await send({"type": failed, "message": f"{type(exc).__name__}: {exc}"})
            return
        await send({"type": "lifespan.shutdown.complete"})

    async def _start_lazily(self) -> None:
        """Start the supervision tree in the background (once) and wait until it is up.

        For a host that never sent the lifespan: the first request starts it,
        concurrent ones wait for the same start. It runs in a task of the
        event loop's own (Trio's system task, an asyncio task), since no
        request outlives its response. It ends with the event loop: when the
        loop's end cancels it (Trio's run, ``asyncio.run``), the tree is asked
        to stop first, gracefully within ``SHUTDOWN_TIMEOUT``. A tree that
        fails past its root's restart intensity is logged, and the next
        request starts a new one.
        """
        started = self._started_lazily
        if started is None or (started.is_set() and self.runtime is None):
            # None started yet, or the last one has ended (or is ending): a new one.
            started = self._started_lazily = anyio.Event()
            try:
                _spawn_system_task(self._run_in_background, started)
            except BaseException:
                self._started_lazily = None
                started.set()
                raise
        await started.wait()

    async def _run_in_background(self, started: anyio.Event) -> None:
        from .runtime import Runtime

        runtime = Runtime(self)
        # The host cancels this task when it stops: the tree is shielded from that,
        # so that it is asked to stop first, as at the end of a lifespan.
        tree = anyio.CancelScope(shield=True)

        async def run_tree(
            tg: anyio.abc.TaskGroup, *, task_status: anyio.abc.TaskStatus[Any]
        ) -> None:
            with tree:
                await runtime.run(task_status=task_status)
            tg.cancel_scope.cancel()  # it ended (stopped): so does this task, for a new start

        try:
            async with anyio.create_task_group() as tg:
                await tg.start(run_tree, tg)
                started.set()
                log.info("roost: started the supervision tree (no lifespan came)")
                try:
                    await anyio.sleep_forever()
                finally:
                    with anyio.CancelScope(shield=True):
                        await _stop(runtime)
                    tree.cancel()
        except* Exception:
            log.exception("the supervision tree failed; the next request starts a new one")
        finally:
            started.set()  # a failed start: the requests that wait go on without a tree
            if self._started_lazily is started:
                self._started_lazily = None

    def _mounted_at(self, root: str) -> None:
        # The URLs the app writes (the client script, static_url) are below its
        # mount point, which is a request's: one App is served at one path.
        if root == self._root_seen:
            return
        if self._root_seen is not None and not self._warned_two_roots:
            self._warned_two_roots = True
            log.warning(
                "the app is served at %r and at %r: its URLs (static_url) follow the "
                "latest request; mount one App at one path",
                self._root_seen or "/",
                root or "/",
            )
        self._root_seen = root
        self.layout.root_path = root
        if self.static is not None:
            self.static.root_path = root

    def links(self, html: str) -> str:
        """A view's rendered ``html`` with the app's own root-relative links below its
        mount point (``below_mount``); unchanged for an app at the root."""
        return below_mount(html, self._root_seen or "")

    def href(self, to: str) -> str:
        """``to``, a path or URL the app gave (a redirect's, a navigation's), as the browser
        must be sent it: a path below the app's mount point (see ``app_href``)."""
        return app_href(self._root_seen or "", to)

    def resolve(self, to: str, current: str) -> tuple[type[LiveView], dict[str, Any], str] | None:
        """Where ``to`` leads, for live navigation: ``Router.resolve`` under the app's mount point.

        ``current`` is the page's URL as the browser has it (with the mount
        point, ``http://host/live/notes/3``). A path the app gave (``"/notes/4"``)
        is the app's, below the mount point (``/live/notes/4``); a URL, or a
        path relative to the page (``"?sort=title"``), is taken as it is. Gives
        the view, its params and the whole URL as the browser shows it; None
        for another site, a URL outside the mount point, or no view there.
        """
        root = self._root_seen or ""
        url = urljoin(current, app_href(root, to))
        if not root:
            return self._live(self.router.resolve(url, current))
        parts, here = urlsplit(url), urlsplit(current)
        if (parts.scheme, parts.netloc) != (here.scheme, here.netloc) or not _below(
            parts.path, root
        ):
            return None
        inner = parts._replace(path=parts.path[len(root) :] or "/").geturl()
        found = self._live(self.router.resolve(inner, inner))
        return None if found is None else (found[0], found[1], url)

    def _live(
        self, found: tuple[type[LiveView], dict[str, Any], str] | None
    ) -> tuple[type[LiveView], dict[str, Any], str] | None:
        # The dashboard is reached by a page load only: its auth is the HTTP
        # request's (Basic), which live navigation over a socket never shows.
        if found is not None and self.dashboard is not None:
            if found[0] is self.routes.get(self.dashboard):
                return None
        return found


_CLEAR_FLASH = f"{protocol.FLASH_COOKIE}=; Max-Age=0; Path=/; SameSite=Lax".encode()


def _cookie(scope: dict[str, Any], name: str) -> str | None:
    headers: Sequence[tuple[bytes, bytes]] = scope.get("headers") or ()
    for key, value in headers:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None


class PageRedirect(Exception):
    """The page's view redirected while it mounted (an ``on_mount`` hook, ``mount``)."""

    def __init__(self, to: str) -> None:
        super().__init__(to)
        self.to = to


async def _redirect(send: Any, to: str) -> None:
    # 303: the browser GETs `to`, whatever the request was.
    headers = [
        (b"location", to.encode()),
        (b"content-length", b"0"),
        (b"cache-control", b"no-store"),
    ]
    await send({"type": "http.response.start", "status": 303, "headers": headers})
    await send({"type": "http.response.body", "body": b""})


def request_url(scope: dict[str, Any]) -> str:
    """The URL the client asked for: scheme, host (from the Host header), path (with
    the mount point) and query."""
    headers = dict(scope.get("headers") or ())
    host = headers.get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    query = scope.get("query_string", b"").decode("latin-1")
    path, root = scope["path"], mount_root(scope)
    if root and not _below(path, root):  # a server that took the mount point off
        path = root + path
    url = f"{scope.get('scheme', 'http')}://{host}{path}"
    return f"{url}?{query}" if query else url


def mount_root(scope: dict[str, Any]) -> str:
    """Where the app is mounted: the scope's ``root_path`` (``"/live"``), ``""`` at the root."""
    root: str = scope.get("root_path") or ""
    return root.rstrip("/")


def route_path(scope: dict[str, Any]) -> str:
    """The request's path below the mount point, which the app's routes match.

    Starlette's ``Mount`` keeps the whole path in ``path`` and puts the mount
    point in ``root_path`` (``/live/notes/3`` and ``/live``: ``/notes/3``); a
    server that takes the mount point off ``path`` itself works too (as
    Starlette's own routing does, a path not below ``root_path`` is taken whole).
    """
    path: str = scope["path"]
    root = mount_root(scope)
    if root and _below(path, root):
        path = path[len(root) :]
    return path or "/"


def _below(path: str, root: str) -> bool:
    return path == root or path.startswith(root + "/")


def app_href(root: str, to: str) -> str:
    """``to`` as the browser must be sent it by an app mounted at ``root``.

    A path the app gave (``"/login"``) is the app's own: it is put below the
    mount point (``"/live/login"``). A URL (``"https://example.com/"``), a
    scheme-relative one (``"//host/x"``) and a relative path (``"?page=2"``)
    are left as they are: a link out of the mount point is a whole URL.
    """
    if root and to.startswith("/") and not to.startswith("//"):
        return root + to
    return to


async def _stop(runtime: Runtime) -> None:
    # Gracefully within SHUTDOWN_TIMEOUT (each view's `terminate` runs), then
    # the caller cancels whatever is left.
    with anyio.move_on_after(SHUTDOWN_TIMEOUT):
        await runtime.stop()


_system_tasks: set[Any] = set()
"""The asyncio tasks started by ``_spawn_system_task`` (asyncio keeps only weak references)."""


def _spawn_system_task(fn: Callable[..., Coroutine[Any, Any, None]], *args: Any) -> None:
    """Run ``fn(*args)`` in a task of the running event loop's own, not of a request.

    anyio has no task outside a task group; these are the loops' own ways: a
    Trio system task (cancelled when the run ends), an asyncio task (cancelled
    when ``asyncio.run`` ends). ``fn`` must not raise but ``Cancelled``.
    """
    library = sniffio.current_async_library()
    if library == "trio":
        import trio

        trio.lowlevel.spawn_system_task(fn, *args, name="roost supervision tree")
    elif library == "asyncio":
        import asyncio

        task = asyncio.get_running_loop().create_task(fn(*args), name="roost supervision tree")
        _system_tasks.add(task)
        task.add_done_callback(_system_tasks.discard)
    else:
        raise RuntimeError(f"roost cannot start its supervision tree on {library}")


def dashboard_challenge() -> list[tuple[bytes, bytes]]:
    """The headers of the dashboard's 401 (the browser then asks for the password)."""
    from ..dashboard import challenge

    return challenge()


async def _respond(
    send: Any,
    status: int,
    body: bytes,
    content_type: str,
    *,
    no_store: bool = False,
    extra: Sequence[tuple[bytes, bytes]] = (),
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    if no_store:
        headers.append((b"cache-control", b"no-store"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
