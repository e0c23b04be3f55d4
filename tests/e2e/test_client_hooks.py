"""JS hooks in Chromium: their life (mounted, updated, destroyed, disconnected,
reconnected), pushEvent and pushEventTo with the handler's reply, handleEvent
for the server's push_event; and the feedback of an event in flight (loading
classes, roost-disable-with), and checkboxes sent as booleans."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

# Registered before the page's scripts, as a layout's classic <script> would.
PROBE = """
window.__log = []; window.__pinged = []; window.__replies = [];
window.Roost = window.Roost || {};
Roost.hooks = Roost.hooks || {};
Roost.hooks.Probe = {
  mounted() {
    __log.push("mounted:" + this.el.id);
    if (this.el.id !== "chart") return;
    window.__chart = this;
    this.handleEvent("pinged", (p) => __pinged.push(p));
    this.pushEvent("ping", { first: true }).then((r) => __replies.push(r));
  },
  updated() { __log.push("updated:" + this.el.id + ":" + this.el.dataset.n); },
  destroyed() { __log.push("destroyed:" + this.el.id); },
  disconnected() { __log.push("disconnected:" + this.el.id); },
  reconnected() { __log.push("reconnected:" + this.el.id); },
};
"""


@pytest.fixture(scope="module")
def served():
    with roost_run("tests.apps.hooked:app") as served:
        yield served


@pytest.fixture
def live(page, served):
    page.add_init_script(PROBE)
    page.goto(served.url + "/")
    wait_joined(page, "0", "side")
    page.wait_for_function("() => window.__replies.length === 1")
    return page


def log(page) -> list[str]:
    return page.evaluate("window.__log")


def test_hooks_mount_once_joined_and_a_reply_reaches_the_pushing_hook(live):
    assert sorted(log(live)) == ["mounted:chart", "mounted:gone"]
    assert live.evaluate("window.__replies") == [{"pong": {"first": True}, "n": 0}]
    # The handler's push_event reached the hook's handleEvent.
    live.wait_for_function("() => window.__pinged.length === 1")
    assert live.evaluate("window.__pinged") == [{"n": 0}]


def test_updated_runs_for_a_patch_of_the_hooks_element_only(live):
    live.click("#bump")
    wait_text(live, "#n", "1")
    assert log(live)[-1] == "updated:chart:1"
    before = len(log(live))
    live.click("#retone")  # patches elsewhere: no hook is told
    live.wait_for_function("() => document.querySelector('#menu').className === 'menu loud'")
    assert len(log(live)) == before


def test_destroyed_when_the_server_stops_rendering_it_and_mounted_when_it_comes_back(live):
    live.click("#toggle-gone")
    live.wait_for_function("() => !document.querySelector('#gone')")
    assert log(live)[-1] == "destroyed:gone"
    live.click("#toggle-gone")
    live.wait_for_selector("#gone")
    assert log(live)[-1] == "mounted:gone"


@pytest.fixture
def later(page, served):
    page.add_init_script(PROBE)
    page.goto(served.url + "/later")
    wait_joined(page, "0")
    return page


def test_a_patch_brings_the_first_hook_of_a_page_that_had_none(later):
    later.click("#add")
    later.wait_for_selector("#added")
    later.wait_for_function("() => window.__log.includes('mounted:added')")
    later.click("#add")  # and takes it away again
    later.wait_for_function("() => window.__log.includes('destroyed:added')")
    later.click("#add")  # the page has no hook again: the next one is still found
    later.wait_for_function("() => window.__log.filter((e) => e === 'mounted:added').length === 2")


def test_a_roost_hook_attribute_a_patch_sets_mounts_its_hook(later):
    later.click("#name")  # no element made: only the attribute set on #named
    later.wait_for_function("() => window.__log.includes('mounted:named')")
    later.click("#name")
    later.wait_for_function("() => window.__log.includes('destroyed:named')")
    assert log(later) == ["mounted:named", "destroyed:named"]


def test_push_event_and_push_event_to_resolve_with_the_handlers_reply(live):
    got = live.evaluate(
        """async () => {
            const hook = window.__chart;
            const toView = await hook.pushEvent("ping", { a: 1 });
            const toSide = await hook.pushEventTo("#side", "hello", { b: 2 });
            let viaCallback = null;
            await hook.pushEvent("silent", {}, (r) => (viaCallback = ["called", r ?? null]));
            return [toView, toSide, viaCallback];
        }"""
    )
    assert got == [
        {"pong": {"a": 1}, "n": 0},
        {"from": "side", "hellos": 1, "got": {"b": 2}},
        ["called", None],
    ]
    wait_text(live, "#side", "side 1")


def test_disconnected_and_reconnected_follow_the_connection(live):
    live.evaluate("window.Roost.socket.ws.close()")  # as a lost network would
    live.wait_for_function("() => __log.includes('reconnected:chart')")
    events = [e for e in log(live) if e.split(":")[0] in ("disconnected", "reconnected")]
    assert sorted(events) == [
        "disconnected:chart",
        "disconnected:gone",
        "reconnected:chart",
        "reconnected:gone",
    ]
    assert events.index("disconnected:chart") < events.index("reconnected:chart")


def test_an_event_in_flight_marks_its_element_and_the_view_and_disable_with_its_button(
    live, served
):
    live.click("#save")
    live.wait_for_function("() => document.querySelector('#save').disabled")
    assert live.text_content("#save") == "Saving…"
    assert "roost-submit-loading" in live.get_attribute("#saver", "class")
    assert "roost-loading" in live.get_attribute('[data-roost-id="0"]', "class")
    # Only the button that asks for it is disabled.
    assert live.evaluate("document.querySelector('#plain').disabled") is False

    assert live.request.get(served.url + "/release").text() == "1"
    wait_text(live, "#saved", "1")
    live.wait_for_function("() => !document.querySelector('#save').disabled")
    assert live.inner_html("#save") == "Save <b>now</b>"
    assert "roost-submit-loading" not in (live.get_attribute("#saver", "class") or "")
    assert "roost-loading" not in live.get_attribute('[data-roost-id="0"]', "class")


def test_a_lone_checkbox_is_sent_as_a_boolean(live):
    live.click("#prefs-save")
    wait_text(live, "#agreed", "False")
    live.check("#agree")
    live.click("#prefs-save")
    wait_text(live, "#agreed", "True")
