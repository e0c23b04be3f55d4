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
    assert socket.frames == ["[3,1]", "[3,2]", "[3,3]"]


async def test_while_detached_messages_are_dropped_not_queued():
    socket = Socket()
    outbox = Outbox(None)
    for _ in range(300):
        await outbox.put(protocol.Render("0", 1, "x" * 10_000))
    assert outbox.dropped == 300
    outbox.attach(socket)
    await outbox.put(protocol.Ack(999))
    assert socket.frames == ["[3,999]"]


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
    assert fresh.frames == ["[3,3]"] and len(cut) == 1


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
    assert socket.frames == ['[5,"0","gone"]']


def versions(frames: list[str]) -> list[int]:
    """The version each Patch frame carries (0: left off) or each Render."""
    found = []
    for message in map(protocol.decode_server, frames):
        assert isinstance(message, protocol.Patch | protocol.Render)
        found.append(message.version)
    return found


async def test_a_patch_that_follows_the_last_version_sent_leaves_its_version_off():
    socket = Socket()
    outbox = Outbox(socket)
    await outbox.put(protocol.Render("0", 1, "<p>0</p>"))
    await outbox.put(protocol.patch("0", 2, [[0, [0, 0], "1"]]))
    await outbox.put(protocol.patch("0", 3, [[0, [0, 0], "2"]], [7]))
    assert socket.frames[1:] == ['[0,[0,[0,0],"1"]]', '[0,[0,[0,0],"2"],7]']
    assert versions(socket.frames) == [1, 0, 0]


async def test_each_target_counts_its_own_versions_when_their_patches_interleave():
    socket = Socket()
    outbox = Outbox(socket)
    await outbox.put(protocol.Render("0", 4, "<p>view</p>"))
    await outbox.put(protocol.Render("tabs", 1, "<nav></nav>"))
    await outbox.put(protocol.patch("tabs", 2, [[0, [0], "a"]], [1]))
    await outbox.put(protocol.patch("0", 5, [[0, [0], "b"]]))
    await outbox.put(protocol.patch("tabs", 3, [[0, [0], "c"]]))
    assert versions(socket.frames) == [4, 1, 0, 0, 0]
    assert socket.frames[2] == '[0,[0,[0],"a"],1,"tabs"]'


async def test_a_version_that_skips_or_comes_first_on_a_socket_is_written_out():
    socket = Socket()
    outbox = Outbox(socket)
    await outbox.put(protocol.patch("0", 7, [[0, [0], "x"]]))  # nothing sent before it
    await outbox.put(protocol.patch("0", 9, [[0, [0], "y"]]))  # 8 never came: a gap
    await outbox.put(protocol.patch("0", 10, [[0, [0], "z"]]))
    assert versions(socket.frames) == [7, 9, 0]
    assert socket.frames[0] == '[0,[0,[0],"x"],0,"0",7]'


async def test_a_new_socket_gets_the_next_version_written_out():
    first, second = Socket(), Socket()
    outbox = Outbox(first)
    await outbox.put(protocol.Render("0", 1, "<p>0</p>"))
    await outbox.put(protocol.patch("0", 2, [[0, [0, 0], "1"]]))
    outbox.detach()
    await outbox.put(protocol.patch("0", 3, [[0, [0, 0], "2"]]))  # dropped: no socket
    outbox.attach(second)
    await outbox.put(protocol.patch("0", 4, [[0, [0, 0], "3"]]))
    await outbox.put(protocol.patch("0", 5, [[0, [0, 0], "4"]]))
    # The tab's page knows 2 from the first socket: 4 must say so, or it would be taken for 3.
    assert versions(second.frames) == [4, 0]
