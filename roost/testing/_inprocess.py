# The test client's connection without a socket: the app's real runtime and a
# real Session whose transport hands the encoded frames straight to the client.
from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
import anyio.abc
from selectolax.lexbor import LexborHTMLParser

from .. import protocol
from ..actors import ActorRef, Session
from ..server import App, Runtime
from ..supervisor import SupervisorError
from ._errors import Disconnected, MountError
from ._frames import Closed, Deliver
from ._tree import session_gone


class InProcessLink:
    """One tab of ``app`` at ``path``, served by the app's runtime in this task tree.

    ``connect`` does what a browser's page load and join make the server do:
    the dead render (``App.dead_render``, which signs the token), then a
    ``Session`` built from the token's claims (``r`` route, ``p`` params,
    ``s`` session id) and started under the runtime's ``sessions``, as
    ``roost/server/socket.py`` does. If the app has no running runtime,
    the first ``connect`` starts one in the client's task group.
    """

    def __init__(self, app: App, path: str) -> None:
        self.app = app
        self.path = path
        self.url = f"http://localhost{path}"
        """What the session is told the page's URL is (a browser's ``location.href``)."""
        self.session: Session | None = None
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
        claims = self._claims
        view_class = self.app.routes.get(claims.get("r", ""))
        if view_class is None:
            raise MountError(protocol.BAD_TOKEN, "no such view")
        runtime = self._runtime
        session = Session(
            claims["s"],
            view_class,
            claims.get("p", {}),
            {},
            self._transport,
            url=self.url,
            pubsub=runtime.pubsub,
            names=runtime.names,
        )
        spec = dataclasses.replace(session.child_spec(), start=self._runner(session))
        # After a disconnect or a crash, the same id is free once the old one is gone.
        await session_gone(runtime.sessions, session.id)
        try:
            await runtime.sessions.start_child(spec)
        except Exception as exc:
            raise MountError(protocol.JOIN_FAILED, f"{type(exc).__name__}: {exc}") from exc
        self.session = session
        return None

    async def _load_page(self) -> None:
        runtime = self.app.runtime
        if runtime is None:
            assert self._tg is not None
            runtime = Runtime(self.app)
            await self._tg.start(runtime.run)
        self._runtime = runtime
        parts = urlsplit(self.path)
        route = parts.path or "/"
        view_class = self.app.routes.get(route)
        if view_class is None:
            raise MountError("not_found", f"no view is routed at {route!r}")
        params = dict(parse_qsl(parts.query))
        page = await self.app.dead_render(route, view_class, params)
        self._claims = self.app.signer.verify(token_of(page))

    def _runner(self, session: Session) -> Any:
        async def run(
            *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
        ) -> None:
            try:
                await session.run(task_status=task_status)
            finally:
                if self.session is session and self._deliver is not None:
                    self._deliver(Closed("the session ended"))

        return run

    async def _transport(self, text: str) -> None:
        if self._deliver is not None:
            self._deliver(text)

    async def send(self, text: str) -> None:
        """Route a client frame as the socket does: heartbeat, leave, event, sync."""
        session = self.session
        if session is None:
            raise Disconnected("not connected")
        message = protocol.decode_client(text)
        try:
            if isinstance(message, protocol.Heartbeat):
                await session.outbox.put(protocol.Ack(message.ref))
            elif isinstance(message, protocol.Leave):
                await self.disconnect()
            elif isinstance(message, protocol.Event | protocol.Sync):
                await session.dispatch(message)
            else:
                raise ValueError(f"cannot send {message!r} in process")
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            raise Disconnected("the session has ended") from None

    async def disconnect(self) -> None:
        """End the session, as the server does when a tab's socket closes."""
        session = self.session
        if session is None:
            return
        if self._runtime is not None and self._runtime.sessions.running:
            try:
                await self._runtime.sessions.terminate_child(session.id)
            except SupervisorError:  # it already ended by itself
                pass
        self.session = None

    async def close(self) -> None:
        await self.disconnect()

    def actor_ref(self, target: str) -> ActorRef:
        ref = self.session.registry.get(target) if self.session is not None else None
        if ref is None:
            raise LookupError(f"no running actor {target!r} in this session")
        return ref


def token_of(page: str) -> str:
    """The signed session token in a dead-rendered page."""
    node = LexborHTMLParser(page).css_first("[data-roost-token]")
    token = node.attributes.get("data-roost-token") if node is not None else None
    if not token:
        raise MountError("bad_page", "the page has no data-roost-token")
    return token
