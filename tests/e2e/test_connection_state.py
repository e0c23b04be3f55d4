"""The page shows its connection state: one of the classes roost-connecting,
roost-connected, roost-disconnected and roost-error on the view's container, a
status notice while it cannot act, and input refused (not sent, not queued)
meanwhile. A server that goes away and comes back (with the same secret, or
with a new one, twice) ends in a working page or a visible message."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import pytest

from tests.ports import free_port
from tests.serve import Served, roost_run

from .conftest import wait_joined, wait_text

APP = "examples.counter:app"
PLUS = "[aria-label=increment]"
VIEW = '[data-roost-id="0"]'
NOTICE = ".roost-notice[role=status]"
STATES = ["roost-connecting", "roost-connected", "roost-disconnected", "roost-error"]

# Before the page's scripts: count the sockets opened, record the frames sent,
# and every state the view's container shows, in order.
RECORD = """
window.__opened = 0; window.__sent = []; window.__states = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    window.__opened++;
  }
  send(data) {
    window.__sent.push(JSON.parse(data));
    super.send(data);
  }
};
const STATES = STATES_JSON;
new MutationObserver(() => {
  const view = document.querySelector('[data-roost-id="0"]');
  if (!view) return;
  const now = STATES.filter((s) => view.classList.contains(s)).join(" ");
  if (window.__states[window.__states.length - 1] !== now) window.__states.push(now);
}).observe(document, { attributes: true, attributeFilter: ["class"], subtree: true });
""".replace("STATES_JSON", json.dumps(STATES))


@pytest.fixture(scope="module")
def counter():
    with roost_run(APP) as served:
        yield served


@pytest.fixture
def recorded(page):
    page.add_init_script(RECORD)
    return page


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def serve_on(port, monkeypatch):
    """Start `roost run` on the test's one port, signing with `secret`."""

    @contextmanager
    def serve(secret: str) -> Iterator[Served]:
        monkeypatch.setenv("ROOST_SECRET", secret)
        with roost_run(APP, "--port", str(port)) as served:
            yield served

    return serve


def states(page) -> list[str]:
    return page.evaluate(
        "([v, names]) => names.filter((n) => document.querySelector(v).classList.contains(n))",
        [VIEW, STATES],
    )


def wait_state(page, state: str) -> None:
    page.wait_for_function(
        "([v, s]) => document.querySelector(v)?.classList.contains(s)", arg=[VIEW, state]
    )
    assert states(page) == [state]


def events_sent(page) -> int:
    return page.evaluate("window.__sent.filter((m) => m[0] === 1).length")


def assert_notice(page, text: str) -> None:
    notice = page.locator(NOTICE)
    notice.wait_for()
    assert notice.count() == 1
    assert notice.is_visible()
    assert notice.text_content() == text
    # Beside the view's container, never in an actor's patched content.
    placement = page.evaluate(
        """([v, n]) => {
            const notice = document.querySelector(n);
            return [
                notice.previousElementSibling === document.querySelector(v),
                notice.closest('[data-roost-id]') === null,
            ];
        }""",
        [VIEW, NOTICE],
    )
    assert placement == [True, True]


def assert_refused_click(page, count: str) -> None:
    before = events_sent(page)
    page.click(PLUS)
    page.wait_for_function(
        "(s) => document.querySelector(s).classList.contains('roost-click-refused')", arg=PLUS
    )
    assert "roost-click-loading" not in (page.get_attribute(PLUS, "class") or "")
    assert events_sent(page) == before
    assert page.text_content("#count") == count


def test_a_page_is_connecting_then_connected_without_a_notice(counter, recorded):
    page = recorded
    page.goto(counter.url + "/")
    wait_joined(page)
    wait_state(page, "roost-connected")
    assert page.evaluate("window.__states") == ["roost-connecting", "roost-connected"]
    assert page.locator(NOTICE).count() == 0
    page.click(PLUS)
    wait_text(page, "#count", "1")
    assert states(page) == ["roost-connected"]


def test_input_before_the_join_is_answered_is_refused_not_queued(counter, page):
    frames: list[list] = []
    routes = []

    def handler(ws) -> None:
        routes.append(ws)
        ws.on_message(lambda message: frames.append(json.loads(message)))

    # The socket opens but the join stays unanswered until the test answers it.
    page.route_web_socket(re.compile(r"/_roost/socket\?"), handler)
    page.goto(counter.url + "/")
    page.wait_for_function("() => window.Roost?.socket?.open")
    wait_state(page, "roost-connecting")
    assert page.locator(NOTICE).count() == 0

    page.click(PLUS)
    page.wait_for_function(
        "(s) => document.querySelector(s).classList.contains('roost-click-refused')", arg=PLUS
    )
    assert_notice(page, "Connecting…")
    assert states(page) == ["roost-connecting"]
    assert [m[0] for m in frames] == [0]  # the Join

    routes[0].send(json.dumps([2, frames[0][1], "session"]))
    wait_state(page, "roost-connected")
    page.locator(NOTICE).wait_for(state="detached")
    assert "roost-click-refused" not in (page.get_attribute(PLUS, "class") or "")

    page.click(PLUS)
    page.wait_for_function(
        "(s) => document.querySelector(s).classList.contains('roost-click-loading')", arg=PLUS
    )
    # The refused click was not sent later: only this one is.
    assert [m[0] for m in frames] == [0, 1]  # the Join, then the Event
    assert frames[1][2:] == ["inc"]  # no params, the view's target: both left off


def test_a_server_that_goes_away_and_comes_back_with_the_same_secret(serve_on, recorded):
    page = recorded
    with serve_on("same") as first:
        page.goto(first.url + "/")
        wait_joined(page)
        wait_state(page, "roost-connected")
        page.evaluate("window.__not_reloaded = true")
        page.click(PLUS)
        wait_text(page, "#count", "1")
        first.stop()

    wait_state(page, "roost-disconnected")
    assert_notice(page, "Reconnecting…")
    # The server stays away: the page keeps trying, with backoff, and keeps
    # showing the same state (no flicker through connecting at each try).
    seen = page.evaluate("window.__states.length")
    opened = page.evaluate("window.__opened")
    page.wait_for_function("(n) => window.__opened >= n + 3", arg=opened)
    assert page.evaluate("(n) => window.__states.slice(n - 1)", seen) == ["roost-disconnected"]
    assert page.evaluate("window.Roost.socket.attempt") >= 3
    assert_refused_click(page, "1")
    assert_notice(page, "Reconnecting…")

    with serve_on("same") as second:
        wait_state(page, "roost-connected")
        page.locator(NOTICE).wait_for(state="detached")
        assert "roost-click-refused" not in (page.get_attribute(PLUS, "class") or "")
        # A new server process mounts a new session from the page's token.
        wait_text(page, "#count", "0")
        before = events_sent(page)
        page.click(PLUS)
        wait_text(page, "#count", "1")
        assert events_sent(page) == before + 1  # the refused click never went out
        assert page.evaluate("window.__not_reloaded") is True
        second.stop()


def test_a_new_secret_reloads_the_page_once_and_a_second_one_shows_an_error(serve_on, recorded):
    page = recorded
    loads: list[str] = []
    page.on("load", lambda p: loads.append(p.url))
    with ExitStack() as stack:
        first = stack.enter_context(serve_on("one"))
        page.goto(first.url + "/")
        wait_joined(page)
        wait_state(page, "roost-connected")
        page.click(PLUS)
        wait_text(page, "#count", "1")
        first.stop()
        wait_state(page, "roost-disconnected")
        assert_refused_click(page, "1")

    # Back with another secret: the old page's token is refused, the page
    # reloads (once) and works against the new server.
    with ExitStack() as stack:
        with page.expect_navigation():
            second = stack.enter_context(serve_on("two"))
        wait_joined(page)
        wait_state(page, "roost-connected")
        assert page.locator(NOTICE).count() == 0
        assert len(loads) == 2
        page.evaluate("window.__not_reloaded = true")
        page.click(PLUS)
        wait_text(page, "#count", "1")
        # The guard counts 30 s from the reload: restart its clock now, so that
        # a slow machine cannot stretch what follows past it.
        assert page.evaluate("sessionStorage.getItem('roost:reloaded-at')")
        page.evaluate("sessionStorage.setItem('roost:reloaded-at', String(Date.now()))")
        second.stop()
        wait_state(page, "roost-disconnected")
        assert_notice(page, "Reconnecting…")

    # Yet another secret within the 30 s guard: no second reload, but a page
    # that says it has stopped, rather than a dead one.
    with serve_on("three") as third:
        wait_state(page, "roost-error")
        assert_notice(page, "Connection lost. Reload the page.")
        assert page.evaluate("window.Roost.socket.stopped") is True
        assert page.evaluate("window.__not_reloaded") is True
        assert len(loads) == 2
        assert_refused_click(page, "1")
        assert states(page) == ["roost-error"]

        # The user reloads, as told: a working page.
        page.reload()
        wait_joined(page)
        wait_state(page, "roost-connected")
        assert page.locator(NOTICE).count() == 0
        page.click(PLUS)
        wait_text(page, "#count", "1")
        third.stop()
