# The ASGI application: the dead render over HTTP, the client's files, the
# WebSocket (socket.py), and lifespan for servers other than `roost run`.
from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import anyio
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute
from starlette.routing import Router as StarletteRouter

from .. import protocol
from .._dev import dev_mode
from ..actors import LiveView, dead_page
from ..render import served_fingerprints
from ..render.environment import set_auto_reload
from ..supervisor import ChildSpec
from .errors import dev_error_page
from .hosts import HostCheck
from .layout import Layout, calling_folder, page_title, provide_static_url
from .routing import Router, query_params, signable
from .socket import serve_socket
from .static import StaticFiles, client_file
from .tokens import TokenSigner

if TYPE_CHECKING:
    from .runtime import Runtime

log = logging.getLogger("roost.server")

PREFIX = "/_roost"
"""Path prefix of roost's own routes: the client files and the WebSocket."""

SOCKET_PATH = PREFIX + "/socket"

ERROR_PAGE = (
    b"<!DOCTYPE html><title>Server error</title>"
    b"<p>Something went wrong on the server. Reload the page to try again.</p>"
)


class App:
    """A roost application: routes from URL paths to LiveView classes.

    A tab whose socket drops keeps its session (every actor, with its state)
    for ``reconnect_grace`` seconds; the browser rejoins it when it
    reconnects. ``children`` are the app's own services (child specs),
    started under the root supervisor after pubsub and store and before the
    sessions. ``App`` is an ASGI callable. ``roost run module:app`` serves it
    under the supervision tree; any other ASGI server works too, in which
    case the tree is started by the ASGI lifespan.

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
      without a frame.
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
    ) -> None:
        self.routes = dict(routes)
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
        self.event_rate = event_rate
        self.address_rate = address_rate
        self.max_pending_joins = max_pending_joins
        self.join_timeout = join_timeout
        self.idle_timeout = idle_timeout
        self.outbox_bytes = outbox_bytes
        self.hosts = HostCheck(allowed_hosts)
        self.runtime: Runtime | None = None
        self.debug = dev_mode(debug)
        """Dev mode: templates re-read when their file changes, a failed page shows its error."""
        set_auto_reload(self.debug)
        folder = calling_folder()
        self.static = None if static_dir is None else StaticFiles(folder / static_dir, static_path)
        """The app's static folder (``static_dir``), or None."""
        self.layout = Layout(layout, folder=folder, prefix=PREFIX, static=self.static)
        """The page shell every view is served in (``layout``, else roost's own)."""
        if self.static is not None:
            provide_static_url(self.static, folder, self.routes.values())

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket") and "session" not in scope:
            await self._with_session(scope, receive, send)
        else:
            await self._dispatch(scope, receive, send)

    async def _dispatch(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "websocket":
            if scope["path"] == SOCKET_PATH:
                if self.runtime is not None and self.runtime.full():
                    await _refuse_full(self.runtime.full_text(), receive, send)
                else:
                    await serve_socket(self, scope, receive, send)
            else:
                await send({"type": "websocket.close", "code": 1008, "reason": "not found"})
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    # -- HTTP ----------------------------------------------------------------

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        host = self.hosts.refusal(scope)
        if host is not None:
            log.warning("http request refused: %s", host)
            await _respond(send, 400, host.encode(), "text/plain; charset=utf-8")
            return
        path = scope["path"]
        match = self.router.match(path)
        if match is None and self.http is not None and not path.startswith(PREFIX + "/"):
            await self.http(scope, receive, send)  # the app's own endpoints, any method
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, b"method not allowed", "text/plain")
            return
        if path.startswith(PREFIX + "/"):
            body = client_file(path[len(PREFIX) + 1 :])
            if body is None:
                await _respond(send, 404, b"not found", "text/plain")
            else:
                await _respond(send, 200, body, "text/javascript; charset=utf-8")
            return
        if self.static is not None and (name := self.static.name_of(path)) is not None:
            await self.static.respond(scope, send, name)
            return
        if match is None:
            await _respond(send, 404, b"not found", "text/plain")
            return
        query = scope.get("query_string", b"").decode("latin-1")
        params = {**query_params(query), **match.path_params}
        session = dict(scope.get("session") or {})
        try:
            html = await self.dead_render(
                path, match.view, params, url=request_url(scope), session=session
            )
        except PageRedirect as redirect:
            await _redirect(send, redirect.to)
            return
        except Exception as exc:
            log.exception("the dead render of %s failed", path)
            page = dev_error_page(exc, path=path) if self.debug else ERROR_PAGE
            await _respond(send, 500, page, "text/html; charset=utf-8", no_store=True)
            return
        # The page carries a session token: never share it through a cache.
        await _respond(send, 200, html.encode(), "text/html; charset=utf-8", no_store=True)

    async def dead_render(
        self,
        path: str,
        view_class: type[LiveView],
        params: dict[str, str],
        *,
        url: str | None = None,
        session: dict[str, Any] | None = None,
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
        dead = await dead_page(view_class, params, url, session)
        if dead.redirect is not None:
            raise PageRedirect(dead.redirect)
        content = dead.html
        title = page_title(dead.view, self.title)

        def with_token(token: str) -> str:
            return self.layout.render(content, token, page_title=title, title=self.title)

        claims: dict[str, Any] = {"r": path, "p": signable(params), "u": url}
        if session:
            claims["s"] = session
        # What each actor's container holds once the page has loaded (the token
        # does not change it): a join whose first render of an actor is exactly
        # that sends a version instead of the content again (docs/protocol.md).
        served = served_fingerprints(with_token(""))
        if served:
            claims["h"] = served
        return with_token(self.signer.sign(claims))

    # -- lifespan ------------------------------------------------------------

    async def _lifespan(self, receive: Any, send: Any) -> None:
        from .runtime import Runtime

        message = await receive()
        assert message["type"] == "lifespan.startup"
        if self.runtime is not None:  # `roost run` started the tree already
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        async with anyio.create_task_group() as tg:
            await tg.start(Runtime(self).run)
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            tg.cancel_scope.cancel()
        await send({"type": "lifespan.shutdown.complete"})


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


async def _refuse_full(text: str, receive: Any, send: Any) -> None:
    """Refuse a socket opened while every session has its tab connected.

    Refused at once, before the join (no token checked, no session started),
    with an error saying why and close 1013: the browser backs off and tries
    again. A tab coming back within its grace period is not refused here: its
    own session, waiting for it without a socket, makes the server not full.
    """
    if (await receive())["type"] != "websocket.connect":
        return
    log.warning("websocket refused: %s", text)
    refusal = protocol.Error(0, protocol.SERVER_FULL, text)
    try:
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": protocol.encode(refusal)})
        await send(
            {
                "type": "websocket.close",
                "code": protocol.CLOSE_TRY_AGAIN,
                "reason": protocol.SERVER_FULL,
            }
        )
    except Exception:  # the peer is gone already
        pass


def request_url(scope: dict[str, Any]) -> str:
    """The URL the client asked for: scheme, host (from the Host header), path and query."""
    headers = dict(scope.get("headers") or ())
    host = headers.get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    query = scope.get("query_string", b"").decode("latin-1")
    url = f"{scope.get('scheme', 'http')}://{host}{scope['path']}"
    return f"{url}?{query}" if query else url


async def _respond(
    send: Any, status: int, body: bytes, content_type: str, *, no_store: bool = False
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    if no_store:
        headers.append((b"cache-control", b"no-store"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
