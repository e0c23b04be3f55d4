from __future__ import annotations

import trio

from roost.server.limits import TokenBucket


async def test_a_burst_is_allowed_then_the_rate(autojump_clock):
    bucket = TokenBucket(rate=2, burst=3)
    assert [bucket.allow() for _ in range(4)] == [True, True, True, False]
    await trio.sleep(0.5)
    assert bucket.allow() is True
    assert bucket.allow() is False


async def test_refused_events_cost_nothing_and_tokens_never_exceed_the_burst(autojump_clock):
    bucket = TokenBucket(rate=1, burst=2)
    assert bucket.allow() and bucket.allow()
    for _ in range(10):
        assert bucket.allow() is False
    await trio.sleep(1)
    assert bucket.allow() is True
    await trio.sleep(100)
    assert [bucket.allow() for _ in range(3)] == [True, True, False]
