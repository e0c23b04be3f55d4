"""Streams in Chromium: inserts at either end, deletes, a limit and a reset
change the list as the server says, and a resync (a dropped connection) keeps
the items the page already holds."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def served():
    with roost_run("tests.apps.streamed:app") as served:
        yield served


def texts(page) -> list[str]:
    return page.eval_on_selector_all("#messages > li", "(els) => els.map((e) => e.textContent)")


def test_inserts_deletes_limit_and_reset(page, served):
    page.goto(served.url + "/")
    wait_joined(page, "0", "notes")
    assert texts(page) == ["m0", "m1", "m2"]
    page.click("#add")
    wait_text(page, "#count", "4")
    page.click("#front")
    wait_text(page, "#count", "5")
    assert texts(page) == ["front", "m0", "m1", "m2", "hello"]
    page.click("#drop")
    page.wait_for_function("() => !document.querySelector('#messages-1')")
    page.click("#bounded")
    wait_text(page, "#count", "6")
    assert texts(page) == ["m2", "hello", "kept"]  # the last three

    # A lost connection: the session resumes and re-renders; the items stay.
    page.evaluate("window.__old = window.Roost.socket.ws; window.__old.close()")
    page.wait_for_function(
        "() => window.Roost.socket.ws && window.Roost.socket.ws !== window.__old"
        " && window.Roost.socket.state === 'connected'"
    )
    page.click("#add")
    wait_text(page, "#count", "7")
    assert texts(page) == ["m2", "hello", "kept", "hello"]
    page.click("#restart")
    page.wait_for_function("() => document.querySelectorAll('#messages > li').length === 1")
    assert texts(page) == ["fresh"]
