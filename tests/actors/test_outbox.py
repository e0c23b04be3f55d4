"""The session's outbox: order, backpressure, detach/attach and stalled sockets."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import trio
import trio.testing

from roost import protocol
from roost.actors import SessionEnded
from roost.actors.outbox import Outbox


class Socket:
    def __init__(self, stuck: bool = False) -> None:
        self.frames: list[str] = []
        self.stuck = stuck
        self.wrote = trio.Event()

    async def __call__(self, text: str) -> None:
        if self.stuck:
            await trio.sleep_forever()
        self.frames.append(text)
        self.wrote.set()


@asynccontextmanager
async def running(outbox: Outbox) -> AsyncIterator[Outbox]:
    """The outbox task runs for the block; then it stops and the outbox closes."""
    async with trio.open_nursery() as nursery:
        await nursery.start(outbox.run)
        yield outbox
        nursery.cancel_scope.cancel()
    outbox.close()


async def test_messages_go_out_in_order():
    socket = Socket()
    async with running(Outbox(socket)) as outbox:
        for ref in range(1, 4):
            await outbox.put(protocol.Ack(ref))
        await trio.testing.wait_all_tasks_blocked()
    assert [json.loads(f) for f in socket.frames] == [["r", 1], ["r", 2], ["r", 3]]


async def test_while_detached_messages_are_dropped_not_queued():
    socket = Socket()
    async with running(Outbox(None)) as outbox:
        for ref in range(300):  # more than the capacity: nobody waits
            await outbox.put(protocol.Ack(ref))
        outbox.attach(socket)
        await outbox.put(protocol.Ack(999))
        await socket.wrote.wait()
    assert socket.frames == ['["r",999]']


async def test_a_stalled_write_detaches_the_socket_and_a_new_one_gets_the_rest(
    autojump_clock,
):
    stuck, fresh = Socket(stuck=True), Socket()
    stalled: list[object] = []

    async def cut_off(transport: object, reason: str) -> None:
        stalled.append(transport)

    async with running(Outbox(stuck, write_timeout=10, on_cut_off=cut_off)) as outbox:
        await outbox.put(protocol.Ack(1))
        await trio.sleep(11)
        assert stalled == [stuck]
        outbox.attach(fresh)
        await outbox.put(protocol.Ack(2))
        await fresh.wrote.wait()
    assert fresh.frames == ['["r",2]']


async def test_attaching_abandons_a_write_stuck_on_the_old_socket():
    stuck, fresh = Socket(stuck=True), Socket()
    async with running(Outbox(stuck)) as outbox:
        await outbox.put(protocol.Ack(1))
        await trio.testing.wait_all_tasks_blocked()
        outbox.attach(fresh)
        await outbox.put(protocol.Ack(2))
        await fresh.wrote.wait()
    assert fresh.frames == ['["r",2]']


async def test_putting_into_an_ended_sessions_outbox_raises_session_ended():
    outbox = Outbox(None)
    outbox.close()
    with pytest.raises(SessionEnded):
        await outbox.put(protocol.Ack(1))


async def test_a_socket_that_falls_a_byte_budget_behind_is_cut_off_not_buffered_for():
    stuck = Socket(stuck=True)
    cut: list[tuple[object, str]] = []

    async def cut_off(transport: object, reason: str) -> None:
        cut.append((transport, reason))

    big = protocol.Render("0", 1, "x" * 3000)
    async with running(Outbox(stuck, max_bytes=10_000, on_cut_off=cut_off)) as outbox:
        for _ in range(4):  # the first is in the stuck write; three wait: 9 KB
            await outbox.put(big)
        await trio.testing.wait_all_tasks_blocked()
        assert not cut and outbox.queued_bytes > 6000
        await outbox.put(big)  # past 10,000 bytes waiting
        assert [t for t, _ in cut] == [stuck]
        assert "fell behind" in cut[0][1]
        assert not outbox.attached and outbox.queued_bytes == 0


async def test_nothing_is_queued_while_detached():
    async with running(Outbox(None)) as outbox:
        await outbox.put(protocol.Render("0", 1, "x" * 100_000))
        assert outbox.queued_bytes == 0 and outbox.dropped == 1
