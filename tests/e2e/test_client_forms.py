"""Form fields in Chromium: a name that can carry several values is sent as a list."""

from __future__ import annotations

import json

from tests.serve import roost_run

from .conftest import wait_joined


def submitted(page, before: str) -> dict:
    page.click("#save")
    page.wait_for_function("(b) => document.querySelector('#got').textContent !== b", arg=before)
    return json.loads(page.text_content("#got"))


def test_checkbox_groups_and_multi_selects_arrive_as_lists(page):
    with roost_run("tests.apps.client_forms:app") as served:
        page.goto(served.url + "/")
        wait_joined(page)
        page.check("#tag-a")
        page.check("#tag-c")
        page.select_option("#sizes", ["m", "l"])
        page.check("#blue")
        page.check("#agree")
        page.fill("#note", "hi")
        got = submitted(page, "")
        assert got == {
            "tags": ["a", "c"],
            "sizes": ["m", "l"],
            "color": "blue",
            "note": "hi",
            "agree": "yes",
        }

        # One value or none chosen: still a list, so `list[str]` always fits.
        page.uncheck("#tag-a")
        page.uncheck("#tag-c")
        page.check("#tag-b")
        page.select_option("#sizes", [])
        page.uncheck("#agree")
        got = submitted(page, page.text_content("#got"))
        assert got == {"tags": ["b"], "sizes": [], "color": "blue", "note": "hi", "agree": "no"}
