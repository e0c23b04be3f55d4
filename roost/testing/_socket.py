# The test client's connection over a real WebSocket (trio-websocket) to a
# running server: GET the page for its token, then join as the browser does.
from __future__ import annotations

import contextlib
from typing import Any
from urllib.parse import urlsplit

import anyio
import anyio.abc
import h11
import trio
from trio_websocket import (
    ConnectionClosed,
    HandshakeError,
    WebSocketConnection,
    wrap_client_stream,
)

from .. import protocol
from ..actors import ActorRef, Session
from ..server import App
from ..server.app import SOCKET_PATH
from ._errors import Disconnected, MountError
from ._frames import Closed, Deliver, Loaded, Lost
from ._inprocess import token_of
from ._network import NetworkFaults

MAX_MESSAGE_BYTES = 16 * 1024 * 1024
"""Largest server frame accepted (a full render of a big page); browsers have no limit."""


class SocketLink:
    """One tab of the server at ``base_url``, opened at ``path``.

    ``connect`` loads the page once (its token is kept, so a reconnect joins
    again with the same token, as the browser does) and opens the socket,
    sending ``Origin`` as a browser would. With ``app`` (the app that server
    runs, in this process) the client can also reach the server's actors
    (``crash``) and wait for the server to end a session it closed.
    """

    def __init__(self, base_url: str, path: str, app: App | None) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "ws") or not parts.hostname:
            raise ValueError(f"need an http:// or ws:// URL of a running server, not {base_url!r}")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.netloc = parts.netloc
        self.url = f"http://{self.netloc}{path}"
        self.path = path
        self.app = app
        self._token: str | None = None
        self.session_id: str | None = None
        self._tg: anyio.abc.TaskGroup | None = None
        self._deliver: Deliver | None = None
        self._ws: WebSocketConnection | None = None
        self._done: anyio.Event | None = None
        self._closing = False
        self._cut = False  # cut_after_send fired: nothing more arrives on this socket
        self.network = NetworkFaults()
        """The faults of this connection (``LiveClient.network``)."""

    def bind(self, tg: anyio.abc.TaskGroup, deliver: Deliver) -> None:
        self._tg = tg
        self._deliver = deliver

    async def connect(self) -> str:
        """Open the socket; returns the token the client must join with."""
        if self._token is None:
            status, body = await http_get(self.host, self.port, self.netloc, self.path)
            if status != 200:
                raise MountError(f"http_{status}", f"GET {self.url} answered {status}")
            self._token = token_of(body)
            if self._deliver is not None:
                self._deliver(Loaded(body))
        assert self._tg is not None
        stream = await trio.open_tcp_stream(self.host, self.port)
        self._closing = False
        self._cut = False
        self._done = anyio.Event()
        try:
            self._ws = await self._tg.start(self._connection, stream, self._done)
        except BaseException as exc:
            # Closed by _connection if it ran; not if it was cancelled before its start.
            with anyio.CancelScope(shield=True):
                await stream.aclose()
            if isinstance(exc, HandshakeError):
                raise MountError("handshake_refused", f"{type(exc).__name__}: {exc}") from exc
            raise
        return self._token

    async def _connection(
        self,
        stream: trio.SocketStream,
        done: anyio.Event,
        *,
        task_status: anyio.abc.TaskStatus[WebSocketConnection] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        try:
            async with trio.open_nursery() as nursery:
                ws = await wrap_client_stream(
                    nursery,
                    stream,
                    self.netloc,
                    f"{SOCKET_PATH}?v={protocol.VERSION}",
                    extra_headers=[(b"Origin", f"http://{self.netloc}".encode())],
                    max_message_size=MAX_MESSAGE_BYTES,
                )
                task_status.started(ws)
                await self._pump(ws)
                if not self._closing:
                    # The server closed first: trio-websocket leaves the stream
                    # open then (its reader waits for EOF), so close it here.
                    await stream.aclose()
        finally:
            with anyio.CancelScope(shield=True):
                await stream.aclose()
            done.set()

    async def _pump(self, ws: WebSocketConnection) -> None:
        assert self._deliver is not None
        try:
            while True:
                message = await ws.get_message()
                if self._cut:
                    continue  # the network is down from the cut on: the answer is lost
                if self.network.latency:
                    await trio.sleep(self.network.latency)
                text = message if isinstance(message, str) else message.decode()
                self._deliver(Lost(text) if self.network.take_received() else text)
        except ConnectionClosed as closed:
            reason = closed.reason
            code = reason.code if reason is not None else None
            text = (reason.reason or reason.name) if reason is not None else "closed"
            self._deliver(Closed(f"the socket closed ({code} {text})", code))

    async def send(self, text: str) -> None:
        if self._ws is None:
            raise Disconnected("not connected")
        network = self.network
        if network.latency:
            await trio.sleep(network.latency)
        if network.take_sent():
            return
        try:
            await self._ws.send_message(text)
        except ConnectionClosed:
            raise Disconnected("the socket is closed") from None
        if network.cut_after_send:
            network.cut_after_send = False
            # Cut from here on, however soon the server answers.
            self._cut = True
            assert self._tg is not None
            self._tg.start_soon(self._close_socket)  # after the send's caller waits for a reply

    async def disconnect(self) -> None:
        """Close the socket without leaving, as a lost network does; with ``app``,
        also wait until the server has detached the session (which it keeps
        for its grace period)."""
        await self._close_socket()
        runtime = self.app.runtime if self.app is not None else None
        session = runtime.session(self.session_id) if runtime and self.session_id else None
        if session is not None:
            await session.wait_detached()

    async def close(self) -> None:
        """Leave, then close the socket; with ``app``, wait until the session is gone."""
        if self._ws is not None:
            with contextlib.suppress(ConnectionClosed):
                await self._ws.send_message(protocol.encode(protocol.Leave()))
        await self._close_socket()
        runtime = self.app.runtime if self.app is not None else None
        if runtime is not None and self.session_id is not None:
            await runtime.wait_session_gone(self.session_id)

    async def _close_socket(self) -> None:
        ws, done = self._ws, self._done
        if ws is None or done is None:
            return
        self._closing = True
        await ws.aclose()
        await done.wait()
        self._ws = None

    def live_session(self) -> Session:
        runtime = self.app.runtime if self.app is not None else None
        if runtime is None or self.session_id is None:
            raise RuntimeError(
                "reaching an actor over a socket needs LiveClient.connect(..., app=app) "
                "with the app that server runs in this process"
            )
        session = runtime.session(self.session_id)
        if session is None:
            raise LookupError("this tab's session has ended")
        return session

    def actor_ref(self, target: str) -> ActorRef:
        ref = self.live_session().tab.ref(target)
        if ref is None:
            raise LookupError(f"no running actor {target!r} in this session")
        return ref

    def follow(self, to: str, client: Any, timeout: float) -> Any:
        """A client of the same kind at ``to`` (a URL of this server)."""
        parts = urlsplit(to)
        if parts.netloc and parts.netloc != self.netloc:
            raise AssertionError(f"redirected to another site: {to}")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return type(client).connect(
            f"http://{self.netloc}",
            path,
            app=self.app,
            timeout=timeout,
            allow_crashes=client._watch.allow_setting,
        )


async def http_get(host: str, port: int, netloc: str, target: str) -> tuple[int, str]:
    """``GET target`` over a fresh connection; the status and the body's text."""
    connection = h11.Connection(h11.CLIENT)
    request = h11.Request(
        method="GET", target=target, headers=[("Host", netloc), ("Connection", "close")]
    )
    stream = await trio.open_tcp_stream(host, port)
    async with stream:
        await stream.send_all(connection.send(request) + connection.send(h11.EndOfMessage()))
        status, body = 0, bytearray()
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await stream.receive_some())
            elif isinstance(event, h11.Response):
                status = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return status, body.decode()
