"""JS commands in Chromium: each runs in the page without a round trip (only
`push` reaches the server), and what they changed on an element stays when a
later patch of the server updates that element (the sticky rule)."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

# Count the event frames the page sends.
RECORD = """
window.__events = [];
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  send(data) {
    const m = JSON.parse(data);
    if (m[0] === 1) window.__events.push(m[2]);
    super.send(data);
  }
};
"""


@pytest.fixture(scope="module")
def served():
    with roost_run("tests.apps.hooked:app") as served:
        yield served


@pytest.fixture
def live(page, served):
    page.add_init_script(RECORD)
    page.goto(served.url + "/")
    wait_joined(page)
    return page


def menu(page, what: str):
    return page.evaluate(
        f"(() => {{ const m = document.querySelector('#menu'); return {what}; }})()"
    )


def events(page) -> list[str]:
    return page.evaluate("window.__events")


def retone(page, tone: str) -> None:
    """A server patch of the menu's class attribute and text."""
    page.click("#retone")
    wait_text(page, "#menu", f"menu ({tone})")


def test_show_and_add_class_run_in_the_page_and_push_sends_one_event(live):
    assert not live.is_visible("#menu")
    live.click("#open")
    assert live.is_visible("#menu")
    assert menu(live, "m.classList.contains('open')") is True
    wait_text(live, "#opened", "1")
    assert events(live) == ["opened_menu"]


def test_what_commands_changed_survives_a_patch_of_the_same_element(live):
    live.click("#open")
    live.click("#mark")
    retone(live, "loud")
    # The server's new class is there, and so are the commands' changes.
    assert menu(live, "[...m.classList].sort().join(' ')") == "loud marked menu open"
    assert live.is_visible("#menu")
    retone(live, "calm")
    assert menu(live, "[...m.classList].sort().join(' ')") == "calm marked menu open"
    assert live.is_visible("#menu")


def test_hide_and_remove_class_stick_too(live):
    live.click("#open")
    live.click("#close")
    assert not live.is_visible("#menu")
    retone(live, "loud")
    assert not live.is_visible("#menu")
    assert menu(live, "m.className") == "menu loud"


def test_toggle_shows_then_hides(live):
    live.click("#flip")
    assert live.is_visible("#menu")
    live.click("#flip")
    assert not live.is_visible("#menu")


def test_set_and_remove_attribute_stick(live):
    live.click("#label")
    assert menu(live, "[m.getAttribute('aria-label'), m.hasAttribute('title')]") == [
        "the menu",
        False,
    ]
    retone(live, "loud")
    assert menu(live, "[m.getAttribute('aria-label'), m.hasAttribute('title')]") == [
        "the menu",
        False,
    ]


def test_transition_adds_its_classes_for_a_while(live):
    live.click("#flash")
    assert menu(live, "m.classList.contains('flashing')") is True


def test_focus_and_dispatch(live):
    live.click("#to-box")
    assert live.evaluate("document.activeElement.id") == "box"
    got = live.evaluate(
        """() => new Promise((resolve) => {
            document.addEventListener("menu:shout", (e) => resolve([e.target.id, e.detail]));
            document.querySelector("#shout").click();
        })"""
    )
    assert got == ["menu", {"loud": True}]


def test_commands_without_push_send_nothing(live):
    for button in ("#flip", "#mark", "#label", "#to-box", "#close"):
        live.click(button)
    live.click("#bump")  # a plain event, to be sure the page has sent what it would
    wait_text(live, "#n", "1")
    assert events(live) == ["bump"]
