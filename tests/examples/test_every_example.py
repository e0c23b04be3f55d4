"""Every example app stays runnable: each route dead-renders a complete page and
joins live. Examples are discovered, so a new one is covered without editing this."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from selectolax.lexbor import LexborHTMLParser

import examples
from roost import App
from roost.testing import LiveClient

CONTAINER = "data-roost-id"

EXAMPLES = sorted(
    info.name for info in pkgutil.iter_modules(examples.__path__) if not info.name.startswith("_")
)


SESSIONS = {"notes": {"user": "demo"}}
"""The cookie session an example's pages need (a logged-in visitor)."""


def pages(name: str, app: App) -> list[tuple[str, type]]:
    """Each route's path (a pattern's parameters filled with 1) and view."""
    out = []
    for route in app.router:
        path = route.pattern
        for param, _ in route.params:
            path = path.replace("{" + param + "}", "1").replace("{" + param + ":int}", "1")
        out.append((path, route.view))
    return out


def params_of(app: App, path: str) -> dict:
    match = app.router.match(path)
    assert match is not None
    return dict(match.path_params)


def app_of(name: str) -> App:
    """The example's ``app`` (imported here, so a broken example fails its own tests)."""
    module = importlib.import_module(f"examples.{name}")
    app = getattr(module, "app", None)
    if not isinstance(app, App):
        pytest.skip(f"examples.{name} has no roost.App named app")
    return app


def containers(html: str) -> list[str]:
    """The actor containers in ``html``, in document order."""
    return [n.attributes[CONTAINER] or "" for n in LexborHTMLParser(html).css(f"[{CONTAINER}]")]


def ids(html: str) -> list[str]:
    return [n.attributes["id"] or "" for n in LexborHTMLParser(html).css("[id]")]


def test_the_known_examples_are_discovered():
    assert {"chat", "counter", "crashy", "dashboard", "notes", "todo"} <= set(EXAMPLES)


@pytest.mark.parametrize("name", EXAMPLES)
async def test_every_route_dead_renders_a_complete_page(name):
    app = app_of(name)
    assert app.routes, f"examples.{name}.app has no routes"
    for path, view_class in pages(name, app):
        session = SESSIONS.get(name, {})
        html = await app.dead_render(path, view_class, params_of(app, path), session=session)
        page = LexborHTMLParser(html)
        # The view's page_title, else the app's title.
        assert page.css_first("title").text().strip(), f"{path}: no page title"
        root = page.css_first(f'[{CONTAINER}="0"]')
        assert root is not None, f"{path}: no view container"
        assert root.attributes.get("data-roost-token"), f"{path}: no session token"
        assert root.text().strip(), f"{path}: the view rendered nothing"
        # Every component on the page is served filled in, before any script runs.
        for node in root.css(f"[{CONTAINER}]"):
            target = node.attributes[CONTAINER]
            assert target == "0" or node.child is not None, f"{path}: {target!r} is empty"


@pytest.mark.parametrize("name", EXAMPLES)
async def test_every_route_joins_live_and_shows_the_page_the_dead_render_served(name):
    app = app_of(name)
    for path, view_class in pages(name, app):
        session = SESSIONS.get(name, {})
        html = await app.dead_render(path, view_class, params_of(app, path), session=session)
        dead = LexborHTMLParser(html)
        served = dead.css_first(f'[{CONTAINER}="0"]').inner_html or ""
        async with LiveClient.mount(app, path, session=session) as view:
            assert view.connected
            assert view.version() == 1
            live = view.html()
            assert live.strip(), f"{path}: the live view rendered nothing"
            # Same actors in the same places, each with its first render applied.
            assert containers(live) == containers(served)
            for target in containers(live):
                assert view.version(target) == 1, f"{path}: {target!r} has not rendered"
            assert ids(live) == ids(served)
