"""``App(max_sessions)``: sessions waiting out their grace make room for new tabs;
a server whose every session has its tab connected refuses a new one, clearly."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
import trio
from trio_websocket import WebSocketConnection

from roost import App, protocol
from roost.server import Runtime
from roost.server.runtime import ServerFull
from tests.websockets import open_websocket_url

from .conftest import Counter, Server, join, recv


async def refused(server: Server) -> tuple[list[object], int, str]:
    """Open a socket by hand (so that nothing is left behind when the server closes
    first); the one message the server sent, and its close code and reason."""
    host, port = server.host_port
    async with await trio.open_tcp_stream(host, port) as stream:
        await stream.send_all(
            f"GET /_roost/socket?v={protocol.VERSION} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
        )
        data = b""
        with trio.fail_after(5):
            while chunk := await stream.receive_some():
                data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101")
    frames = []
    while rest:  # server frames: unmasked, short
        opcode, size = rest[0] & 0x0F, rest[1] & 0x7F
        assert size < 126
        frames.append((opcode, rest[2 : 2 + size]))
        rest = rest[2 + size :]
    (text, close) = frames
    assert text[0] == 0x1 and close[0] == 0x8
    code = int.from_bytes(close[1][:2], "big")
    return json.loads(text[1]), code, close[1][2:].decode()


@pytest.fixture
async def small(nursery) -> AsyncIterator[Server]:
    """A server with room for two sessions, each kept 30 s after its socket is gone."""
    app = App({"/": Counter}, secret="test-secret", max_sessions=2, reconnect_grace=30)
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield Server(app, runtime, runtime.urls[0])
    nursery.cancel_scope.cancel()


async def joined(server: Server, ws: WebSocketConnection) -> str:
    """Join ``/``; the session's resume token."""
    await ws.send_message(json.dumps([0, 1, await server.token(), server.url]))
    messages = [await recv(ws), await recv(ws)]
    (reply,) = [m for m in messages if m[0] == 2]
    return reply[2]


async def until_detached(server: Server, resume: str) -> None:
    session = server.runtime.session(resume)
    assert session is not None
    with trio.fail_after(5):
        await session.wait_detached()


async def test_a_full_server_refuses_a_new_tab_with_server_full_and_1013(small):
    async with (
        open_websocket_url(small.socket_url()) as a,
        open_websocket_url(small.socket_url()) as b,
    ):
        await join(small, a)
        await join(small, b)
        assert small.runtime.full()
        # Refused as it opens, before any join: an error saying why, then 1013.
        error, code, reason = await refused(small)
        assert error == [
            protocol.Error.__struct_config__.tag,
            0,
            protocol.SERVER_FULL,
            "the server is full (2 sessions); try again later",
        ]
        assert protocol.SERVER_FULL == reason == "server_full"
        assert code == protocol.CLOSE_TRY_AGAIN == 1013
        # The two tabs in place carry on.
        await a.send_message('[1,2,"inc",{}]')
        assert (await recv(a))[0] == 0
    assert small.runtime.sessions.count_children()["specs"] == 2  # both in their grace


async def test_a_session_waiting_out_its_grace_makes_room_for_a_new_tab(small):
    async with open_websocket_url(small.socket_url()) as b:
        async with open_websocket_url(small.socket_url()) as a:
            gone = await joined(small, a)
        await until_detached(small, gone)
        await joined(small, b)
        assert not small.runtime.full()  # full, but one of them has no socket
        async with open_websocket_url(small.socket_url()) as c:
            await joined(small, c)
            assert small.runtime.session(gone) is None  # ended to make room
            assert small.runtime.sessions.count_children()["specs"] == 2
            await c.send_message('[1,2,"inc",{}]')
            assert (await recv(c))[0] == 0


async def test_a_tab_coming_back_within_its_grace_is_never_refused(small):
    async with open_websocket_url(small.socket_url()) as b:
        await joined(small, b)
        async with open_websocket_url(small.socket_url()) as a:
            resume = await joined(small, a)
            await a.send_message('[1,2,"inc",{"by":"5"}]')
            await recv(a)
        await until_detached(small, resume)
        async with open_websocket_url(small.socket_url()) as again:
            token = await small.token()
            await again.send_message(json.dumps([0, 1, token, small.url, resume]))
            messages = [await recv(again), await recv(again)]
            assert [2, 1, resume] in messages
            render = next(m for m in messages if m[0] == 1)
            assert '<b id="n">5</b>' in render[3]  # its own session, state and all


async def test_the_runtime_refuses_a_session_past_max_sessions_with_server_full(small):
    async with (
        open_websocket_url(small.socket_url()) as a,
        open_websocket_url(small.socket_url()) as b,
    ):
        await join(small, a)
        await join(small, b)
        claims = small.app.signer.verify(await small.token())

        async def transport(text: str) -> None:
            raise AssertionError("a refused session sends nothing")

        # What a join that got past the socket's own check meets: a clear refusal.
        with pytest.raises(ServerFull, match=r"full \(2 sessions\); try again later"):
            await small.runtime.start_session(claims, transport)  # type: ignore[arg-type]
        assert small.runtime.sessions.count_children()["specs"] == 2
