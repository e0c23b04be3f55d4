"""Dev mode's live reload: an open page renders again when a template's file
changes (its state kept), a template that does not compile leaves it as it is,
a changed root layout reloads it, a changed stylesheet is fetched again; in
production nothing watches the files."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
import trio

from roost import App, Component, LiveComponent, LiveView, event, protocol
from roost._dev import DEV_STYLESHEET
from roost._reload import TEMPLATE_WATCHER
from roost.render.environment import auto_reload, set_auto_reload
from roost.server.layout import Layout
from roost.testing import LiveClient


@pytest.fixture(autouse=True)
def _restore_auto_reload(monkeypatch):
    # App(debug=True) turns dev mode's template reloading on for the process.
    monkeypatch.delenv("ROOST_ENV", raising=False)
    before = auto_reload()
    yield
    set_auto_reload(before)


def write(path: Path, text: str) -> None:
    """Write ``path`` and move its mtime on: Jinja2 re-reads a file whose mtime differs."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    after = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(after, after))


def counter_app(folder: Path, **options) -> App:
    write(folder / "count.html", '<p id="n">{{ n }}</p><button roost-click="inc">+</button>')

    class Counter(LiveView):
        template = "count.html"

        def mount(self, params, session):
            self.n = 0

        @event
        def inc(self):
            self.n += 1

    Counter.__roost_template_dir__ = str(folder)
    return App({"/": Counter}, debug=True, **options)


async def test_an_open_page_renders_again_when_its_template_changes_and_keeps_its_state(
    tmp_path,
):
    async with LiveClient.mount(counter_app(tmp_path)) as view:
        await view.event("inc")
        await view.event("inc")
        assert view.text("#n") == "2"
        write(tmp_path / "count.html", '<p id="n">Count: {{ n }}</p><button>+</button>')
        await view.wait_for("#n", "Count: 2")  # the state of the running view, not a remount
        await view.event("inc")
        assert view.text("#n") == "Count: 3"


async def test_the_templates_of_components_and_of_an_include_changing_show_too(tmp_path):
    write(tmp_path / "page.html", '{{ badge }}{{ live_component(box, id="box") }}')
    write(tmp_path / "side.html", '<div>{% include "part.html" %}</div>')
    write(tmp_path / "part.html", '<p id="part">old part</p>')
    write(tmp_path / "badge.html", '<p id="badge">old badge</p>')

    class Badge(Component):  # stateless: rendered inside the view's own template
        template = "badge.html"

    class Box(LiveComponent):
        template = "side.html"

    class Page(LiveView):
        template = "page.html"

        def mount(self, params, session):
            self.badge = Badge()
            self.box = Box  # for live_component(box, ...)

    for cls in (Badge, Box, Page):
        cls.__roost_template_dir__ = str(tmp_path)
    async with LiveClient.mount(App({"/": Page}, debug=True)) as view:
        await view.wait_for("#part", "old part")
        write(tmp_path / "badge.html", '<p id="badge">new badge</p>')
        await view.wait_for("#badge", "new badge")
        write(tmp_path / "part.html", '<p id="part">new part</p>')
        await view.wait_for("#part", "new part")


class _Logged(logging.Handler):
    """Sets ``seen`` once a record whose message holds ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.ERROR)
        self.text = text
        self.seen = trio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.seen.set()


async def test_a_template_that_does_not_compile_is_logged_and_the_page_keeps_what_it_shows(
    tmp_path,
):
    broken = _Logged("count.html, line 1")
    logging.getLogger("roost").addHandler(broken)
    try:
        async with LiveClient.mount(counter_app(tmp_path)) as view:
            await view.event("inc")
            renders = len(view.renders)
            write(tmp_path / "count.html", '<p id="n">{{ n </p>')
            with trio.fail_after(10):
                await broken.seen.wait()
            assert view.text("#n") == "1" and len(view.renders) == renders and view.connected
            write(tmp_path / "count.html", '<p id="n">fixed {{ n }}</p>')
            await view.wait_for("#n", "fixed 1")
    finally:
        logging.getLogger("roost").removeHandler(broken)


async def test_a_changed_stylesheet_is_pushed_to_the_page_with_its_new_url(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    write(static / "app.css", "h1 { color: red; }")
    app = counter_app(tmp_path, static_dir=static)
    old = app.static.url("app.css")
    async with LiveClient.mount(app) as view:
        write(static / "app.css", "h1 { color: blue; }")
        pushed = await view.next_message(protocol.PushEvent)
        assert pushed.event == DEV_STYLESHEET
        assert pushed.payload == {"path": "/static/app.css", "url": app.static.url("app.css")}
        assert pushed.payload["url"] != old


async def test_a_changed_layout_reloads_the_page_at_its_url(tmp_path):
    layout = tmp_path / "layout.html"
    write(layout, "<html><head>{{ roost_head }}</head><body>{{ inner_content }}</body></html>")
    app = counter_app(tmp_path, layout=layout)
    async with LiveClient.mount(app, "/?x=1") as view:
        write(layout, "<html><head>{{ roost_head }}</head><body><b>{{ inner_content }}</b></body>")
        navigate = await view.next_message(protocol.Navigate)
        assert navigate.to == "http://localhost/?x=1"  # the page's URL, as the view has it


def test_only_dev_mode_watches_the_files_and_reloads_stylesheets(tmp_path):
    dev = counter_app(tmp_path)
    assert [spec.id for spec in dev.children] == [TEMPLATE_WATCHER]
    production = App(dev.routes, debug=False)
    assert production.children == []
    dev_head = Layout(None, folder=tmp_path, prefix="/_roost", dev=True).head
    head = Layout(None, folder=tmp_path, prefix="/_roost", dev=False).head
    assert f"roost:{DEV_STYLESHEET}" in dev_head and "<script>" in dev_head
    assert head == '<script type="module" src="/_roost/roost.js"></script>'
