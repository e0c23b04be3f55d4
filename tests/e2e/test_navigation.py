"""Live navigation in Chromium: live links, push_patch and back/forward change the
page and the URL together and never load a page (a marker on `window` survives)."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def notes():
    with roost_run("tests.apps.navigating:app") as served:
        yield served


def path(page) -> str:
    return page.evaluate("location.pathname + location.search")


def test_live_links_and_back_and_forward_never_reload_the_page(notes, page):
    page.goto(notes.url + "/")
    wait_joined(page)
    page.evaluate("window.__marker = 'kept'")

    page.click("#note-3")
    wait_text(page, "#title", "Note 3")
    assert path(page) == "/notes/3"

    page.go_back()
    wait_text(page, "h1", "Notes")
    assert path(page) == "/"

    page.go_forward()
    wait_text(page, "#title", "Note 3")
    assert path(page) == "/notes/3"

    page.click("#back")
    wait_text(page, "h1", "Notes")
    assert path(page) == "/"
    assert page.evaluate("window.__marker") == "kept"


def test_push_patch_and_patch_links_change_the_url_and_the_params_together(notes, page):
    page.goto(notes.url + "/")
    wait_joined(page)
    page.evaluate("window.__marker = 'kept'")

    page.click("#by-date")
    wait_text(page, "#sort", "date")
    assert path(page) == "/?sort=date"

    page.click("#by-author")
    wait_text(page, "#sort", "author")
    assert path(page) == "/?sort=author"

    page.go_back()
    wait_text(page, "#sort", "date")
    assert path(page) == "/?sort=date"
    page.go_back()
    wait_text(page, "#sort", "title")
    assert path(page) == "/"
    assert page.evaluate("window.__marker") == "kept"


def test_after_a_crash_the_page_and_the_url_still_agree(notes, page):
    page.goto(notes.url + "/")
    wait_joined(page)
    page.click("#note-2")
    wait_text(page, "#title", "Note 2")
    page.click("#crash")
    wait_text(page, "#title", "Note 2")  # restarted with the URL's params
    assert path(page) == "/notes/2"


def test_a_live_link_opens_as_a_page_when_the_page_loads_it_directly(notes, page):
    page.goto(notes.url + "/notes/1")
    wait_joined(page)
    assert page.text_content("#title") == "Note 1"


def test_a_flash_put_before_a_redirect_shows_once_on_the_loaded_page(notes, page):
    page.goto(notes.url + "/")
    wait_joined(page)
    page.click("#save")
    page.wait_for_url("**/notes/1")
    wait_text(page, ".flash", "Saved")
    wait_joined(page)
    assert page.text_content(".flash") == "Saved"  # the connected view shows it too
    page.reload()
    wait_joined(page)
    assert page.query_selector(".flash") is None
