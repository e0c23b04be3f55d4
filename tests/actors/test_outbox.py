"""The tab's outbox: order, dropping while detached, cutting off a socket that refuses."""

from __future__ import annotations

import pytest

from roost import protocol
from roost.actors import SessionEnded
from roost.actors.outbox import Outbox


class Socket:
    """A transport that takes frames until it is told to refuse them."""

    def __init__(self, refuse: str | None = None) -> None:
        self.frames: list[str] = []
        self.refuse = refuse

    def __call__(self, text: str) -> str | None:
        if self.refuse is not None:
            return self.refuse
        self.frames.append(text)
        return None


async def test_messages_go_out_in_order_encoded_once():
    socket = Socket()
    outbox = Outbox(socket)
    for ref in range(1, 4):
        await outbox.put(protocol.Ack(ref))
    assert socket.frames == ['["r",1]', '["r",2]', '["r",3]']


async def test_while_detached_messages_are_dropped_not_queued():
    socket = Socket()
    outbox = Outbox(None)
    for _ in range(300):
        await outbox.put(protocol.Render("0", 1, "x" * 10_000))
    assert outbox.dropped == 300
    outbox.attach(socket)
    await outbox.put(protocol.Ack(999))
    assert socket.frames == ['["r",999]']


async def test_a_socket_that_refuses_a_frame_is_cut_off_with_its_reason():
    stuck, fresh = Socket(refuse="fell behind"), Socket()
    cut: list[tuple[object, str]] = []

    async def cut_off(transport: object, reason: str) -> None:
        cut.append((transport, reason))

    outbox = Outbox(stuck, on_cut_off=cut_off)
    await outbox.put(protocol.Ack(1))
    assert cut == [(stuck, "fell behind")]
    assert not outbox.attached
    await outbox.put(protocol.Ack(2))  # dropped: nothing attached
    outbox.attach(fresh)
    await outbox.put(protocol.Ack(3))
    assert fresh.frames == ['["r",3]'] and len(cut) == 1


async def test_putting_into_an_ended_sessions_outbox_raises_session_ended():
    outbox = Outbox(Socket())
    outbox.close()
    with pytest.raises(SessionEnded):
        await outbox.put(protocol.Ack(1))


async def test_last_words_reach_the_socket_after_the_session_ended():
    socket = Socket()
    outbox = Outbox(socket)
    outbox.close()
    outbox.write_now(protocol.Crash("0", "gone"))
    assert socket.frames == ['["c","0","gone"]']
