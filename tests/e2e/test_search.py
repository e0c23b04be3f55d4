"""The search example in Chromium, as a user meets it: typing fast sends one
search with the whole query, a spinner shows while it is in flight, "/" focuses
the box without typing itself, Escape empties the box and the list's filter, and
every match is highlighted without touching the DOM the server patches."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

ALL = "1000 of 1000"


@pytest.fixture(scope="module")
def served():
    with roost_run("examples.search:app") as served:
        yield served


@pytest.fixture
def live(page, served):
    page.clock.install()  # time flows as usual until a test pauses it
    page.goto(served.url + "/")
    wait_joined(page)
    page.wait_for_function("() => document.activeElement === document.body")
    return page


def pause_clock(page) -> None:
    """Stop the page's timers (a debounce waits) until run_for or resume."""
    page.clock.pause_at(page.evaluate("Date.now()") + 1)


def highlighted(page) -> list[str]:
    """The text of each range the Highlight hook marks, in document order."""
    return page.evaluate("() => [...(CSS.highlights.get('search') || [])].map((r) => r.toString())")


def test_typing_fast_sends_one_search_with_the_whole_query(live):
    pause_clock(live)  # however slow the machine, no 300 ms pass between two keys
    live.click("#q")
    live.keyboard.type("billing")
    live.clock.run_for(1000)  # quiet for longer than the debounce
    live.clock.resume()
    wait_text(live, "#count", "100 of 1000")
    assert live.text_content("#searches") == "1"
    assert live.get_attribute("#results", "data-q") == "billing"
    assert live.input_value("#q") == "billing"


def test_a_spinner_shows_while_a_search_is_in_flight(live):
    spinner = "getComputedStyle(document.querySelector('.spinner')).visibility"
    assert live.evaluate(spinner) == "hidden"
    # Record, as each event leaves (its loading classes are set in the same task,
    # before any reply can arrive), whether the spinner is visible.
    live.evaluate(
        """() => {
            window.__seen = [];
            const form = document.querySelector('#search');
            new MutationObserver(() => {
                if (form.classList.contains('roost-change-loading')) {
                    const spinner = document.querySelector('.spinner');
                    window.__seen.push(getComputedStyle(spinner).visibility);
                }
            }).observe(form, {attributes: true, attributeFilter: ['class']});
        }"""
    )
    live.fill("#q", "disk full")
    wait_text(live, "#count", "100 of 1000")
    assert live.evaluate("window.__seen") == ["visible"]
    live.wait_for_function("() => !document.querySelector('#search.roost-change-loading')")
    assert live.evaluate(spinner) == "hidden"


def test_slash_focuses_the_box_and_is_typed_only_inside_it(live):
    live.keyboard.press("/")
    assert live.evaluate("document.activeElement.id") == "q"
    assert live.input_value("#q") == ""  # the shortcut is not typed
    live.keyboard.press("/")
    assert live.input_value("#q") == "/"  # in the box, "/" is a character
    wait_text(live, "#count", "0 of 1000")
    assert live.text_content("#none") == "No incident matches “/”."


def test_escape_clears_the_box_and_the_filter(live):
    live.fill("#q", "disk full")
    wait_text(live, "#count", "100 of 1000")
    live.keyboard.press("Escape")
    assert live.input_value("#q") == ""  # at once, in the browser
    wait_text(live, "#count", ALL)
    assert live.evaluate("document.activeElement.id") == "q"
    assert live.text_content("#searches") == "1"  # Escape is a clear, not a search
    assert highlighted(live) == []


def test_escape_before_the_debounce_fired_leaves_the_box_and_the_list_empty_of_a_filter(live):
    pause_clock(live)
    live.click("#q")
    live.keyboard.type("billing")
    live.keyboard.press("Escape")  # the search for "billing" is still waiting
    live.clock.run_for(1000)
    live.clock.resume()
    # The waiting search went out with the box as it is now: empty.
    wait_text(live, "#searches", "1")
    assert live.text_content("#count") == ALL
    assert live.input_value("#q") == ""


def test_the_hook_highlights_each_match_and_follows_new_searches(live):
    live.fill("#q", "eu-west")
    wait_text(live, "#count", "100 of 1000")
    live.wait_for_function("() => CSS.highlights.get('search')?.size === 50")
    assert set(highlighted(live)) == {"eu-west"}

    live.fill("#q", "TIMEOUT")  # case-insensitive: the titles' own case is marked
    wait_text(live, "#count", "100 of 1000")
    live.wait_for_function(
        "() => [...CSS.highlights.get('search')].every((r) => r.toString() === 'timeout')"
    )
    assert len(highlighted(live)) == 50

    # The marks are ranges, not elements: the server's DOM is intact, so the
    # next patches still land where they should.
    assert live.locator("#results mark").count() == 0
    live.fill("#q", "billing timeout")
    wait_text(live, "#count", "10 of 1000")
    titles = live.locator("#results .title").all_text_contents()
    assert len(titles) == 10 and all(t.startswith("Billing timeout in ") for t in titles)
    live.wait_for_function("() => CSS.highlights.get('search')?.size === 10")
    assert set(highlighted(live)) == {"Billing timeout"}
