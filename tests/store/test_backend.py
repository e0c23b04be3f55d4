"""Choosing a store backend by URL: the ``ttl`` only a store's URL takes (the
rules it shares with the pubsub's are in tests/test_backend_urls.py)."""

from __future__ import annotations

import pytest

from roost.store import Store, backend
from roost.store.redis import RedisStore


@pytest.mark.parametrize("url", ["redis://h?ttl=60", "redis://h?ttl=0"])
def test_a_redis_url_with_a_ttl_gives_a_new_redis_store(url: str) -> None:
    first, second = backend(url), backend(url)
    assert isinstance(first, RedisStore)
    assert isinstance(first, Store)
    assert first is not second


@pytest.mark.parametrize("url", ["redis://h?ttl=-1", "redis://h?ttl=1.5"])
def test_a_ttl_that_is_not_whole_seconds_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="store URL") as raised:
        backend(url)
    assert "ttl is whole seconds" in str(raised.value)
