"""A dropped WebSocket reconnects and finds the view as it left it."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def dashboard():
    with roost_run("examples.dashboard:app") as served:
        yield served


def test_state_survives_a_dropped_connection(dashboard, page):
    page.goto(dashboard.url + "/")
    wait_joined(page, "0", "tabs", "pages")
    page.evaluate("window.__not_reloaded = true")
    page.click("#inc")
    page.click("#inc")
    wait_text(page, "#count", "2")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("button", name="Next").click()
    wait_text(page, ".pagination .page", "2")

    page.evaluate("window.Roost.socket.joins = 0")
    page.evaluate(
        """() => {
            const socket = window.Roost.socket;
            const push = socket.push.bind(socket);
            socket.push = (m) => { if (m[0] === 0) socket.joins++; push(m); };
            socket.ws.close();  // as a lost network would: no Leave
        }"""
    )
    page.wait_for_function("() => window.Roost.socket.joins === 1")
    page.wait_for_function("() => window.Roost.socket.ws.readyState === WebSocket.OPEN")
    wait_joined(page, "0", "tabs", "pages")

    page.click("#inc")
    wait_text(page, "#count", "3")
    assert page.text_content(".pagination .page") == "2"
    assert page.get_attribute("nav.tabs button:nth-child(2)", "class") == "active"
    assert page.evaluate("window.__not_reloaded") is True
