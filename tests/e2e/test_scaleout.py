"""Two roost processes behind a real nginx, sharing a real Redis: the counter
(persist = True) clicked three times in Chromium, the process holding the
session killed with -9, the page reconnecting through nginx to the other one
and showing 3, then 4; Redis stopped and started again under it; and a chat
whose two tabs are on two different processes."""

from __future__ import annotations

import json
import urllib.request

import pytest

from roost.server.admin import admin_token
from roost.testing import LiveClient
from tests.nginx import free_port, nginx
from tests.redis_server import running_redis_server
from tests.serve import roost_run

from .conftest import wait_joined, wait_text

SECRET = "scale-out-secret"
PLUS = "[aria-label=increment]"


def sessions_on(admin: int) -> list[str]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{admin}/tree",
        headers={"Authorization": f"Bearer {admin_token(SECRET)}"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        tree = json.loads(answer.read())
    return [a["path"] for a in tree["actors"] if a["kind"] == "view"]


@pytest.fixture
def backends(tmp_path, monkeypatch):
    monkeypatch.setenv("ROOST_SECRET", SECRET)
    with running_redis_server(tmp_path / "redis") as redis:
        yield redis


def serve(app: str, redis_url: str, port: int, admin: int):
    return roost_run(
        app,
        "--port",
        str(port),
        "--admin",
        f"127.0.0.1:{admin}",
        "--store",
        redis_url,
        "--pubsub",
        redis_url,
    )


def test_a_tab_resumes_its_count_on_the_other_process_after_kill_9(backends, page, tmp_path):
    ports, admins = [free_port(), free_port()], [free_port(), free_port()]
    with (
        serve("examples.counter:app", backends.url, ports[0], admins[0]) as first,
        serve("examples.counter:app", backends.url, ports[1], admins[1]) as second,
        nginx(tmp_path / "nginx", ports) as balancer,
    ):
        page.goto(balancer + "/")
        wait_joined(page)
        page.evaluate("window.__not_reloaded = true")
        for n in (1, 2, 3):
            page.click(PLUS)
            wait_text(page, "#count", str(n))

        holder = [i for i in (0, 1) if sessions_on(admins[i])]
        assert len(holder) == 1, "one process holds the tab's session"
        doomed, survivor = (first, second) if holder[0] == 0 else (second, first)
        doomed.process.kill()  # kill -9: no shutdown, no goodbye
        doomed.process.wait()

        # The socket drops; the page reconnects through nginx to the other
        # process, which resumes the session from the snapshot in Redis.
        page.wait_for_function(
            "() => window.Roost.socket.ws === null || window.Roost.socket.state !== 'connected'"
        )
        page.wait_for_function("() => window.Roost.socket.state === 'connected'")
        wait_text(page, "#count", "3")
        page.click(PLUS)
        wait_text(page, "#count", "4")
        assert sessions_on(admins[1 - holder[0]]), "the other process holds it now"

        # Redis goes away: clicks are still handled; it comes back: so do snapshots.
        backends.stop()
        page.click(PLUS)
        wait_text(page, "#count", "5")
        backends.restart()
        page.click(PLUS)
        wait_text(page, "#count", "6")
        assert page.evaluate("window.__not_reloaded") is True
        assert survivor.process.poll() is None


async def test_a_chat_across_two_processes(backends):
    ports = [free_port(), free_port()]
    with (
        serve("examples.chat:app", backends.url, ports[0], free_port()),
        serve("examples.chat:app", backends.url, ports[1], free_port()),
    ):
        async with (
            LiveClient.connect(f"http://127.0.0.1:{ports[0]}", "/?name=ann") as ann,
            LiveClient.connect(f"http://127.0.0.1:{ports[1]}", "/?name=bob") as bob,
        ):
            await ann.submit("#post", text="hello from A")
            await bob.wait_for("#messages li", "ann: hello from A")
            await bob.submit("#post", text="hi from B")
            await ann.wait_for("#messages li:last-child", "bob: hi from B")


PRESENCE_WAIT = 15_000
"""ms a "who is here" list may take across processes: a node that starts
watching the room says hello, which may reach Redis before its own
subscription does; then the others' next heartbeat (every 5 s) tells it."""


def test_who_is_here_across_two_processes_and_a_closed_tab_leaves(backends, browser, page):
    from playwright.sync_api import expect

    ports = [free_port(), free_port()]
    with (
        serve("examples.chat:app", backends.url, ports[0], free_port()),
        serve("examples.chat:app", backends.url, ports[1], free_port()),
    ):
        # One tab on each process, straight to it (no balancer): ann's
        # presence is tracked by the first, bob's by the second.
        page.goto(f"http://127.0.0.1:{ports[0]}/?name=ann")
        wait_joined(page)
        page.evaluate("window.__not_reloaded = true")
        expect(page.locator("#here li")).to_have_text(["ann"])
        bob_context = browser.new_context()
        try:
            bob = bob_context.new_page()
            bob.goto(f"http://127.0.0.1:{ports[1]}/?name=bob")
            wait_joined(bob)
            # Bob's join reaches ann's list as a diff from the second process;
            # ann reaches bob's as the first one's answer to its node's hello.
            for tab in (page, bob):
                expect(tab.locator("#here li")).to_have_text(["ann", "bob"], timeout=PRESENCE_WAIT)
                expect(tab.locator("#count")).to_have_text("2")

            # The tab closes (its page sends Leave): its session ends at once,
            # and the second process's leave reaches the first through Redis,
            # well within the 30 s a dropped socket's session would be kept.
            bob.close()
        finally:
            bob_context.close()
        expect(page.locator("#here li")).to_have_text(["ann"], timeout=10_000)
        expect(page.locator("#count")).to_have_text("1")
        assert page.evaluate("window.__not_reloaded") is True
