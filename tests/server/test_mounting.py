"""A roost app mounted under a path in a Starlette or FastAPI app: its pages, the
client script, static files, redirects and the socket all live below the mount
point, and the supervision tree starts although the host keeps the lifespan.

In process (a Starlette host driven through ASGI, under Trio) and for real
(FastAPI on uvicorn, asyncio, in a subprocess: ``serve_mounted``, which
tests/e2e/test_mounted.py shares).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trio
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from roost import App, LiveView, event, protocol
from roost.server import runtime as runtime_module
from roost.server.app import app_href, request_url, route_path
from tests.serve import LineReader
from tests.websockets import open_websocket_url

ROOT = Path(__file__).resolve().parent.parent.parent


class Counter(LiveView):
    terminated: list[BaseException | None] = []

    def mount(self, params, session):
        self.count = int(params.get("start", 0))

    def render(self) -> str:
        return f'<p>Count: <b id="n">{self.count}</b></p><button roost-click="inc">+</button>'

    @event
    def inc(self):
        self.count += 1

    def terminate(self, reason):
        Counter.terminated.append(reason)


class Item(LiveView):
    def mount(self, params, session):
        self.number = params["id"]

    def render(self) -> str:
        return f'<h1 id="item">{self.number}</h1>'


def require_user(view, params, session):
    if not session.get("user"):
        view.redirect("/login")


class Private(LiveView):
    on_mount = (require_user,)

    def render(self) -> str:
        return "<p>secret</p>"


class Elsewhere(LiveView):
    def mount(self, params, session):
        self.redirect("https://example.com/away")

    def render(self) -> str:
        return "<p>never</p>"


ROUTES: dict[str, type[LiveView]] = {
    "/": Counter,
    "/items/{id:int}": Item,
    "/private": Private,
    "/elsewhere": Elsewhere,
}

LAYOUT = """<!DOCTYPE html>
<html><head><title>{{ page_title }}</title>{{ roost_head }}
<link rel="stylesheet" href="{{ static_url('app.css') }}"></head>
<body>{{ inner_content }}</body></html>
"""


def make_app(folder: Path) -> App:
    (folder / "static").mkdir()
    (folder / "static" / "app.css").write_text("body { color: green }\n")
    (folder / "layout.html").write_text(LAYOUT)
    return App(
        ROUTES, secret="test-secret", layout=folder / "layout.html", static_dir=folder / "static"
    )


def host_with(roost_app: App, at: str = "/live") -> Starlette:
    async def home(request):
        return PlainTextResponse("the host's own page")

    return Starlette(routes=[Route("/", home), Mount(at, app=roost_app)])


# -- driving an ASGI app in process ------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def _scope(kind: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    raw_path, _, query = path.partition("?")
    return {
        "type": kind,
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "http" if kind == "http" else "ws",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }


async def get(asgi: Any, path: str, *, method: str = "GET") -> Response:
    scope = {**_scope("http", path, []), "method": method}
    sent: list[dict[str, Any]] = []
    asked = False

    async def receive() -> dict[str, Any]:
        nonlocal asked
        if asked:
            await trio.sleep_forever()  # the client stays until the response is complete
        asked = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    with trio.fail_after(10):
        await asgi(scope, receive, send)
    start = sent[0]
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return Response(start["status"], headers, body)


class Socket:
    """One WebSocket to an ASGI app, in process: what the browser sends and gets."""

    def __init__(self) -> None:
        self._to_app, self._app_in = trio.open_memory_channel[dict[str, Any]](64)
        self._app_out, self._from_app = trio.open_memory_channel[dict[str, Any]](64)

    async def receive_event(self) -> dict[str, Any]:
        return await self._app_in.receive()

    async def send_event(self, message: dict[str, Any]) -> None:
        await self._app_out.send(message)

    async def send(self, message: list[Any]) -> None:
        await self._to_app.send({"type": "websocket.receive", "text": json.dumps(message)})

    async def recv(self) -> list[Any]:
        with trio.fail_after(10):
            message = await self._from_app.receive()
        assert message["type"] == "websocket.send", message
        return json.loads(message["text"])


@asynccontextmanager
async def open_socket(asgi: Any, path: str) -> AsyncIterator[Socket]:
    headers = [(b"origin", b"http://localhost")]
    socket_ = Socket()
    async with trio.open_nursery() as nursery:
        done = trio.Event()

        async def run() -> None:
            try:
                await asgi(
                    _scope("websocket", path, headers), socket_.receive_event, socket_.send_event
                )
            finally:
                done.set()

        nursery.start_soon(run)
        await socket_._to_app.send({"type": "websocket.connect"})
        with trio.fail_after(10):
            accepted = await socket_._from_app.receive()
        assert accepted["type"] == "websocket.accept", accepted
        yield socket_
        await socket_._to_app.send({"type": "websocket.disconnect", "code": 1000})
        with trio.fail_after(10):
            await done.wait()


def token_of(page: str) -> str:
    found = re.search(r'data-roost-token="([^"]+)"', page)
    assert found is not None, page
    return found[1]


# -- pages, the client script, static files ---------------------------------------


async def test_pages_below_the_mount_point_are_served_with_the_client_script_below_it(tmp_path):
    roost_app = make_app(tmp_path)
    host = host_with(roost_app)

    page = await get(host, "/live/")
    assert page.status == 200
    assert '<script type="module" src="/live/_roost/roost.js"></script>' in page.text
    assert '<b id="n">0</b>' in page.text
    item = await get(host, "/live/items/7")
    assert item.status == 200 and '<h1 id="item">7</h1>' in item.text

    script = await get(host, "/live/_roost/roost.js")
    assert script.status == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert b"import.meta.url" in script.body  # the socket's URL is the script's, below the mount

    assert (await get(host, "/live/items/x")).status == 404
    assert (await get(host, "/live/nowhere")).status == 404
    host_page = await get(host, "/")
    assert host_page.status == 200 and host_page.text == "the host's own page"


async def test_static_files_and_static_url_are_below_the_mount_point(tmp_path):
    host = host_with(make_app(tmp_path))
    page = await get(host, "/live/")
    href = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert href is not None and href[1].startswith("/live/static/app.css?vsn=")
    css = await get(host, href[1].replace("&amp;", "&"))
    assert css.status == 200
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.body == b"body { color: green }\n"
    assert (await get(host, "/static/app.css")).status == 404  # the host has none


async def test_a_redirect_the_app_gives_as_a_path_goes_below_the_mount_point(tmp_path):
    host = host_with(make_app(tmp_path))
    redirected = await get(host, "/live/private")
    assert redirected.status == 303
    assert redirected.headers["location"] == "/live/login"
    away = await get(host, "/live/elsewhere")
    assert away.status == 303
    assert away.headers["location"] == "https://example.com/away"


async def test_the_same_app_at_the_sites_root_is_unchanged(tmp_path):
    roost_app = make_app(tmp_path)
    page = await get(roost_app, "/")
    assert '<script type="module" src="/_roost/roost.js"></script>' in page.text
    assert 'href="/static/app.css?vsn=' in page.text
    redirected = await get(roost_app, "/private")
    assert redirected.headers["location"] == "/login"


# -- the socket, and the tree without lifespan ---------------------------------------


async def test_the_socket_below_the_mount_point_joins_and_clicks_without_lifespan(tmp_path):
    roost_app = make_app(tmp_path)
    host = host_with(roost_app)
    assert roost_app.runtime is None  # no lifespan was sent: Starlette keeps it anyway

    page = await get(host, "/live/?start=4")
    assert roost_app.runtime is not None  # the request started the tree
    path = f"/live/_roost/socket?v={protocol.VERSION}"
    async with open_socket(host, path) as ws:
        await ws.send([0, 1, token_of(page.text), "http://localhost/live/?start=4"])
        assert await ws.recv() == [1, "0", 1]  # the page holds what the join would send
        joined = await ws.recv()
        assert joined[:2] == [2, 1]
        await ws.send([1, 2, "inc", {}])
        patch = await ws.recv()
        assert patch[0] == 0 and patch[2] == 2 and "5" in json.dumps(patch[1])  # answers ref 2


async def test_a_socket_outside_roosts_path_below_the_mount_point_is_refused(tmp_path):
    host = host_with(make_app(tmp_path))
    scope = _scope("websocket", "/live/socket", [(b"origin", b"http://localhost")])
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await host(scope, receive, send)
    assert sent == [{"type": "websocket.close", "code": 1008, "reason": "not found"}]


async def test_concurrent_first_requests_start_one_tree(tmp_path, monkeypatch):
    made: list[object] = []

    class Counting(runtime_module.Runtime):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            made.append(self)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(runtime_module, "Runtime", Counting)
    roost_app = make_app(tmp_path)
    host = host_with(roost_app)
    statuses: list[int] = []

    async def one() -> None:
        statuses.append((await get(host, "/live/")).status)

    async with trio.open_nursery() as nursery:
        for _ in range(8):
            nursery.start_soon(one)
    assert statuses == [200] * 8
    assert len(made) == 1
    assert roost_app.runtime is made[0]
    assert roost_app.runtime.sessions.running


async def test_a_tree_a_request_started_that_ended_is_started_again_by_the_next(tmp_path):
    roost_app = make_app(tmp_path)
    host = host_with(roost_app)
    await get(host, "/live/")
    first = roost_app.runtime
    assert first is not None
    await first.stop()
    assert roost_app.runtime is None
    assert (await get(host, "/live/")).status == 200
    assert roost_app.runtime is not None and roost_app.runtime is not first
    assert roost_app.runtime.sessions.running


def test_a_tree_a_request_started_stops_gracefully_when_the_trio_run_ends(tmp_path):
    # The loop is a Trio run of its own here: its end cancels the tree's system
    # task, and the tree is asked to stop first (each view's terminate runs).
    Counter.terminated.clear()
    roost_app = make_app(tmp_path)
    host = host_with(roost_app)

    async def serve_one_tab() -> None:
        page = await get(host, "/live/")
        async with open_socket(host, f"/live/_roost/socket?v={protocol.VERSION}") as ws:
            await ws.send([0, 1, token_of(page.text), "http://localhost/live/"])
            await ws.recv()
            await ws.recv()
        # The tab went away without Leave: its session waits out its grace period.
        assert roost_app.runtime is not None and roost_app.runtime.sessions.count() == 1

    trio.run(serve_one_tab)
    assert roost_app.runtime is None
    assert Counter.terminated == [None]  # asked to stop: a normal stop, not a cancellation


def test_under_asyncio_a_request_starts_the_tree_and_the_loops_end_stops_it(tmp_path):
    # What uvicorn does, without uvicorn: the host on asyncio, no lifespan sent,
    # a tab joined and clicked, its socket still open when `asyncio.run` ends.
    Counter.terminated.clear()
    roost_app = make_app(tmp_path)
    host = host_with(roost_app)

    async def request(scope: dict[str, Any]) -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await host(scope, receive, send)
        return sent

    async def main() -> list[list[Any]]:
        sent = await request({**_scope("http", "/live/", []), "method": "GET"})
        page = sent[1]["body"].decode()
        to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        path = f"/live/_roost/socket?v={protocol.VERSION}"
        scope = _scope("websocket", path, [(b"origin", b"http://localhost")])
        socket_task = asyncio.create_task(host(scope, to_app.get, from_app.put))
        frames: list[list[Any]] = []

        async def exchange(message: list[Any], replies: int) -> None:
            await to_app.put({"type": "websocket.receive", "text": json.dumps(message)})
            for _ in range(replies):
                frames.append(json.loads((await asyncio.wait_for(from_app.get(), 10))["text"]))

        await to_app.put({"type": "websocket.connect"})
        assert (await asyncio.wait_for(from_app.get(), 10))["type"] == "websocket.accept"
        await exchange([0, 1, token_of(page), "http://localhost/live/"], 2)
        await exchange([1, 2, "inc", {}], 1)
        assert roost_app.runtime is not None and not socket_task.done()
        return frames

    frames = asyncio.run(main())
    assert frames[0] == [1, "0", 1] and frames[1][:2] == [2, 1]
    assert frames[2][0] == 0 and frames[2][2] == 2  # a Patch answering ref 2
    assert roost_app.runtime is None
    assert Counter.terminated == [None]  # asked to stop, also under asyncio


async def test_the_hosts_lifespan_runs_the_tree_and_stops_it_gracefully(tmp_path):
    Counter.terminated.clear()
    roost_app = make_app(tmp_path)
    host = Starlette(routes=[Mount("/live", app=roost_app)], lifespan=roost_app.lifespan)
    to_host, host_in = trio.open_memory_channel[dict[str, Any]](4)
    host_out, from_host = trio.open_memory_channel[dict[str, Any]](4)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(
            host, {"type": "lifespan", "asgi": {"version": "3.0"}}, host_in.receive, host_out.send
        )
        await to_host.send({"type": "lifespan.startup"})
        with trio.fail_after(10):
            assert (await from_host.receive())["type"] == "lifespan.startup.complete"
        runtime = roost_app.runtime
        assert runtime is not None and runtime.sessions.running

        page = await get(host, "/live/")
        assert roost_app.runtime is runtime  # no second tree
        async with open_socket(host, f"/live/_roost/socket?v={protocol.VERSION}") as ws:
            await ws.send([0, 1, token_of(page.text), "http://localhost/live/"])
            await ws.recv()
            await ws.recv()
            await to_host.send({"type": "lifespan.shutdown"})
            with trio.fail_after(10):
                assert (await from_host.receive())["type"] == "lifespan.shutdown.complete"
    assert roost_app.runtime is None
    assert Counter.terminated == [None]  # asked to stop: a normal stop, not a cancellation


async def test_an_asgi_lifespan_sent_to_the_app_itself_runs_the_tree(tmp_path):
    roost_app = make_app(tmp_path)
    to_app, app_in = trio.open_memory_channel[dict[str, Any]](4)
    app_out, from_app = trio.open_memory_channel[dict[str, Any]](4)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(roost_app, {"type": "lifespan"}, app_in.receive, app_out.send)
        await to_app.send({"type": "lifespan.startup"})
        with trio.fail_after(10):
            assert (await from_app.receive())["type"] == "lifespan.startup.complete"
        assert roost_app.runtime is not None and roost_app.runtime.sessions.running
        await to_app.send({"type": "lifespan.shutdown"})
        with trio.fail_after(10):
            assert (await from_app.receive())["type"] == "lifespan.shutdown.complete"
    assert roost_app.runtime is None


# -- paths ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "root", "expected"),
    [
        (
            "/live/notes/3",
            "/live",
            "/notes/3",
        ),  # Starlette 1.x: the whole path, and the mount point
        ("/notes/3", "/live", "/notes/3"),  # a server that took the mount point off
        ("/live", "/live", "/"),
        ("/live/", "/live/", "/"),
        ("/liveliness", "/live", "/liveliness"),  # not below it: a segment, not a prefix
        ("/", "", "/"),
        ("/a/b", "", "/a/b"),
    ],
)
def test_route_path_is_the_path_below_the_mount_point(path, root, expected):
    assert route_path({"path": path, "root_path": root}) == expected


def test_request_url_keeps_the_mount_point_whichever_way_the_server_gives_the_path():
    headers = [(b"host", b"example.org")]
    whole = {
        "path": "/live/notes/3",
        "root_path": "/live",
        "headers": headers,
        "query_string": b"a=1",
    }
    taken_off = {**whole, "path": "/notes/3"}
    assert request_url(whole) == "http://example.org/live/notes/3?a=1"
    assert request_url(taken_off) == "http://example.org/live/notes/3?a=1"


@pytest.mark.parametrize(
    ("to", "expected"),
    [
        ("/login", "/live/login"),
        ("/", "/live/"),
        ("?page=2", "?page=2"),
        ("notes/3", "notes/3"),
        ("//cdn.example.com/x", "//cdn.example.com/x"),
        ("https://example.com/", "https://example.com/"),
    ],
)
def test_a_path_the_app_gives_is_put_below_the_mount_point(to, expected):
    assert app_href("/live", to) == expected
    assert app_href("", to) == to


async def test_live_navigation_resolves_app_paths_and_browser_urls_below_the_mount_point(tmp_path):
    roost_app = make_app(tmp_path)
    await get(host_with(roost_app), "/live/")  # the app learns its mount point
    here = "http://localhost/live/items/1"
    # A path the app gives (push_navigate("/items/2")) is the app's.
    view, params, url = roost_app.resolve("/items/2", here)
    assert (view, params, url) == (Item, {"id": 2}, "http://localhost/live/items/2")
    # The browser's own URL (a link followed, back or forward) has the mount point.
    assert roost_app.resolve("http://localhost/live/items/3", here)[1] == {"id": 3}
    assert roost_app.resolve("?start=2", "http://localhost/live/")[1] == {"start": "2"}
    # Outside the mount point, on the host, or elsewhere: not this app's.
    assert roost_app.resolve("http://localhost/items/3", here) is None
    assert roost_app.resolve("https://example.com/live/items/3", here) is None
    assert roost_app.resolve("/nowhere", here) is None
    assert roost_app.href("/items/2") == "/live/items/2"
    assert roost_app.href("?start=1") == "?start=1"


class Navigator(LiveView):
    def render(self) -> str:
        return "<p>nav</p>"

    @event
    def go(self, to: str, how: str):
        if how == "navigate":
            self.push_navigate(to)
        else:
            self.redirect(to)


async def test_live_navigation_below_the_mount_point_stays_live_and_keeps_the_mount_point():
    roost_app = App({**ROUTES, "/nav": Navigator}, secret="test-secret")
    host = host_with(roost_app)
    page = await get(host, "/live/nav")

    async def until(ws: Socket, done: Any) -> list[list[Any]]:
        seen: list[list[Any]] = []
        while not seen or not done(seen[-1]):
            assert len(seen) < 10, seen
            seen.append(await ws.recv())
        return seen

    # Server tags: what ends each step is a Render, a Navigate (a page load) or an Error.
    render, navigate, error, url = (
        cls.__struct_config__.tag
        for cls in (protocol.Render, protocol.Navigate, protocol.Error, protocol.Url)
    )

    def settled(frame: list[Any]) -> bool:
        return frame[0] in (render, navigate, error)

    async with open_socket(host, f"/live/_roost/socket?v={protocol.VERSION}") as ws:
        await ws.send([0, 1, token_of(page.text), "http://localhost/live/nav"])
        await until(ws, lambda f: f[0] == 2)
        # push_navigate("/items/2"): the app's path, below the mount point, no page load.
        await ws.send([1, 2, "go", {"to": "/items/2", "how": "navigate"}])
        seen = await until(ws, settled)
        assert [url, "/live/items/2"] in [f[:2] for f in seen]
        assert seen[-1] == [render, "0", 1, '<h1 id="item">2</h1>']
        # Back to the first page (the browser's URL, with the mount point): live too.
        await ws.send([5, 3, "http://localhost/live/nav"])
        assert (await until(ws, settled))[-1] == [render, "0", 1, "<p>nav</p>"]
        # A connected redirect to the app's path loads it below the mount point.
        await ws.send([1, 4, "go", {"to": "/login", "how": "redirect"}])
        last = (await until(ws, lambda f: f[0] in (navigate, error)))[-1]
        assert last[:2] == [navigate, "/live/login"]


# -- for real: FastAPI on uvicorn, in a subprocess -----------------------------------


@dataclass
class Mounted:
    process: subprocess.Popen[str]
    url: str
    """The roost app's URL: the host's address and the mount point, no trailing slash."""
    output: list[str] = field(default_factory=list)

    def stop(self, timeout: float = 30.0) -> tuple[int, str]:
        """Stop the server as a deploy does (SIGINT); its exit code and its stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            out, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
            raise
        self.output.append(out)
        return self.process.returncode, err


@contextmanager
def serve_mounted(
    app: str = "examples.counter:app", at: str = "/app", *, lifespan: bool = False
) -> Iterator[Mounted]:
    """Serve roost app ``app`` (``module:attribute``) mounted at ``at`` in a FastAPI app
    on uvicorn (asyncio) on a free loopback port, in a subprocess; yield once it
    listens. The host keeps the lifespan to itself, unless ``lifespan``: then the
    host's lifespan is ``app.lifespan``."""
    argv = [sys.executable, "-m", "tests.server.test_mounting", app, at]
    if lifespan:
        argv.append("--lifespan")
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        lines: list[str] = []
        url = _listening_url(process, lines)
        yield Mounted(process, url, lines)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _listening_url(process: subprocess.Popen[str], lines: list[str], timeout: float = 30.0) -> str:
    assert process.stdout is not None
    reader = LineReader(process.stdout)
    url = reader.until(
        lambda line: line.split()[1] if line.startswith("serving ") else None, timeout
    )
    reader.rest()
    lines.extend(reader.lines)
    if url is not None:
        return url
    process.kill()
    _, err = process.communicate()
    raise RuntimeError(f"the host did not start; stdout={lines!r} stderr={err[-3000:]}")


def _host_main(app_ref: str, at: str, lifespan: bool) -> None:
    # The subprocess: FastAPI, with the roost app mounted at `at`, on uvicorn.
    import uvicorn
    from fastapi import FastAPI

    module, _, name = app_ref.partition(":")
    roost_app = getattr(importlib.import_module(module), name)
    host = FastAPI(lifespan=roost_app.lifespan) if lifespan else FastAPI()

    @host.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    host.mount(at, roost_app)
    # Listening before uvicorn starts: a client connecting at once waits in the backlog.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    print(f"serving http://127.0.0.1:{port}{at}", flush=True)
    config = uvicorn.Config(host, lifespan="on", log_level="warning")
    try:
        uvicorn.Server(config).run(sockets=[listener])
    except KeyboardInterrupt:  # uvicorn raises the SIGINT it stopped on once it has stopped
        pass


async def _http_get(url: str) -> tuple[int, str]:
    host, _, rest = url.removeprefix("http://").partition("/")
    name, _, port = host.partition(":")
    stream = await trio.open_tcp_stream(name, int(port))
    async with stream:
        request = f"GET /{rest} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        await stream.send_all(request.encode())
        data = b""
        while chunk := await stream.receive_some():
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


@pytest.mark.parametrize("lifespan", [False, True], ids=["no-lifespan", "host-lifespan"])
async def test_fastapi_on_uvicorn_serves_the_mounted_app_and_its_socket(lifespan):
    with serve_mounted("examples.counter:app", "/app", lifespan=lifespan) as served:
        with trio.fail_after(30):
            status, page = await _http_get(served.url + "/?start=41")
            assert status == 200
            assert 'src="/app/_roost/roost.js"' in page
            status, script = await _http_get(served.url + "/_roost/roost.js")
            assert status == 200 and "import.meta.url" in script
            assert await _http_get(served.url.removesuffix("/app") + "/health") == (
                200,
                '{"ok":true}',
            )
            socket_url = (
                served.url.replace("http://", "ws://") + f"/_roost/socket?v={protocol.VERSION}"
            )
            async with open_websocket_url(socket_url) as ws:
                await ws.send_message(json.dumps([0, 1, token_of(page), served.url + "/?start=41"]))
                assert json.loads(await ws.get_message()) == [1, "0", 1]
                assert json.loads(await ws.get_message())[:2] == [2, 1]
                await ws.send_message(json.dumps([1, 2, "inc", {}]))
                patch = json.loads(await ws.get_message())
                assert patch[0] == 0 and patch[2] == 2 and "42" in json.dumps(patch[1])
                await ws.send_message(json.dumps([4]))
        code, err = await trio.to_thread.run_sync(served.stop)
    assert code == 0, err
    assert "Traceback" not in err and "ERROR" not in err, err


if __name__ == "__main__":
    _host_main(sys.argv[1], sys.argv[2], "--lifespan" in sys.argv[3:])
