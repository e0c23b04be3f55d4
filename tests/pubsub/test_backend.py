"""Choosing a pubsub backend by URL: what only a pubsub's URL refuses (the rules
it shares with the store's are in tests/test_backend_urls.py)."""

from __future__ import annotations

import pytest

from roost.pubsub import backend


def test_a_pubsub_url_takes_no_ttl() -> None:
    with pytest.raises(ValueError, match="pubsub URL") as raised:
        backend("redis://h?ttl=60")
    assert "takes no option 'ttl'" in str(raised.value)
