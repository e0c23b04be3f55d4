"""A component's content survives its parent re-creating its boundary element."""

from __future__ import annotations

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


def test_a_component_keeps_its_dom_when_the_parent_replaces_its_wrapper(page):
    with roost_run("tests.apps.wrapping:app") as served:
        page.goto(served.url + "/")
        wait_joined(page, "0", "clicks")
        page.click("#clicks")
        page.click("#clicks")
        wait_text(page, "#clicks", "2")

        page.click("#toggle")
        page.wait_for_selector("#box #clicks")
        assert page.text_content("#clicks") == "2"
        page.click("#clicks")
        wait_text(page, "#clicks", "3")
