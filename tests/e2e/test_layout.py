"""The root layout in a real browser: its stylesheet applies, its favicon loads, and the
view's page_title drives document.title live."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined


@pytest.fixture(scope="module")
def site():
    with roost_run("tests.apps.site:app") as served:
        yield served


def test_the_layouts_stylesheet_from_the_static_folder_is_applied(site, page):
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url.removeprefix(site.url), r.status))
    page.goto(site.url + "/")
    wait_joined(page)
    color = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert color == "rgb(10, 20, 30)"
    weight = page.evaluate("getComputedStyle(document.querySelector('.site-header')).fontWeight")
    assert weight == "700"
    css = next(url for url in statuses if url.startswith("/static/app.css?vsn="))
    assert statuses[css] == 200
    logo = page.evaluate("document.querySelector('#logo').naturalWidth")
    assert logo == 8
    assert page.evaluate("fetch('/favicon.ico').then((r) => r.status)") == 200
    assert failed == []


def test_the_title_follows_the_views_page_title_live_without_a_reload(site, page):
    page.goto(site.url + "/")
    wait_joined(page)
    assert page.title() == "Inbox"
    page.evaluate("window.__not_reloaded = true")
    page.click("#receive")
    page.wait_for_function("() => document.title === 'Inbox (1)'")
    page.click("#receive")
    page.wait_for_function("() => document.title === 'Inbox (2)'")
    assert page.text_content("#unread") == "2"
    assert page.evaluate("window.__not_reloaded") is True


def test_a_view_without_a_page_title_has_the_apps_title(site, page):
    page.goto(site.url + "/plain")
    wait_joined(page)
    assert page.title() == "Site"
    page.goto(site.url + "/about")
    wait_joined(page)
    assert page.title() == "About us"
