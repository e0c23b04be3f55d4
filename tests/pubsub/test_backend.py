"""Choosing a pubsub backend by URL."""

from __future__ import annotations

import pytest

from roost.pubsub import MemoryPubSub, PubSub, backend


@pytest.mark.parametrize("url", [None, "memory://", "memory:", "MEMORY://"])
def test_the_default_and_memory_urls_give_a_new_in_memory_backend(url: str | None) -> None:
    first, second = backend(url), backend(url)
    assert isinstance(first, MemoryPubSub)
    assert isinstance(first, PubSub)
    assert first is not second


def test_backend_is_the_default_with_no_argument() -> None:
    assert isinstance(backend(), MemoryPubSub)


@pytest.mark.parametrize(
    ("url", "found"),
    [
        ("redis://localhost:6379/0", "scheme 'redis'"),
        ("rediss://example.com", "scheme 'rediss'"),
        ("postgres://db/roost", "scheme 'postgres'"),
        ("localhost:6379", "scheme 'localhost'"),
        ("", "no scheme"),
        ("/var/run/redis.sock", "no scheme"),
    ],
)
def test_an_unknown_scheme_is_refused_naming_the_supported_ones(url: str, found: str) -> None:
    with pytest.raises(ValueError, match="unsupported pubsub URL") as raised:
        backend(url)
    assert found in str(raised.value)
    assert "supported: memory://" in str(raised.value)


def test_the_error_does_not_repeat_a_password() -> None:
    with pytest.raises(ValueError) as raised:
        backend("redis://:s3cret@example.com:6379")
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize("url", ["memory://host", "memory:///path", "memory://?db=1", "memory:x"])
def test_a_memory_url_takes_nothing_after_the_scheme(url: str) -> None:
    with pytest.raises(ValueError, match=r"memory:// pubsub URL takes no host"):
        backend(url)
