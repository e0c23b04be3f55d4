from __future__ import annotations

import anyio
import pytest
import trio.testing

from roost.actors import Mailbox, MailboxClosed, MailboxFull


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
