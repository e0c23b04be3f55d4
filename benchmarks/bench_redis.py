"""The Redis backends: round trips through coredis against raw RESP, and a
broadcast between two processes.

    python benchmarks/bench_redis.py --redis redis://127.0.0.1:6379 [--count 5000]

Needs a running redis-server (it writes keys under ``roost:bench-*`` and
deletes them). All on Trio, one after another (no concurrency), so each
figure is one round trip:

- GET, SET and PUBLISH through a raw socket speaking RESP (the floor);
- the same through coredis, and the store's ``get``/``put`` on top of it;
- a broadcast round trip: one RedisPubSub broadcasts, another (standing for
  another process, on its own connections) has its subscriber called; the
  next broadcast starts only then;
- the broadcast call alone (it returns once the subscribers of its own
  process are called; Redis is written to by a task of its own);
- broadcast throughput: ``--count`` broadcasts back to back, until the other
  side has them all (the publishing task pipelines what waits).

Prints p50 and p99 in µs of each, and broadcasts per second.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roost._redis_client import client
from roost.pubsub.redis import RedisPubSub
from roost.store.redis import RedisStore


def pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1e6


async def timed(count: int, call: Callable[[], Awaitable[Any]]) -> list[float]:
    for _ in range(min(200, count)):  # warm up
        await call()
    times = []
    for _ in range(count):
        began = time.perf_counter()
        await call()
        times.append(time.perf_counter() - began)
    return times


class Raw:
    """One socket speaking RESP, one command at a time: the floor."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = b""

    async def command(self, *parts: bytes) -> bytes:
        out = b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)
        await self.stream.send_all(out)
        while b"\r\n" not in self.buffer:
            self.buffer += await self.stream.receive_some(65536)
        head, _, rest = self.buffer.partition(b"\r\n")
        if head.startswith(b"$") and head != b"$-1":
            size = int(head[1:])
            while len(rest) < size + 2:
                rest += await self.stream.receive_some(65536)
            self.buffer = rest[size + 2 :]
            return rest[:size]
        self.buffer = rest
        return head


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--redis", required=True, help="redis://host:port of a running server")
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    url = f"{args.redis}?namespace={namespace}"
    store = RedisStore(url)
    key = f"roost:{namespace}:k".encode()
    value = b"x" * 200
    rows: list[tuple[str, list[float]]] = []

    stream = await trio.open_tcp_stream(store.url.host, store.url.port)
    async with stream:
        raw = Raw(stream)
        await raw.command(b"HELLO", b"2")
        rows.append(("raw SET", await timed(args.count, lambda: raw.command(b"SET", key, value))))
        rows.append(("raw GET", await timed(args.count, lambda: raw.command(b"GET", key))))
        rows.append(
            ("raw PUBLISH", await timed(args.count, lambda: raw.command(b"PUBLISH", key, value)))
        )

    async with client(store.url) as redis:
        rows.append(("coredis SET", await timed(args.count, lambda: redis.set(key, value))))
        rows.append(("coredis GET", await timed(args.count, lambda: redis.get(key))))
        rows.append(("coredis PUBLISH", await timed(args.count, lambda: redis.publish(key, value))))
        await redis.delete([key])

    async with trio.open_nursery() as nursery:
        await nursery.start(store.run)
        rows.append(("store put", await timed(args.count, lambda: store.put("k", value))))
        rows.append(("store get", await timed(args.count, lambda: store.get("k"))))
        await store.delete("k")

        here, there = RedisPubSub(url), RedisPubSub(url)
        await nursery.start(here.run)
        await nursery.start(there.run)
        arrived = trio.Event()
        got = 0

        def deliver(topic: str, message: Any) -> None:
            nonlocal got
            got += 1
            arrived.set()

        there.subscribe("room", deliver)
        await there.synced()

        async def round_trip() -> None:
            nonlocal arrived
            arrived = trio.Event()
            await here.broadcast("room", {"text": "hello", "n": 1})
            await arrived.wait()

        rows.append(("broadcast to another", await timed(args.count, round_trip)))
        rows.append(
            (
                "broadcast call alone",
                await timed(args.count, lambda: here.broadcast("nobody", {"text": "hello"})),
            )
        )

        got = 0
        began = time.perf_counter()
        for n in range(args.count):
            await here.broadcast("room", {"text": "hello", "n": n})
        while got < args.count:
            arrived = trio.Event()
            await arrived.wait()
        rate = args.count / (time.perf_counter() - began)
        nursery.cancel_scope.cancel()

    print(f"sequential round trips to {store.url.where}, {args.count} each")
    print(f"{'':<22} {'p50 µs':>8} {'p99 µs':>8}")
    for name, times in rows:
        print(f"{name:<22} {pct(times, 0.5):8.1f} {pct(times, 0.99):8.1f}")
    print(f"broadcast throughput to another process: {rate:,.0f} messages/s")


if __name__ == "__main__":
    trio.run(main)
