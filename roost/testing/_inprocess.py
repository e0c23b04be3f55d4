# The test client's connection without a socket: the app's real runtime and a
# real Session whose transport hands the encoded frames straight to the client.
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.abc
from selectolax.lexbor import LexborHTMLParser

from .. import protocol
from ..actors import ActorRef, Session, SessionEnded
from ..protocol import ATTR
from ..server import App, PageRedirect, Runtime, query_params
from ._errors import Disconnected, MountError
from ._frames import Closed, Deliver, Loaded


class InProcessLink:
    """One tab of ``app`` at ``path``, served by the app's runtime in this task tree.

    ``connect`` does what a browser's page load and join make the server do:
    the dead render (``App.dead_render``, which signs the token), then a
    ``Session`` built from the token's claims (``r`` route, ``p`` params,
    ``s`` session id) and started under the runtime's ``sessions``, as
    ``roost/server/socket.py`` does. If the app has no running runtime,
    the first ``connect`` starts one in the client's task group.
    """

    def __init__(self, app: App, path: str, cookie: dict[str, Any] | None = None) -> None:
        self.app = app
        self.path = path
        self.cookie = dict(cookie or {})
        """The cookie session the page request carries (``mount``'s ``session``)."""
        self.url = f"http://localhost{path}"
        """What the session is told the page's URL is (a browser's ``location.href``)."""
        self.session: Session | None = None
        self.session_id: str | None = None
        self._runtime: Runtime | None = None
        self._claims: dict[str, Any] | None = None
        self._tg: anyio.abc.TaskGroup | None = None
        self._deliver: Deliver | None = None

    def bind(self, tg: anyio.abc.TaskGroup, deliver: Deliver) -> None:
        self._tg = tg
        self._deliver = deliver

    async def connect(self) -> str | None:
        """Start a session; returns None (no Join message is needed in process)."""
        if self._claims is None:
            await self._load_page()
        assert self._runtime is not None and self._claims is not None
        runtime = self._runtime
        try:
            session = await runtime.start_session(
                self._claims, self._transport, resume=self.session_id or ""
            )
        except LookupError as exc:
            raise MountError(protocol.BAD_TOKEN, str(exc)) from exc
        except Exception as exc:
            raise MountError(protocol.JOIN_FAILED, f"{type(exc).__name__}: {exc}") from exc
        self.session = session
        self.session_id = session.resume_token
        session.when_ended(lambda: self._ended(session))
        return None

    def _ended(self, session: Session) -> None:
        if self.session is session and self._deliver is not None:
            self._deliver(Closed("the session ended"))

    async def _load_page(self) -> None:
        runtime = self.app.runtime
        if runtime is None:
            assert self._tg is not None
            runtime = Runtime(self.app)
            await self._tg.start(runtime.run)
        self._runtime = runtime
        parts = urlsplit(self.path)
        route = parts.path or "/"
        match = self.app.router.match(route)
        if match is None:
            raise MountError("not_found", f"no view is routed at {route!r}")
        params = {**query_params(parts.query), **match.path_params}
        try:
            page = await self.app.dead_render(
                route, match.view, params, url=self.url, session=self.cookie
            )
        except PageRedirect as redirect:
            raise MountError("redirected", f"the page redirected to {redirect.to}") from None
        if self._deliver is not None:
            self._deliver(Loaded(page))
        self._claims = self.app.signer.verify(token_of(page))

    def _transport(self, text: str) -> str | None:
        if self._deliver is not None:
            self._deliver(text)
        return None

    async def send(self, text: str) -> None:
        """Route a client frame as the socket does: heartbeat, leave, event, sync, upload."""
        session = self.session
        if session is None:
            raise Disconnected("not connected")
        message = protocol.decode_client(text)
        try:
            if isinstance(message, protocol.Leave):
                await self.close()
            elif isinstance(
                message,
                protocol.Event
                | protocol.Sync
                | protocol.Heartbeat
                | protocol.Visit
                | protocol.Upload
                | protocol.Chunk
                | protocol.Progress,
            ):
                await session.receive(message)
            else:
                raise ValueError(f"cannot send {message!r} in process")
        except (SessionEnded, anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise Disconnected("the session has ended") from None

    async def disconnect(self) -> None:
        """Drop the connection, as the server sees a lost socket: the session
        keeps running for its grace period, ready to be rejoined."""
        session = self.session
        if session is None:
            return
        self.session = None
        session.detach(self._transport)
        if self._deliver is not None:
            self._deliver(Closed("the connection dropped"))

    async def close(self) -> None:
        """Leave: the session ends, as when a tab closes."""
        await self.disconnect()
        if self._runtime is not None and self._claims is not None:
            session = self._runtime.session(self.session_id or "")
            if session is not None:
                await self._runtime.end_session(session)

    def live_session(self) -> Session:
        if self.session is None:
            raise LookupError("this tab is not connected to a session")
        return self.session

    def actor_ref(self, target: str) -> ActorRef:
        ref = self.live_session().tab.ref(target)
        if ref is None:
            raise LookupError(f"no running actor {target!r} in this session")
        return ref

    def follow(self, to: str, client: Any, timeout: float) -> Any:
        """A client of the same app at ``to`` (a URL of this app), with this
        tab's cookie session."""
        parts = urlsplit(to)
        if parts.netloc and parts.netloc != urlsplit(self.url).netloc:
            raise AssertionError(f"redirected to another site: {to}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return type(client).mount(
            self.app,
            path,
            timeout=timeout,
            session=self.cookie,
            allow_crashes=client._watch.allow_setting,
        )


def token_of(page: str) -> str:
    """The signed session token in a dead-rendered page."""
    node = LexborHTMLParser(page).css_first(f"[{ATTR.TOKEN}]")
    token = node.attributes.get(ATTR.TOKEN) if node is not None else None
    if not token:
        raise MountError("bad_page", f"the page has no {ATTR.TOKEN}")
    return token
