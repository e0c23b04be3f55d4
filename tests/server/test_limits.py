from __future__ import annotations

import trio

from roost.server.limits import AddressLimits, TokenBucket, loop_clock


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


def test_a_time_given_is_used_instead_of_the_clock():
    def clock() -> float:
        raise AssertionError("the bucket read its clock though it was given the time")

    bucket = TokenBucket(rate=2, burst=1, clock=clock)
    assert bucket.allow(10.0) is True
    assert bucket.allow(10.2) is False  # 0.4 of a token
    assert bucket.allow(10.5) is True


async def test_loop_clock_reads_the_running_loops_clock(mock_clock):
    clock = loop_clock()
    mock_clock.jump(12.5)
    assert clock() == trio.current_time()
    assert AddressLimits(rate=(1, 1), max_pending=None).allow("a", clock())
