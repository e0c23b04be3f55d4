"""roost's live dashboard in Chromium: refused without the server's secret,
and showing the supervision tree and a restart the test causes in another
tab, live."""

from __future__ import annotations

import base64
import os

import pytest

from tests.serve import roost_run

from .conftest import wait_joined

SECRET = "dashboard-e2e-secret"
DASHBOARD = "/dev/dashboard"


@pytest.fixture(scope="module")
def served(request):
    os.environ["ROOST_SECRET"] = SECRET
    request.addfinalizer(lambda: os.environ.pop("ROOST_SECRET", None))
    with roost_run("tests.apps.with_dashboard:app", "--admin", "off") as served:
        yield served


def test_without_the_secret_the_dashboard_is_refused(browser, served):
    context = browser.new_context()
    try:
        anonymous = context.request.get(served.url + DASHBOARD)
        assert anonymous.status == 401
        assert "the dashboard needs the server's secret" in anonymous.text()
        assert anonymous.headers["www-authenticate"].startswith("Basic")
        wrong = base64.b64encode(b"admin:wrong").decode()
        headers = {"Authorization": f"Basic {wrong}"}
        assert context.request.get(served.url + DASHBOARD, headers=headers).status == 401
    finally:
        context.close()


def test_the_dashboard_shows_a_restart_it_causes_in_another_tab(browser, served, page):
    page.goto(served.url + "/")
    wait_joined(page, "0", "tabs", "pages")
    context = browser.new_context(http_credentials={"username": "ops", "password": SECRET})
    try:
        dash = context.new_page()
        dash.goto(served.url + DASHBOARD)
        wait_joined(dash)
        row = dash.locator("tr.running", has_text="/view/components/tabs").first
        row.wait_for()
        path = row.get_attribute("data-path")
        assert row.locator(".restarts").text_content() == "0"
        # The tree: the component under its supervisor, shown with its strategy.
        components = path.rsplit("/", 1)[0]
        assert row.get_attribute("data-parent") == components
        supervisor = dash.locator(f'tr[data-path="{components}"]')
        assert supervisor.locator(".supervision").text_content() == (
            "one_for_one, at most 3 restarts in 5 s"
        )

        page.get_by_role("button", name="Settings").click()
        page.wait_for_selector("nav.tabs button.active:has-text('Settings')")
        row.get_by_role("button", name="kill").click()
        dash.wait_for_function(
            "(p) => document.querySelector('#message').textContent === 'killed ' + p", arg=path
        )
        # The user's tab recovers: the component re-mounted from its props.
        page.wait_for_selector("nav.tabs button.active:has-text('Profile')")
        # The dashboard shows it within its next refresh.
        dash.wait_for_function(
            "(p) => document.querySelector(`tr[data-path='${p}'] .restarts`).textContent === '1'",
            arg=path,
        )
        dash.wait_for_function("() => document.querySelector('#restarts').textContent === '1'")
    finally:
        context.close()
