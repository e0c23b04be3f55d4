"""Dev mode's error page, and production's generic one."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from roost import App, LiveView, event, protocol
from roost.render import environment_for
from roost.render.environment import auto_reload, set_auto_reload
from roost.server import Runtime
from roost.server.errors import crash_notice, dev_error_page, template_spot
from roost.testing import LiveClient

from .conftest import Server

HOSTILE = "<script>alert('pwned')</script>"


@pytest.fixture(autouse=True)
def _restore_auto_reload(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("ROOST_ENV", raising=False)
    before = auto_reload()
    yield
    set_auto_reload(before)


class Hostile(LiveView):
    def mount(self, params, session):
        raise ValueError(f"bad value {HOSTILE}")

    def render(self) -> str:
        return "<p>never</p>"


def _templated(tmp_path: Path, source: str) -> type[LiveView]:
    """A view rendering ``page.html`` (``source``) from ``tmp_path``, with ``n = 7``."""
    (tmp_path / "page.html").write_text(source)

    class Templated(LiveView):
        template = "page.html"

        def mount(self, params, session):
            self.n = 7

    Templated.__roost_template_dir__ = str(tmp_path)
    return Templated


async def _serve(nursery, app: App) -> Server:
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    return Server(app, runtime, runtime.urls[0])


def _edit(path: Path, text: str) -> None:
    """Rewrite ``path`` as an editor would, a second later by its clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


# -- dev mode: on, off, from where -------------------------------------------------


def test_dev_mode_comes_from_roost_env_unless_the_app_says(monkeypatch):
    assert App({"/": Hostile}).debug is False
    monkeypatch.setenv("ROOST_ENV", "dev")
    assert App({"/": Hostile}).debug is True
    assert App({"/": Hostile}, debug=False).debug is False
    monkeypatch.setenv("ROOST_ENV", "production")
    assert App({"/": Hostile}).debug is False
    assert App({"/": Hostile}, debug=True).debug is True


def test_dev_mode_has_templates_re_read_and_production_does_not(tmp_path):
    env = environment_for(str(tmp_path))
    App({"/": Hostile}, debug=True)
    assert env.auto_reload is True
    App({"/": Hostile}, debug=False)
    assert env.auto_reload is False


# -- the page, as a function --------------------------------------------------------


def _raised(exc: Exception) -> Exception:
    try:
        raise exc
    except Exception as caught:
        return caught


def test_the_dev_page_shows_the_exception_escaped():
    page = dev_error_page(_raised(ValueError(f"bad value {HOSTILE}")), path="/a<b>").decode()
    assert '<h1 class="exception">ValueError</h1>' in page
    assert "bad value &lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert HOSTILE not in page
    assert "/a&lt;b&gt;" in page and "/a<b>" not in page
    assert "Traceback (most recent call last)" in page
    assert "test_errors.py" in page  # the frame that raised
    assert template_spot(_raised(ValueError("x"))) is None


def test_a_syntax_error_shows_its_template_line_and_the_lines_around_it(tmp_path):
    lines = [f"<p>line {n} <i>{{{{ n }}}}</i></p>" for n in range(1, 11)]
    lines[5] = "<p>broken <b>{{ n + }}</b>"  # line 6
    (tmp_path / "bad.html").write_text("\n".join(lines))
    env = environment_for(str(tmp_path))
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        env.get_template("bad.html")
    spot = template_spot(caught.value)
    assert spot is not None
    assert spot.template == "bad.html"
    assert spot.lineno == 6
    assert [n for n, _ in spot.lines] == [3, 4, 5, 6, 7, 8, 9]
    page = dev_error_page(caught.value, path="/").decode()
    assert "TemplateSyntaxError" in page
    assert "Template <code>bad.html</code>, line 6" in page
    assert "&lt;p&gt;broken &lt;b&gt;{{ n + }}&lt;/b&gt;" in page
    assert "<b>{{" not in page
    assert '<span class="line error-line">' in page


def test_an_error_while_a_template_renders_points_at_its_line(tmp_path):
    (tmp_path / "t.html").write_text("<ul>\n<li>{{ a }}</li>\n<li>{{ missing.x }}</li>\n</ul>")
    template = environment_for(str(tmp_path)).get_template("t.html")
    with pytest.raises(jinja2.UndefinedError) as caught:
        template.render(a=1)
    spot = template_spot(caught.value)
    assert spot is not None
    assert spot.template == "t.html" and spot.lineno == 3
    assert spot.lines == (
        (1, "<ul>"),
        (2, "<li>{{ a }}</li>"),
        (3, "<li>{{ missing.x }}</li>"),
        (4, "</ul>"),
    )


def test_an_exception_group_is_searched_for_the_template_error(tmp_path):
    (tmp_path / "t.html").write_text("{{ missing.x }}")
    with pytest.raises(jinja2.UndefinedError) as caught:
        environment_for(str(tmp_path)).get_template("t.html").render()
    group = ExceptionGroup("render", [ValueError("other"), caught.value])
    spot = template_spot(group)
    assert spot is not None and spot.lineno == 1


# -- over HTTP ------------------------------------------------------------------------


async def test_in_dev_mode_a_failing_page_shows_the_exception(nursery, caplog):
    server = await _serve(nursery, App({"/": Hostile}, debug=True))
    with caplog.at_level(logging.ERROR, logger="roost.server"):
        status, body = await server.get("/")
    assert status == 500
    assert "ValueError" in body
    assert "bad value &lt;script&gt;" in body
    assert HOSTILE not in body
    assert "in mount" in body  # the traceback
    assert "bad value" in caplog.text  # and still in the log


async def test_in_production_the_page_is_generic_and_the_detail_goes_to_the_log(
    nursery, caplog, monkeypatch
):
    monkeypatch.setenv("ROOST_ENV", "dev")  # debug=False forbids dev mode all the same
    server = await _serve(nursery, App({"/": Hostile}, debug=False))
    with caplog.at_level(logging.ERROR, logger="roost.server"):
        status, body = await server.get("/")
    assert status == 500
    assert "Something went wrong" in body
    for detail in ("ValueError", "bad value", "script", "Traceback", "mount"):
        assert detail not in body
    assert "the dead render of / failed" in caplog.text
    assert f"ValueError: bad value {HOSTILE}" in caplog.text
    assert "Traceback" in caplog.text


async def test_in_dev_mode_a_template_edit_shows_on_the_next_page_load(nursery, tmp_path):
    view = _templated(tmp_path, "<p>first {{ n }}</p>")
    server = await _serve(nursery, App({"/": view}, debug=True))
    assert "<p>first 7</p>" in (await server.get("/"))[1]
    _edit(tmp_path / "page.html", "<p>second {{ n }}</p>")
    assert "<p>second 7</p>" in (await server.get("/"))[1]
    # A mistake made while the server runs is shown with its template line.
    _edit(tmp_path / "page.html", "<p>third</p>\n<p>{{ n + }}</p>\n<p>after</p>")
    status, body = await server.get("/")
    assert status == 500
    assert "TemplateSyntaxError" in body
    assert "Template <code>page.html</code>, line 2" in body
    assert "&lt;p&gt;{{ n + }}&lt;/p&gt;" in body
    _edit(tmp_path / "page.html", "<p>fixed {{ n }}</p>")
    assert "<p>fixed 7</p>" in (await server.get("/"))[1]


async def test_in_production_templates_stay_as_first_loaded(nursery, tmp_path):
    view = _templated(tmp_path, "<p>first {{ n }}</p>")
    server = await _serve(nursery, App({"/": view}, debug=False))
    assert "<p>first 7</p>" in (await server.get("/"))[1]
    _edit(tmp_path / "page.html", "<p>second {{ n }}</p>")
    assert "<p>first 7</p>" in (await server.get("/"))[1]


# -- a view that failed for good once connected ----------------------------------------

GENERIC = "Something went wrong on the server. Reload the page to try again."


def test_the_crash_notice_is_generic_in_production_and_says_what_failed_in_dev_mode(tmp_path):
    _templated(tmp_path, "<p>{{ n }}</p>\n<p>{{ n // 0 }}</p>\n")
    try:
        environment_for(str(tmp_path)).get_template("page.html").render(n=7)
    except ZeroDivisionError as exc:
        try:  # as a supervisor reports it: its own exception, from the view's
            raise RuntimeError("restart intensity exceeded") from exc
        except RuntimeError as reported:
            failure = reported
    assert crash_notice(failure, GENERIC, dev=False) == GENERIC
    assert crash_notice(failure, GENERIC, dev=True).splitlines()[:5] == [
        GENERIC,
        "",
        "ZeroDivisionError: integer division or modulo by zero",
        "Template page.html, line 2:",
        "    <p>{{ n // 0 }}</p>",
    ]


def _breaking(tmp_path: Path) -> type[LiveView]:
    """A view whose template divides by ``divisor``; ``break_it`` makes every
    mount from then on fail (the session's restarts run out)."""
    (tmp_path / "page.html").write_text("<p>ok</p>\n<p>{{ 1 // divisor }}</p>\n")

    class Breaking(LiveView):
        template = "page.html"
        divisor = 1

        def mount(self, params, session):
            self.divisor = type(self).divisor

        @event
        def break_it(self):
            type(self).divisor = self.divisor = 0

    Breaking.__roost_template_dir__ = str(tmp_path)
    return Breaking


@pytest.mark.parametrize("debug", [True, False])
async def test_a_connected_view_that_fails_for_good_shows_the_detail_in_dev_mode_only(
    tmp_path, debug
):
    app = App({"/": _breaking(tmp_path)}, debug=debug)
    async with LiveClient.mount(app, allow_crashes=True) as view:
        await view.event("break_it", expect_error=True)
        crash = await view.next_message(protocol.Crash)
    if debug:
        assert crash.message.startswith(GENERIC + "\n")
        assert "ZeroDivisionError: integer division or modulo by zero" in crash.message
        assert "Template page.html, line 2:\n    <p>{{ 1 // divisor }}</p>" in crash.message
    else:
        assert crash.message == GENERIC
