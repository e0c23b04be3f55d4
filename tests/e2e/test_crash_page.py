"""A view that fails past its restart limit shows a clear error in its place."""

from __future__ import annotations

from tests.serve import roost_run

from .conftest import wait_joined


def test_a_view_that_keeps_crashing_ends_in_an_error_message_not_a_dead_page(page):
    with roost_run("tests.apps.doomed:app") as served:
        page.goto(served.url + "/")
        wait_joined(page)
        for _ in range(4):
            if page.locator("[role=alert]").count():
                break
            page.click("#boom")
            page.wait_for_function(
                "() => document.querySelector('[role=alert]') || "
                "window.Roost.targets.versions.get('0') === 1"
            )
        alert = page.locator('[data-roost-id="0"] [role=alert]')
        alert.wait_for()
        assert "Something went wrong" in alert.text_content()
        assert page.get_attribute('[data-roost-id="0"]', "data-roost-crashed") == ""
        # The client does not rejoin behind the user's back.
        assert page.evaluate("window.Roost.socket.stopped") is True
