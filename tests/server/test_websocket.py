"""roost's socket on the connection itself (roost/server/websocket.py): which
connections it takes, its handshake, its frames, and that everything it does
not take still reaches hypercorn intact. Against a real hypercorn server on
loopback, in this process."""

from __future__ import annotations

import json
import struct
from collections.abc import AsyncIterator

import pytest
import trio
import trio.testing

from roost import App, protocol
from roost.server import Runtime, socket, websocket
from roost.server.app import SOCKET_PATH
from roost.server.hypercorn_guard import MAX_HEAD
from tests.hostile.conftest import (
    CLOSE,
    PING,
    TEXT,
    InProcess,
    RawSocket,
    connect,
    frame,
    handshake,
    upgrade_request,
)

from .conftest import Counter

PONG = 0xA
TAGS = protocol.tags(protocol.Render, protocol.Error)
RENDER, ERROR = TAGS["RENDER"], TAGS["ERROR"]


@pytest.fixture
async def served(nursery) -> AsyncIterator[InProcess]:
    app = App({"/": Counter}, secret="test-secret")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield InProcess(app, runtime, runtime.urls[0])
    nursery.cancel_scope.cancel()


@pytest.fixture
def asgi_sockets(monkeypatch) -> list[dict]:
    """The scopes of the sockets that went through ASGI (``serve_socket``)."""
    seen: list[dict] = []
    serve_socket = socket.serve_socket

    async def counting(app, scope, receive, send):
        seen.append(scope)
        await serve_socket(app, scope, receive, send)

    monkeypatch.setattr("roost.server.app.serve_socket", counting)
    return seen


async def join(served: InProcess, ws: RawSocket) -> None:
    token = await served.token("/")
    await ws.send(frame(TEXT, json.dumps([0, 1, token, served.url + "/"]).encode()))
    assert (await ws.message())[0] == RENDER
    assert (await ws.message())[:2] == [2, 1]  # Joined


async def click(ws: RawSocket, ref: int) -> list:
    await ws.send(frame(TEXT, json.dumps([1, ref, "inc", {}]).encode()))
    return await ws.message()


def close_frame(code: int, reason: bytes = b"") -> bytes:
    return frame(CLOSE, struct.pack("!H", code) + reason)


# -- which connections it takes -------------------------------------------------


def test_claims_a_complete_upgrade_to_the_socket_path_and_nothing_else():
    direct = websocket.DirectSockets(App({"/": Counter}, secret="s"), SOCKET_PATH)
    upgrade = upgrade_request("127.0.0.1:8000")
    assert direct.claims(upgrade) is True
    assert direct.claims(upgrade.replace(b"Upgrade: websocket", b"Upgrade: WebSocket")) is True
    # Not yet decidable: a prefix of the socket's request line, or its head unfinished.
    assert direct.claims(b"GE") is None
    assert direct.claims(b"GET /_roost/soc") is None
    assert direct.claims(upgrade[:-4]) is None
    # Anyone else's, as soon as the bytes say so.
    assert direct.claims(b"GET / HTTP/1.1\r\n") is False
    assert direct.claims(b"POST /_roost/socket HTTP/1.1\r\n") is False
    assert direct.claims(b"GET /_roost/sockets HTTP/1.1\r\n") is False
    assert direct.claims(b"PRI * HTTP/2.0\r\n") is False
    assert direct.claims(upgrade.replace(b"Upgrade: websocket\r\n", b"")) is False
    # Lines ended by LF alone: h11 reads them, hypercorn answers (not a wait for CRLF).
    assert direct.claims(upgrade.replace(b"\r\n", b"\n")[:40]) is False
    assert direct.claims(upgrade.replace(b"\r\n", b"\n", 1)) is False
    # A head over the limit is hypercorn's to refuse (431).
    padded = upgrade[:-2] + b"X-Pad: " + b"a" * MAX_HEAD + b"\r\n\r\n"
    assert direct.claims(padded) is False
    assert direct.claims(padded[: MAX_HEAD + 100]) is False


async def test_a_socket_on_a_fresh_connection_is_served_without_asgi(served, asgi_sockets):
    ws = await handshake(served)
    async with ws.stream:
        assert ws.status == 101
        await join(served, ws)
        patch = await click(ws, 2)
        assert "1" in json.dumps(patch)
    assert asgi_sockets == []


async def test_a_socket_after_a_request_on_the_same_connection_goes_through_asgi(
    served, asgi_sockets
):
    ws = await handshake(served, after_request=True)
    async with ws.stream:
        assert ws.status == 101
        await join(served, ws)
        assert "1" in json.dumps(await click(ws, 2))
    assert [scope["path"] for scope in asgi_sockets] == [SOCKET_PATH]


async def test_the_scope_it_builds_is_what_asgi_would_give(served, asgi_sockets, monkeypatch):
    direct: list[dict] = []
    serve_wire = socket.serve_wire

    async def recording(app, scope, wire):
        if wire.__class__ is not socket.AsgiWire:
            direct.append(scope)
        await serve_wire(app, scope, wire)

    monkeypatch.setattr("roost.server.websocket.serve_wire", recording)
    for after_request in (False, True):
        ws = await handshake(served, after_request=after_request)
        async with ws.stream:
            await join(served, ws)
    (ours,), (theirs,) = direct, asgi_sockets
    for key in ("type", "scheme", "path", "query_string", "root_path"):
        assert ours[key] == theirs[key], key
    assert ours["client"][0] == theirs["client"][0]
    assert tuple(ours["server"]) == tuple(theirs["server"])

    # The same headers, names in lower case (each handshake has a key of its own).
    def headers(scope):
        return {(n, b"" if n == b"sec-websocket-key" else v) for n, v in scope["headers"]}

    assert headers(ours) == headers(theirs)


async def request(served: InProcess, *parts: bytes) -> bytes:
    """Send an HTTP request in ``parts`` (each after the server read the last); the answer."""
    stream = await connect(served)
    async with stream:
        for part in parts:
            await stream.send_all(part)
            await trio.testing.wait_all_tasks_blocked()
        answer = b""
        with trio.fail_after(5):
            while chunk := await stream.receive_some(65536):
                answer += chunk
    return answer


@pytest.mark.parametrize("path", ["/", "/_roost/sockets"])
@pytest.mark.parametrize("split", [1, len("GET /_roost/so"), len("GET / HTTP/1.1\r\n")])
async def test_http_requests_are_answered_whole_however_they_are_split(served, path, split):
    whole = f"GET {path} HTTP/1.1\r\nHost: {served.netloc}\r\nConnection: close\r\n\r\n"
    whole = whole.encode()
    expected = await request(served, whole)
    answer = await request(served, whole[:split], whole[split:])
    assert answer.split(b"\r\n", 1)[0] == expected.split(b"\r\n", 1)[0]
    if path == "/":
        assert answer.startswith(b"HTTP/1.1 200 ") and b"data-roost-token" in answer


async def test_a_get_of_the_socket_path_without_upgrade_is_an_ordinary_request(served):
    stream = await connect(served)
    async with stream:
        request = (
            f"GET {SOCKET_PATH} HTTP/1.1\r\nHost: {served.netloc}\r\nConnection: close\r\n\r\n"
        )
        await stream.send_all(request.encode())
        answer = b""
        with trio.fail_after(5):
            while chunk := await stream.receive_some(65536):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 404 ")


# -- the handshake --------------------------------------------------------------


async def refused(served: InProcess, request: bytes) -> bytes:
    stream = await connect(served)
    async with stream:
        await stream.send_all(request)
        answer = b""
        with trio.fail_after(5):
            while chunk := await stream.receive_some(65536):
                answer += chunk
    return answer


async def test_another_websocket_version_is_told_which_one_to_speak(served):
    request = upgrade_request(served.netloc).replace(b"Version: 13", b"Version: 8")
    answer = await refused(served, request)
    assert answer.startswith(b"HTTP/1.1 426 ")
    assert b"sec-websocket-version: 13\r\n" in answer.lower()


@pytest.mark.parametrize(
    "change",
    [
        (b"Connection: Upgrade", b"Connection: keep-alive"),
        (b"Sec-WebSocket-Key:", b"X-Not-A-Key:"),
        (b" HTTP/1.1\r\n", b" HTTP/1.0\r\n"),
        (b"Host:", b"Host :"),
    ],
    ids=["no-connection-upgrade", "no-key", "http-1.0", "malformed-header"],
)
async def test_an_invalid_handshake_gets_400_and_the_connection_closed(served, change):
    answer = await refused(served, upgrade_request(served.netloc).replace(*change))
    assert answer.startswith(b"HTTP/1.1 400 ")


async def test_frames_sent_along_with_the_handshake_are_not_lost(served):
    token = await served.token("/")
    join_frame = frame(TEXT, json.dumps([0, 1, token, served.url + "/"]).encode())
    stream = await connect(served)
    async with stream:
        await stream.send_all(upgrade_request(served.netloc) + join_frame)
        head = b""
        while b"\r\n\r\n" not in head:
            head += await stream.receive_some(4096)
        response, _, rest = head.partition(b"\r\n\r\n")
        ws = RawSocket(stream, response, rest)
        with trio.fail_after(5):
            assert (await ws.message())[0] == RENDER


# -- frames ----------------------------------------------------------------------


async def test_a_ping_is_answered_with_its_payload(served):
    ws = await handshake(served)
    async with ws.stream:
        await join(served, ws)
        await ws.send(frame(PING, b"are you there"))
        with trio.fail_after(5):
            assert await ws.next_frame() == (PONG, b"are you there")
        assert "1" in json.dumps(await click(ws, 2))  # and the socket goes on


async def test_the_clients_close_is_answered_and_the_connection_closed(served):
    ws = await handshake(served)
    async with ws.stream:
        await join(served, ws)
        await ws.send(close_frame(1001, b"bye"))
        with trio.fail_after(5):
            assert await ws.next_frame() == (CLOSE, struct.pack("!H", 1001) + b"bye")
            assert await ws.next_frame() is None  # and the server closed the TCP connection


async def test_a_close_from_roost_comes_with_its_code_and_reason_before_the_connection_ends(
    served,
):
    ws = await handshake(served)
    async with ws.stream:
        await ws.send(frame(TEXT, b'[1, 1, "inc", {}]'))  # an event before the join
        with trio.fail_after(5):
            error = await ws.message()
            assert error[0] == ERROR
            code, reason = await ws.next_frame()
        assert code == CLOSE
        assert struct.unpack("!H", reason[:2])[0] == protocol.CLOSE_POLICY
        assert reason[2:] == protocol.BAD_MESSAGE.encode()
        await ws.send(close_frame(protocol.CLOSE_POLICY))  # answered as a browser does
        with trio.fail_after(5):
            assert await ws.next_frame() is None


async def test_invalid_utf8_closes_with_1007(served):
    ws = await handshake(served)
    async with ws.stream:
        await ws.send(frame(TEXT, b"\xff\xfe"))
        with trio.fail_after(5):
            code, payload = await ws.next_frame()
            assert code == CLOSE and struct.unpack("!H", payload[:2])[0] == 1007
            assert await ws.next_frame() is None


async def test_an_unmasked_client_frame_closes_with_1002(served):
    ws = await handshake(served)
    async with ws.stream:
        await ws.send(bytes([0x80 | TEXT, 2]) + b"[]")
        with trio.fail_after(5):
            code, payload = await ws.next_frame()
            assert code == CLOSE and struct.unpack("!H", payload[:2])[0] == 1002


async def test_a_message_in_fragments_is_put_together(served):
    ws = await handshake(served)
    async with ws.stream:
        await join(served, ws)
        text = json.dumps([1, 2, "inc", {}]).encode()
        await ws.send(frame(TEXT, text[:3], fin=False))
        await ws.send(frame(0x0, text[3:7], fin=False) + frame(PING, b"p"))
        await ws.send(frame(0x0, text[7:]))
        with trio.fail_after(5):
            assert await ws.next_frame() == (PONG, b"p")
            assert "1" in json.dumps(await ws.message())


# -- cutting frames: the whole text frame read here, every other one by wsproto ---


async def read_all(chunks: list[bytes]) -> tuple[list[str | bytes], bytes]:
    """What a DirectWire reads from ``chunks`` sent one after the other, and
    what it wrote back, until the client's end of the stream."""
    server_side, client_side = trio.testing.memory_stream_pair()
    read: list[str | bytes] = []
    with trio.fail_after(5), trio.CancelScope() as connection:
        wire = websocket.DirectWire(server_side, connection, b"")
        for chunk in chunks:
            await client_side.send_all(chunk)
        await client_side.send_eof()
        while (message := await wire.receive()) is not None:
            read.append(message)
        await server_side.aclose()
        written = b""
        while data := await client_side.receive_some(65536):
            written += data
    return read, written


MIXED = [
    ("short", frame(TEXT, b'[1,1,"inc",{}]')),
    ("16-bit length", frame(TEXT, b"a" * 300)),
    ("64-bit length", frame(TEXT, "é".encode() * 40_000)),
    ("fragments", frame(TEXT, b"frag", fin=False) + frame(PING, b"p") + frame(0x0, b"ment")),
    ("binary", frame(0x2, b"\x00\x01")),
    ("empty", frame(TEXT, b"")),
]
EXPECTED = ['[1,1,"inc",{}]', "a" * 300, "é" * 40_000, "fragment", b"\x00\x01", ""]


@pytest.mark.parametrize("split", ["one read", "byte by byte", "frame by frame", "odd cuts"])
async def test_messages_are_read_whole_and_in_order_however_the_stream_cuts_them(split):
    stream = b"".join(data for _, data in MIXED)
    if split == "one read":
        chunks = [stream]
    elif split == "byte by byte":
        chunks = [stream[i : i + 1] for i in range(len(stream))]
    elif split == "frame by frame":
        chunks = [data for _, data in MIXED]
    else:
        chunks = [stream[i : i + 7] for i in range(0, len(stream), 7)]
    read, written = await read_all(chunks)
    assert read == EXPECTED
    assert written.startswith(bytes([0x80 | PONG, 1]) + b"p")  # the ping between fragments


async def test_a_length_written_in_more_bytes_than_it_needs_is_refused_with_1002():
    payload = b'[1,1,"inc",{}]'
    key = b"\x01\x02\x03\x04"
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    long_form = bytes([0x80 | TEXT, 0x80 | 126]) + len(payload).to_bytes(2, "big") + key + masked
    read, written = await read_all([long_form])
    assert read == []
    assert written[0] == 0x80 | CLOSE and struct.unpack("!H", written[2:4])[0] == 1002


async def test_a_frame_too_long_to_be_a_message_closes_with_1009_before_its_payload_comes():
    too_long = 4 * websocket.MAX_MESSAGE + 1
    header = bytes([0x80 | TEXT, 0x80 | 127]) + too_long.to_bytes(8, "big") + b"\0\0\0\0"
    read, written = await read_all([header])  # the payload never sent
    assert read == []
    assert written[0] == 0x80 | CLOSE and struct.unpack("!H", written[2:4])[0] == 1009


@pytest.mark.parametrize("extra", [0, 1], ids=["at the limit", "one character over"])
async def test_a_whole_text_frame_over_the_message_limit_closes_with_1009(extra):
    text = "é" * (websocket.MAX_MESSAGE + extra)
    read, written = await read_all([frame(TEXT, text.encode())])
    if extra:
        assert read == []
        assert struct.unpack("!H", written[2:4])[0] == 1009
    else:
        assert read == [text]


async def test_invalid_utf8_in_a_whole_frame_after_good_ones_closes_with_1007():
    read, written = await read_all([frame(TEXT, b"ok") + frame(TEXT, b"\xc3\x28")])
    assert read == ["ok"]
    assert written[0] == 0x80 | CLOSE and struct.unpack("!H", written[2:4])[0] == 1007


async def test_a_write_the_peer_does_not_take_cancels_the_connection(autojump_clock):
    # Its deadline is on the socket's own scope: no scope of its own per write.
    server_side, _client_side = trio.testing.lockstep_stream_pair()
    with trio.fail_after(websocket.WRITE_TIMEOUT * 2), trio.CancelScope() as connection:
        wire = websocket.DirectWire(server_side, connection, b"")
        await wire.send("x" * 100)  # the client never reads
    assert connection.cancelled_caught
    assert trio.current_time() == pytest.approx(websocket.WRITE_TIMEOUT)


# -- writing at once ---------------------------------------------------------------


@pytest.fixture
def writer_tasks(monkeypatch) -> list[int]:
    """One entry per writer task a socket started (frames it could not write at once)."""
    started: list[int] = []
    write_queued = socket._Connection._write_queued

    async def counting(self):
        started.append(1)
        await write_queued(self)

    monkeypatch.setattr(socket._Connection, "_write_queued", counting)
    return started


async def test_a_patch_is_written_by_the_actor_that_made_it_when_nothing_waits(
    served, writer_tasks
):
    ws = await handshake(served)
    async with ws.stream:
        await join(served, ws)
        joining = len(writer_tasks)  # the join's frames go before the socket has its session
        for ref in range(2, 12):
            assert f'"{ref - 1}"' in json.dumps(await click(ws, ref))
    assert len(writer_tasks) == joining


async def test_a_patch_another_actor_of_the_tab_will_follow_waits_to_share_its_frame(
    nursery, writer_tasks
):
    from tests.apps.panel import Panel

    app = App({"/panel": Panel}, secret="test-secret")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    panel = InProcess(app, runtime, runtime.urls[0])
    ws = await handshake(panel)
    async with ws.stream:
        token = await panel.token("/panel")
        await ws.send(frame(TEXT, json.dumps([0, 1, token, panel.url + "/panel"]).encode()))
        while (await ws.message())[0] != 2:  # up to Joined
            pass
        await ws.message()  # the component's first render
        await ws.send(frame(TEXT, b'[1,2,"pick",{"choice":"b"},"picker"]'))
        with trio.fail_after(5):
            component, view = await ws.message()  # one frame of both patches
    assert component[2:] == [2, "picker"] and '"b"' in json.dumps(view)
    assert writer_tasks  # the component's patch was queued for the view's to join it


async def pair(send_buffer: int) -> tuple[trio.SocketStream, trio.SocketStream]:
    a, b = trio.socket.socketpair()
    a.setsockopt(trio.socket.SOL_SOCKET, trio.socket.SO_SNDBUF, send_buffer)
    b.setsockopt(trio.socket.SOL_SOCKET, trio.socket.SO_RCVBUF, send_buffer)
    return trio.SocketStream(a), trio.SocketStream(b)


def client_messages(received: bytes) -> list[str]:
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import TextMessage

    client = Connection(ConnectionType.CLIENT)
    client.receive_data(received)
    return [event.data for event in client.events() if isinstance(event, TextMessage)]


async def test_a_frame_the_socket_takes_only_in_part_is_finished_before_the_next():
    server, client = await pair(4096)
    async with server, client:
        with trio.CancelScope() as connection:
            wire = websocket.DirectWire(server, connection, b"")
            sent: list[str] = []
            written: bool | None = True
            while written is True:  # until a frame does not fit
                sent.append(f"{len(sent):06d}" + "x" * 20_000)
                written = wire.send_now(sent[-1])
            assert written is None  # part of it went; the rest is owed
            # Nothing more goes at once while part of a frame is owed.
            assert wire.send_now("after") is False
            received = bytearray()

            async def read() -> None:
                while chunk := await client.receive_some(65536):
                    received.extend(chunk)

            async with trio.open_nursery() as nursery:
                nursery.start_soon(read)
                await wire.flush()
                await wire.send("last")
                await server.send_eof()
        assert client_messages(bytes(received)) == [*sent, "last"]


async def test_writing_at_once_to_a_closed_connection_writes_nothing_and_raises_nothing():
    server, client = await pair(65536)
    async with client:
        with trio.CancelScope() as connection:
            wire = websocket.DirectWire(server, connection, b"")
            await server.aclose()
            assert wire.send_now("hello") is False


async def test_a_ping_after_roosts_close_is_not_answered_and_breaks_nothing(served, caplog):
    ws = await handshake(served)
    async with ws.stream:
        await ws.send(frame(TEXT, b'[1, 1, "inc", {}]'))  # before the join: refused, closed
        with trio.fail_after(5):
            await ws.message()  # the Error
            code, _ = await ws.next_frame()
            assert code == CLOSE
            await ws.send(frame(PING, b"still there?"))  # while the server lingers
            assert await ws.next_frame() is None  # closed, no Pong
    await trio.testing.wait_all_tasks_blocked()  # the server's handler has finished
    assert not [
        r
        for r in caplog.records
        if r.levelname in ("WARNING", "ERROR") and "fail" in r.getMessage()
    ]


@pytest.mark.parametrize(
    "text",
    ["", "a" * 125, "a" * 126, "a" * 65535, "a" * 65536, "é" * 40_000, "é€😀"],
    ids=["empty", "125 B", "126 B", "65535 B", "65536 B", "80000 B in 2-byte chars", "multi-byte"],
)
def test_a_text_frame_is_byte_for_byte_what_wsproto_writes(text):
    from wsproto.connection import Connection, ConnectionType
    from wsproto.events import TextMessage

    from roost.server.websocket import text_frame

    assert text_frame(text) == Connection(ConnectionType.SERVER).send(TextMessage(text))
