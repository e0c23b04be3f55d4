"""The counter example mounted at /app in a FastAPI app on uvicorn (asyncio), in
Chromium: the page, roost's client and its socket all below the mount point,
the supervision tree started by the first request (FastAPI keeps the lifespan)."""

from __future__ import annotations

import pytest

from tests.server.test_mounting import serve_mounted

from .conftest import wait_joined, wait_text


@pytest.fixture(scope="module")
def mounted_counter():
    with serve_mounted("examples.counter:app", "/app") as served:
        yield served


def test_the_mounted_counter_loads_and_counts_without_errors(mounted_counter, page):
    problems: list[tuple[str, str]] = []
    page.on(
        "console",
        lambda m: problems.append((m.text, m.location["url"])) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append((str(e), "")))
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    responses: dict[str, int] = {}
    page.on("response", lambda r: responses.__setitem__(r.url, r.status))
    sockets: list[str] = []
    page.on("websocket", lambda ws: sockets.append(ws.url))

    page.goto(mounted_counter.url + "/")
    wait_joined(page)
    assert page.text_content("#count") == "0"
    page.evaluate("window.__not_reloaded = true")
    plus = page.get_by_role("button", name="increment")
    for expected in ("1", "2"):
        plus.click()
        wait_text(page, "#count", expected)
    page.get_by_role("button", name="decrement").click()
    wait_text(page, "#count", "1")

    assert page.evaluate("window.__not_reloaded") is True
    base = mounted_counter.url
    assert responses[base + "/"] == 200
    assert responses[base + "/_roost/roost.js"] == 200
    assert sockets and all(
        s.startswith(base.replace("http://", "ws://") + "/_roost/socket") for s in sockets
    )
    assert failed == []
    assert all(status == 200 for status in responses.values()), responses
    # Chromium asks the site's root for a favicon: the host's to serve, not the app's.
    host_favicon = base.removesuffix("/app") + "/favicon.ico"
    assert [p for p in problems if p[1] != host_favicon] == []
