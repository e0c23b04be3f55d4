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


def test_a_hidden_false_before_a_checkbox_gives_a_bool_and_a_file_is_not_sent_silently(page):
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    with roost_run("tests.apps.client_forms:app") as served:
        page.goto(served.url + "/")
        wait_joined(page)
        page.click("#pattern-save")
        page.wait_for_function("() => document.querySelector('#done-got').textContent === 'False'")
        page.check("#done")
        page.click("#pattern-save")
        page.wait_for_function("() => document.querySelector('#done-got').textContent === 'True'")
        # Said once, not at every submit.
        assert [w for w in warnings if "file input" in w] == [
            'roost: the file input "attachment" is not sent with the form\'s event'
        ]
