from __future__ import annotations

import gc
from collections import Counter

import anyio
import pytest
import trio.testing

from roost.actors import Mailbox, MailboxClosed, MailboxFull
from roost.actors import mailbox as mailbox_module
from roost.actors.mailbox import STOP


async def test_put_nowait_refuses_when_full_and_keeps_what_it_holds():
    box = Mailbox(capacity=2)
    box.put_nowait("a")
    box.put_nowait("b")
    with pytest.raises(MailboxFull):
        box.put_nowait("c")
    assert len(box) == 2
    assert await box.get() == "a"
    assert box.get_ready() == ["b"]
    box.close()


async def test_get_ready_returns_only_what_is_waiting():
    box = Mailbox(capacity=4)
    assert box.get_ready() == []
    box.put_nowait(1)
    box.put_nowait(2)
    assert box.get_ready() == [1, 2]
    box.close()


async def test_a_closed_mailbox_refuses_messages():
    box = Mailbox()
    box.close()
    with pytest.raises(MailboxClosed):
        box.put_nowait("late")
    with pytest.raises(MailboxClosed):
        await box.put("late")


async def test_closing_returns_what_is_queued_and_refuses_a_waiting_writer():
    box = Mailbox(capacity=2)
    box.put_nowait("a")
    box.put_nowait("b")
    refused: list[str] = []

    async def writer() -> None:
        with pytest.raises(MailboxClosed):
            await box.put("c")
        refused.append("c")

    async with anyio.create_task_group() as tg:
        tg.start_soon(writer)
        await trio.testing.wait_all_tasks_blocked()
        assert box.close() == ["a", "b"]
    assert refused == ["c"]


async def test_writers_waiting_for_room_deliver_in_the_order_they_came():
    box = Mailbox(capacity=1)
    box.put_nowait(0)
    async with anyio.create_task_group() as tg:
        for n in (1, 2, 3):
            tg.start_soon(box.put, n)
            await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(MailboxFull):
            box.put_nowait("jumps the line")
        got = [await box.get() for _ in range(4)]
    assert got == [0, 1, 2, 3]
    box.close()


async def test_a_writer_that_gives_up_waiting_does_not_hold_up_the_next():
    box = Mailbox(capacity=1)
    box.put_nowait("a")
    waiting = anyio.CancelScope()

    async def give_up() -> None:
        with waiting:
            await box.put("gave up")

    async with anyio.create_task_group() as tg:
        tg.start_soon(give_up)  # first in line
        await trio.testing.wait_all_tasks_blocked()
        tg.start_soon(box.put, "b")
        await trio.testing.wait_all_tasks_blocked()
        waiting.cancel()
        await trio.testing.wait_all_tasks_blocked()
        assert [await box.get(), await box.get()] == ["a", "b"]
    assert box.close() == []


def test_a_mailbox_reader_waits_and_wakes_under_asyncio_too():
    async def main() -> list[int]:
        mailbox = Mailbox(4)
        got: list[int] = []

        async def read() -> None:
            for _ in range(3):
                got.append(await mailbox.get())

        async with anyio.create_task_group() as tg:
            tg.start_soon(read)
            await anyio.wait_all_tasks_blocked()
            for n in range(3):
                mailbox.put_nowait(n)
                await anyio.wait_all_tasks_blocked()
        return got

    assert anyio.run(main, backend="asyncio") == [0, 1, 2]


async def _reader(box: Mailbox, got: list[object]) -> None:
    # An actor's loop in small: wait while empty, take what came.
    while True:
        while not box:
            await box.wait()
        got.extend(box.get_ready())


@pytest.fixture(params=["own trap", "public trap"])
def trap(request, monkeypatch):
    """Each parking test runs on both ways a mailbox parks its reader: its own
    re-used trap message, and Trio's public trap (a Trio without that message)."""
    if request.param == "public trap":
        monkeypatch.setattr(mailbox_module, "_Parked", None)
    return request.param


async def test_a_waiting_reader_is_woken_by_each_message_put(trap):
    box, got = Mailbox(), []
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_reader, box, got)
        for n in range(3):
            await trio.testing.wait_all_tasks_blocked()
            box.put_nowait(n)
        await box.put(3)
        box.request_stop()
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert got == [0, 1, 2, 3, STOP]


async def test_a_reader_cancelled_while_waiting_is_not_woken_by_a_later_message(trap):
    box, got = Mailbox(), []
    with trio.CancelScope() as scope:
        scope.deadline = trio.current_time()  # cancelled while parked
        await box.get()
    assert scope.cancelled_caught
    box.put_nowait("later")  # no task to wake: it must not try to
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_reader, box, got)
        await trio.testing.wait_all_tasks_blocked()
        box.put_nowait("next")
        await trio.testing.wait_all_tasks_blocked()
        nursery.cancel_scope.cancel()
    assert got == ["later", "next"]


async def test_a_reader_woken_and_waiting_again_leaves_one_new_object_behind():
    # A waiting actor keeps what its wait is made of until its next message:
    # in a broadcast, one wait per subscriber lives long enough for the
    # garbage collector to trace it. Trio's own trap made five objects a wait.
    box, got = Mailbox(), []

    async def left_behind(message: object | None) -> Counter[str]:
        # The objects the collector tracks that are new after this round (the
        # reader woken by `message`, or not), but for the test's own.
        gc.collect()
        gc.freeze()
        try:
            if message is not None:
                box.put_nowait(message)
            await trio.testing.wait_all_tasks_blocked()
            return Counter(type(o).__name__ for o in gc.get_objects())
        finally:
            gc.unfreeze()

    async with trio.open_nursery() as nursery:
        nursery.start_soon(_reader, box, got)
        await left_behind("first")  # (the first wait made what every wait re-uses)
        idle = await left_behind(None)
        woken = await left_behind("second")
        nursery.cancel_scope.cancel()
    assert got == ["first", "second"]
    assert woken - idle == Counter({"generator": 1})
