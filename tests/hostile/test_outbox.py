"""Tabs that never read what the server pushes to them: each socket's byte budget.

A real hypercorn server on loopback, in this process so that the test can
watch the sessions; its RSS is this process's. Joined tabs stop reading while
a well-behaved tab publishes news that the server pushes to every one of
them. Each stalled tab must be cut off once ``App(outbox_bytes)`` waits for
it (close 1013, its session detached and resumable), the publishing tab must
keep getting answers, and memory must stay bounded (docs/security.md).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import pytest
import trio

from roost import App, LiveView, event
from roost.actors import Session
from roost.server import Runtime
from roost.testing import LiveClient

from .conftest import KIB, TEXT, Growth, InProcess, RawSocket, frame, handshake

OUTBOX_BYTES = 256 * KIB
"""The budget the app under attack gives each socket (a quarter of the default)."""

NEWS_BYTES = 32 * KIB
"""What one item of news adds to each subscribed page's patch."""

STALLED = 4
"""Tabs that stop reading."""

MOST_PUSHES = 400
"""News published at most: 4 tabs x 400 x 32 KiB is 50 MiB, which a server
without a byte budget queues for the stalled tabs."""

RSS_BUDGET_KIB = 16 * 1024
"""Most this process's RSS may rise during the attack (as in test_frames.py)."""

TOPIC = "news"


class Feed(LiveView):
    """Shows the latest news in full, as it is published."""

    def mount(self, params, session):
        self.news = ""
        self.subscribe(TOPIC)

    def handle_info(self, message):
        self.news = message

    def render(self) -> str:
        return f"<pre>{self.news}</pre>"


class Newsroom(LiveView):
    """The well-behaved tab: each click publishes one item of news to every Feed."""

    def mount(self, params, session):
        self.published = 0

    @event
    def publish(self):
        self.published += 1
        # Random, so that no diff makes it smaller than it is.
        news = f"<i>{self.published}</i>{secrets.token_hex(NEWS_BYTES // 2)}"
        self.broadcast(TOPIC, news)

    def render(self) -> str:
        return f'<b id="n">{self.published}</b><button roost-click="publish">publish</button>'


@pytest.fixture
async def newsroom(nursery) -> AsyncIterator[InProcess]:
    app = App(
        {"/": Newsroom, "/feed": Feed},
        secret="hostile",
        outbox_bytes=OUTBOX_BYTES,
        # The publishing tab clicks as fast as it is answered.
        event_rate=(1000.0, 1000),
    )
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield InProcess(app, runtime, runtime.urls[0])
    nursery.cancel_scope.cancel()


@dataclass
class Stalled:
    """A tab that joined the feed, read its render and ``Joined``, then stopped reading."""

    ws: RawSocket
    resume: str

    @property
    def session_id(self) -> str:
        return self.resume.partition(".")[0]


async def join_feed(server: InProcess, *, resume: str = "") -> tuple[RawSocket, list]:
    """A raw socket (from conftest's attacker address) that joined /feed: it and
    the messages up to its ``Joined`` and its view's render (in either order).
    A small receive buffer makes the server's writes to it stall soon once it
    stops reading."""
    ws = await handshake(server, receive_buffer=4 * KIB)
    join = [0, 1, await server.token("/feed"), server.url + "/feed", resume]
    await ws.send(frame(TEXT, json.dumps(join).encode()))
    messages = []
    with trio.fail_after(5):
        while not {2, 1} <= {m[0] for m in messages}:
            message = await ws.message()
            assert message is not None, f"closed while joining: {messages}"
            messages.append(message)
    return ws, messages


async def test_tabs_that_never_read_are_cut_off_at_their_byte_budget(newsroom):
    sessions = newsroom.runtime._sessions
    stalled = []
    async with AsyncExitStack() as streams:
        for _ in range(STALLED):
            ws, messages = await join_feed(newsroom)
            await streams.enter_async_context(ws.stream)
            (joined,) = [m for m in messages if m[0] == 2]
            stalled.append(Stalled(ws, joined[2]))
        feeds = [sessions[tab.session_id] for tab in stalled]
        async with LiveClient.connect(newsroom.url, "/", app=newsroom.app) as tab:
            growth = Growth(newsroom.pid)
            published = 0
            with trio.fail_after(60):
                async with trio.open_nursery() as nursery:
                    for each in stalled:
                        nursery.start_soon(_reads_again_once_cut_off, each, sessions)
                    while any(feed.attached for feed in feeds) and published < MOST_PUSHES:
                        await tab.click("button")
                        published += 1
                        assert tab.text("#n") == str(published)  # answered, every time
                    if any(feed.attached for feed in feeds):
                        nursery.cancel_scope.cancel()  # not cut off: asserted below
            peak = growth.peak_kib
            await tab.click("button")
            assert tab.text("#n") == str(published + 1)

        assert [feed.attached for feed in feeds] == [False] * STALLED, (
            f"still attached after {published} items of news"
        )
        assert [each.ws.close_code for each in stalled] == [1013] * STALLED
        assert not any(feed.ended for feed in feeds)  # detached: each waits out its grace
        assert peak < RSS_BUDGET_KIB, f"RSS +{peak} KiB (budget {RSS_BUDGET_KIB} KiB)"

        # A tab that fell behind reconnects and gets the page as it is now.
        first = stalled[0]
        ws, messages = await join_feed(newsroom, resume=first.resume)
        async with ws.stream:
            assert [2, 1, first.resume] in messages
            (render,) = [m for m in messages if m[0] == 1]
            assert f"<i>{published + 1}</i>" in render[3]


async def _reads_again_once_cut_off(tab: Stalled, sessions: dict[str, Session]) -> None:
    # The moment its session lets go of it, the tab reads again: what was
    # queued for it, then the server's close frame, then the end.
    await sessions[tab.session_id].wait_detached()
    await tab.ws.read_all()
