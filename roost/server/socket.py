# One browser tab's WebSocket: accept (origin and version checked), join the
# view named by a signed token, route frames into the session, detach on close.
from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import anyio

from .. import protocol
from ..actors import SessionEnded
from ..protocol import CLOSE_BAD_DATA, CLOSE_GOING_AWAY, CLOSE_NORMAL, CLOSE_POLICY
from .limits import TokenBucket
from .tokens import BadToken

if TYPE_CHECKING:
    from ..actors import Session
    from .app import App

log = logging.getLogger("roost.server")

IDLE_TIMEOUT = 75.0
"""Seconds without a frame before a socket is taken for dead (clients beat every 30 s)."""


async def serve_socket(app: App, scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one WebSocket until the client leaves, goes silent or sends something invalid.

    A bad frame, token or origin closes this connection only, after an
    ``Error`` message that says what was wrong.
    """
    if (await receive())["type"] != "websocket.connect":
        return
    refusal = _refusal(app, scope)
    if refusal:
        log.warning("websocket refused: %s", refusal)
        await send({"type": "websocket.close", "code": CLOSE_POLICY, "reason": refusal})
        return
    await send({"type": "websocket.accept"})
    connection = _Connection(app, send)
    try:
        await connection.serve(receive)
    except SessionEnded:
        # It failed past its restart limit (the client was sent a Crash) or was stopped.
        await connection.kick(CLOSE_NORMAL, "session ended")
    finally:
        with anyio.CancelScope(shield=True), anyio.move_on_after(5):
            # Still open here only when cancelled: the server is stopping.
            await connection.kick(CLOSE_GOING_AWAY, "server shutting down")
            await connection.close()


def _refusal(app: App, scope: dict[str, Any]) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("v") != [str(protocol.VERSION)]:
        return f"unsupported protocol version (server speaks v={protocol.VERSION})"
    if app.check_origin:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc != headers.get("host"):
            return f"origin {origin} does not match host"
    if app.runtime is None:
        return "server is not running a supervision tree"
    return None


class _Connection:
    """The state of one socket: before join, joined to a session, closed."""

    def __init__(self, app: App, send: Any) -> None:
        self.app = app
        self._send = send
        self.session: Session | None = None
        self.closed = False
        self.left = False
        self.frames = TokenBucket(*app.event_rate)

    async def transport(self, message: protocol.ServerMessage) -> None:
        """Encode ``message`` and write it (the one place a server message is encoded)."""
        if not self.closed:
            try:
                await self._send({"type": "websocket.send", "text": protocol.encode(message)})
            except Exception:  # the peer went away; the reader will notice
                self.closed = True

    async def kick(self, code: int = CLOSE_POLICY, reason: str = "replaced") -> None:
        """Close the socket (once), e.g. when a reconnected one took its session over."""
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):  # the peer may be gone already
                await self._send({"type": "websocket.close", "code": code, "reason": reason})

    async def serve(self, receive: Any) -> None:
        while True:
            with anyio.move_on_after(IDLE_TIMEOUT):
                event = await receive()
                break_out = await self._receive(event)
                if break_out:
                    return
                continue
            log.info("closing a websocket silent for %s s", IDLE_TIMEOUT)
            return

    async def _receive(self, event: dict[str, Any]) -> bool:
        """Handle one ASGI event; True when the connection is done."""
        if event["type"] == "websocket.disconnect":
            self.closed = True
            return True
        frame = event.get("text")
        if frame is None:
            frame = event.get("bytes") or b""
        try:
            message = protocol.decode_client(frame)
        except protocol.ProtocolError as exc:
            await self._refuse(0, protocol.BAD_MESSAGE, str(exc), CLOSE_BAD_DATA)
            return True
        if isinstance(message, protocol.Leave):
            self.left = True
            return True
        ref = getattr(message, "ref", 0)
        if not self.frames.allow():
            text = f"more than {self.frames.rate:g} messages per second"
            await self._reply(protocol.Error(ref, protocol.RATE_LIMITED, text))
            return False
        if isinstance(message, protocol.Join):
            return not await self._join(message)
        if self.session is None:
            await self._refuse(ref, protocol.BAD_MESSAGE, "join first", CLOSE_POLICY)
            return True
        await self.session.receive(message)
        return False

    async def _reply(self, message: protocol.ServerMessage) -> None:
        # In order with the session's own messages when joined, directly before.
        if self.session is not None:
            await self.session.send(message)
        else:
            await self.transport(message)

    async def _join(self, join: protocol.Join) -> bool:
        if self.session is not None:
            await self._refuse(join.ref, protocol.BAD_MESSAGE, "already joined", CLOSE_POLICY)
            return False
        try:
            claims = self.app.signer.verify(join.token)
        except BadToken as exc:
            await self._refuse(join.ref, protocol.BAD_TOKEN, str(exc), CLOSE_POLICY)
            return False
        assert self.app.runtime is not None
        try:
            session = await self.app.runtime.start_session(
                claims, self.transport, resume=join.resume, kick=self.kick
            )
        except LookupError as exc:
            await self._refuse(join.ref, protocol.BAD_TOKEN, str(exc), CLOSE_POLICY)
            return False
        except Exception:
            log.exception("join failed")
            await self._refuse(
                join.ref, protocol.JOIN_FAILED, "the view failed to mount", CLOSE_POLICY
            )
            return False
        self.session = session
        await session.send(protocol.Joined(join.ref, session.id))
        return True

    async def _refuse(self, ref: int, code: str, message: str, close_code: int) -> None:
        log.warning("closing websocket: %s: %s", code, message)
        await self.transport(protocol.Error(ref, code, message))
        await self.kick(close_code, code)

    async def close(self) -> None:
        """The socket is gone: a tab that left ends its session, a lost one may come back.

        Only while this socket is the session's: a Leave from a socket that
        another one replaced ends nothing.
        """
        self.closed = True
        session = self.session
        if session is None or self.app.runtime is None:
            return
        attached = session.is_attached_to(self.transport)
        session.detach(self.transport)
        if self.left and attached:
            await self.app.runtime.end_session(session)
