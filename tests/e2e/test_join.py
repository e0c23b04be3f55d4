"""Protocol v2 in a real browser: a join sends no HTML the page already holds
(and the page after the join is exactly a fresh load's), and a click is
answered by its patch in one frame."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from tests.serve import Served, roost_run

from .conftest import wait_joined, wait_text

VIEW = '[data-roost-id="0"]'


@dataclass
class Wire:
    """Every WebSocket frame of a page, both ways, in order."""

    frames: list[tuple[bool, str]] = field(default_factory=list)

    def watch(self, page) -> None:
        def on_socket(ws) -> None:
            ws.on("framesent", lambda payload: self.frames.append((True, payload)))
            ws.on("framereceived", lambda payload: self.frames.append((False, payload)))

        page.on("websocket", on_socket)

    def received(self, since: int = 0) -> list[list]:
        return [json.loads(text) for sent, text in self.frames[since:] if not sent]

    def sent(self, since: int = 0) -> list[list]:
        return [json.loads(text) for sent, text in self.frames[since:] if sent]

    def size(self, since: int = 0) -> int:
        return sum(len(text.encode()) for _, text in self.frames[since:])


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, Served]]:
    apps = {
        "counter": "examples.counter:app",
        "dashboard": "examples.dashboard:app",
        "todo": "examples.todo:app",
        "rows": "tests.e2e.join_apps:rows",
        "drifting": "tests.e2e.join_apps:drifting",
        "markup": "tests.e2e.join_apps:markup",
        "brief": "tests.e2e.join_apps:brief",
    }
    started: dict[str, Served] = {}
    contexts = []
    try:
        for name, app in apps.items():
            context = roost_run(app)
            started[name] = context.__enter__()
            contexts.append(context)
        yield started
    finally:
        for context in reversed(contexts):
            context.__exit__(None, None, None)


def fresh_load(browser, url: str) -> str:
    """The view's container as a page load builds it, before any script runs."""
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(url)
        return page.inner_html(VIEW)
    finally:
        context.close()


def joined(page, url: str, *targets: str) -> Wire:
    wire = Wire()
    wire.watch(page)
    page.goto(url)
    wait_joined(page, *targets)
    page.wait_for_function("() => window.Roost.socket.session !== ''")  # the Joined came
    return wire


def assert_no_html_came(wire: Wire) -> None:
    for message in wire.received():
        assert message[0] in (1, 2), message
        if message[0] == 1:
            assert len(message) == 3, f"a render with HTML: {message}"


def test_a_counters_join_sends_no_html_and_its_page_is_a_fresh_loads(servers, browser, page):
    url = servers["counter"].url + "/"
    wire = joined(page, url)
    assert wire.received() == [[1, "0", 1], [2, 1, page.evaluate("Roost.socket.session")]]
    assert page.inner_html(VIEW) == fresh_load(browser, url)

    before = len(wire.frames)
    page.get_by_role("button", name="increment").click()
    wait_text(page, "#count", "1")
    click = wire.frames[before:]
    assert [sent for sent, _ in click] == [True, False], click  # one frame each way
    assert wire.size(before) <= 40, click


def test_a_dashboards_join_keeps_the_view_and_each_component_as_served(servers, browser, page):
    url = servers["dashboard"].url + "/"
    wire = joined(page, url, "0", "tabs", "pages")
    assert_no_html_came(wire)
    assert sorted(m[1] for m in wire.received() if m[0] == 1) == ["0", "pages", "tabs"]
    assert page.inner_html(VIEW) == fresh_load(browser, url)

    page.click("#inc")
    wait_text(page, "#count", "1")
    page.get_by_role("button", name="Settings").click()
    page.wait_for_function(
        "() => document.querySelector('nav.tabs button:nth-child(2)').className === 'active'"
    )
    page.get_by_role("button", name="Next").click()
    wait_text(page, ".pagination .page", "2")
    wait_text(page, "#items li:first-child", "Item 4")
    assert not [m for m in wire.sent() if m[0] == 3], "no target had to be resynced"


def test_a_1000_row_page_joins_for_a_few_bytes_and_one_row_changes_for_70(servers, browser, page):
    url = servers["rows"].url + "/"
    wire = joined(page, url)
    assert_no_html_came(wire)
    assert sum(len(t.encode()) for sent, t in wire.frames if not sent) < 100
    assert page.inner_html(VIEW) == fresh_load(browser, url)

    before = len(wire.frames)
    page.click('li[data-key="500"]')
    wait_text(page, 'li[data-key="500"]', "row 500!")
    assert [sent for sent, _ in wire.frames[before:]] == [True, False]
    assert wire.size(before) <= 70, wire.frames[before:]
    assert page.text_content('li[data-key="499"]') == "row 499"


def test_markup_kept_as_served_takes_patches_like_any_other(servers, browser, page):
    url = servers["markup"].url + "/"
    wire = joined(page, url)
    assert_no_html_came(wire)
    assert page.inner_html(VIEW) == fresh_load(browser, url)
    for n in ("1", "2"):
        page.click("#inc")
        wait_text(page, "#cell", n)
    assert page.text_content("#after") == "2"
    assert "no script 2" in page.text_content("noscript")
    assert not [m for m in wire.sent() if m[0] == 3], "no patch failed"


def test_a_view_that_renders_differently_when_connected_gets_its_html(servers, browser, page):
    url = servers["drifting"].url + "/"
    served = fresh_load(browser, url)
    wire = joined(page, url)
    (render,) = [m for m in wire.received() if m[0] == 1]
    assert len(render) == 4 and render[3].startswith('<p id="mount">')
    assert page.inner_html(VIEW) != served  # the live mount's number, not the page's
    assert page.inner_html(VIEW) == render[3]
    page.click("#inc")
    wait_text(page, "#n", "1")


def test_a_new_session_does_not_keep_a_page_that_changed_since_it_loaded(servers, page):
    url = servers["brief"].url + "/"
    wire = joined(page, url)
    page.click("#inc")
    page.click("#inc")
    wait_text(page, "#count", "2")

    # As after a session the server ended (its reconnect grace ran out): the
    # page joins with no session to resume, so a new one mounts.
    page.evaluate("Roost.socket.stop()")
    page.evaluate("Roost.socket.session = ''")
    before = len(wire.frames)
    page.evaluate("Roost.socket.restart()")
    # The new session's view renders what the page was served (0): the server
    # says "as served", the page (showing 2) asks for the content instead.
    wait_text(page, "#count", "0")
    received = wire.received(before)
    assert [1, "0", 1] in received
    assert [m[2] for m in wire.sent(before) if m[0] == 3] == ["0"]
    assert any(m[0] == 1 and len(m) == 4 for m in received), received
    page.click("#inc")
    wait_text(page, "#count", "1")


def test_a_forms_reset_runs_after_the_patch_that_answers_its_submit(servers, page):
    wire = joined(page, servers["todo"].url + "/")
    page.evaluate(
        """() => {
            window.__order = [];
            new MutationObserver(() => window.__order.push("patched"))
                .observe(document.querySelector("#todos"), { childList: true });
            const form = document.querySelector("#add");
            form.addEventListener("reset", () => window.__order.push("reset"));
        }"""
    )
    page.fill('input[name="title"]', "Ship it")
    before = len(wire.frames)
    page.click('#add button[type="submit"]')
    page.wait_for_function("() => window.__order.includes('reset')")
    assert page.evaluate("window.__order")[:2] == ["patched", "reset"]
    assert page.input_value('input[name="title"]') == ""
    (at,) = [
        i
        for i, (sent, text) in enumerate(wire.frames)
        if i >= before and sent and json.loads(text)[:1] == [1] and json.loads(text)[2] == "add"
    ]
    ref = json.loads(wire.frames[at][1])[1]
    # Its answer is the patch: no Ack of its own comes before it (refs are
    # reused once answered: only what came after the submit counts).
    answers = [m for m in wire.received(at) if (m[0] == 0 and ref in _acks(m)) or m[:2] == [3, ref]]
    assert answers and answers[0][0] == 0, wire.received(at)


def _acks(patch: list) -> list[int]:
    acks = patch[2] if len(patch) > 2 else 0
    return acks if isinstance(acks, list) else [acks] if acks else []


def test_the_browser_keeps_only_containers_still_holding_what_the_page_loaded(servers, page):
    """A scripted server: "as served" for the view, a component whose container
    was replaced since the load, and one whose content was changed since."""
    frames: list[list] = []
    routes = []

    def handler(ws) -> None:
        routes.append(ws)
        ws.on_message(lambda message: frames.append(json.loads(message)))

    page.route_web_socket(re.compile(r"/_roost/socket\?"), handler)
    page.goto(servers["dashboard"].url + "/")
    page.wait_for_function("() => window.Roost?.socket?.open")
    page.wait_for_function("() => document.querySelector('[data-roost-id=\"tabs\"] button')")
    loaded_pages = page.inner_html('[data-roost-id="pages"]')
    page.evaluate(
        """() => {
            const tabs = document.querySelector('[data-roost-id="tabs"]');
            tabs.replaceWith(tabs.cloneNode(true));  // same content, another element
        }"""
    )
    ws = routes[0]
    join_ref = frames[0][1]
    ws.send(json.dumps([1, "0", 1]))
    ws.send(json.dumps([1, "tabs", 1]))
    ws.send(json.dumps([1, "pages", 1]))
    ws.send(json.dumps([2, join_ref, "session"]))
    page.wait_for_function("() => window.Roost.targets.versions.get('pages') === 1")
    page.wait_for_function("() => window.Roost.targets.syncing.has('tabs')")
    until(page, lambda: any(m[0] == 3 for m in frames))
    syncs = [m for m in frames if m[0] == 3]
    assert [m[2] for m in syncs] == ["tabs"]  # the replaced container is asked for
    versions = page.evaluate("[...window.Roost.targets.versions.entries()]")
    assert dict(versions) == {"0": 1, "pages": 1}
    assert page.inner_html('[data-roost-id="pages"]') == loaded_pages

    # "pages" as served again: it was kept once, it is not kept twice.
    ws.send(json.dumps([1, "pages", 1]))
    page.wait_for_function("() => !window.Roost.targets.versions.has('pages')")
    until(page, lambda: len([m for m in frames if m[0] == 3]) == 2)
    assert [m[2] for m in frames if m[0] == 3] == ["tabs", "pages"]


def until(page, condition, timeout_ms: int = 5000) -> None:
    """Let Playwright deliver its events until ``condition()`` holds."""
    for _ in range(timeout_ms // 20):
        if condition():
            return
        page.wait_for_timeout(20)
    raise AssertionError("the condition never held")
