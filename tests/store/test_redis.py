"""The Redis store: where its keys go, how long they live, and Redis going
away and coming back. What the contract asks of every store is in
test_contract.py."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import coredis
import pytest

from roost import App
from roost.store import RedisUnavailable, Store
from roost.store.redis import DEFAULT_TTL, RedisStore
from roost.testing import LiveClient
from tests.actors.test_snapshots import SECRET, Page
from tests.redis_server import RedisServer, free_port, fresh_namespace


@asynccontextmanager
async def running(store: RedisStore) -> AsyncIterator[RedisStore]:
    async with anyio.create_task_group() as tg:
        assert await tg.start(store.run) is store
        yield store
        tg.cancel_scope.cancel()


def test_a_redis_store_is_a_store(redis_server: str) -> None:
    store: Store = RedisStore(redis_server)  # mypy checks the protocol here
    assert isinstance(store, Store)


async def test_keys_are_namespaced_and_values_expire_after_a_day(redis_server: str) -> None:
    url = fresh_namespace(redis_server)
    store = RedisStore(url)
    namespace = url.partition("namespace=")[2]
    assert store.prefix == f"roost:{namespace}:"
    async with running(store), coredis.Redis.from_url(redis_server) as raw:
        await store.put("session:1", b"snapshot")
        key = f"roost:{namespace}:session:1"
        assert await raw.get(key) == b"snapshot"
        assert DEFAULT_TTL - 60 < await raw.ttl(key) <= DEFAULT_TTL == 86400


@pytest.mark.parametrize(("ttl", "expected"), [("60", range(50, 61)), ("0", range(-1, 0))])
async def test_the_ttl_option(redis_server: str, ttl: str, expected: range) -> None:
    store = RedisStore(f"{fresh_namespace(redis_server)}&ttl={ttl}")
    async with running(store), coredis.Redis.from_url(redis_server) as raw:
        await store.put("key", b"value")
        assert await raw.ttl(store.prefix + "key") in expected  # -1: no expiry


async def test_no_namespace_is_roost_colon_colon(redis_server: str) -> None:
    store = RedisStore(f"{redis_server}/3")
    assert store.prefix == "roost::"
    async with running(store), coredis.Redis.from_url(f"{redis_server}/3") as raw:
        await store.put("plain", b"1")
        assert await raw.get("roost::plain") == b"1"
        await store.delete("plain")


async def test_two_databases_share_nothing(redis_server: str) -> None:
    query = fresh_namespace("")
    one, two = RedisStore(f"{redis_server}/0{query}"), RedisStore(f"{redis_server}/1{query}")
    async with running(one), running(two):
        await one.put("key", b"in 0")
        assert await two.get("key") is None
        await two.put("key", b"in 1")
        assert await one.get("key") == b"in 0"


async def test_two_stores_on_one_url_share_their_values(redis_server: str) -> None:
    url = fresh_namespace(redis_server)
    async with running(RedisStore(url)) as here, running(RedisStore(url)) as there:
        await here.put("session:1", b"from here")
        assert await there.get("session:1") == b"from here"
        await there.delete("session:1")
        assert await here.get("session:1") is None


async def test_calls_outside_run_raise_redis_unavailable(redis_server: str) -> None:
    store = RedisStore(redis_server)
    with pytest.raises(RedisUnavailable, match="not running"):
        await store.get("key")


async def test_run_raises_when_redis_cannot_be_reached_at_start() -> None:
    store = RedisStore(f"redis://:s3cret@127.0.0.1:{free_port()}")
    async with anyio.create_task_group() as tg:
        with pytest.raises(RedisUnavailable) as raised:
            await tg.start(store.run)
    assert isinstance(raised.value, ConnectionError)
    assert f"redis at {store.url.where} unreachable" in str(raised.value)
    assert "s3cret" not in str(raised.value)


async def test_redis_going_away_and_coming_back(
    redis_process: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="roost.store")
    async with running(RedisStore(fresh_namespace(redis_process.url))) as store:
        await store.put("kept", b"value")

        redis_process.stop()
        # Each call fails at once with a clear error, and the caller retries.
        for _ in range(3):
            with pytest.raises(RedisUnavailable, match=r"redis at 127\.0\.0\.1:\d+ unreachable"):
                await store.get("kept")
            with pytest.raises(RedisUnavailable):
                await store.put("new", b"value")
            with pytest.raises(RedisUnavailable):
                await store.delete("kept")

        redis_process.start()  # the same port, with nothing in it (no persistence)
        assert await store.get("kept") is None
        await store.put("new", b"after")
        assert await store.get("new") == b"after"

    records = [r.getMessage() for r in caplog.records if r.name == "roost.store"]
    where = f"redis at 127.0.0.1:{redis_process.port}"
    assert [text for text in records if f"{where} unreachable" in text] == [records[0]]
    assert records == [records[0], f"{where} back"]


async def test_a_component_crashed_three_times_keeps_its_own_count_in_redis(
    redis_server: str,
) -> None:
    app = App({"/": Page}, secret=SECRET, store=fresh_namespace(redis_server))
    async with LiveClient.mount(app) as view:
        for _ in range(3):
            await view.click("#c-inc")
        for _ in range(3):
            await view.crash("counter")
            assert view.text("#c") == "3"  # resumed from its snapshot in Redis
        await view.click("#c-inc")
        assert view.text("#c") == "4"
