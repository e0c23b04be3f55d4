"""The dead render over HTTP and the client's files."""

from __future__ import annotations

import trio


async def test_get_renders_the_view_with_a_signed_token_and_the_client(server):
    status, body = await server.get("/?start=3")
    assert status == 200
    assert '<b id="n">3</b>' in body
    assert 'data-roost-id="0"' in body
    assert server.app.signer.verify(await server.token())["r"] == "/"
    assert '<script type="module" src="/_roost/roost.js">' in body


async def test_the_client_files_are_served_and_nothing_else(server):
    status, body = await server.get("/_roost/roost.js")
    assert status == 200 and "applyPatches" in body
    assert (await server.get("/_roost/protocol.js"))[0] == 200
    assert (await server.get("/_roost/../pyproject.toml"))[0] == 404
    assert (await server.get("/_roost/nope.js"))[0] == 404


async def test_unknown_paths_are_404(server):
    assert (await server.get("/missing"))[0] == 404


async def test_the_dead_render_includes_each_components_content():
    from roost import App
    from tests.actors.test_component import Parent

    html = await App({"/": Parent}).dead_render("/", Parent, {})
    assert '<div data-roost-id="a"><b class="label">first</b><i class="count">0</i>' in html
    assert '<div data-roost-id="seed"><b class="label">seed</b>' in html


async def test_a_failing_dead_render_is_a_500_page_not_a_dead_server(nursery):
    from roost import App, LiveView
    from roost.server import Runtime

    from .conftest import Server

    class Broken(LiveView):
        def mount(self, params, session):
            self.n = int(params["n"])

        def render(self):
            return f"<p>{self.n}</p>"

    app = App({"/": Broken})
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    server = Server(app, runtime, runtime.urls[0])
    status, body = await server.get("/?n=abc")
    assert status == 500 and "Something went wrong" in body
    assert (await server.get("/?n=3"))[0] == 200


async def test_pages_carrying_a_token_are_never_cached(server):
    host, port = server.host_port
    stream = await trio.open_tcp_stream(host, port)
    async with stream:
        await stream.send_all(
            f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := await stream.receive_some():
            data += chunk
    assert b"cache-control: no-store" in data.lower()


async def test_handle_params_sees_the_same_url_in_the_dead_render_and_once_connected(nursery):
    from roost import App, LiveView
    from roost.server import Runtime
    from roost.testing import LiveClient

    class Where(LiveView):
        def handle_params(self, params, url):
            self.url = url

        def render(self) -> str:
            return f"<p>{self.url}</p>"

    app = App({"/where": Where})
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    base = runtime.urls[0]
    status, page = await _get(base, "/where?a=1&b=two")
    assert status == 200
    assert f"<p>{base}/where?a=1&b=two</p>" in page
    async with LiveClient.connect(base, "/where?a=1&b=two", app=app) as view:
        assert view.text("p") == f"{base}/where?a=1&b=two"


async def _get(base: str, path: str) -> tuple[int, str]:
    from roost.testing._socket import http_get

    host, port = base.removeprefix("http://").rsplit(":", 1)
    return await http_get(host, int(port), f"{host}:{port}", path)
