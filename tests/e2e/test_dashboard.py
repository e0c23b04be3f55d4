"""The seed's dashboard in Chromium: tabs and pagination are their own actors."""

from __future__ import annotations

import json

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def dashboard():
    with roost_run("examples.dashboard:app") as served:
        yield served


def test_a_tab_click_moves_the_active_class_with_one_small_patch(dashboard, page):
    received: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(f)))
    page.goto(dashboard.url + "/")
    wait_joined(page, "0", "tabs", "pages")
    assert page.get_attribute("nav.tabs button:nth-child(1)", "class") == "active"
    received.clear()

    page.get_by_role("button", name="Settings").click()
    page.wait_for_function(
        "() => document.querySelector('nav.tabs button:nth-child(2)').className === 'active'"
    )
    assert page.get_attribute("nav.tabs button:nth-child(1)", "class") is None
    patches = [json.loads(f) for f in received if f.startswith("[0,")]
    assert [p[3] for p in patches] == ["tabs"], "only the tabs actor sent a patch"
    assert len(received) == 1, "the patch answers the click: no Ack frame follows"
    assert len(received[0].encode()) <= 50


def test_pagination_and_counter_update_their_own_parts(dashboard, page):
    page.goto(dashboard.url + "/")
    wait_joined(page, "0", "tabs", "pages")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("button", name="Next").click()
    wait_text(page, ".pagination .page", "2")
    wait_text(page, "#items li:first-child", "Item 4")
    assert page.is_disabled("text=Prev") is False

    page.click("#inc")
    wait_text(page, "#count", "1")
    wait_text(page, ".badge", "1")
    # The view re-rendered; its components kept their own state.
    assert page.text_content(".pagination .page") == "2"
    assert page.get_attribute("nav.tabs button:nth-child(2)", "class") == "active"


def test_the_first_page_is_served_complete_before_any_javascript(dashboard, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(dashboard.url + "/")
        assert page.text_content(".pagination .page") == "1"
        assert page.get_attribute("nav.tabs button:nth-child(1)", "class") == "active"
    finally:
        context.close()
