from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import trio
from trio_websocket import WebSocketConnection

from roost import App, LiveView, event, protocol
from roost.server import Runtime
from tests.apps.panel import Panel
from tests.websockets import open_websocket_url


class Counter(LiveView):
    def mount(self, params, session):
        self.count = int(params.get("start", 0))

    def render(self) -> str:
        return f'<p>Count: <b id="n">{self.count}</b></p><button roost-click="inc">+</button>'

    @event
    def inc(self, by: int = 1):
        self.count += by

    @event
    def same(self):
        self.count = self.count

    @event
    def boom(self):
        raise RuntimeError("boom")


@dataclass
class Server:
    app: App
    runtime: Runtime
    url: str

    @property
    def host_port(self) -> tuple[str, int]:
        host, port = self.url.removeprefix("http://").rsplit(":", 1)
        return host, int(port)

    async def get(self, path: str, headers: str = "") -> tuple[int, str]:
        host, port = self.host_port
        stream = await trio.open_tcp_stream(host, port)
        async with stream:
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{headers}"
            await stream.send_all(f"{request}Connection: close\r\n\r\n".encode())
            data = b""
            while chunk := await stream.receive_some():
                data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        return int(head.split()[1]), body.decode()

    async def token(self, path: str = "/") -> str:
        status, body = await self.get(path)
        assert status == 200
        return re.search(r'data-roost-token="([^"]+)"', body).group(1)

    def socket_url(self, version: int = protocol.VERSION) -> str:
        return self.url.replace("http://", "ws://") + f"/_roost/socket?v={version}"


@pytest.fixture
async def server(nursery) -> AsyncIterator[Server]:
    app = App({"/": Counter, "/panel": Panel}, secret="test-secret")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield Server(app, runtime, runtime.urls[0])
    nursery.cancel_scope.cancel()


async def recv(ws: WebSocketConnection) -> list:
    with trio.fail_after(5):
        return json.loads(await ws.get_message())


async def join(server: Server, ws: WebSocketConnection, path: str = "/") -> list:
    """Join ``path``; returns the view's first render (the Joined reply is checked)."""
    await ws.send_message(json.dumps([0, 1, await server.token(path), server.url + path]))
    render = await recv(ws)
    joined = await recv(ws)
    assert joined[:2] == [2, 1] and len(joined[2]) >= 16
    return render


__all__ = ["join", "open_websocket_url", "recv"]


@pytest.fixture
async def deferred():
    """The hook between scheduler batches that ``roost run`` installs (``Runtime``),
    installed in the test's run (roost/server/deferred.py)."""
    import trio.lowlevel

    from roost.server.deferred import DeferredWrites

    hook = DeferredWrites()
    trio.lowlevel.add_instrument(hook)
    yield hook
    trio.lowlevel.remove_instrument(hook)
