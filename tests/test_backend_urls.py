"""Choosing a pubsub or a store backend by URL: the rules both follow
(roost/_backend_url.py picks by scheme, roost/_redis.py reads a Redis URL).
Each backend's own options are tested beside it (tests/pubsub, tests/store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from roost import pubsub, store
from roost.pubsub.redis import RedisPubSub
from roost.store.redis import RedisStore


@dataclass(frozen=True)
class Kind:
    name: str
    backend: Callable[..., Any]
    interface: type
    memory: type
    redis: type


KINDS = [
    Kind("pubsub", pubsub.backend, pubsub.PubSub, pubsub.MemoryPubSub, RedisPubSub),
    Kind("store", store.backend, store.Store, store.MemoryStore, RedisStore),
]


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    return request.param


@pytest.mark.parametrize("url", [None, "memory://", "memory:", "MEMORY://"])
def test_the_default_and_memory_urls_give_a_new_in_memory_backend(
    kind: Kind, url: str | None
) -> None:
    first, second = kind.backend(url), kind.backend(url)
    assert isinstance(first, kind.memory)
    assert isinstance(first, kind.interface)
    assert first is not second


def test_backend_is_the_default_with_no_argument(kind: Kind) -> None:
    assert isinstance(kind.backend(), kind.memory)


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("memcached://localhost:11211", "scheme 'memcached'"),
        ("unix:///var/run/redis.sock", "scheme 'unix'"),
        ("postgres://db/roost", "scheme 'postgres'"),
        ("localhost:6379", "scheme 'localhost'"),
        ("", "no scheme"),
        ("/var/run/redis.sock", "no scheme"),
    ],
)
def test_an_unknown_scheme_is_refused_naming_the_supported_ones(
    kind: Kind, url: str, found: str
) -> None:
    with pytest.raises(ValueError, match=f"unsupported {kind.name} URL") as raised:
        kind.backend(url)
    assert found in str(raised.value)
    assert "supported: memory://, redis://, rediss://" in str(raised.value)


@pytest.mark.parametrize(
    "url",
    [
        "postgres://:s3cret@example.com:5432",
        "redis://:s3cret@example.com:6379/zero",
        "redis://:s3cret@example.com:port",
        "redis://:s3cret@example.com?db=1",
    ],
)
def test_the_error_does_not_repeat_a_password(kind: Kind, url: str) -> None:
    with pytest.raises(ValueError) as raised:
        kind.backend(url)
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize("url", ["memory://host", "memory:///path", "memory://?db=1", "memory:x"])
def test_a_memory_url_takes_nothing_after_the_scheme(kind: Kind, url: str) -> None:
    with pytest.raises(ValueError, match=rf"memory:// {kind.name} URL takes no host"):
        kind.backend(url)


@pytest.mark.parametrize(
    "url",
    [
        "redis://",
        "redis://localhost",
        "REDIS://127.0.0.1:6380/2",
        "redis://user:p%40ss@[::1]:6379/0",
        "redis://h?namespace=shop-1.eu_west",
        "rediss://example.com:6380?ssl_cert_reqs=none&ssl_check_hostname=false",
    ],
)
def test_a_redis_url_gives_a_new_redis_backend_without_connecting(kind: Kind, url: str) -> None:
    first, second = kind.backend(url), kind.backend(url)
    assert isinstance(first, kind.redis)
    assert isinstance(first, kind.interface)
    assert first is not second


def test_a_redis_url_is_taken_apart(kind: Kind) -> None:
    made = kind.backend("redis://user:p%40ss@[::1]:6380/3?namespace=shop")
    assert isinstance(made, kind.redis)
    assert (made.url.host, made.url.port, made.url.db) == ("::1", 6380, 3)
    assert (made.url.username, made.url.password) == ("user", "p@ss")
    assert made.url.where == "[::1]:6380"
    assert "p@ss" not in repr(made)
    default = kind.backend("redis://")
    assert isinstance(default, kind.redis)
    assert (default.url.host, default.url.port, default.url.db) == ("localhost", 6379, 0)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("redis://h/zero", "path is the database number"),
        ("redis://h/0/1", "path is the database number"),
        ("redis://h:99999", "bad port"),
        ("redis://h?namespace=a:b", "namespace must be"),
        ("redis://h?namespace=a&namespace=b", "twice"),
        ("redis://h?db=1", "takes no option 'db'"),
        ("redis://h?ssl_cert_reqs=none", "takes no option 'ssl_cert_reqs'"),
        ("rediss://h?ssl_cert_reqs=maybe", "ssl_cert_reqs is one of"),
        ("redis://h#frag", "no #fragment"),
    ],
)
def test_a_bad_redis_url_is_refused_saying_why(kind: Kind, url: str, says: str) -> None:
    with pytest.raises(ValueError, match=f"{kind.name} URL") as raised:
        kind.backend(url)
    assert says in str(raised.value)
