"""The Store contract: what every backend promises, checked against each one.

A backend between processes passes these too: Redis is one line of BACKENDS,
on the session's redis-server (tests/redis_server.py), in a namespace of its
own for each backend made. Each test starts its backend under a real task
group, as the root supervisor does, and looks only at what ``get`` returns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest
import trio.testing

from roost.store import MemoryStore, Store, backend
from roost.testing._backends import FaultyStore
from tests.redis_server import fresh_namespace

REDIS = "redis"  # a RedisStore on the session's redis-server: see `make`
# Each factory makes a new store sharing nothing with any other one (for a
# backend between processes: a fresh namespace on its server).
BACKENDS = [
    pytest.param(lambda: backend("memory://"), id="memory"),
    # The test double with no fault set is the in-memory backend it wraps.
    pytest.param(FaultyStore, id="faulty"),
    pytest.param(REDIS, id="redis"),
]


@asynccontextmanager
async def running(store: Store) -> AsyncIterator[Store]:
    """Run ``store`` in a task group for the block; cancel it after."""
    async with anyio.create_task_group() as tg:
        assert await tg.start(store.run) is store
        yield store
        tg.cancel_scope.cancel()


@pytest.fixture(params=BACKENDS)
def make(request: pytest.FixtureRequest) -> Callable[[], Store]:
    if request.param == REDIS:
        url = request.getfixturevalue("redis_server")
        return lambda: backend(fresh_namespace(url))
    factory: Callable[[], Store] = request.param
    return factory


@pytest.fixture
async def store(make: Callable[[], Store]) -> AsyncIterator[Store]:
    async with running(make()) as store:
        yield store


def test_memory_backend_is_a_store() -> None:
    store: Store = MemoryStore()  # mypy checks the protocol here
    assert isinstance(store, Store)


def test_every_backend_is_a_store(make: Callable[[], Store]) -> None:
    assert isinstance(make(), Store)


async def test_run_reports_started_and_runs_until_cancelled(make: Callable[[], Store]) -> None:
    store = make()
    ended: list[bool] = []

    async def run(*, task_status: anyio.abc.TaskStatus[Any]) -> None:
        await store.run(task_status=task_status)
        ended.append(True)

    async with anyio.create_task_group() as tg:
        assert await tg.start(run) is store
        await trio.testing.wait_all_tasks_blocked()
        assert ended == []
        tg.cancel_scope.cancel()
    assert ended == []  # cancelled, not returned


async def test_a_missing_key_is_none(store: Store) -> None:
    assert await store.get("never-put") is None


async def test_what_was_put_comes_back_as_bytes(store: Store) -> None:
    await store.put("session:1", b"snapshot")
    value = await store.get("session:1")
    assert value == b"snapshot"
    assert type(value) is bytes


@pytest.mark.parametrize(
    "value",
    [b"", b"\x00", bytes(range(256)), b"\xff" * 100_000, "ünïcødé".encode()],
    ids=["empty", "nul", "every-byte", "100kB", "utf8"],
)
async def test_any_bytes_come_back_unchanged(store: Store, value: bytes) -> None:
    await store.put("key", value)
    assert await store.get("key") == value


async def test_an_empty_value_is_not_a_missing_one(store: Store) -> None:
    await store.put("key", b"")
    assert await store.get("key") == b""


@pytest.mark.parametrize("key", ["", "ünïcødé:✓", "a b\tc\nd", "*", "x" * 1000, "lone \udcff"])
async def test_any_string_is_a_key(store: Store, key: str) -> None:
    await store.put(key, b"value")
    assert await store.get(key) == b"value"


async def test_put_overwrites(store: Store) -> None:
    await store.put("key", b"first")
    await store.put("key", b"second, longer")
    await store.put("key", b"third")
    assert await store.get("key") == b"third"


async def test_delete_removes_the_key(store: Store) -> None:
    await store.put("key", b"value")
    await store.delete("key")
    assert await store.get("key") is None


async def test_deleting_a_missing_key_is_fine(store: Store) -> None:
    await store.delete("never-put")
    await store.put("key", b"value")
    await store.delete("key")
    await store.delete("key")
    assert await store.get("key") is None


async def test_a_key_can_be_put_again_after_delete(store: Store) -> None:
    await store.put("key", b"old")
    await store.delete("key")
    await store.put("key", b"new")
    assert await store.get("key") == b"new"


async def test_keys_are_independent(store: Store) -> None:
    await store.put("a", b"1")
    await store.put("ab", b"2")
    await store.put("A", b"3")
    await store.put("b", b"4")
    await store.delete("b")
    await store.put("a", b"5")
    assert [await store.get(key) for key in ("a", "ab", "A", "b", "a*")] == [
        b"5",
        b"2",
        b"3",
        None,
        None,
    ]


async def test_bytearray_and_memoryview_are_stored_as_bytes(store: Store) -> None:
    buffer = bytearray(b"mutable")
    await store.put("array", buffer)
    await store.put("view", memoryview(b"viewed"))
    buffer[:] = b"changed"
    array, view = await store.get("array"), await store.get("view")
    assert (array, view) == (b"mutable", b"viewed")
    assert type(array) is bytes
    assert type(view) is bytes


@pytest.mark.parametrize("value", ["text", 1, None, {"a": 1}, [b"x"]])
async def test_put_refuses_what_is_not_bytes_and_keeps_the_old_value(
    store: Store, value: Any
) -> None:
    await store.put("key", b"old")
    with pytest.raises(TypeError):
        await store.put("key", value)
    with pytest.raises(TypeError):
        await store.put("fresh", value)
    assert await store.get("key") == b"old"
    assert await store.get("fresh") is None


async def test_values_outlive_a_restart_of_run(make: Callable[[], Store]) -> None:
    store = make()
    async with running(store):
        await store.put("kept", b"value")
        await store.put("gone", b"value")
        await store.delete("gone")
    async with running(store):
        assert await store.get("kept") == b"value"
        assert await store.get("gone") is None


async def test_two_backends_are_independent(make: Callable[[], Store]) -> None:
    async with running(make()) as one, running(make()) as two:
        await one.put("key", b"one")
        await one.put("only-one", b"here")
        await two.put("key", b"two")
        assert await one.get("key") == b"one"
        assert await two.get("key") == b"two"
        assert await two.get("only-one") is None
        await two.delete("key")
        assert await one.get("key") == b"one"
