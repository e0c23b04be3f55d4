"""Hostile WebSocket frames and slow clients against a real `roost run`.

Each attack runs against examples.counter in a subprocess while a
well-behaved tab (LiveClient over a real socket) keeps clicking +. It
asserts that the server closes the attacker's connection, that the server's
RSS never rose more than :data:`RSS_BUDGET_KIB` above where it was (the
peak, ``VmHWM``, so a transient allocation counts), and that the tab kept
working. docs/security.md has the limits; benchmarks/bench_hostile.py runs
the same attacks at full size.

Before the guard (roost/server/hypercorn_guard.py) these attacks measured:
a 64 MiB stream after the 1009 close, +64 MiB held until the app's idle
timeout; a 64 KiB deflate bomb, +128 MiB peak (+192 MiB for three
fragments); empty fragments, a connection never closed; messages queued
behind a refused one, or a POST body roost does not read, a connection
never closed; a peer that stops reading, a connection and the app's task
held for good; four HTTP/2 requests with a trailing DATA frame, `roost run`
exited.
"""

from __future__ import annotations

from collections.abc import Iterator

import h2.config
import h2.connection
import h2.events
import pytest
import trio
import trio_websocket

from roost.server import hypercorn_guard
from roost.server.runtime import _hypercorn_config

from .conftest import (
    BINARY,
    CONTINUATION,
    KIB,
    MIB,
    PING,
    TEXT,
    RawSocket,
    Server,
    clicking,
    connect,
    deflate_bomb,
    frame,
    observer,
    raw_socket,
    roost_server,
    upgrade_request,
)

RSS_BUDGET_KIB = 16 * 1024
"""Most the server's RSS may rise during one attack. Measured after the fix:
under 1 MiB for every attack here; before it, 64-192 MiB for the same attacks."""

ATTACK_BYTES = 64 * MIB
"""What a streaming attack sends at most (four times the budget, so an
unbounded server cannot stay within it)."""

ATTACK_SECONDS = 5.0
"""How long a streaming attack may go on at most."""

CLOSE_SECONDS = 3.0
"""How long the server may take to close the attacker's connection once it sent its frames."""


def continuation_stream(total: int, size: int = 64 * KIB) -> Iterator[bytes]:
    """A text message that never ends: a first frame, then continuations, ``total`` bytes."""
    payload = b"a" * size
    yield frame(TEXT, payload, fin=False)
    sent = size
    while sent < total:
        yield frame(CONTINUATION, payload, fin=False)
        sent += size


def small_fragments(count: int, size: int) -> Iterator[bytes]:
    """A text message of ``count`` fragments of ``size`` bytes that never ends, in batches."""
    yield frame(TEXT, b"a" * size, fin=False)
    batch = frame(CONTINUATION, b"a" * size, fin=False) * 1000
    for _ in range(count // 1000):
        yield batch


async def read_until_closed(stream: trio.SocketStream) -> bytes:
    """What the server sends until it closes the connection (a reset counts as closing)."""
    received = bytearray()
    try:
        while chunk := await stream.receive_some(65536):
            received += chunk
    except trio.BrokenResourceError:
        pass
    return bytes(received)


@pytest.fixture(params=["roost", "hypercorn"])
def after_request(request) -> bool:
    """Which path the attacker's socket takes: roost's own (a fresh connection,
    roost/server/websocket.py), or hypercorn's ASGI one (an upgrade on a
    connection that served a request first)."""
    return request.param == "hypercorn"


async def attack(
    server: Server, frames: Iterator[bytes], after_request: bool, *, deflate: bool = False
) -> RawSocket:
    """Send ``frames`` on a fresh socket while a tab clicks; check the bounds; the socket."""
    async with observer(server) as obs:
        await obs.click()
        growth = server.growth()
        socket = raw_socket(server, deflate=deflate, after_request=after_request)
        async with clicking(obs), socket as ws:
            sent = await ws.stream_out(frames, budget=ATTACK_SECONDS)
            closed = await ws.wait_closed(CLOSE_SECONDS)
        peak = growth.peak_kib
        assert closed and peak < RSS_BUDGET_KIB, (
            f"after {sent} bytes: connection {'closed' if closed else 'still open'}, "
            f"RSS +{peak} KiB (budget {RSS_BUDGET_KIB} KiB)"
        )
    assert server.alive()
    return ws


async def test_a_message_streamed_past_the_limit_closes_the_connection(server, after_request):
    ws = await attack(server, continuation_stream(ATTACK_BYTES), after_request)
    assert ws.close_code == 1009


async def test_a_frame_that_claims_an_enormous_length_is_cut_off_at_the_limit(
    server, after_request
):
    header = bytes([0x80 | BINARY, 0x80 | 127]) + (1 << 62).to_bytes(8, "big") + b"\0\0\0\0"
    body = (b"\0" * (64 * KIB) for _ in range(ATTACK_BYTES // (64 * KIB)))
    ws = await attack(server, iter([header, *body]), after_request)
    assert ws.close_code == 1009


async def test_permessage_deflate_is_not_negotiated(server, after_request):
    async with raw_socket(server, deflate=True, after_request=after_request) as ws:
        assert ws.status == 101
        assert ws.header("sec-websocket-extensions") is None


async def test_a_deflate_bomb_is_refused_without_inflating_it(server, after_request):
    # 64 KiB on the wire per fragment that would inflate to 64 MiB each.
    bomb = deflate_bomb(64 * MIB)
    assert len(bomb) < 128 * KIB
    frames = [
        frame(TEXT, bomb, fin=False, rsv1=True),
        frame(CONTINUATION, bomb, fin=False),
        frame(CONTINUATION, bomb),
    ]
    await attack(server, iter(frames), after_request, deflate=True)


async def test_many_small_fragments_close_the_connection(server, after_request):
    ws = await attack(server, small_fragments(100_000, 1), after_request)
    assert ws.close_code == 1009


async def test_empty_fragments_that_never_add_up_close_the_connection(server, after_request):
    ws = await attack(server, small_fragments(200_000, 0), after_request)
    assert ws.close_code == 1009


async def test_a_fragmented_message_within_the_limits_still_arrives(server, after_request):
    # Legal: pings between fragments, a few hundred fragments. The message is
    # not a roost message, so the app answers bad_message and closes 1007.
    async with raw_socket(server, after_request=after_request) as ws:
        await ws.send(frame(TEXT, b"[", fin=False))
        for _ in range(300):
            await ws.send(frame(CONTINUATION, b" ", fin=False) + frame(PING, b"p"))
        await ws.send(frame(CONTINUATION, b"]"))
        assert await ws.wait_closed(CLOSE_SECONDS)
    assert ws.close_code not in (None, 1009)


async def test_messages_queued_behind_a_refused_one_do_not_keep_the_connection(
    server, after_request
):
    # The app closes on the bad message and returns with its queue full;
    # hypercorn waited forever to queue the rest (and the disconnect).
    async with raw_socket(server, after_request=after_request) as ws:
        await ws.send(frame(TEXT, b"not a roost message") + frame(TEXT, b"[]") * 50)
        assert await ws.wait_closed(CLOSE_SECONDS)
    assert ws.close_code == 1007


async def test_a_request_body_the_app_never_reads_does_not_keep_the_connection(server):
    # roost answers POST with 405 without reading the body; hypercorn waited
    # forever to queue the body (then the disconnect), reading on.
    growth = server.growth()
    stream = await connect(server)
    head = f"POST / HTTP/1.1\r\nHost: {server.netloc}\r\nContent-Length: {1 << 40}\r\n\r\n"
    async with stream:
        await stream.send_all(head.encode())
        with trio.fail_after(ATTACK_SECONDS + hypercorn_guard.DISCONNECT_WAIT + CLOSE_SECONDS):
            async with trio.open_nursery() as nursery:

                async def body() -> None:
                    chunk = b"x" * (64 * KIB)
                    with trio.move_on_after(ATTACK_SECONDS):
                        try:
                            while True:
                                await stream.send_all(chunk)
                        except trio.BrokenResourceError:  # closed by the server
                            pass

                nursery.start_soon(body)
                response = await read_until_closed(stream)
                nursery.cancel_scope.cancel()
    assert response.startswith(b"HTTP/1.1 405 ")
    assert growth.peak_kib < RSS_BUDGET_KIB


async def test_an_oversized_request_head_is_refused(server):
    stream = await connect(server)
    async with stream:
        await stream.send_all(b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * (32 * KIB))
        with trio.fail_after(CLOSE_SECONDS):
            response = await read_until_closed(stream)
    assert response.startswith(b"HTTP/1.1 431 ")


async def test_a_handshake_trickled_byte_by_byte_is_closed_after_the_head_timeout(server):
    # Slowloris: a byte every 50 ms never completes the head within HEAD_TIMEOUT.
    stream = await connect(server)
    request = upgrade_request(server.netloc) * 10
    start = trio.current_time()
    async with stream:
        with trio.fail_after(hypercorn_guard.HEAD_TIMEOUT + CLOSE_SECONDS):
            async with trio.open_nursery() as nursery:

                async def trickle() -> None:
                    for byte in request:
                        try:
                            await stream.send_all(bytes([byte]))
                        except (trio.BrokenResourceError, trio.ClosedResourceError):
                            return
                        await trio.sleep(0.05)

                nursery.start_soon(trickle)
                await read_until_closed(stream)
                nursery.cancel_scope.cancel()
    assert trio.current_time() - start >= hypercorn_guard.HEAD_TIMEOUT - 0.5


async def test_http2_data_on_a_closed_stream_closes_that_connection_only():
    # hypercorn raised KeyError out of its connection handler, stopping the
    # server: four of these ended `roost run` (restart intensity).
    with roost_server() as server:
        async with observer(server) as obs:
            for _ in range(6):
                await _h2_get_then_data(server)
                await obs.click()
        assert server.alive()


async def _h2_get_then_data(server: Server) -> None:
    connection = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    connection.initiate_connection()
    stream_id = connection.get_next_available_stream_id()
    headers = [(":method", "GET"), (":scheme", "http"), (":path", "/")]
    headers.append((":authority", server.netloc))
    connection.send_headers(stream_id, headers)
    tcp = await connect(server)
    async with tcp:
        await tcp.send_all(connection.data_to_send())
        with trio.fail_after(CLOSE_SECONDS):
            ended = False
            while not ended:
                data = await tcp.receive_some(65536)
                assert data, "the server closed before answering"
                events = connection.receive_data(data)
                ended = any(isinstance(e, h2.events.StreamEnded) for e in events)
            # The response is complete; our half of the stream is still open.
            connection.send_data(stream_id, b"x" * 10)
            await tcp.send_all(connection.data_to_send())
            await read_until_closed(tcp)


def test_roost_run_configures_every_bound_hypercorn_takes():
    config = _hypercorn_config("127.0.0.1:0", idle_timeout=75.0)
    assert isinstance(config, hypercorn_guard.GuardedConfig)
    assert hypercorn_guard.installed()
    assert config.websocket_max_message_size == 64 * KIB
    assert config.websocket_max_frames == hypercorn_guard.MAX_FRAMES_PER_MESSAGE
    assert config.h11_max_incomplete_size == 16 * KIB
    assert config.keep_alive_timeout == hypercorn_guard.HEAD_TIMEOUT
    assert config.max_app_queue_size == hypercorn_guard.APP_QUEUE
    assert config.read_timeout == 90
    assert _hypercorn_config("127.0.0.1:0", idle_timeout=None).read_timeout is None


@pytest.mark.parametrize("sent", [64 * KIB, 64 * KIB + 1])
def test_the_message_budget_refuses_before_it_buffers(sent):
    from hypercorn.protocol.ws_stream import FrameTooLargeError
    from wsproto.events import TextMessage

    budget = hypercorn_guard.MessageBudget(64 * KIB, 4)
    event = TextMessage(data="a" * sent, frame_finished=True, message_finished=False)
    if sent <= 64 * KIB:
        budget.extend(event)
        assert budget.length == sent
    else:
        with pytest.raises(FrameTooLargeError):
            budget.extend(event)
        assert budget.length == 0 and budget.exceeded


def with_lifespan(app):
    """A plain ASGI app that also answers hypercorn's lifespan events, as it needs."""

    async def serving(scope, receive, send):
        if scope["type"] != "lifespan":
            return await app(scope, receive, send)
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})

    return serving


async def test_a_peer_that_stops_reading_is_closed_after_the_write_timeout():
    # hypercorn shields its writes: a response the peer never reads held the
    # connection (and the app's task) forever. In this process, with a short
    # write timeout, a plain ASGI app that answers with 8 MiB.
    import hypercorn.trio

    finished = trio.Event()

    @with_lifespan
    async def app(scope, receive, send):
        try:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"x" * (8 * MIB)})
        finally:
            finished.set()

    config = _hypercorn_config("127.0.0.1:0", idle_timeout=75.0)
    config.write_timeout = 0.5
    async with trio.open_nursery() as nursery:
        urls = await nursery.start(hypercorn.trio.serve, app, config)
        port = int(urls[0].rsplit(":", 1)[1])
        sock = trio.socket.socket()
        sock.setsockopt(trio.socket.SOL_SOCKET, trio.socket.SO_RCVBUF, 4096)
        await sock.connect(("127.0.0.1", port))
        stream = trio.SocketStream(sock)
        async with stream:
            await stream.send_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 3)
            with trio.fail_after(config.write_timeout + CLOSE_SECONDS):
                await finished.wait()  # the app's write gave up, the app ended
                received = await read_until_closed(stream)  # and the connection closed
        assert len(received) < 8 * MIB
        # Only that connection: the server still answers.
        stream = await trio.open_tcp_stream("127.0.0.1", port)
        async with stream:
            await stream.send_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            with trio.fail_after(CLOSE_SECONDS):
                answer = await read_until_closed(stream)
        assert answer.startswith(b"HTTP/1.1 200 ") and len(answer) > 8 * MIB
        nursery.cancel_scope.cancel()


async def test_a_websocket_that_sends_nothing_past_the_read_timeout_is_dropped():
    # The backstop under roost's own idle close: hypercorn's read timeout,
    # which roost's connection carries on the scope it has anyway (no scope of
    # its own per read). A plain ASGI app with no idle close of its own.
    import hypercorn.trio

    from tests.websockets import open_websocket_url

    ended = trio.Event()

    @with_lifespan
    async def app(scope, receive, send):
        try:
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            while (await receive())["type"] != "websocket.disconnect":
                pass
        finally:
            ended.set()

    config = _hypercorn_config("127.0.0.1:0", idle_timeout=75.0)
    config.read_timeout = 1
    async with trio.open_nursery() as nursery:
        urls = await nursery.start(hypercorn.trio.serve, app, config)
        url = urls[0].replace("http://", "ws://")
        async with open_websocket_url(url) as ws:
            with trio.fail_after(config.read_timeout + CLOSE_SECONDS):
                await ended.wait()  # the app's task ended with the connection
                with pytest.raises(trio_websocket.ConnectionClosed):
                    await ws.get_message()
        # Only that connection: the server still accepts others.
        async with open_websocket_url(url) as ws:
            assert not ws.closed
        nursery.cancel_scope.cancel()
