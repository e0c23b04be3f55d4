"""Choosing a store backend by URL."""

from __future__ import annotations

import pytest

from roost.store import MemoryStore, Store, backend
from roost.store.redis import RedisStore


@pytest.mark.parametrize("url", [None, "memory://", "memory:", "MEMORY://"])
def test_the_default_and_memory_urls_give_a_new_in_memory_backend(url: str | None) -> None:
    first, second = backend(url), backend(url)
    assert isinstance(first, MemoryStore)
    assert isinstance(first, Store)
    assert first is not second


def test_backend_is_the_default_with_no_argument() -> None:
    assert isinstance(backend(), MemoryStore)


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
def test_an_unknown_scheme_is_refused_naming_the_supported_ones(url: str, found: str) -> None:
    with pytest.raises(ValueError, match="unsupported store URL") as raised:
        backend(url)
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
def test_the_error_does_not_repeat_a_password(url: str) -> None:
    with pytest.raises(ValueError) as raised:
        backend(url)
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize("url", ["memory://host", "memory:///path", "memory://?db=1", "memory:x"])
def test_a_memory_url_takes_nothing_after_the_scheme(url: str) -> None:
    with pytest.raises(ValueError, match=r"memory:// store URL takes no host"):
        backend(url)


@pytest.mark.parametrize(
    "url",
    [
        "redis://",
        "redis://localhost",
        "REDIS://127.0.0.1:6380/2",
        "redis://user:p%40ss@[::1]:6379/0",
        "redis://h?namespace=shop-1.eu_west",
        "redis://h?ttl=60",
        "redis://h?ttl=0",
        "rediss://example.com:6380?ssl_cert_reqs=none&ssl_check_hostname=false",
    ],
)
def test_a_redis_url_gives_a_new_redis_backend_without_connecting(url: str) -> None:
    first, second = backend(url), backend(url)
    assert isinstance(first, RedisStore)
    assert isinstance(first, Store)
    assert first is not second


def test_a_redis_url_is_taken_apart() -> None:
    made = backend("redis://user:p%40ss@[::1]:6380/3?namespace=shop")
    assert isinstance(made, RedisStore)
    assert (made.url.host, made.url.port, made.url.db) == ("::1", 6380, 3)
    assert (made.url.username, made.url.password) == ("user", "p@ss")
    assert made.url.where == "[::1]:6380"
    assert "p@ss" not in repr(made)
    default = backend("redis://")
    assert isinstance(default, RedisStore)
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
        ("redis://h?ttl=-1", "ttl is whole seconds"),
        ("redis://h?ttl=1.5", "ttl is whole seconds"),
    ],
)
def test_a_bad_redis_url_is_refused_saying_why(url: str, says: str) -> None:
    with pytest.raises(ValueError, match="store URL") as raised:
        backend(url)
    assert says in str(raised.value)
