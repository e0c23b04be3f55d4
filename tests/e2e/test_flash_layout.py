"""What a page shows live around its view, in Chromium: the flash of the notes
example (whose templates do not show it) at the top of the view, at once,
dismissed by a click, carried by a save's push_navigate, left behind by a sort
link; and, in dev mode, a template edit and a stylesheet edit showing on the
open page without a page load."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from tests.serve import roost_run

from .conftest import wait_joined, wait_text

GROUP = '[data-roost-id="0"] > .roost-flash:first-child'


@pytest.fixture(scope="module")
def notes():
    with roost_run("examples.notes:app") as served:
        yield served


def test_the_flash_shows_at_the_top_of_the_view_once_and_a_click_dismisses_it(notes, page):
    page.goto(notes.url + "/login")
    page.fill("input[name=username]", "demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_url(notes.url + "/")
    wait_joined(page)
    assert page.text_content(f"{GROUP} > .flash.info") == "Welcome, demo."
    page.evaluate("window.__marker = 'kept'")
    page.click(f"{GROUP} > .flash.info")
    page.wait_for_selector(f"{GROUP} .flash", state="detached")

    page.click("a.note >> text=Groceries")
    wait_text(page, "h1", "Groceries")
    page.fill("input[name=title]", "Groceries!")
    page.click("button[type=submit]")
    wait_text(page, f"{GROUP} > .flash.info", "Saved “Groceries!”.")
    assert page.evaluate("location.search") == "?sort=updated"

    page.click("#sort-title")
    page.wait_for_selector("#sort-title.sorted")
    assert page.query_selector(".flash") is None  # the user's own navigation left it behind
    assert page.evaluate("window.__marker") == "kept"  # no page load all along


APP = """
from roost import App, LiveView, event

class Page(LiveView):
    template = "page.html"

    def mount(self, params, session):
        self.n = 0

    @event
    def inc(self):
        self.n += 1

app = App({"/": Page}, layout="layout.html", static_dir="static", debug=True)
"""

PAGE = '<p id="n">{}{{{{ n }}}}</p><button id="inc" roost-click="inc">+</button>'

LAYOUT = """<!DOCTYPE html>
<html><head><title>{{ page_title }}</title>
<link rel="stylesheet" href="{{ static_url('app.css') }}">
{{ roost_head }}</head><body>{{ inner_content }}</body></html>
"""


def edit(path: Path, text: str) -> None:
    """Rewrite ``path`` as an editor would, a second later by its clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


@pytest.fixture
def dev_app(tmp_path, monkeypatch):
    (tmp_path / "devpage.py").write_text(textwrap.dedent(APP))
    (tmp_path / "layout.html").write_text(LAYOUT)
    (tmp_path / "page.html").write_text(PAGE.format(""))
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "app.css").write_text("p { color: rgb(200, 0, 0); }")
    path = os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])
    monkeypatch.setenv("PYTHONPATH", path)  # where `roost run devpage:app` finds it
    with roost_run("devpage:app") as served:
        served.folder = tmp_path
        yield served


def test_in_dev_mode_template_and_stylesheet_edits_show_on_the_open_page(dev_app, page):
    page.goto(dev_app.url + "/")
    wait_joined(page)
    page.click("#inc")
    wait_text(page, "#n", "1")
    page.evaluate("window.__marker = 'kept'")

    edit(dev_app.folder / "page.html", PAGE.format("Count: "))
    wait_text(page, "#n", "Count: 1")  # the view's state, rendered anew

    edit(dev_app.folder / "static" / "app.css", "p { color: rgb(0, 0, 200); }")
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#n')).color === 'rgb(0, 0, 200)'"
    )
    assert page.evaluate("window.__marker") == "kept"  # no page load
