"""The notes example in Chromium, as a user meets it: log in, follow live links,
go back and forward, sort, edit and save, crash a view; the page never reloads,
the URL and the page agree at every step (after a crash too), the flash shows
once, the stylesheet applies."""

from __future__ import annotations

import pytest

from tests.serve import roost_run
from tests.server.test_mounting import serve_mounted

from .conftest import wait_joined, wait_text


@pytest.fixture(params=["roost run", "mounted at /app in FastAPI"])
def notes(request):
    """The app served by `roost run`, and the same app mounted in FastAPI on uvicorn."""
    if request.param == "roost run":
        with roost_run("examples.notes:app") as served:
            served.root = ""
            yield served
    else:
        with serve_mounted("examples.notes:app", "/app") as served:
            served.root = "/app"
            yield served


def test_a_user_logs_in_moves_around_and_saves_without_a_page_load(notes, page):
    root = notes.root

    def path(page) -> str:
        return page.evaluate("location.pathname + location.search").removeprefix(root)

    page.goto(notes.url + "/")
    assert path(page) == "/login"  # the on_mount hook, on the page request
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(notes.url + "/")
    wait_joined(page)
    assert page.text_content(".flash.info") == "Welcome, demo."
    background = page.evaluate("getComputedStyle(document.querySelector('.bar')).backgroundColor")
    assert background == "rgb(37, 99, 235)"  # examples/notes/static/notes.css
    page.evaluate("window.__marker = 'kept'")

    page.click("a.note >> text=Ideas")
    wait_text(page, "h1", "Ideas")
    assert path(page) == "/notes/2"
    page.wait_for_function("() => document.title === 'Ideas'")  # the view's page_title
    page.go_back()
    wait_text(page, "#sort-title", "Title")
    page.wait_for_selector("a.note >> text=Ideas")
    assert path(page) == "/"
    assert page.query_selector(".flash") is None  # shown once, left behind
    page.go_forward()
    wait_text(page, "h1", "Ideas")
    assert path(page) == "/notes/2"
    crash(page)  # the note's view restarts at the URL back/forward left it at
    wait_text(page, "h1", "Ideas")
    assert path(page) == "/notes/2"

    page.fill("input[name=title]", "Ideas, revised")
    page.click("button[type=submit]")
    wait_text(page, ".flash.info", "Saved “Ideas, revised”.")
    assert path(page) == "/?sort=updated"
    assert page.text_content("tbody tr:first-child a.note") == "Ideas, revised"

    page.click("#sort-title")
    page.wait_for_function("() => location.search === '?sort=title'")
    page.wait_for_selector("#sort-title.sorted")
    assert page.query_selector(".flash") is None

    # Mounted at /?sort=updated, patched to /?sort=title: it restarts at the latter.
    crash(page)
    assert path(page) == "/?sort=title"
    assert page.get_attribute("#sort-title", "class") == "sorted"
    assert page.get_attribute("#sort-updated", "class") == ""
    assert page.text_content("tbody tr:first-child a.note") == "Books to read"
    assert page.evaluate("window.__marker") == "kept"  # no page load all along


def crash(page) -> None:
    """Click the page's Crash button and wait until its restarted view rendered: a
    full render replaces the view's elements, a patch keeps them."""
    page.evaluate("document.querySelector('main').__before_crash = true")
    page.click("#crash")
    page.wait_for_function("() => !document.querySelector('main')?.__before_crash")


def test_wrong_credentials_stay_on_the_login_page_with_an_error(notes, page):
    def path(page) -> str:
        return page.evaluate("location.pathname + location.search").removeprefix(notes.root)

    page.goto(notes.url + "/login")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    page.wait_for_url(notes.url + "/login?failed=1")
    assert "Wrong username or password." in page.text_content(".flash.error")
    page.goto(notes.url + "/notes/1")
    assert path(page) == "/login"
