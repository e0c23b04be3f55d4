"""Key, focus, window and click-away bindings, debounce and throttle, and
roost-update="ignore", in Chromium. The view counts the events it handled."""

from __future__ import annotations

import json

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def served():
    with roost_run("tests.apps.bindings:app") as served:
        yield served


@pytest.fixture
def live(page, served):
    page.goto(served.url + "/")
    wait_joined(page)
    return page


def count(page, name: str) -> int:
    return int(page.text_content(f"#n-{name}"))


def params(page, name: str) -> dict:
    return json.loads(page.text_content(f"#p-{name}"))


def bump_and_wait(page, selector: str = "#bump") -> None:
    """Click a bump button and wait for its render: every event sent before it is handled."""
    before = int(page.text_content("#tick"))
    page.click(selector)
    wait_text(page, "#tick", str(before + 1))


def test_a_key_filter_sends_only_that_key_with_the_fields_value(live):
    live.type("#enter", "hi")
    live.press("#enter", "Enter")
    wait_text(live, "#n-enter", "1")
    assert params(live, "enter") == {"key": "Enter", "value": "hi", "from": "box"}


def test_keyup_without_a_filter_sends_every_key(live):
    live.type("#up", "ab")
    wait_text(live, "#n-up", "2")
    assert params(live, "up") == {"key": "b", "value": "ab"}


def test_a_window_key_binding_hears_keys_anywhere(live):
    live.keyboard.press("a")
    live.keyboard.press("/")
    live.wait_for_function("() => document.querySelector('#p-shortcut').textContent.includes('/')")
    assert count(live, "shortcut") == 1
    assert params(live, "shortcut") == {"key": "/"}


def test_focus_and_blur(live):
    live.focus("#focusable")
    wait_text(live, "#n-focused", "1")
    assert count(live, "blurred") == 0
    live.focus("#up")
    wait_text(live, "#n-blurred", "1")


def test_click_away_sends_for_clicks_outside_only(live):
    live.click("#inside")
    bump_and_wait(live, "#inside-bump")
    assert count(live, "away") == 0
    live.click("#outside")
    wait_text(live, "#n-away", "1")


def test_a_debounced_field_sends_fewer_events_than_keys_and_the_whole_value(live):
    live.type("#q", "billing")
    live.wait_for_function(
        "() => document.querySelector('#p-search').textContent.includes('billing')"
    )
    # Fewer events than keystrokes (one, unless the machine stalls for a second
    # between two keys), and the last one carries the whole value.
    assert 1 <= count(live, "search") < len("billing")
    assert params(live, "search") == {"q": "billing"}


def test_a_debounce_on_the_form_paces_its_submit_too_and_a_blur_sends_both(live):
    live.type("#slow-q", "abc")
    sent_at_once = live.evaluate(
        "() => { const form = document.querySelector('#slow'); form.requestSubmit();"
        " return form.classList.contains('roost-submit-loading'); }"
    )
    assert not sent_at_once  # it waits for a minute's quiet ...
    bump_and_wait(live)  # ... or for the field's blur: the click takes the focus
    assert (count(live, "search"), count(live, "go")) == (1, 1)
    assert params(live, "search") == params(live, "go") == {"q": "abc"}


def test_blur_flushes_a_debounced_change(live):
    live.type("#b", "xyz")
    bump_and_wait(live)  # the click moves focus away from #b
    assert count(live, "typed") == 1
    assert params(live, "typed") == {"b": "xyz"}


def test_a_throttled_burst_sends_the_first_click_at_once_and_drops_the_rest(live):
    sent_at_once = live.evaluate(
        """() => {
            const b = document.querySelector('#burst');
            for (let i = 0; i < 5; i++) b.click();
            return b.classList.contains('roost-click-loading');
        }"""
    )
    assert sent_at_once
    bump_and_wait(live)
    assert count(live, "burst") == 1


def test_an_ignored_subtree_keeps_the_browsers_edits_while_the_rest_updates(live):
    live.evaluate(
        """() => {
            const ignored = document.querySelector('#ignored');
            ignored.querySelector('#ignored-tick').textContent = 'mine';
            ignored.append(Object.assign(document.createElement('i'), {id: 'widget'}));
        }"""
    )
    bump_and_wait(live)
    bump_and_wait(live)
    assert live.text_content("#ignored-tick") == "mine"
    assert live.get_attribute("#ignored", "data-tick") == "0"
    assert live.locator("#widget").count() == 1
    assert live.text_content("#tick") == "2"
