"""Window keyup, focus and blur bindings, roost-throttle on a change,
roost-debounce and roost-throttle on a submit, and a JS transition's end, in
Chromium. The view logs the events it handled (``#log``), in order."""

from __future__ import annotations

import json

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def served():
    with roost_run("tests.apps.bindings_more:app") as served:
        yield served


@pytest.fixture
def live(page, served):
    page.goto(served.url + "/")
    wait_joined(page)
    return page


def log(page) -> list:
    return json.loads(page.text_content("#log"))


def wait_logged(page, n: int) -> None:
    page.wait_for_function(
        "(n) => JSON.parse(document.querySelector('#log').textContent).length >= n", arg=n
    )


def settle(page) -> list:
    """Click the bump button and wait for its render: every event sent before it
    has been handled. The log, then."""
    before = int(page.text_content("#tick"))
    page.click("#bump")
    wait_text(page, "#tick", str(before + 1))
    return log(page)


def submit(page, form: str, times: int) -> None:
    """Submit ``form`` ``times`` times at once, as repeated clicks of its button do."""
    page.evaluate(
        "([form, times]) => { for (let i = 0; i < times; i++)"
        " document.querySelector(form).requestSubmit(); }",
        [form, times],
    )


def test_a_window_keyup_binding_hears_only_its_key_released_anywhere(live):
    live.keyboard.press("a")
    live.keyboard.press("Escape")
    wait_logged(live, 1)
    assert settle(live) == [["released", {"key": "Escape", "from": "window"}]]


def test_window_blur_and_focus_send_when_the_window_loses_and_regains_focus(live):
    # Playwright tells every page it has focus; without that, another tab in front
    # takes it for real.
    live.context.new_cdp_session(live).send(
        "Emulation.setFocusEmulationEnabled", {"enabled": False}
    )
    live.context.new_page().bring_to_front()
    wait_logged(live, 1)
    assert log(live) == [["left", {}]]
    live.bring_to_front()
    wait_logged(live, 2)
    assert settle(live) == [["left", {}], ["back", {}]]


def test_a_throttled_change_sends_at_once_then_the_last_value_when_the_window_ends(live):
    # Four inputs within the throttle window: the first goes at once, the two
    # in between are dropped, the last is sent when the window ends.
    live.evaluate(
        """() => {
            const t = document.querySelector('#t');
            for (const value of ['a', 'ab', 'abc', 'abcd']) {
                t.value = value;
                t.dispatchEvent(new Event('input', { bubbles: true }));
            }
        }"""
    )
    wait_logged(live, 2)
    assert settle(live) == [["throttled", {"t": "a"}], ["throttled", {"t": "abcd"}]]


def test_a_debounced_submit_sends_once_with_the_last_values(live):
    live.evaluate(
        """() => {
            const form = document.querySelector('#once');
            for (const title of ['o', 'on', 'one']) {
                form.elements.title.value = title;
                form.requestSubmit();
            }
        }"""
    )
    wait_logged(live, 1)
    assert settle(live) == [["saved", {"title": "one"}]]


def test_a_throttled_submit_sends_the_first_and_drops_the_rest(live):
    submit(live, "#guarded", 3)
    wait_logged(live, 1)
    assert settle(live) == [["saved", {}]]


def test_a_debounced_submit_sends_a_fields_pending_change_first(live):
    live.type("#body", "abc")  # its change waits a minute, or for a blur
    submit(live, "#draft", 2)  # the field keeps the focus
    wait_logged(live, 2)
    assert settle(live) == [["drafted", {"body": "abc"}], ["posted", {"body": "abc"}]]


def test_enter_in_a_field_sends_its_pending_change_before_the_submit(live):
    live.type("#note-body", "abc")
    live.press("#note-body", "Enter")  # the field keeps the focus: no blur flushes it
    wait_logged(live, 2)
    assert settle(live) == [["drafted", {"body": "abc"}], ["posted", {"body": "abc"}]]


def test_a_transition_removes_its_classes_once_its_time_is_up(live):
    classes = live.evaluate(
        "() => { document.querySelector('#fade').click();"
        " return document.querySelector('#box').className; }"
    )
    assert classes == "box fading"
    live.wait_for_function("() => !document.querySelector('#box').classList.contains('fading')")
    assert live.get_attribute("#box", "class") == "box"
