"""The Redis pubsub between processes: two RedisPubSub objects on one
redis-server stand for two processes. What the contract asks of every backend
is in test_contract.py; here, what crosses between processes, and Redis going
away and coming back. Every wait is on an event or a condition, bounded."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import coredis
import pytest

from roost.pubsub import PubSub, RedisUnavailable
from roost.pubsub.redis import BATCH, RedisPubSub
from tests.redis_server import RedisServer, free_port, fresh_namespace

WAIT = 10.0
"""Seconds any one awaited step may take before the test fails."""


class Inbox:
    """A deliver callback that keeps what it is given and can be waited on."""

    def __init__(self) -> None:
        self.got: list[tuple[str, Any]] = []
        self._arrived: anyio.Event | None = None

    def __call__(self, topic: str, message: Any) -> None:
        self.got.append((topic, message))
        if self._arrived is not None:
            self._arrived.set()

    @property
    def messages(self) -> list[Any]:
        return [message for _, message in self.got]

    async def until(self, count: int) -> list[Any]:
        """The messages, once there are at least ``count`` of them."""
        with anyio.fail_after(WAIT):
            while len(self.got) < count:
                self._arrived = anyio.Event()
                await self._arrived.wait()
        return self.messages


@asynccontextmanager
async def running(pubsub: RedisPubSub) -> AsyncIterator[RedisPubSub]:
    async with anyio.create_task_group() as tg:
        assert await tg.start(pubsub.run) is pubsub
        yield pubsub
        tg.cancel_scope.cancel()


async def synced(*backends: RedisPubSub) -> None:
    with anyio.fail_after(WAIT):
        for backend in backends:
            await backend.synced()


async def until(condition: Callable[[], bool]) -> None:
    """Return once ``condition()`` holds; poll it, within WAIT seconds (for
    what has no event: a backend noticing that its server has gone)."""
    with anyio.fail_after(WAIT):
        while not condition():  # noqa: ASYNC110 - polled: nothing to wait on
            await anyio.sleep(0.005)


@pytest.fixture
def url(redis_server: str) -> str:
    return fresh_namespace(redis_server)


def test_a_redis_pubsub_is_a_pubsub(url: str) -> None:
    pubsub: PubSub = RedisPubSub(url)  # mypy checks the protocol here
    assert isinstance(pubsub, PubSub)


async def test_a_broadcast_reaches_another_process_as_a_json_copy(url: str) -> None:
    async with running(RedisPubSub(url)) as here, running(RedisPubSub(url)) as there:
        inbox = Inbox()
        here.subscribe("room", inbox)
        await synced(here)
        sent = {"text": "hi ✓", "list": (1, 2.5, None, True), "nested": {"a": []}}
        await there.broadcast("room", sent)
        assert await inbox.until(1) == [
            {"text": "hi ✓", "list": [1, 2.5, None, True], "nested": {"a": []}}
        ]
        assert inbox.got[0][0] == "room"


@pytest.mark.parametrize("topic", ["chat:1", "ünïcødé ✓", "lone \udcff", ""])
async def test_any_topic_crosses_between_processes(url: str, topic: str) -> None:
    async with running(RedisPubSub(url)) as here, running(RedisPubSub(url)) as there:
        inbox = Inbox()
        here.subscribe(topic, inbox)
        await synced(here)
        await there.broadcast(topic, "hi")
        await inbox.until(1)
        assert inbox.got == [(topic, "hi")]


async def test_another_processs_broadcasts_arrive_in_order_once_per_subscription(
    url: str,
) -> None:
    async with running(RedisPubSub(url)) as here, running(RedisPubSub(url)) as there:
        first, second = Inbox(), Inbox()
        here.subscribe("room", first)
        here.subscribe("room", second)
        await synced(here)
        for n in range(300):
            await there.broadcast("room", n)
        assert await first.until(300) == list(range(300))
        assert await second.until(300) == list(range(300))


async def test_the_broadcaster_gets_its_own_message_once_though_redis_echoes_it(
    url: str,
) -> None:
    async with running(RedisPubSub(url)) as here, running(RedisPubSub(url)) as there:
        mine, theirs = Inbox(), Inbox()
        here.subscribe("room", mine)
        there.subscribe("room", theirs)
        await synced(here, there)
        await here.broadcast("room", "mine")
        assert mine.messages == ["mine"]  # called before broadcast returned
        # Once "there" has it, Redis has sent it to both; what "there" sends
        # next reaches "here" after the echo of "mine", which is skipped.
        await theirs.until(1)
        await there.broadcast("room", "theirs")
        assert await mine.until(2) == ["mine", "theirs"]
        assert await theirs.until(2) == ["mine", "theirs"]


@pytest.mark.parametrize("other", ["namespace", "db"])
async def test_another_namespace_or_database_shares_nothing(redis_server: str, other: str) -> None:
    if other == "namespace":
        url, elsewhere = fresh_namespace(redis_server), fresh_namespace(redis_server)
    else:  # the same namespace in another database
        query = fresh_namespace("")
        url, elsewhere = f"{redis_server}/0{query}", f"{redis_server}/1{query}"
    async with (
        running(RedisPubSub(url)) as here,
        running(RedisPubSub(url)) as there,
        running(RedisPubSub(elsewhere)) as apart,
        running(RedisPubSub(elsewhere)) as apart_sender,
    ):
        near, far = Inbox(), Inbox()
        here.subscribe("room", near)
        apart.subscribe("room", far)
        await synced(here, apart)
        await there.broadcast("room", "not for apart")
        await near.until(1)
        # Redis has sent "not for apart" to its subscribers by now; what is
        # sent after it reaches "apart" after it, had it been sent there too.
        await apart_sender.broadcast("room", "marker")
        assert await far.until(1) == ["marker"]
        assert near.messages == ["not for apart"]


async def test_redis_follows_subscribe_and_unsubscribe(url: str, redis_server: str) -> None:
    async with running(RedisPubSub(url)) as here, coredis.Redis.from_url(redis_server) as raw:
        channel = here.prefix + "room"

        async def subscribers() -> int:
            counts = await raw.pubsub_numsub(channel)
            return counts.get(channel.encode(), 0)

        leave_one = here.subscribe("room", Inbox())
        leave_two = here.subscribe("room", Inbox())
        await synced(here)
        assert await subscribers() == 1  # one Redis subscription per topic
        leave_one()
        await synced(here)
        assert await subscribers() == 1
        leave_two()
        await synced(here)
        assert await subscribers() == 0


async def test_more_topics_than_one_subscribe_takes(url: str) -> None:
    async with running(RedisPubSub(url)) as here, running(RedisPubSub(url)) as there:
        inboxes = [Inbox() for _ in range(BATCH + 10)]
        for n, inbox in enumerate(inboxes):
            here.subscribe(f"topic:{n}", inbox)
        await synced(here)
        await there.broadcast(f"topic:{BATCH + 9}", "last")
        await there.broadcast("topic:0", "first")
        assert await inboxes[-1].until(1) == ["last"]
        assert await inboxes[0].until(1) == ["first"]


async def test_a_message_that_is_not_json_is_refused_and_reaches_no_one(url: str) -> None:
    async with running(RedisPubSub(url)) as here:
        inbox = Inbox()
        here.subscribe("room", inbox)
        with pytest.raises(TypeError):
            await here.broadcast("room", object())
        assert inbox.messages == []


async def test_a_foreign_message_on_a_channel_is_logged_and_skipped(
    url: str, redis_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        running(RedisPubSub(url)) as here,
        running(RedisPubSub(url)) as there,
        coredis.Redis.from_url(redis_server) as raw,
    ):
        inbox = Inbox()
        here.subscribe("room", inbox)
        await synced(here)
        with caplog.at_level(logging.WARNING, logger="roost.pubsub"):
            await raw.publish(here.prefix + "room", b"\xff not json")
            await there.broadcast("room", "after")
            assert await inbox.until(1) == ["after"]
        assert "dropped a message on 'room'" in caplog.text


async def test_run_raises_when_redis_cannot_be_reached_at_start() -> None:
    pubsub = RedisPubSub(f"redis://:s3cret@127.0.0.1:{free_port()}")
    async with anyio.create_task_group() as tg:
        with pytest.raises(RedisUnavailable) as raised:
            await tg.start(pubsub.run)
    assert isinstance(raised.value, ConnectionError)
    assert f"redis at {pubsub.url.where} unreachable" in str(raised.value)
    assert "s3cret" not in str(raised.value)


async def test_redis_going_away_and_coming_back(
    redis_process: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = fresh_namespace(redis_process.url)
    caplog.set_level(logging.INFO, logger="roost.pubsub")
    async with running(RedisPubSub(url)) as here, running(RedisPubSub(url)) as there:
        near, far = Inbox(), Inbox()
        here.subscribe("room", near)
        there.subscribe("room", far)
        await synced(here, there)
        await here.broadcast("room", "before")
        assert await far.until(1) == ["before"]

        redis_process.stop()
        await until(lambda: not here.connected and not there.connected)
        # This process's subscribers still get every broadcast made here, at
        # once, and broadcast neither waits nor raises.
        await here.broadcast("room", "while down")
        assert near.messages == ["before", "while down"]
        late = Inbox()
        here.subscribe("late", late)  # subscribing while down: held for later
        await here.broadcast("late", "local")
        assert late.messages == ["local"]
        assert here.dropped >= 2

        redis_process.start()
        await synced(here, there)
        await there.broadcast("room", "after")
        await there.broadcast("late", "remote")
        assert await near.until(3) == ["before", "while down", "after"]
        assert await late.until(2) == ["local", "remote"]
        assert await far.until(2) == ["before", "after"]  # "while down" was dropped

    records = [(r.levelno, r.getMessage()) for r in caplog.records if r.name == "roost.pubsub"]
    where = f"redis at 127.0.0.1:{redis_process.port}"
    lost = [text for level, text in records if f"{where} unreachable" in text]
    back = [text for level, text in records if text == f"{where} back"]
    assert len(lost) == 2, records  # once for each of the two processes
    assert all(text.endswith(", retrying") for text in lost)
    assert len(back) == 2, records


async def test_a_lone_broadcast_is_written_to_redis_before_this_processs_subscribers_get_it(
    url: str,
) -> None:
    # So that other processes render theirs while this one renders its own
    # (thousands of local subscribers would otherwise hold the publisher back).
    async with running(RedisPubSub(url)) as here:
        published: list[int] = []

        def local(topic: str, message: Any) -> None:
            published.append(here.published)

        here.subscribe("room", local)
        await synced(here)
        await here.broadcast("room", "hi")
        assert published == [1]  # out to Redis (and answered) before delivered here
