"""The WebSocket of a real hypercorn server, driven by a real WebSocket client."""

from __future__ import annotations

import gc
import json

import pytest
import trio
import trio.lowlevel
import trio.testing
from trio_websocket import ConnectionClosed

from roost import App, LiveView, event
from roost.server import Runtime
from roost.supervisor import events
from tests.websockets import open_websocket_url

from .conftest import Server, join, recv


async def test_join_of_an_unchanged_page_sends_its_version_not_its_html_then_joined(server):
    async with open_websocket_url(server.socket_url()) as ws:
        render = await join(server, ws, "/?start=4")
    assert render == [1, "0", 1]  # the page holds the content as served


async def test_a_token_without_what_the_page_holds_gets_the_full_render(server):
    token = server.app.signer.sign({"r": "/", "p": {"start": "4"}, "u": server.url})
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message(json.dumps([0, 1, token, server.url]))
        render = await recv(ws)
    assert render[:3] == [1, "0", 1]
    assert '<b id="n">4</b>' in render[3]


async def test_an_event_sends_one_patch_that_answers_it_with_no_html(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message('[1,2,"inc",{"by":"2"}]')
        patch = await recv(ws)
        # Nothing else follows: a Heartbeat's Ack is the next frame.
        await ws.send_message("[2,3]")
        assert await recv(ws) == [3, 3]
    assert patch[0] == 0  # a Patch
    assert patch[2] == 2  # the event's ref, answered once the patch has applied
    assert "<" not in json.dumps(patch)
    assert "2" in json.dumps(patch[1])
    # The view's target and the version are left off: version 2, after the Render's 1.
    assert len(patch) == 3


async def test_a_component_click_its_view_answers_too_comes_as_one_frame_of_both_patches(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws, "/panel")
        await recv(ws)  # the component's first render
        await ws.send_message('[1,2,"pick",{"choice":"b"},"picker"]')
        frame = await recv(ws)
        await ws.send_message("[2,3]")
        assert await recv(ws) == [3, 3]  # nothing came between
    component, view = frame
    # It answers the click; its version, the one after its first render, is left off.
    assert component[0] == 0 and component[2:] == [2, "picker"]
    assert '"b"' in json.dumps(component[1])
    # The view's, after the component's: no acks, and its version left off too.
    assert view[0] == 0 and len(view) == 2
    assert '"b"' in json.dumps(view[1])


async def test_an_event_that_changes_nothing_sends_no_patch(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message('[1,2,"same",{}]')
        assert await recv(ws) == [3, 2]


async def test_unknown_events_and_bad_params_get_errors_and_the_view_lives_on(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message('[1,2,"nope",{}]')
        assert (await recv(ws))[:3] == [4, 2, "unknown_event"]
        await ws.send_message('[1,3,"inc",{"by":"many"}]')
        assert (await recv(ws))[:3] == [4, 3, "bad_params"]
        await ws.send_message('[1,4,"inc",{},"9"]')
        assert (await recv(ws))[:3] == [4, 4, "unknown_target"]
        await ws.send_message('[1,5,"inc",{}]')
        # Version 2 (left off: the one after the Render's 1), answering ref 5.
        assert await recv(ws) == [0, [0, [0, 1, 0], "1"], 5]


async def test_a_crashing_handler_restarts_the_view_with_a_fresh_render(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message('[1,2,"inc",{}]')
        await recv(ws)
        await ws.send_message('[1,3,"boom",{}]')
        assert (await recv(ws))[:3] == [4, 3, "crashed"]
        render = await recv(ws)
        assert render[:3] == [1, "0", 1]
        assert '<b id="n">0</b>' in render[3]  # in full: the page has changed since it loaded
        await ws.send_message('[1,4,"inc",{}]')
        # Version 2 (left off: the one after the fresh Render's 1), answering ref 4.
        assert await recv(ws) == [0, [0, [0, 1, 0], "1"], 4]


# trio-websocket's client leaves its TCP stream for the GC when the server
# closes first (its reader stops on EOF without closing the stream).
server_closes_first = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


@server_closes_first
async def test_a_malformed_frame_closes_only_that_connection(server):
    async with open_websocket_url(server.socket_url()) as good:
        await join(server, good)
        async with open_websocket_url(server.socket_url()) as bad:
            await join(server, bad)
            await bad.send_message("this is not json")
            error = await recv(bad)
            assert error[:3] == [4, 0, "bad_message"]
            with trio.fail_after(5):
                try:
                    await bad.get_message()
                except ConnectionClosed as closed:
                    assert closed.reason.code == 1007
        await good.send_message('[1,2,"inc",{}]')
        # Version 2 (left off: the one after the Render's 1), answering ref 2.
        assert await recv(good) == [0, [0, [0, 1, 0], "1"], 2]


async def test_a_forged_token_is_refused(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message(json.dumps([0, 1, "forged", server.url]))
        assert (await recv(ws))[:3] == [4, 1, "bad_token"]


async def test_events_before_join_are_refused(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message('[1,1,"inc",{}]')
        assert (await recv(ws))[:3] == [4, 1, "bad_message"]


@server_closes_first
async def test_a_foreign_origin_or_wrong_version_is_refused(server):
    from trio_websocket import HandshakeError

    for url, headers in (
        (server.socket_url(), [("Origin", "http://evil.example")]),
        (server.socket_url(version=99), []),
    ):
        try:
            async with open_websocket_url(url, extra_headers=headers) as ws:
                with trio.fail_after(5):
                    await ws.get_message()
        except (HandshakeError, ConnectionClosed):
            pass
        else:  # pragma: no cover
            raise AssertionError("connection was accepted")


async def test_a_tab_that_leaves_ends_its_session(server):
    with events.listen() as recorder:
        async with open_websocket_url(server.socket_url()) as ws:
            await join(server, ws)
            assert server.runtime.sessions.count_children()["active"] == 1
            await ws.send_message("[4]")
        with trio.fail_after(5):
            await recorder.wait_for(kind="shutdown", supervisor="sessions")
    assert server.runtime.sessions.count_children()["active"] == 0


async def test_a_dropped_socket_rejoins_its_session_with_its_state(server):
    token = await server.token()
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message(json.dumps([0, 1, token, server.url]))
        await recv(ws)
        session_id = (await recv(ws))[2]
        await ws.send_message('[1,2,"inc",{"by":"5"}]')
        await recv(ws)
    # The network dropped (no Leave): the session and its view keep running.
    assert server.runtime.sessions.count_children()["active"] == 1
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message(json.dumps([0, 1, token, server.url, session_id]))
        messages = [await recv(ws), await recv(ws)]
        render = next(m for m in messages if m[0] == 1)
        assert '<b id="n">5</b>' in render[3]  # resumed: in full, whatever the page holds
        assert [2, 1, session_id] in messages
        await ws.send_message('[1,2,"inc",{}]')
        patch = await recv(ws)
        assert patch[0] == 0 and "6" in json.dumps(patch[1])
    assert server.runtime.sessions.count_children()["active"] == 1


async def test_the_page_token_alone_cannot_take_over_a_running_session(server):
    token = await server.token()
    async with open_websocket_url(server.socket_url()) as owner:
        await owner.send_message(json.dumps([0, 1, token, server.url]))
        await recv(owner)
        owner_id = (await recv(owner))[2]
        await owner.send_message('[1,2,"inc",{"by":"5"}]')
        await recv(owner)
        async with open_websocket_url(server.socket_url()) as other:
            await other.send_message(json.dumps([0, 1, token, server.url]))
            render = await recv(other)
            assert render == [1, "0", 1], "a fresh session (count 0, as served), not the owner's"
            assert (await recv(other))[2] != owner_id
        await owner.send_message('[1,3,"inc",{}]')
        assert "6" in json.dumps(await recv(owner))


@server_closes_first
async def test_a_rejoin_takes_over_from_a_socket_still_attached(server):
    token = await server.token()
    async with open_websocket_url(server.socket_url()) as first:
        await first.send_message(json.dumps([0, 1, token, server.url]))
        await recv(first)
        session_id = (await recv(first))[2]
        async with open_websocket_url(server.socket_url()) as second:
            await second.send_message(json.dumps([0, 1, token, server.url, session_id]))
            messages = [await recv(second), await recv(second)]
            assert [2, 1, session_id] in messages
            render = next(m for m in messages if m[0] == 1)
            assert render[:3] == [1, "0", 1]
            with trio.fail_after(5):
                try:
                    await first.get_message()
                except ConnectionClosed as closed:
                    assert closed.reason.code == 1008
                else:  # pragma: no cover
                    raise AssertionError("the replaced socket stayed open")
            # A Leave from the replaced socket would end nothing; the new one works.
            await second.send_message('[1,2,"inc",{}]')
            # Version 2 (left off: the one after the Render's 1), answering ref 2.
            assert await recv(second) == [0, [0, [0, 1, 0], "1"], 2]


async def test_a_session_whose_socket_stays_away_past_the_grace_period_ends(server):
    server.app.reconnect_grace = 0.05
    with events.listen() as recorder:
        async with open_websocket_url(server.socket_url()) as ws:
            await join(server, ws)
        with trio.fail_after(5):
            await recorder.wait_for(kind="exited", supervisor="sessions")
    assert server.runtime.sessions.count_children()["active"] == 0


@server_closes_first
async def test_a_session_that_fails_for_good_shows_a_crash_and_closes_cleanly(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        ref = 1
        while True:
            ref += 1
            await ws.send_message(json.dumps([1, ref, "boom", {}]))
            assert (await recv(ws))[:3] == [4, ref, "crashed"]
            after = await recv(ws)
            if after[0] == 5:
                break
            assert after[:3] == [1, "0", 1], "restarted and re-rendered"
        assert after[1] == "0" and "Reload" in after[2]
        await ws.send_message('[1,99,"inc",{}]')
        with trio.fail_after(5):
            try:
                await ws.get_message()
            except ConnectionClosed as closed:
                assert closed.reason.code == 1000
            else:  # pragma: no cover
                raise AssertionError("the socket stayed open")


async def test_messages_past_the_rate_limit_are_refused_and_the_socket_stays(server):
    server.app.event_rate = (0.001, 4)  # the join is one of the 4
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        for ref in range(2, 7):
            await ws.send_message(json.dumps([1, ref, "same", {}]))
        replies = sorted([await recv(ws) for _ in range(5)], key=lambda r: r[1])
    assert replies[:3] == [[3, 2], [3, 3], [3, 4]]
    assert [r[:3] for r in replies[3:]] == [[4, 5, "rate_limited"], [4, 6, "rate_limited"]]


@server_closes_first
async def test_a_silent_socket_is_closed_and_its_session_detached(server):
    server.app.idle_timeout = 0.05
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        with trio.fail_after(5):
            try:
                while True:
                    await ws.get_message()
            except ConnectionClosed as closed:
                reason = closed.reason
    # Going away, saying why: not the "server shutting down" a deploy would say.
    assert (reason.code, reason.reason) == (1001, "idle for 0.05 s")
    (session,) = server.runtime._sessions.values()
    assert not session.attached and not session.ended


@server_closes_first
async def test_absurdly_nested_json_closes_only_that_socket(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message("[" * 60_000)
        assert (await recv(ws))[:3] == [4, 0, "bad_message"]


@server_closes_first
async def test_a_foreign_host_gets_400_and_its_socket_a_1008_that_says_why(server):
    assert (await server.get("/"))[0] == 200
    host, port = server.host_port
    stream = await trio.open_tcp_stream(host, port)
    async with stream:
        request = b"GET / HTTP/1.1\r\nHost: rebind.example\r\nConnection: close\r\n\r\n"
        await stream.send_all(request)
        data = b""
        while chunk := await stream.receive_some():
            data += chunk
    assert data.split()[1] == b"400" and b"allowed_hosts" in data
    with pytest.raises(ConnectionClosed) as closed:
        async with open_websocket_url(
            server.socket_url(), extra_headers=[("Origin", "https://" + server.url[7:])]
        ) as ws:
            await ws.get_message()
    assert closed.value.reason.code == 1008
    assert "origin" in closed.value.reason.reason
    gc.collect()  # the client's socket, left behind by trio-websocket: collected here


async def test_leave_closes_with_1000_left(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message("[4]")
        with pytest.raises(ConnectionClosed) as closed:
            await ws.get_message()
    assert (closed.value.reason.code, closed.value.reason.reason) == (1000, "left")


@server_closes_first
async def test_a_binary_frame_is_refused_as_not_part_of_the_protocol(server):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        await ws.send_message(b"[2,2]")
        error = await recv(ws)
        assert error[:3] == [4, 0, "bad_message"] and "binary" in error[3]
        with pytest.raises(ConnectionClosed) as closed:
            await ws.get_message()
    assert closed.value.reason.code == 1007


@server_closes_first
async def test_client_values_in_the_log_cannot_forge_lines_or_flood_it(server, caplog):
    async with open_websocket_url(server.socket_url()) as ws:
        await join(server, ws)
        # A string with a newline where the tag (an int) goes, in a frame near the limit.
        await ws.send_message('["e\\nFORGED roost: admin logged in", 2]' + " " * 60_000)
        with pytest.raises(ConnectionClosed):
            while True:
                await ws.get_message()
    lines = [r.getMessage() for r in caplog.records if r.name == "roost.server"]
    assert lines and all("\n" not in line and len(line) < 1000 for line in lines)
    assert any("bad_message" in line for line in lines)  # the refusal is logged
    # The client's string is left out of it (an int tag's error names only the
    # position), or escaped: it cannot start a line of its own.
    assert all("FORGED" not in line or "\\nFORGED" in line for line in lines)
    gc.collect()


@server_closes_first
async def test_a_mount_slower_than_the_join_and_idle_timeouts_is_not_cut_off(nursery):
    mounting, release = trio.Event(), trio.Event()

    class Slow(LiveView):
        async def mount(self, params, session):
            self.count = 0
            if self.connected:
                mounting.set()
                await release.wait()  # a database under load, say

        @event
        def inc(self):
            self.count += 1

        def render(self) -> str:
            return f'<b id="n">{self.count}</b>'

    app = App({"/slow": Slow}, secret="test-secret", join_timeout=0.05, idle_timeout=0.05)
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    server = Server(app, runtime, runtime.urls[0])
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message(json.dumps([0, 1, await server.token("/slow"), server.url + "/slow"]))
        await mounting.wait()
        # Both timeouts pass while the view mounts: a socket opened after the
        # mount began, which never joins, is closed for it meanwhile.
        async with open_websocket_url(server.socket_url()) as witness:
            with trio.fail_after(5):
                try:
                    await witness.get_message()
                except ConnectionClosed as closed:
                    reason = closed.reason
        assert (reason.code, reason.reason) == (1001, "no join for 0.05 s")
        app.idle_timeout = 30.0  # from here on, the test's own pace must not matter
        release.set()
        messages = [await recv(ws), await recv(ws)]
        assert [1, "0", 1] in messages and [2, 1] in [m[:2] for m in messages]
        await ws.send_message('[1,2,"inc",{}]')
        # Version 2 (left off: the one after the Render's 1), answering ref 2.
        assert await recv(ws) == [0, [0, [0, 0], "1"], 2]


async def test_handle_params_sees_the_url_of_the_token_not_the_one_the_join_claims(nursery):
    class Where(LiveView):
        def mount(self, params, session):
            self.shown = ""

        def handle_params(self, params, url):
            self.url, self.params = url, params

        @event
        def show(self):
            self.shown = f"{self.url} {sorted(self.params.items())}"

        def render(self) -> str:
            return f"<p>{self.shown}</p>"

    app = App({"/where": Where, "/admin": Where}, secret="test-secret")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    server = Server(app, runtime, runtime.urls[0])
    token = await server.token("/where?a=1")
    forged = server.url + "/admin?a=evil&b=2"
    async with open_websocket_url(server.socket_url()) as ws:
        await ws.send_message(json.dumps([0, 1, token, forged]))
        assert await recv(ws) == [1, "0", 1]  # the page as served
        assert (await recv(ws))[:2] == [2, 1]
        await ws.send_message('[1,2,"show",{}]')
        patch = json.dumps(await recv(ws))
    assert f"{server.url}/where?a=1 [('a', '1')]" in patch
    assert "admin" not in patch and "evil" not in patch


# -- who writes a click's patches -------------------------------------------------


class RecordingWire:
    """An ImmediateWire that takes every write: what went at once, what the writer sent."""

    def __init__(self, deferred=None) -> None:
        self.now: list[str] = []
        self.sent: list[str] = []
        self.deferred = deferred

    async def receive(self):  # pragma: no cover - not read in these tests
        await trio.sleep_forever()

    async def send(self, text: str) -> None:
        self.sent.append(text)

    async def close(self, code: int, reason: str) -> None:
        pass

    def send_now(self, text: str) -> bool:
        self.now.append(text)
        return True

    async def flush(self) -> None:
        pass


class TabOfTwo:
    """What a connection reads of its session: a component told its view (a handoff)."""

    def __init__(self) -> None:
        self.patches_coming = False
        self.handoffs = 0

    def patches_sent(self) -> None:
        self.patches_coming = False


def patch(target: str) -> str:
    from roost import protocol

    return protocol.encode(protocol.patch(target, 2, [[0, [0], target]]))


async def connection(nursery, deferred=None) -> tuple:
    from roost.server.socket import _Connection

    wire = RecordingWire(deferred)
    conn = _Connection(App({"/": LiveView}), None, "test", wire)  # type: ignore[arg-type]
    conn.writers = nursery
    conn.session = TabOfTwo()  # type: ignore[assignment]
    return conn, wire


async def test_the_last_patch_of_a_component_click_goes_out_with_the_first_at_once(nursery):
    conn, wire = await connection(nursery)
    conn.session.patches_coming = conn.session.handoffs = 1  # the component told its view
    assert conn.transport(patch("tabs")) is None  # queued: the view's patch follows
    assert wire.now == [] and wire.sent == []
    conn.session.handoffs = 0  # the view took the message; its patch is the last
    assert conn.transport(patch("0")) is None
    assert wire.now == [f"[{patch('tabs')},{patch('0')}]"]  # one frame, by the view's actor
    await trio.testing.wait_all_tasks_blocked()
    assert wire.sent == []  # the writer task found nothing left to write
    assert not conn.session.patches_coming


async def test_a_patch_while_another_actor_still_has_a_message_to_take_waits_for_the_writer(
    nursery,
):
    conn, wire = await connection(nursery)
    conn.session.patches_coming = conn.session.handoffs = 2  # the view also gave props
    conn.transport(patch("tabs"))
    conn.session.handoffs = 1  # the view took its message; the other component has not
    conn.transport(patch("0"))
    assert wire.now == []
    await trio.testing.wait_all_tasks_blocked()
    # The writer's turn came first: what was queued goes as one frame.
    assert wire.sent == [f"[{patch('tabs')},{patch('0')}]"]


async def test_queued_messages_that_cannot_share_a_frame_keep_their_order(nursery):
    from roost import protocol

    conn, wire = await connection(nursery)
    conn.session.patches_coming = conn.session.handoffs = 1
    ack = protocol.encode(protocol.Ack(5))
    conn.transport(ack)  # not a patch: it goes alone
    conn.session.handoffs = 0
    conn.transport(patch("0"))
    conn.transport(patch("0"))  # a second patch of one target: a frame of its own
    assert wire.now == []
    await trio.testing.wait_all_tasks_blocked()
    assert wire.sent == [ack, patch("0"), patch("0")]


# -- ... and, under `roost run`, with no writer task: the frames wait for the actor ---


@pytest.fixture
def writers(monkeypatch) -> list[int]:
    """One entry per writer task a connection started."""
    from roost.server.socket import _Connection

    started: list[int] = []
    write_queued = _Connection._write_queued

    async def counting(self):
        started.append(1)
        await write_queued(self)

    monkeypatch.setattr(_Connection, "_write_queued", counting)
    return started


async def test_a_component_click_answered_by_its_view_starts_no_writer_task(
    nursery, deferred, writers
):
    conn, wire = await connection(nursery, deferred)
    conn.session.patches_coming = conn.session.handoffs = 1  # the component told its view
    conn.transport(patch("tabs"))
    await trio.lowlevel.checkpoint()  # the view's turn
    conn.session.handoffs = 0
    conn.transport(patch("0"))
    assert wire.now == [f"[{patch('tabs')},{patch('0')}]"]
    await trio.testing.wait_all_tasks_blocked()
    assert writers == [] and wire.sent == []
    assert len(deferred) == 0


async def test_a_patch_left_for_an_actor_that_does_not_answer_goes_out_once_its_turn_passed(
    nursery, deferred, writers
):
    conn, wire = await connection(nursery, deferred)
    conn.session.patches_coming = conn.session.handoffs = 1
    conn.transport(patch("tabs"))
    # This task stays runnable, so the scheduler never idles: only the batches count.
    await trio.lowlevel.checkpoint()  # the batch in which the handed-to actor runs ...
    assert wire.now == []
    await trio.lowlevel.checkpoint()  # ... has passed without a patch from it
    assert wire.now == [patch("tabs")]
    assert writers == [] and wire.sent == []


async def test_a_patch_left_for_an_actor_goes_out_as_soon_as_the_server_idles(nursery, deferred):
    import socket as stdlib_socket

    browser, server = stdlib_socket.socketpair()
    with browser, server:
        server.setblocking(False)
        conn, wire = await connection(nursery, deferred)
        send_now = wire.send_now

        def sending(text: str) -> bool:
            server.send(text.encode())  # the loopback buffer takes it whole
            return send_now(text)

        wire.send_now = sending
        conn.session.patches_coming = conn.session.handoffs = 1  # to an actor that is busy
        conn.transport(patch("tabs"))
        reader = trio.socket.from_stdlib_socket(browser)
        # Nothing is left to run while this waits for the socket: no batch
        # comes to count, and the patch must not wait for the next I/O.
        with trio.fail_after(5):
            assert await reader.recv(1000) == patch("tabs").encode()


async def test_patches_left_for_an_actor_that_cannot_share_a_frame_go_by_the_writer_in_order(
    nursery, deferred, writers
):
    from roost import protocol

    conn, wire = await connection(nursery, deferred)
    conn.session.patches_coming = conn.session.handoffs = 1
    ack = protocol.encode(protocol.Ack(5))
    conn.transport(ack)
    conn.transport(patch("0"))
    await trio.lowlevel.checkpoint()
    await trio.lowlevel.checkpoint()  # the turn has passed: not one frame, so the writer
    await trio.testing.wait_all_tasks_blocked()
    assert writers == [1]
    assert wire.now == [] and wire.sent == [ack, patch("0")]


async def test_a_socket_closing_with_a_patch_left_for_an_actor_writes_it_before_the_close(
    nursery, deferred
):
    closes: list[str] = []
    conn, wire = await connection(nursery, deferred)

    async def close(code: int, reason: str) -> None:
        closes.append(f"close after {len(wire.now) + len(wire.sent)} frame(s)")

    wire.close = close
    conn.session.patches_coming = conn.session.handoffs = 1
    conn.transport(patch("tabs"))
    conn.session = None  # (a stand-in: nothing to detach)
    conn._gone()  # as finish() closes a socket
    await conn._write_close(1000, "bye")
    assert wire.sent == [patch("tabs")] and closes == ["close after 1 frame(s)"]
    assert len(deferred) == 0


async def test_a_patch_left_for_an_actor_the_socket_takes_only_in_part_wakes_the_writer(
    nursery, deferred
):
    conn, wire = await connection(nursery, deferred)
    wire.send_now = lambda text: None  # in part: the rest is owed to the writer
    conn.session.patches_coming = conn.session.handoffs = 1
    conn.transport(patch("tabs"))
    # Released as the server would idle: a task it starts must be woken for.
    assert conn._release() is True
    assert conn._writer


# -- the idle timeout ------------------------------------------------------------


class HeardWire(RecordingWire):
    """A wire whose client's frames are what the test sends into ``frames``."""

    def __init__(self) -> None:
        super().__init__()
        self.frames, self._incoming = trio.open_memory_channel[str](10)

    async def receive(self):
        try:
            return await self._incoming.receive()
        except trio.EndOfChannel:
            return None


class Listening:
    """A joined session as its connection sees it: it hears every message."""

    def __init__(self) -> None:
        self.heard: list[object] = []

    async def receive(self, message: object) -> None:
        self.heard.append(message)

    def detach(self, transport: object = None) -> None:
        pass


@pytest.mark.parametrize(("idle", "latest"), [(8.0, 9.0), (100.0, 105.0)])
async def test_a_socket_is_closed_for_silence_between_its_timeout_and_a_little_later(
    idle, latest, autojump_clock
):
    # The idle deadline is moved on only once it is nearer than the timeout:
    # a socket that keeps talking is never closed for it, and a silent one is
    # closed no earlier than the timeout after its last frame, and at most an
    # eighth of it, 5 s at most, later.
    from roost.server.limits import AddressLimits
    from roost.server.socket import _Connection

    class Runtime_:
        addresses = AddressLimits(None, None)

    wire = HeardWire()
    app = App({"/": LiveView}, idle_timeout=idle)
    conn = _Connection(app, Runtime_(), "test", wire)  # type: ignore[arg-type]
    conn.session = session = Listening()  # type: ignore[assignment]
    closed_at = []

    async def serve() -> None:
        await conn.serve()
        closed_at.append(trio.current_time())

    async with trio.open_nursery() as nursery:
        nursery.start_soon(serve)
        for ref in range(1, 41):  # 40 messages, each just within the timeout
            await wire.frames.send(f"[2,{ref}]")
            await trio.sleep(idle * 0.99)
        last = trio.current_time() - idle * 0.99
        assert not closed_at
    assert len(session.heard) == 40
    assert conn._close == (1001, f"idle for {idle:g} s")
    assert idle <= closed_at[0] - last <= latest


async def test_a_frame_that_comes_just_before_the_idle_timeout_is_handled_whole(autojump_clock):
    # Handling a frame may wait (a socket cut off for falling behind writes its
    # close): the idle deadline, moved on when the frame came, gives it the
    # whole timeout rather than what was left of the silence before it.
    from roost.server.limits import AddressLimits
    from roost.server.socket import _Connection

    class Runtime_:
        addresses = AddressLimits(None, None)

    class Slow(Listening):
        async def receive(self, message: object) -> None:
            await trio.sleep(2)
            await super().receive(message)

    wire = HeardWire()
    conn = _Connection(App({"/": LiveView}, idle_timeout=8.0), Runtime_(), "test", wire)  # type: ignore[arg-type]
    conn.session = session = Slow()  # type: ignore[assignment]
    async with trio.open_nursery() as nursery:
        nursery.start_soon(conn.serve)
        await trio.sleep(7.9)
        await wire.frames.send("[2,1]")  # 0.1 s before the socket would be closed
        await trio.sleep(3)
        assert session.heard and conn._close is None
        nursery.cancel_scope.cancel()
