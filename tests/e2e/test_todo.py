"""The todo example in Chromium: a keyed list and a validated form."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined


@pytest.fixture(scope="module")
def todo():
    with roost_run("examples.todo:app") as served:
        yield served


def titles(page) -> list[str]:
    return page.eval_on_selector_all("#todos .title", "els => els.map(e => e.textContent)")


def test_add_reorder_and_remove_keep_each_items_own_dom_node(todo, page):
    page.goto(todo.url + "/")
    wait_joined(page)
    assert titles(page) == ["Write roost", "Test it"]
    page.evaluate("window.__second = document.querySelector('#todos li[data-key=\"2\"]')")

    page.fill("input[name=title]", "Ship it")
    page.press("input[name=title]", "Enter")
    page.wait_for_function("() => document.querySelectorAll('#todos li').length === 3")
    assert titles(page) == ["Write roost", "Test it", "Ship it"]
    page.wait_for_function("() => document.querySelector('input[name=title]').value === ''")

    page.get_by_role("button", name="move Test it up").click()
    page.wait_for_function(
        "() => document.querySelector('#todos li .title').textContent === 'Test it'"
    )
    assert titles(page) == ["Test it", "Write roost", "Ship it"]
    # A keyed move moves the node itself: it is the same element as before.
    assert page.evaluate("window.__second === document.querySelector('#todos li[data-key=\"2\"]')")

    page.get_by_role("button", name="remove Write roost").click()
    page.wait_for_function("() => document.querySelectorAll('#todos li').length === 2")
    assert titles(page) == ["Test it", "Ship it"]


def test_a_too_short_todo_shows_an_error_and_keeps_what_was_typed(todo, page):
    page.goto(todo.url + "/")
    wait_joined(page)
    page.fill("input[name=title]", "ab")
    page.wait_for_function(
        "() => document.querySelector('.error').textContent.includes('at least 3')"
    )
    page.press("input[name=title]", "Enter")
    page.wait_for_function(
        "() => document.querySelector('.error').textContent.includes('at least 3')"
    )
    assert page.input_value("input[name=title]") == "ab"
    assert len(titles(page)) == 2
    page.fill("input[name=title]", "abc")
    page.wait_for_function("() => document.querySelector('.error').textContent === ''")
