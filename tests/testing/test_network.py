"""Network faults of a socket client (LiveClient.network): latency, frames lost
either way, and the connection cut while an event is in flight."""

from __future__ import annotations

import pytest

from roost import App, LiveView, event, protocol
from roost.testing import Disconnected, LiveClient, WaitTimeout


class Counter(LiveView):
    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return f'<b id="count">{self.count}</b><button id="plus" roost-click="inc">+</button>'


app = App({"/": Counter})


@pytest.fixture
def roost_app():
    return app


async def test_a_lost_patch_is_healed_by_a_sync_as_in_the_browser(roost_server):
    async with LiveClient.connect(roost_server, "/", app=app, timeout=0.5) as view:
        view.network.drop_received = 1  # the next patch (with its ack) is lost
        with pytest.raises(WaitTimeout):
            await view.click("#plus")
        await view.click("#plus")  # a version gap: the client asks for a Sync
        await view.wait_for("#count", "2")
        assert any(isinstance(m, protocol.Render) for m in view.messages[-3:])


async def test_a_lost_event_is_never_handled(roost_server):
    async with LiveClient.connect(roost_server, "/", app=app, timeout=0.5) as view:
        view.network.drop_sent = 1
        with pytest.raises(WaitTimeout):
            await view.click("#plus")
        await view.click("#plus")
        assert view.text("#count") == "1"


async def test_a_cut_in_flight_resumes_with_the_event_applied(roost_server):
    async with LiveClient.connect(roost_server, "/", app=app) as view:
        view.network.cut_after_send = True
        with pytest.raises(Disconnected):
            await view.click("#plus")
        await view.reconnect()
        assert view.text("#count") == "1"


async def test_latency_delays_each_frame_and_keeps_their_order(roost_server):
    async with LiveClient.connect(roost_server, "/", app=app) as view:
        view.network.latency = 0.01
        for _ in range(3):
            await view.click("#plus")
        assert view.text("#count") == "3"


async def test_an_in_process_client_has_no_network():
    async with LiveClient.mount(app) as view:
        with pytest.raises(RuntimeError, match="socket"):
            view.network  # noqa: B018
