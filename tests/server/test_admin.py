"""The admin endpoint (roost tree, kill, restart): the live tree as JSON, faults
by path, and nothing at all without the server's secret."""

from __future__ import annotations

import json
from typing import Any

import pytest

from roost import App, LiveComponent, LiveView, event
from roost._tree import estimate_size
from roost.server.admin import AdminEndpoint, admin_token
from roost.testing import LiveClient

SECRET = "admin-test-secret"


class Gauge(LiveComponent):
    def mount(self, **props):
        self.level = 0

    def render(self):
        return f"<i>{self.level}</i>"


class Panel(LiveView):
    def mount(self, params, session):
        self.count = 0
        self.gauge = Gauge()

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return f'<b id="count">{self.count}</b>{self.gauge}'


app = App({"/": Panel}, secret=SECRET)


async def call(
    endpoint: AdminEndpoint, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """One HTTP request to the ASGI endpoint, as hypercorn would make it."""
    headers = [] if token is None else [(b"authorization", f"Bearer {token}".encode())]
    scope = {"type": "http", "method": method, "path": path, "headers": headers}
    sent: list[dict[str, Any]] = []
    data = json.dumps(body).encode() if body is not None else b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": data, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await endpoint(scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


@pytest.fixture
async def view():
    async with LiveClient.mount(app) as view:
        yield view


def endpoint() -> AdminEndpoint:
    assert app.runtime is not None
    return AdminEndpoint(app.runtime, [SECRET])


async def test_without_the_secret_nothing_is_shown_or_done(view):
    for token in (None, admin_token("another secret"), SECRET):
        status, answer = await call(endpoint(), "GET", "/tree", token=token)
        assert status == 401 and "ROOST_SECRET" in answer["error"]
        status, _ = await call(endpoint(), "POST", "/kill", {"path": "store"}, token=token)
        assert status == 401
    assert view.restarts() == 0


async def test_the_tree_shows_each_actor_with_its_path_kind_state_and_restarts(view):
    await view.kill("gauge")
    status, answer = await call(endpoint(), "GET", "/tree", token=admin_token(SECRET))
    assert status == 200
    sid = view.session.id
    actors = {a["path"]: a for a in answer["actors"]}
    view_row = actors[f"sessions/{sid}/view"]
    gauge = actors[f"sessions/{sid}/view/components/gauge"]
    assert (view_row["kind"], view_row["class"], view_row["state"]) == ("view", "Panel", "running")
    assert (gauge["kind"], gauge["state"], gauge["restarts"]) == ("component", "running", 1)
    assert gauge["mailbox"] == 0 and gauge["memory"] > 0
    assert actors["pubsub"]["kind"] == "service"
    root = answer["tree"]
    assert root["kind"] == "supervisor" and root["strategy"] == "one_for_one"
    sessions = next(c for c in root["children"] if c["path"] == "sessions")
    session = sessions["children"][0]
    assert session["strategy"] == "one_for_all" and session["intensity"]["max_restarts"] == 3


async def test_kill_and_restart_by_path_restart_the_actor(view):
    sid = view.session.id
    token = admin_token(SECRET)
    status, answer = await call(
        endpoint(), "POST", "/kill", {"path": f"sessions/{sid}/view/components/gauge"}, token
    )
    assert status == 200 and answer["done"].startswith("killed")
    await view.wait_for(lambda v: v.restarts("gauge") == 1)
    status, _ = await call(endpoint(), "POST", "/restart", {"path": f"sessions/{sid}/view"}, token)
    assert status == 200
    await view.wait_for(lambda v: v.restarts("0") == 1)


async def test_a_path_that_names_no_actor_is_a_clear_404(view):
    token = admin_token(SECRET)
    for path in ("sessions/nope/view", "sessions", "nothing/here"):
        status, answer = await call(endpoint(), "POST", "/kill", {"path": path}, token)
        assert status == 404 and answer["error"]
    status, answer = await call(endpoint(), "POST", "/kill", {"nope": 1}, token)
    assert status == 400


def test_the_memory_estimate_grows_with_the_state():
    small, big = {"a": 1}, {"a": list(range(1000))}
    assert estimate_size(big) > estimate_size(small) + 8000
