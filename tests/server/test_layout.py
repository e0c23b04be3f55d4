"""The root layout around every view, and the page title that follows the view."""

from __future__ import annotations

import os
import re
from pathlib import Path

import jinja2
import pytest

from roost import App, LiveView, event, protocol
from roost.server import Runtime
from roost.testing import LiveClient
from tests.apps.site import About, Inbox, Plain

from .conftest import Server

SITE = Path(__file__).parent.parent / "apps" / "site"


def site_app() -> App:
    return App(
        {"/": Inbox, "/about": About, "/plain": Plain},
        title="Site",
        layout=SITE / "layout.html",
        static_dir=SITE / "static",
    )


async def serve(nursery, app: App) -> Server:
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    return Server(app, runtime, runtime.urls[0])


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page).group(1)


# -- the page ------------------------------------------------------------------------


async def test_the_layout_wraps_the_view_and_the_page_still_joins_as_served(nursery):
    app = site_app()
    server = await serve(nursery, app)
    status, page = await server.get("/")
    assert status == 200
    head = page.split("</head>")[0]
    assert '<meta name="description" content="A site with a layout">' in head
    assert f'<link rel="stylesheet" href="{app.static.url("app.css")}">' in head
    assert '<script type="module" src="/_roost/roost.js"></script>' in head
    assert '<header class="site-header">Site</header>' in page
    assert re.search(r'<main><div data-roost-id="0" data-roost-token="[^"]+"><h1>Inbox</h1>', page)
    async with LiveClient.connect(server.url, "/", app=app) as view:
        assert view.text("#unread") == "0"
        first = next(m for m in view.messages if isinstance(m, protocol.Render))
        assert first.html is None  # the layout around it changes nothing of the view's content
        await view.click("#receive")
        assert view.text("#unread") == "1"


async def test_static_url_works_in_a_views_template(nursery):
    app = site_app()
    server = await serve(nursery, app)
    _, page = await server.get("/")
    logo = app.static.url("img/logo.svg")
    assert logo.startswith("/static/img/logo.svg?vsn=")
    assert f'<img id="logo" src="{logo}" alt="logo">' in page
    assert (await server.get(logo))[0] == 200


async def test_the_title_is_the_views_page_title_else_the_apps_title(nursery):
    server = await serve(nursery, site_app())
    assert title_of((await server.get("/"))[1]) == "Inbox"  # set in mount
    assert title_of((await server.get("/about"))[1]) == "About us"  # a class attribute
    assert title_of((await server.get("/plain"))[1]) == "Site"  # none: the app's


async def test_without_a_layout_roosts_page_shell_carries_the_page_title():
    app = App({"/": About}, title="Fallback")
    page = await app.dead_render("/", About, {})
    assert title_of(page) == "About us"
    assert '<script type="module" src="/_roost/roost.js"></script>' in page
    assert re.search(r'<body>\n<div data-roost-id="0" data-roost-token="[^"]*"><h1>About', page)
    assert title_of(await App({"/": Plain}, title="Fallback").dead_render("/", Plain, {})) == (
        "Fallback"
    )


async def test_a_page_title_is_text_never_markup():
    class Tricky(LiveView):
        def mount(self, params, session):
            self.page_title = "</title><script>alert(1)</script>"

        def render(self) -> str:
            return "<p>x</p>"

    page = await App({"/": Tricky}).dead_render("/", Tricky, {})
    assert title_of(page) == "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


def test_a_relative_layout_is_found_from_the_folder_of_the_module_that_creates_the_app():
    app = App({"/": Plain}, layout="../apps/site/layout.html", static_dir="../apps/site/static")
    assert app.layout.path.resolve() == (SITE / "layout.html").resolve()
    assert app.static.directory == (SITE / "static").resolve()


# -- the title, live ---------------------------------------------------------------------


class Renamer(LiveView):
    def mount(self, params, session):
        self.page_title = "first"

    def render(self) -> str:
        return "<p>renamer</p>"

    @event
    def rename(self, to: str):
        self.page_title = to


def test_the_title_message_is_a_tagged_array_like_the_others():
    assert protocol.encode(protocol.Title("Inbox (1)")) == '[9,"Inbox (1)"]'
    assert protocol.decode_server('[9,"Inbox (1)"]') == protocol.Title("Inbox (1)")


async def test_a_changed_page_title_is_sent_before_the_reply_to_the_event_that_changed_it():
    async with LiveClient.mount(site_app(), "/") as view:
        start = len(view.messages)
        await view.click("#receive")
        assert view.text("#unread") == "1"
        after = view.messages[start:]
        assert after[0] == protocol.Title("Inbox (1)")
        assert any(isinstance(m, protocol.Patch) and m.acked for m in after[1:])


async def test_a_title_is_sent_only_when_the_page_title_changed():
    async with LiveClient.mount(App({"/": Renamer}), "/") as view:
        start = len(view.messages)
        await view.event("rename", to="first")  # the same title: no change, nothing sent
        await view.event("rename", to="second")
        titles = [m for m in view.messages[start:] if isinstance(m, protocol.Title)]
        assert titles == [protocol.Title("second")]


async def test_a_join_of_the_page_as_served_sends_no_title(nursery):
    app = App({"/": Renamer})
    server = await serve(nursery, app)
    async with LiveClient.connect(server.url, "/", app=app) as view:
        assert not [m for m in view.messages if isinstance(m, protocol.Title)]


async def test_a_restarted_view_sends_its_title_with_its_fresh_render():
    async with LiveClient.mount(App({"/": Renamer}), "/") as view:
        await view.event("rename", to="changed")
        start = len(view.messages)
        await view.crash()
        after = view.messages[start:]
        render = next(i for i, m in enumerate(after) if isinstance(m, protocol.Render))
        assert protocol.Title("first") in after[render:]


async def test_a_resumed_session_sends_its_current_title_with_its_render():
    async with LiveClient.mount(App({"/": Renamer}), "/") as view:
        await view.disconnect()
        await view.reconnect()
        start = len(view.messages)
        await view.event("rename", to="later")
        assert protocol.Title("later") in view.messages[start:]
        await view.disconnect()
        start = len(view.messages)
        await view.reconnect()
        assert protocol.Title("later") in view.messages[start:]


# -- a layout is checked at start-up ---------------------------------------------------------


GOOD = "<title>{{ page_title }}</title>{{ roost_head }}<body>{{ inner_content }}</body>"


@pytest.mark.parametrize(
    ("source", "error", "match"),
    [
        ("<title>{{ page_title }}</title>{{ roost_head }}", ValueError, "inner_content"),
        ("{{ inner_content }}", ValueError, "roost_head"),
        (GOOD + "{{ inner_content }}", ValueError, "exactly once"),
        (GOOD + "{% if %}", jinja2.TemplateSyntaxError, "expression"),
        (GOOD + "{{ user.name }}", jinja2.UndefinedError, "user"),
        (GOOD + "{{ static_url('app.css') }}", jinja2.UndefinedError, "static_url"),
    ],
    ids=["no-inner-content", "no-roost-head", "twice", "syntax", "undefined", "no-static-folder"],
)
def test_a_layout_that_cannot_serve_a_page_fails_when_the_app_is_created(
    tmp_path, source, error, match
):
    (tmp_path / "layout.html").write_text(source)
    with pytest.raises(error, match=match):
        App({"/": Plain}, layout=tmp_path / "layout.html")


def test_a_missing_layout_or_static_file_it_names_fails_when_the_app_is_created(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        App({"/": Plain}, layout=tmp_path / "missing.html")
    (tmp_path / "static").mkdir()
    (tmp_path / "layout.html").write_text(GOOD + "{{ static_url('missing.css') }}")
    with pytest.raises(ValueError, match=r"static_url\('missing.css'\)"):
        App({"/": Plain}, layout=tmp_path / "layout.html", static_dir=tmp_path / "static")


def test_a_layout_may_extend_a_template_in_its_folder(tmp_path):
    (tmp_path / "base.html").write_text(
        "<head>{% block head %}{% endblock %}</head>{{ roost_head }}"
    )
    (tmp_path / "layout.html").write_text(
        '{% extends "base.html" %}{% block head %}<b>{{ title }}</b>{{ inner_content }}'
        "{% endblock %}"
    )
    app = App({"/": Plain}, layout=tmp_path / "layout.html", title="T")
    assert app.layout.render("<p>x</p>", "tok", page_title="P", title="T").startswith(
        '<head><b>T</b><div data-roost-id="0" data-roost-token="tok"><p>x</p></div></head>'
    )


def test_in_dev_mode_an_edited_layout_shows_on_the_next_page(tmp_path):
    layout = tmp_path / "layout.html"
    layout.write_text(
        "<title>{{ page_title }}</title>{{ roost_head }}<i>one</i>{{ inner_content }}"
    )
    app = App({"/": Plain}, layout=layout, debug=True)
    try:
        assert "<i>one</i>" in app.layout.render("", "tok", page_title="P", title="T")
        layout.write_text(
            "<title>{{ page_title }}</title>{{ roost_head }}<i>two</i>{{ inner_content }}"
        )
        os.utime(layout, (layout.stat().st_atime, layout.stat().st_mtime + 5))
        assert "<i>two</i>" in app.layout.render("", "tok", page_title="P", title="T")
    finally:
        App({"/": Plain}, debug=False)  # dev mode is process-wide: back to production


# -- the guide's example ---------------------------------------------------------------------

GUIDE = Path(__file__).parents[2] / "docs" / "guide.md"
_FILE = re.compile(r"^(?:# |<!-- |/\* )(\S+)")


def guide_files() -> dict[str, str]:
    """The files of the guide's "Layout and static files" example, by name."""
    chapter = GUIDE.read_text().split("## Layout and static files\n", 1)[1].split("\n## ", 1)[0]
    files = {}
    for block in re.findall(r"```\w+\n(.*?)```", chapter, re.S):
        named = _FILE.match(block)
        if named:
            files[named.group(1)] = block
    return files


async def test_the_guides_layout_example_runs_as_written(tmp_path, monkeypatch):
    import importlib.util
    import sys

    files = guide_files()
    assert set(files) == {"app.py", "layout.html", "inbox.html", "static/app.css"}
    (tmp_path / "static").mkdir()
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    spec = importlib.util.spec_from_file_location("guide_layout_app", tmp_path / "app.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "guide_layout_app", module)
    spec.loader.exec_module(module)
    app = module.app
    async with LiveClient.mount(app, "/") as view:
        await view.click("button")
        assert view.text("#unread") == "1"
        assert protocol.Title("Inbox (1)") in view.messages
    page = await app.dead_render("/", module.Inbox, {})
    assert title_of(page) == "Inbox"
    assert f'<link rel="stylesheet" href="{app.static.url("app.css")}">' in page
    assert "<header>My app</header>" in page
