"""The client's socket in Chromium: rejoin with the session id, backoff on
refused joins, expired tokens, the back/forward cache, requests without a
socket, and heartbeats that go unanswered."""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

# Before the page's scripts: record every socket opened, frame sent and frame received.
RECORD = """
window.__opened = []; window.__sent = []; window.__received = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    window.__opened.push(performance.now());
    this.addEventListener("message", (e) => window.__received.push(JSON.parse(e.data)));
  }
  send(data) {
    window.__sent.push(JSON.parse(data));
    super.send(data);
  }
};
"""

PLUS = "[aria-label=increment]"


def sent(page, tag: int) -> list:
    return page.evaluate("(t) => window.__sent.filter((m) => m[0] === t)", tag)


def wait_received(page, tag: int, count: int) -> None:
    page.wait_for_function(
        "([t, n]) => window.__received.filter((m) => m[0] === t).length >= n", arg=[tag, count]
    )


@pytest.fixture(scope="module")
def counter():
    with roost_run("examples.counter:app") as served:
        yield served


@pytest.fixture
def recorded(page):
    page.add_init_script(RECORD)
    return page


def test_a_rejoin_sends_the_session_id_from_joined_and_resumes(counter, recorded):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    wait_received(page, 2, 1)
    session = page.evaluate("window.Roost.socket.session")
    assert session
    assert sent(page, 0)[0][4] == ""
    page.click(PLUS)
    wait_text(page, "#count", "1")

    page.evaluate("window.Roost.socket.ws.close()")  # as a lost network would: no Leave
    wait_received(page, 2, 2)
    assert sent(page, 0)[1][4] == session
    assert page.evaluate("window.Roost.socket.session") == session
    assert page.evaluate("window.Roost.socket.attempt") == 0
    page.click(PLUS)
    wait_text(page, "#count", "2")


def test_a_refused_join_backs_off_instead_of_retrying_at_once(recorded):
    page = recorded
    with roost_run("tests.apps.client_full:app") as served:
        page.goto(served.url + "/")
        page.wait_for_function("() => window.__opened.length >= 5", timeout=20_000)
        opened = page.evaluate("window.__opened.slice(0, 5)")
        refusals = page.evaluate("window.__received.filter((m) => m[0] === 4)")
    assert refusals and {m[2] for m in refusals} == {"server_full"}
    gaps = [b - a for a, b in pairwise(opened)]
    # Delays of 100-200, 200-400, 400-800, 800-1600 ms: the ceiling doubles.
    assert gaps[3] >= 800, gaps
    assert gaps[3] > gaps[0], gaps


def test_an_expired_token_reloads_the_page_once_and_not_in_a_loop(counter, recorded):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    page.evaluate("window.__not_reloaded = true")
    forge = "() => { window.Roost.socket.token = 'expired'; window.Roost.socket.ws.close(); }"

    with page.expect_navigation():
        page.evaluate(forge)
    wait_joined(page)
    assert page.evaluate("window.__not_reloaded") is None
    assert page.evaluate("sessionStorage.getItem('roost:reloaded-at')")

    # Refused again moments later: a reload would not help; the page stays and stops.
    page.evaluate("window.__not_reloaded = true")
    page.evaluate(forge)
    page.wait_for_function(
        "() => window.__received.some((m) => m[0] === 4 && m[2] === 'bad_token')"
    )
    page.wait_for_function("() => window.Roost.socket.stopped && !window.Roost.socket.ws")
    assert page.evaluate("window.__not_reloaded") is True


def test_a_page_restored_from_the_bfcache_resumes_its_session(counter, recorded):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    wait_received(page, 2, 1)
    session = page.evaluate("window.Roost.socket.session")
    page.click(PLUS)
    wait_text(page, "#count", "1")

    page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide', { persisted: true }))")
    assert page.evaluate("window.Roost.socket.stopped && !window.Roost.socket.ws") is True
    assert sent(page, 4) == []

    page.evaluate("dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    wait_received(page, 2, 2)
    assert sent(page, 0)[1][4] == session
    assert page.evaluate("window.Roost.socket.session") == session
    page.click(PLUS)
    wait_text(page, "#count", "2")


def test_an_unloaded_page_leaves_and_if_shown_again_mounts_afresh(counter, recorded):
    page = recorded
    page.goto(counter.url + "/?start=5")
    wait_joined(page)
    wait_received(page, 2, 1)
    session = page.evaluate("window.Roost.socket.session")
    page.click(PLUS)
    wait_text(page, "#count", "6")

    page.evaluate("dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }))")
    assert sent(page, 4) == [[4]]
    page.evaluate("dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))")
    wait_received(page, 2, 2)
    assert sent(page, 0)[1][4] == ""
    assert page.evaluate("window.Roost.socket.session") not in ("", session)
    wait_text(page, "#count", "5")
    page.click(PLUS)
    wait_text(page, "#count", "6")


def test_a_request_without_an_open_socket_fails_at_once(counter, recorded):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    page.evaluate("window.Roost.socket.stop()")
    events_before = len(sent(page, 1))

    page.click(PLUS)
    page.wait_for_function(
        "(s) => !document.querySelector(s).classList.contains('roost-click-loading')",
        arg=PLUS,
        timeout=5_000,
    )
    outcome = page.evaluate(
        "window.Roost.socket.request((ref) => [2, ref]).then(() => 'sent', (e) => e)"
    )
    assert outcome == "disconnected"
    assert len(sent(page, 1)) == events_before
    assert page.text_content("#count") == "0"


def test_an_unanswered_heartbeat_drops_the_socket_and_rejoins(counter, recorded):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    wait_received(page, 2, 1)
    assert page.evaluate("window.Roost.socket.heartbeatMs") == 30_000
    page.click(PLUS)
    wait_text(page, "#count", "1")

    # An answered heartbeat changes nothing.
    page.evaluate("window.__first = window.Roost.socket.ws; window.Roost.socket.beat()")
    page.wait_for_function("() => window.Roost.socket.unanswered === null")
    assert page.evaluate("window.Roost.socket.ws === window.__first") is True

    # A half-open connection: the heartbeat goes out and nothing comes back.
    page.evaluate(
        """() => {
            const socket = window.Roost.socket;
            socket.heartbeatTimeoutMs = 200;
            const send = socket.ws.send.bind(socket.ws);
            socket.ws.send = (data) => { if (JSON.parse(data)[0] !== 2) send(data); };
            socket.beat();
        }"""
    )
    wait_received(page, 2, 2)
    assert page.evaluate("window.Roost.socket.ws !== window.__first") is True
    page.click(PLUS)
    wait_text(page, "#count", "2")


def test_a_frame_of_two_patches_changes_the_component_and_its_view_together(recorded):
    page = recorded
    with roost_run("tests.apps.panel:app") as served:
        page.goto(served.url + "/")
        wait_joined(page, "0", "picker")
        page.evaluate("window.__received = []")
        page.click("#pick-b")
        wait_text(page, "#shown", "b")
        assert page.text_content("#choice") == "b"
        received = page.evaluate("window.__received")
    assert len(received) == 1, "both patches came in one frame"
    [frame] = received
    assert [message[0] for message in frame] == [0, 0]  # two Patches


def test_requests_take_the_smallest_free_ref_but_never_one_a_lost_socket_left_unanswered(
    counter, recorded
):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    for n in range(1, 4):
        page.click(PLUS)
        wait_text(page, "#count", str(n))
    # Each click waited for its answer: every one went as ref 1 (short frames).
    assert [m[1] for m in sent(page, 1)] == [1, 1, 1]

    # A click whose frame never leaves, then the socket is lost: its ref 1 may
    # still be answered on the next socket, so the page does not use it again.
    page.evaluate("window.Roost.socket.ws.send = () => {}")
    page.click(PLUS)
    page.evaluate("window.Roost.socket.lost()")
    wait_received(page, 2, 2)
    page.click(PLUS)
    wait_text(page, "#count", "4")
    assert [m[1] for m in sent(page, 1)][-1] == 2
    assert [m[1] for m in sent(page, 0)] == [1, 2]  # the rejoin took 2, free again once answered
