"""Hostile WebSocket frames and slow clients against a real `roost run`.

Each attack runs against examples.counter in a subprocess while a
well-behaved tab (LiveClient over a real socket) keeps clicking +. It
asserts that the server closes the attacker's connection, that the server's
RSS never rose more than :data:`RSS_BUDGET_KIB` above where it was (the
peak, ``VmHWM``, so a transient allocation counts), and that the tab kept
working. docs/limits-ws.md has the limits; benchmarks/bench_hostile.py runs
the same attacks at full size.

Before the guard (roost/server/hypercorn_guard.py) these attacks measured:
a 64 MiB stream after the 1009 close, +64 MiB held until the app's idle
timeout; a 64 KiB deflate bomb, +128 MiB peak (+192 MiB for three
fragments); empty fragments, a connection never closed; four HTTP/2
requests with a trailing DATA frame, `roost run` exited.
"""

from __future__ import annotations

from collections.abc import Iterator

import h2.config
import h2.connection
import h2.events
import pytest
import trio

from roost.server import hypercorn_guard
from roost.server.runtime import _hypercorn_config
from tests.serve import roost_run

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


async def attack(server: Server, frames: Iterator[bytes], *, deflate: bool = False) -> RawSocket:
    """Send ``frames`` on a fresh socket while a tab clicks; check the bounds; the socket."""
    async with observer(server) as obs:
        await obs.click()
        growth = server.growth()
        async with clicking(obs), raw_socket(server, deflate=deflate) as ws:
            sent = await ws.stream_out(frames, budget=ATTACK_SECONDS)
            closed = await ws.wait_closed(CLOSE_SECONDS)
        peak = growth.peak_kib
        assert closed and peak < RSS_BUDGET_KIB, (
            f"after {sent} bytes: connection {'closed' if closed else 'still open'}, "
            f"RSS +{peak} KiB (budget {RSS_BUDGET_KIB} KiB)"
        )
    assert server.alive()
    return ws


async def test_a_message_streamed_past_the_limit_closes_the_connection(server):
    ws = await attack(server, continuation_stream(ATTACK_BYTES))
    assert ws.close_code == 1009


async def test_a_frame_that_claims_an_enormous_length_is_cut_off_at_the_limit(server):
    header = bytes([0x80 | BINARY, 0x80 | 127]) + (1 << 62).to_bytes(8, "big") + b"\0\0\0\0"
    body = (b"\0" * (64 * KIB) for _ in range(ATTACK_BYTES // (64 * KIB)))
    ws = await attack(server, iter([header, *body]))
    assert ws.close_code == 1009


async def test_permessage_deflate_is_not_negotiated(server):
    async with raw_socket(server, deflate=True) as ws:
        assert ws.status == 101
        assert ws.header("sec-websocket-extensions") is None


async def test_a_deflate_bomb_is_refused_without_inflating_it(server):
    # 64 KiB on the wire per fragment that would inflate to 64 MiB each.
    bomb = deflate_bomb(64 * MIB)
    assert len(bomb) < 128 * KIB
    frames = [
        frame(TEXT, bomb, fin=False, rsv1=True),
        frame(CONTINUATION, bomb, fin=False),
        frame(CONTINUATION, bomb),
    ]
    await attack(server, iter(frames), deflate=True)


async def test_many_small_fragments_close_the_connection(server):
    ws = await attack(server, small_fragments(100_000, 1))
    assert ws.close_code == 1009


async def test_empty_fragments_that_never_add_up_close_the_connection(server):
    ws = await attack(server, small_fragments(200_000, 0))
    assert ws.close_code == 1009


async def test_a_fragmented_message_within_the_limits_still_arrives(server):
    # Legal: pings between fragments, a few hundred fragments. The message is
    # not a roost message, so the app answers bad_message and closes 1007.
    async with raw_socket(server) as ws:
        await ws.send(frame(TEXT, b"[", fin=False))
        for _ in range(300):
            await ws.send(frame(CONTINUATION, b" ", fin=False) + frame(PING, b"p"))
        await ws.send(frame(CONTINUATION, b"]"))
        assert await ws.wait_closed(CLOSE_SECONDS)
    assert ws.close_code not in (None, 1009)


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
    with roost_run("examples.counter:app") as served:
        server = Server(served)
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
