"""Hostile clients against sessions: stalled readers, failing mounts, stolen ids,
floods from one address, sockets that never join. Each against a real hypercorn
server on loopback (in this process, so the test can watch the sessions), with a
well-behaved tab alongside that must keep working."""

from __future__ import annotations

import gc
import json
import logging
from collections.abc import AsyncIterator

import pytest
import trio
from trio_websocket import ConnectionClosed

from roost import App, LiveView, event
from roost.server import Runtime
from roost.supervisor import events
from roost.testing import LiveClient, MountError
from tests.websockets import open_websocket_url

from .conftest import TEXT, InProcess, frame, upgrade_request

# trio-websocket's client leaves its socket for the GC when the server closes
# first, as these attacks make it do: collected here, not in a later test.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(autouse=True)
def _collect_left_sockets():
    yield
    gc.collect()


ROWS = "".join(f"<li>row {i} {'x' * 180}</li>" for i in range(1000))  # about 200 KB


class Big(LiveView):
    """A page whose full render (what a Sync asks for) is about 200 KB."""

    def render(self) -> str:
        return f"<ul>{ROWS}</ul>"


class Counter(LiveView):
    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self) -> str:
        return f'<b id="n">{self.count}</b><button roost-click="inc">+</button>'


class FailsWhenConnected(LiveView):
    def mount(self, params, session):
        if self.connected:
            raise RuntimeError("no database")

    def render(self) -> str:
        return "<p>dead render only</p>"


@pytest.fixture
async def served(nursery) -> AsyncIterator[InProcess]:
    app = App(
        {"/": Counter, "/big": Big, "/fails": FailsWhenConnected},
        secret="hostile",
        max_sessions=4,
        reconnect_grace=0.2,
    )
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield InProcess(app, runtime, runtime.urls[0])
    nursery.cancel_scope.cancel()


async def stalled_reader(served: InProcess, syncs: int) -> trio.SocketStream:
    """A socket that joins /big, asks for ``syncs`` full renders and never reads."""
    host, port = served.netloc.rsplit(":", 1)
    stream = await trio.open_tcp_stream(host, int(port))
    await stream.send_all(upgrade_request(served.netloc))
    head = b""
    while b"\r\n\r\n" not in head:
        head += await stream.receive_some(4096)
    join = [0, 1, await served.token("/big"), served.url + "/big", ""]
    await stream.send_all(frame(TEXT, json.dumps(join).encode()))
    for ref in range(2, syncs + 2):
        await stream.send_all(frame(TEXT, json.dumps([3, ref, "0"]).encode()))
    return stream  # and from here on, silence


async def test_stalled_readers_are_cut_off_and_their_sessions_end(served):
    n = served.app.max_sessions
    with events.listen("sessions") as sessions:
        attackers = [await stalled_reader(served, syncs=150) for _ in range(n)]
        # Each is cut off as soon as it falls a byte budget behind; then its
        # session ends after the grace period, freeing its place.
        with trio.fail_after(20):
            await sessions.wait_for("started", count=n)
            await sessions.wait_for("exited", count=n)
    try:
        assert not served.runtime._sessions
        async with LiveClient.connect(served.url, "/", app=served.app) as view:
            await view.click("button")
            assert view.text("#n") == "1"
    finally:
        for stream in attackers:
            await stream.aclose()


async def test_a_view_failing_its_connected_mount_ends_only_its_own_tab(served):
    async with LiveClient.connect(served.url, "/", app=served.app) as good:
        for _ in range(3):
            async with trio.open_nursery() as nursery:
                for _ in range(3):
                    nursery.start_soon(_join_and_expect_failure, served)
            await good.click("button")
        assert good.text("#n") == "3"
    http = [c for c in served.runtime.root.which_children() if c[0] == "http"]
    assert http and http[0][1] is not None  # the server child never went down


async def _join_and_expect_failure(served: InProcess) -> None:
    with pytest.raises(MountError) as info:
        async with LiveClient.connect(served.url, "/fails"):
            pass
    assert info.value.code == "join_failed"


async def test_a_session_id_alone_resumes_nothing(served, caplog):
    caplog.set_level(logging.INFO)
    async with open_websocket_url(served.socket_url()) as victim:
        token = await served.token("/")
        await victim.send_message(json.dumps([0, 1, token, served.url, ""]))
        await victim.get_message()
        joined = json.loads(await victim.get_message())
        assert joined[0] == 2
        session_id, _, key = joined[2].partition(".")
        await victim.send_message('[1,2,"inc",{}]')
        await victim.get_message()  # the patch, which answers the event
        async with open_websocket_url(served.socket_url()) as thief:
            other_token = await served.token("/")
            await thief.send_message(json.dumps([0, 1, other_token, served.url, session_id]))
            render = json.loads(await thief.get_message())
            # A fresh session: its count is the 0 the page was served, not the victim's 1.
            assert render == [1, "0", 1]
            stolen = json.loads(await thief.get_message())
            assert stolen[0] == 2 and not stolen[2].startswith(session_id)
        # The victim's session is untouched.
        await victim.send_message('[1,3,"inc",{}]')
        assert json.loads(await victim.get_message())[0] == 0
    assert key not in caplog.text


async def test_sockets_from_one_address_share_its_rate(served):
    served.app.event_rate = (0.001, 100)
    served.runtime.addresses.rate = (0.001, 6)  # two joins, then four events in all
    async with (
        open_websocket_url(served.socket_url()) as a,
        open_websocket_url(served.socket_url()) as b,
    ):
        for ws in (a, b):
            await ws.send_message(json.dumps([0, 1, await served.token("/"), served.url, ""]))
            await ws.get_message(), await ws.get_message()
        replies = []
        for ref in range(2, 5):
            for ws in (a, b):
                await ws.send_message(json.dumps([1, ref, "inc", {}]))
                while True:
                    reply = json.loads(await ws.get_message())
                    if reply[0] in (3, 0, 4):  # a patch answers the event it carries
                        replies.append(reply[2] if reply[0] == 4 else "r")
                        break
    assert replies.count("r") == 4 and replies.count("rate_limited") == 2


async def test_sockets_that_never_join_are_capped_per_address_and_time_out(served):
    served.app.max_pending_joins = 2
    served.runtime.addresses.max_pending = 2
    served.app.join_timeout = 0.3
    async with (
        open_websocket_url(served.socket_url()) as first,
        open_websocket_url(served.socket_url()) as second,
    ):
        async with open_websocket_url(served.socket_url()) as third:
            with pytest.raises(ConnectionClosed) as refused:
                await third.get_message()
            assert refused.value.reason.code == 1013
        for ws in (first, second):  # silent: closed after the join timeout
            with trio.fail_after(5), pytest.raises(ConnectionClosed) as closed:
                await ws.get_message()
            assert closed.value.reason.code == 1001
            assert "no join" in closed.value.reason.reason
    async with LiveClient.connect(served.url, "/") as view:  # their places are free again
        await view.click("button")
