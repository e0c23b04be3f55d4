"""The PubSub contract: what every backend promises, checked against each one.

A backend between processes passes these too: Redis is one line of BACKENDS,
on the session's redis-server (tests/redis_server.py), in a namespace of its
own for each backend made. Each test starts its backend under a real task
group, as the root supervisor does, and looks only at what subscribers receive.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest
import trio.testing

from roost.pubsub import MemoryPubSub, PubSub, Unsubscribe, backend
from roost.testing._backends import FaultyPubSub
from tests.redis_server import fresh_namespace

REDIS = "redis"  # a RedisPubSub on the session's redis-server: see `make`
# Each factory makes a new backend sharing nothing with any other one (for a
# backend between processes: a fresh namespace on its server).
BACKENDS = [
    pytest.param(lambda: backend("memory://"), id="memory"),
    # The test double with no fault set is the in-memory backend it wraps.
    pytest.param(FaultyPubSub, id="faulty"),
    pytest.param(REDIS, id="redis"),
]


class Inbox:
    """A deliver callback that keeps what it is given."""

    def __init__(self) -> None:
        self.got: list[tuple[str, Any]] = []

    def __call__(self, topic: str, message: Any) -> None:
        self.got.append((topic, message))

    @property
    def messages(self) -> list[Any]:
        return [message for _, message in self.got]


@asynccontextmanager
async def running(pubsub: PubSub) -> AsyncIterator[PubSub]:
    """Run ``pubsub`` in a task group for the block; cancel it after."""
    async with anyio.create_task_group() as tg:
        assert await tg.start(pubsub.run) is pubsub
        yield pubsub
        tg.cancel_scope.cancel()


@pytest.fixture(params=BACKENDS)
def make(request: pytest.FixtureRequest) -> Callable[[], PubSub]:
    if request.param == REDIS:
        url = request.getfixturevalue("redis_server")
        return lambda: backend(fresh_namespace(url))
    factory: Callable[[], PubSub] = request.param
    return factory


@pytest.fixture
async def pubsub(make: Callable[[], PubSub]) -> AsyncIterator[PubSub]:
    async with running(make()) as pubsub:
        yield pubsub


def test_memory_backend_is_a_pubsub() -> None:
    pubsub: PubSub = MemoryPubSub()  # mypy checks the protocol here
    assert isinstance(pubsub, PubSub)


def test_every_backend_is_a_pubsub(make: Callable[[], PubSub]) -> None:
    assert isinstance(make(), PubSub)


async def test_run_reports_started_and_runs_until_cancelled(
    make: Callable[[], PubSub],
) -> None:
    pubsub = make()
    ended: list[bool] = []

    async def run(*, task_status: anyio.abc.TaskStatus[Any]) -> None:
        await pubsub.run(task_status=task_status)
        ended.append(True)

    async with anyio.create_task_group() as tg:
        assert await tg.start(run) is pubsub
        await trio.testing.wait_all_tasks_blocked()
        assert ended == []
        tg.cancel_scope.cancel()
    assert ended == []  # cancelled, not returned


async def test_a_broadcast_reaches_a_subscriber_with_topic_and_message(
    pubsub: PubSub,
) -> None:
    inbox = Inbox()
    pubsub.subscribe("room", inbox)
    await pubsub.broadcast("room", "hello")
    assert inbox.got == [("room", "hello")]


async def test_broadcast_without_subscribers_is_fine(pubsub: PubSub) -> None:
    await pubsub.broadcast("nobody", "hello")


async def test_a_broadcast_reaches_every_subscriber(pubsub: PubSub) -> None:
    inboxes = [Inbox() for _ in range(3)]
    for inbox in inboxes:
        pubsub.subscribe("room", inbox)
    await pubsub.broadcast("room", "hello")
    assert [inbox.messages for inbox in inboxes] == [["hello"]] * 3


async def test_the_broadcaster_gets_its_own_message_once_when_subscribed(
    pubsub: PubSub,
) -> None:
    # A backend between processes must not deliver it locally and again
    # when its server echoes it back.
    inbox = Inbox()
    pubsub.subscribe("room", inbox)
    await pubsub.broadcast("room", "mine")
    await pubsub.broadcast("room", "again")
    assert inbox.messages == ["mine", "again"]


async def test_each_subscriber_gets_a_topics_messages_in_order(pubsub: PubSub) -> None:
    first, second = Inbox(), Inbox()
    pubsub.subscribe("room", first)
    pubsub.subscribe("room", second)
    for n in range(50):
        await pubsub.broadcast("room", n)
    assert first.messages == list(range(50))
    assert second.messages == list(range(50))


async def test_order_holds_per_topic_when_topics_interleave(pubsub: PubSub) -> None:
    a, b = Inbox(), Inbox()
    pubsub.subscribe("a", a)
    pubsub.subscribe("b", b)
    for n in range(20):
        await pubsub.broadcast("a" if n % 2 else "b", n)
    assert a.messages == list(range(1, 20, 2))
    assert b.messages == list(range(0, 20, 2))


@pytest.mark.parametrize("other", ["chat:2", "chat", "chat:*", "chat:1:x", "Chat:1", "*"])
async def test_topics_match_exactly(pubsub: PubSub, other: str) -> None:
    here, there = Inbox(), Inbox()
    pubsub.subscribe("chat:1", here)
    pubsub.subscribe(other, there)
    await pubsub.broadcast("chat:1", "to one")
    await pubsub.broadcast(other, "to other")
    assert here.got == [("chat:1", "to one")]
    assert there.got == [(other, "to other")]


async def test_json_able_messages_arrive_equal(pubsub: PubSub) -> None:
    messages: list[Any] = [
        None,
        True,
        0,
        -(2**53),
        1.5,
        "",
        "ünïcødé ✓",
        [],
        {},
        [1, "two", [3.0, None], {"four": False}],
        {"name": "ana", "text": "hi", "nested": {"list": [1, 2], "é": {"deep": None}}},
    ]
    inbox = Inbox()
    pubsub.subscribe("data", inbox)
    for message in messages:
        await pubsub.broadcast("data", message)
    assert inbox.messages == messages


async def test_nothing_arrives_after_unsubscribe(pubsub: PubSub) -> None:
    inbox = Inbox()
    unsubscribe = pubsub.subscribe("room", inbox)
    await pubsub.broadcast("room", 1)
    unsubscribe()
    await pubsub.broadcast("room", 2)
    assert inbox.messages == [1]


async def test_unsubscribe_twice_is_fine_and_leaves_others_subscribed(pubsub: PubSub) -> None:
    leaving, staying = Inbox(), Inbox()
    unsubscribe = pubsub.subscribe("room", leaving)
    pubsub.subscribe("room", staying)
    unsubscribe()
    unsubscribe()
    await pubsub.broadcast("room", 1)
    assert leaving.messages == []
    assert staying.messages == [1]


async def test_one_callback_subscribed_twice_gets_each_message_twice(pubsub: PubSub) -> None:
    inbox = Inbox()
    first = pubsub.subscribe("room", inbox)
    pubsub.subscribe("room", inbox)
    await pubsub.broadcast("room", 1)
    first()
    await pubsub.broadcast("room", 2)
    assert inbox.messages == [1, 1, 2]


async def test_one_callback_on_two_topics_is_two_subscriptions(pubsub: PubSub) -> None:
    inbox = Inbox()
    leave_a = pubsub.subscribe("a", inbox)
    pubsub.subscribe("b", inbox)
    await pubsub.broadcast("a", 1)
    await pubsub.broadcast("b", 2)
    leave_a()
    await pubsub.broadcast("a", 3)
    await pubsub.broadcast("b", 4)
    assert inbox.got == [("a", 1), ("b", 2), ("b", 4)]


async def test_subscribing_again_after_unsubscribe(pubsub: PubSub) -> None:
    inbox = Inbox()
    pubsub.subscribe("room", inbox)()
    await pubsub.broadcast("room", 1)
    pubsub.subscribe("room", inbox)
    await pubsub.broadcast("room", 2)
    assert inbox.messages == [2]


async def test_a_subscriber_added_during_a_broadcast_gets_the_next_one(pubsub: PubSub) -> None:
    late = Inbox()

    def first(topic: str, message: Any) -> None:
        if message == 1:
            pubsub.subscribe(topic, late)

    pubsub.subscribe("room", first)
    await pubsub.broadcast("room", 1)
    await pubsub.broadcast("room", 2)
    assert late.messages == [2]


async def test_a_subscriber_removed_during_a_broadcast_gets_nothing_more(
    pubsub: PubSub,
) -> None:
    # Whichever of the two is called first unsubscribes the other, so only
    # one of them gets the first broadcast, whatever order the backend uses.
    got: list[tuple[str, Any]] = []
    leave: dict[str, Unsubscribe] = {}

    def subscriber(name: str, other: str) -> Callable[[str, Any], None]:
        def deliver(topic: str, message: Any) -> None:
            got.append((name, message))
            leave[other]()

        return deliver

    leave["a"] = pubsub.subscribe("room", subscriber("a", "b"))
    leave["b"] = pubsub.subscribe("room", subscriber("b", "a"))
    await pubsub.broadcast("room", 1)
    assert len(got) == 1
    ((survivor, _),) = got
    await pubsub.broadcast("room", 2)
    assert got == [(survivor, 1), (survivor, 2)]


async def test_a_subscriber_may_unsubscribe_itself_while_delivered_to(pubsub: PubSub) -> None:
    inbox = Inbox()

    def once(topic: str, message: Any) -> None:
        inbox(topic, message)
        unsubscribe()

    unsubscribe = pubsub.subscribe("room", once)
    await pubsub.broadcast("room", 1)
    await pubsub.broadcast("room", 2)
    assert inbox.messages == [1]


async def test_a_raising_subscriber_is_logged_and_the_others_still_get_it(
    pubsub: PubSub, caplog: pytest.LogCaptureFixture
) -> None:
    class Boom(Exception):
        pass

    def broken(topic: str, message: Any) -> None:
        raise Boom

    before, after = Inbox(), Inbox()
    pubsub.subscribe("room", before)
    pubsub.subscribe("room", broken)
    pubsub.subscribe("room", after)
    with caplog.at_level(logging.ERROR):
        await pubsub.broadcast("room", 1)
        await pubsub.broadcast("room", 2)
    assert before.messages == [1, 2]
    assert after.messages == [1, 2]
    logged = [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], Boom)]
    assert len(logged) == 2


async def test_subscriptions_hold_from_before_run_and_across_a_restart(
    make: Callable[[], PubSub],
) -> None:
    pubsub = make()
    inbox = Inbox()
    pubsub.subscribe("room", inbox)
    async with running(pubsub):
        await pubsub.broadcast("room", 1)
    async with running(pubsub):
        await pubsub.broadcast("room", 2)
    assert inbox.messages == [1, 2]


async def test_two_backends_are_independent(make: Callable[[], PubSub]) -> None:
    async with running(make()) as one, running(make()) as two:
        on_one, on_two = Inbox(), Inbox()
        one.subscribe("room", on_one)
        two.subscribe("room", on_two)
        await one.broadcast("room", "one")
        await two.broadcast("room", "two")
    assert on_one.messages == ["one"]
    assert on_two.messages == ["two"]
