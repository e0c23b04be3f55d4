"""The live dashboard, in process: the tree of the server it runs in, its
figures, and the kill and restart buttons."""

from __future__ import annotations

import base64
import itertools
import re

from examples.dashboard import DashboardView
from roost import App
from roost.dashboard import allowed
from roost.testing import LiveClient

app = App({"/": DashboardView}, dashboard="/dev/dashboard", secret="dash-secret")


async def test_the_dashboard_lists_the_actors_and_kills_one_with_a_button():
    async with LiveClient.mount(app, "/") as user:
        async with LiveClient.mount(app, "/dev/dashboard") as dash:
            sid = user.session.id
            tabs = f"sessions/{sid}/view/components/tabs"
            row = f'tr[data-path="{tabs}"]'
            assert dash.text(f"{row} .restarts") == "0"
            assert dash.text("#sessions") == "2"
            await dash.click(f'{row} button[roost-click="kill"]')
            assert dash.text("#message") == f"killed {tabs}"
            await user.wait_for(lambda v: v.restarts("tabs") == 1)
            await dash.wait_for(f"{row} .restarts", "1")  # within a refresh
            await dash.wait_for("#restarts", "1")


async def test_the_tree_nests_each_actor_under_its_supervisor_with_strategy_and_intensity():
    async with LiveClient.mount(app, "/") as user:
        async with LiveClient.mount(app, "/dev/dashboard") as dash:
            session = f"sessions/{user.session.id}"
            view = f"{session}/view"
            components = f"{view}/components"

            def row(path: str) -> str:
                return f'tr[data-path="{path}"]'

            # Each supervisor with its strategy and intensity.
            assert dash.text(f"{row('')} .name") == "root"
            assert dash.text(f"{row('sessions')} .supervision") == (
                "one_for_one, at most 3 restarts in 5 s"
            )
            assert dash.text(f"{row(session)} .supervision") == (
                "one_for_all, at most 3 restarts in 5 s"
            )
            assert dash.text(f"{row(components)} .supervision") == (
                "one_for_one, at most 3 restarts in 5 s"
            )
            # The nesting: root > sessions > the session > its view > the
            # view's components supervisor > each component, one level deeper
            # each, in the order (and on the branches) of `roost tree`.
            chain = ["", "sessions", session, view, components, f"{components}/tabs"]
            levels = [int(dash.attr(row(p), "data-level") or 0) for p in chain]
            assert levels == [1, 2, 3, 4, 5, 6]
            for parent, child in itertools.pairwise(chain):
                assert dash.attr(row(child), "data-parent") == parent
            assert dash.text(f"{row(components + '/tabs')} .node").endswith("├── tabs")
            assert dash.text(f"{row(components + '/pages')} .node").endswith("└── pages")
            shown = re.findall(r'<tr data-path="([^"]*)"', dash.html("#tree"))
            at = shown.index(components)
            assert shown[at + 1 : at + 3] == [f"{components}/tabs", f"{components}/pages"]
            assert shown.index("sessions") < shown.index(session) < shown.index(view) < at
            # Actors and services have the buttons; supervisors have none.
            assert dash.exists(f'{row(components + "/tabs")} button[roost-click="kill"]')
            assert dash.exists(f'{row("pubsub")} button[roost-click="restart"]')
            assert not dash.exists(f"{row(components)} button")


async def test_figures_come_from_telemetry_while_a_dashboard_is_open(autojump_clock):
    async with LiveClient.mount(app, "/dev/dashboard") as dash:
        async with LiveClient.mount(app, "/") as user:
            await user.click('nav.tabs button[roost-value-tab="Settings"]')
            # Its next refresh (once a second, at once under autojump) shows the click.
            await dash.wait_for(lambda v: any(c.isdigit() for c in v.text("#p50")))


def basic(password: str) -> dict:
    token = base64.b64encode(f"admin:{password}".encode())
    return {"headers": [(b"authorization", b"Basic " + token)]}


def test_who_may_see_it():
    secrets = ["dash-secret", "older"]
    assert allowed(basic("dash-secret"), secrets, configured=True, dev=False)
    assert allowed(basic("older"), secrets, configured=True, dev=True)
    assert not allowed(basic("wrong"), secrets, configured=True, dev=True)
    assert not allowed({"headers": []}, secrets, configured=True, dev=True)
    assert not allowed({"headers": [(b"authorization", b"Basic %%%")]}, secrets, True, True)
    # Without a configured secret: a dev server only.
    assert allowed({"headers": []}, ["random"], configured=False, dev=True)
    assert not allowed({"headers": []}, ["random"], configured=False, dev=False)


async def test_live_navigation_to_the_dashboard_is_a_page_load_that_asks_for_the_secret():
    # Its auth is the page request's: a live link over the socket would skip it.
    async with LiveClient.mount(app, "/") as user:
        await user.navigate("/dev/dashboard")
        assert user.redirected_to == "http://localhost/dev/dashboard"
        assert "sessions" not in user.tree()
        assert user.text("nav.tabs button.active")  # still the app's own view
