"""Crash isolation in Chromium: a crashing component restarts alone."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def crashy():
    with roost_run("examples.crashy:app") as served:
        yield served


def test_crash_restarts_only_the_component_and_the_parent_keeps_its_count(crashy, page):
    page.goto(crashy.url + "/")
    wait_joined(page, "0", "child")
    page.evaluate("window.__not_reloaded = true")
    for expected in ("1", "2"):
        page.click("#parent-inc")
        wait_text(page, "#parent-count", expected)
    page.click("#child-inc")
    wait_text(page, "#child-count", "1")

    page.click("#crash")
    # The restarted component renders itself afresh (version 1 again) ...
    page.wait_for_function("() => window.Roost.targets.versions.get('child') === 1")
    wait_text(page, "#child-count", "0")
    # ... and keeps responding, while the parent's state survived.
    page.click("#child-inc")
    wait_text(page, "#child-count", "1")
    assert page.text_content("#parent-count") == "2"
    page.click("#parent-inc")
    wait_text(page, "#parent-count", "3")
    assert page.evaluate("window.__not_reloaded") is True
