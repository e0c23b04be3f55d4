"""Network faults over a real socket (hypercorn in the test's Trio run, the
client on trio-websocket): latency, frames lost either way, the connection
cut with a click in flight, and what the user sees after each.

Real sockets, so the real clock (no ``autojump_clock``): each wait ends on a
frame, or on the client's short timeout where a reply can never come.
"""

from __future__ import annotations

import pytest
import trio
from selectolax.lexbor import LexborHTMLParser

from examples.chat import ChatView
from examples.counter import Counter
from roost import App, protocol
from roost.testing import Disconnected, LiveClient, WaitTimeout

PLUS = "[aria-label=increment]"


def sent(view: LiveClient, kind: type) -> list:
    """The messages of ``kind`` the client sent."""
    return [
        message
        for frame in view.frames
        if frame.sent
        for message in [protocol.decode_client(frame.text)]
        if isinstance(message, kind)
    ]


class TestCounter:
    @pytest.fixture
    def roost_app(self) -> App:
        return App({"/": Counter}, title="roost counter")

    async def test_with_latency_each_click_takes_longer_and_counts_right(
        self, roost_server, roost_app
    ):
        async with LiveClient.connect(roost_server, "/?start=10", app=roost_app) as view:
            view.network.latency = 0.05
            before = trio.current_time()
            await view.click(PLUS)
            await view.click(PLUS)
            assert trio.current_time() - before >= 4 * 0.05  # there and back, twice
            assert view.text("#count") == "12"

    async def test_a_click_lost_on_the_way_does_nothing(self, roost_server, roost_app):
        async with LiveClient.connect(roost_server, app=roost_app, timeout=0.5) as view:
            view.network.drop_sent = 1
            with pytest.raises(WaitTimeout):
                await view.click(PLUS)
            assert view.text("#count") == "0"
            await view.click(PLUS)
            assert view.text("#count") == "1"  # the server never counted the lost one

    async def test_a_lost_reply_leaves_the_page_behind_until_the_next_patch_repairs_it(
        self, roost_server, roost_app
    ):
        async with LiveClient.connect(roost_server, app=roost_app, timeout=0.5) as view:
            view.network.drop_received = 1
            with pytest.raises(WaitTimeout):
                await view.click(PLUS)  # counted, but its patch (and ack) was lost
            assert view.text("#count") == "0"
            await view.click(PLUS)
            # The patch after the lost one is a version gap: the client asks for
            # a Sync and the full render shows both clicks.
            await view.wait_for("#count", "2")
            assert [s.target for s in sent(view, protocol.Sync)] == ["0"]

    async def test_a_connection_cut_with_a_click_in_flight_resumes_with_the_click_counted(
        self, roost_server, roost_app
    ):
        async with LiveClient.connect(roost_server, app=roost_app) as view:
            await view.click(PLUS)
            view.network.cut_after_send = True
            with pytest.raises(Disconnected):
                await view.click(PLUS)
            assert not view.connected
            assert view.text("#count") == "1"  # the page as it was when cut

            await view.reconnect()  # within the grace period: the same session

            assert view.text("#count") == "2"  # the click got there; only its reply was lost
            await view.click(PLUS)
            assert view.text("#count") == "3"

    async def test_a_dropped_connection_within_the_grace_period_keeps_the_count(
        self, roost_server, roost_app
    ):
        async with LiveClient.connect(roost_server, app=roost_app) as view:
            await view.click(PLUS)
            await view.disconnect()
            with pytest.raises(Disconnected):
                await view.click(PLUS)  # no socket: nothing is sent
            await view.reconnect()
            assert view.text("#count") == "1"
            await view.click(PLUS)
            assert view.text("#count") == "2"


class TestChat:
    @pytest.fixture
    def roost_app(self) -> App:
        return App({"/": ChatView}, title="roost chat")

    @staticmethod
    def messages(view: LiveClient) -> list[str]:
        return [li.text() for li in LexborHTMLParser(view.html("#messages")).css("li")]

    async def test_a_message_lost_on_the_way_to_a_tab_is_lost_for_that_tab(
        self, roost_server, roost_app
    ):
        # The history is a stream: the server forgets each message once sent,
        # so the resync a lost patch triggers cannot bring it back, nor the
        # patch that found the gap (what a user loses: those messages, in that
        # one tab; the next ones arrive as usual).
        async with (
            LiveClient.connect(roost_server, "/?name=ann", app=roost_app) as ann,
            LiveClient.connect(roost_server, "/?name=bob", app=roost_app) as bob,
        ):
            bob.network.drop_received = 1
            await ann.event("post", text="one", name="ann")
            await ann.wait_for("#messages li", "ann: one")
            start = len(bob.messages)
            await ann.event("post", text="two", name="ann")
            await bob.wait_for(  # the full render the gap asked for
                lambda v: any(isinstance(m, protocol.Render) for m in v.messages[start:])
            )
            await ann.event("post", text="three", name="ann")
            await bob.wait_for("#messages li", "ann: three")
            await ann.wait_for("#messages li:last-child", "ann: three")
            assert self.messages(ann) == ["ann: one", "ann: two", "ann: three"]
            assert self.messages(bob) == ["ann: three"]
            assert [s.target for s in sent(bob, protocol.Sync)] == ["0"]
            assert sent(ann, protocol.Sync) == []

    async def test_a_slow_tab_gets_every_message_in_order(self, roost_server, roost_app):
        async with (
            LiveClient.connect(roost_server, "/?name=ann", app=roost_app) as ann,
            LiveClient.connect(roost_server, "/?name=bob", app=roost_app) as bob,
        ):
            bob.network.latency = 0.05
            for text in ("one", "two", "three"):
                await ann.event("post", text=text, name="ann")
            await bob.wait_for("#messages li", "ann: three")
            assert self.messages(bob) == ["ann: one", "ann: two", "ann: three"]
