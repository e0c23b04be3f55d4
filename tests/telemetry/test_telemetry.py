"""Telemetry: what roost measures (mount, render, diff, event, event to patch,
socket bytes, sessions, supervision), delivered to subscribers in process, and
exported to Prometheus."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from roost import App, LiveView, event, protocol, telemetry
from roost.telemetry import prometheus
from roost.testing import LiveClient


class Counter(LiveView):
    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return f'<b id="count">{self.count}</b><button id="plus" roost-click="inc">+</button>'


app = App({"/": Counter})


def names(seen: list[telemetry.Measurement]) -> set[str]:
    return {m.name for m in seen}


async def test_a_click_is_measured_from_event_to_patch():
    with telemetry.listen() as seen:
        async with LiveClient.mount(app) as view:
            await view.click("#plus")
            await view.kill()
    assert {"mount", "render", "diff", "event", "event_to_patch", "join", "leave"} <= names(seen)
    handled = next(m for m in seen if m.name == "event")
    assert handled.meta["event"] == "inc" and handled.meta["target"] == "0"
    assert handled.meta["session"] and handled.duration is not None and handled.duration >= 0
    supervision = [m.meta["event"] for m in seen if m.name == "supervision"]
    assert "exited" in supervision and "restarted" in supervision
    # The click's diff: its time and the size of the ops it found (the count's new text).
    diffed = [m for m in seen if m.name == "diff" and m.meta["ops"]]
    assert diffed and all(m.duration is not None and m.bytes for m in diffed)
    assert diffed[0].bytes == len('[[0,[0,0],"1"]]')


class Listed(LiveView):
    def mount(self, params, session):
        self.sort = params.get("sort", "name")

    def handle_params(self, params, url):
        self.sort = params.get("sort", "name")

    def render(self):
        return f'<p id="sort">{self.sort}</p>'


async def test_live_navigation_measures_handle_params():
    listed = App({"/": Listed})
    with telemetry.listen() as seen:
        async with LiveClient.mount(listed) as view:
            await view.navigate("/?sort=date")
            assert view.text("#sort") == "date"
    [params] = [m for m in seen if m.name == "handle_params"]
    assert params.meta["target"] == "0" and params.duration is not None


async def test_nothing_is_measured_without_a_subscriber():
    assert not telemetry.active()
    with telemetry.listen():
        assert telemetry.active()
    assert not telemetry.active()


async def test_socket_bytes_are_measured_both_ways(roost_server):
    with telemetry.listen() as seen:
        async with LiveClient.connect(roost_server, "/", app=app) as view:
            await view.click("#plus")
    sent = sum(m.bytes or 0 for m in seen if m.name == "send")
    received = sum(m.bytes or 0 for m in seen if m.name == "receive")
    assert sent > 0 and received > 0


async def test_a_patch_sent_is_measured_with_its_write_time_and_its_bytes(roost_server):
    with telemetry.listen() as seen:
        async with LiveClient.connect(roost_server, "/", app=app) as view:
            await view.click("#plus")
            assert view.text("#count") == "1"
            patch_tag = protocol.Patch.__struct_config__.tag
            [patch] = [f for f in view.frames if not f.sent and f.text.startswith(f"[{patch_tag},")]
    sent = [m for m in seen if m.name == "send"]
    [session] = {m.meta["session"] for m in seen if m.name == "join"}
    # Every frame written: how long the write took, its size, what it carried.
    assert sent and all(m.duration is not None and m.duration >= 0 for m in sent)
    assert all(m.bytes and m.meta["session"] == session for m in sent)
    [patch_sent] = [m for m in sent if m.meta["message"] == "patch"]
    assert patch_sent.bytes == patch.size
    assert {m.meta["message"] for m in sent} >= {"joined", "patch"}


@pytest.fixture
def roost_app():
    return app


async def test_the_prometheus_exporter_counts_what_happened():
    registry = CollectorRegistry()
    uninstall = prometheus.install(registry)
    try:
        async with LiveClient.mount(app) as view:
            await view.click("#plus")
        count = registry.get_sample_value
        assert count("roost_duration_seconds_count", {"name": "event"}) == 1
        assert count("roost_sessions_total", {"what": "joined"}) == 1
        assert count("roost_supervision_events_total", {"event": "started"}) >= 1
    finally:
        uninstall()
    assert not telemetry.active()
    assert registry.get_sample_value("roost_sessions_total", {"what": "joined"}) is None
