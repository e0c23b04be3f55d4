"""The client's handling of server messages in Chromium: push events,
navigation, and resyncs that the server refused."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

PLUS = "[aria-label=increment]"


@pytest.fixture(scope="module")
def counter():
    with roost_run("examples.counter:app") as served:
        yield served


def test_a_push_event_arrives_as_a_window_event(page):
    with roost_run("tests.apps.client_push:app") as served:
        page.goto(served.url + "/")
        wait_joined(page)
        page.evaluate(
            """() => {
                window.__pings = [];
                addEventListener("roost:ping", (e) => window.__pings.push(e.detail));
            }"""
        )
        page.click("#ping")
        page.wait_for_function("() => window.__pings.length === 1")
        assert page.evaluate("window.__pings") == [{"n": 1}]


def test_navigate_follows_http_urls_and_paths_but_never_javascript(counter, page):
    page.goto(counter.url + "/")
    wait_joined(page)
    for to in ("javascript:window.__pwned = true", " JavaScript:window.__pwned = true"):
        page.evaluate("(to) => window.Roost.targets.handle([6, to])", to)
    # A round trip gives a queued javascript: navigation every chance to run.
    page.click(PLUS)
    wait_text(page, "#count", "1")
    assert page.evaluate("window.__pwned") is None
    assert page.url == counter.url + "/"

    with page.expect_navigation():
        page.evaluate("window.Roost.targets.handle([6, '/?start=7'])")
    wait_joined(page)
    assert page.url == counter.url + "/?start=7"
    assert page.text_content("#count") == "7"


def test_a_refused_sync_is_sent_again_at_the_next_patch(counter, page):
    page.goto(counter.url + "/")
    wait_joined(page)
    # The first Sync is refused by the server (its target rewritten to an unknown one).
    page.evaluate(
        """() => {
            window.__syncs = 0;
            const ws = window.Roost.socket.ws;
            const send = ws.send.bind(ws);
            ws.send = (data) => {
                const message = JSON.parse(data);
                if (message[0] === 3 && ++window.__syncs === 1) message[2] = "nope";
                send(JSON.stringify(message));
            };
            window.Roost.targets.versions.delete("0");  // the next patch is a gap
        }"""
    )
    page.click(PLUS)
    page.wait_for_function("() => window.__syncs === 1 && window.Roost.targets.syncing.size === 0")
    assert page.evaluate("window.Roost.targets.versions.has('0')") is False
    assert page.text_content("#count") == "0"

    page.click(PLUS)
    wait_text(page, "#count", "2")
    page.wait_for_function("() => window.Roost.targets.versions.get('0') === 3")
    assert page.evaluate("window.__syncs") == 2


def test_one_sync_at_a_time_per_target(counter, page):
    page.goto(counter.url + "/")
    wait_joined(page)
    page.click(PLUS)
    wait_text(page, "#count", "1")
    syncs = page.evaluate(
        """() => {
            const sent = [];
            const ws = window.Roost.socket.ws;
            const send = ws.send.bind(ws);
            ws.send = (data) => { sent.push(JSON.parse(data)); send(data); };
            const targets = window.Roost.targets;
            targets.versions.delete("0");
            for (const version of [5, 6, 7]) targets.patch("0", version, []);
            return sent.filter((m) => m[0] === 3);
        }"""
    )
    assert [m[2] for m in syncs] == ["0"]
    page.wait_for_function(
        "() => window.Roost.targets.versions.get('0') === 2 && !window.Roost.targets.syncing.size"
    )
    assert page.text_content("#count") == "1"
