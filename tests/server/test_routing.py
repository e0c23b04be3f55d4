"""Routes with typed parameters: what a path and a query string give a view, on
the dead render and again when the page's socket joins."""

from __future__ import annotations

import json
import uuid

import pytest
import trio

from roost import App, LiveView, protocol
from roost.server import Router, Runtime, query_params
from roost.testing import LiveClient
from tests.websockets import open_websocket_url


class Seen(LiveView):
    """Shows the params it was mounted with, each with its type."""

    def mount(self, params, session):
        self.seen = {k: f"{type(v).__name__}:{v}" for k, v in sorted(params.items())}

    def render(self) -> str:
        return f"<pre id='seen'>{json.dumps(self.seen, sort_keys=True)}</pre>"


class Other(LiveView):
    def render(self) -> str:
        return "<p>other</p>"


ROUTES = {
    "/": Other,
    "/incidents/new": Other,
    "/incidents/{id:int}": Seen,
    "/files/{rest:path}": Seen,
    "/users/{name}/posts/{post:uuid}": Seen,
    "/price/{amount:float}": Seen,
}


@pytest.mark.parametrize(
    ("path", "pattern", "params"),
    [
        ("/", "/", {}),
        ("/incidents/new", "/incidents/new", {}),  # declared first: not an id
        ("/incidents/42", "/incidents/{id:int}", {"id": 42}),
        ("/incidents/-3", "/incidents/{id:int}", {"id": -3}),
        ("/files/a/b/c.txt", "/files/{rest:path}", {"rest": "a/b/c.txt"}),
        ("/price/9.5", "/price/{amount:float}", {"amount": 9.5}),
    ],
)
def test_a_path_matches_its_route_with_typed_parameters(path, pattern, params):
    match = Router(ROUTES).match(path)
    assert match is not None
    assert (match.route.pattern, match.path_params) == (pattern, params)


def test_a_uuid_parameter_is_a_uuid():
    value = uuid.uuid4()
    match = Router(ROUTES).match(f"/users/ada/posts/{value}")
    assert match is not None and match.path_params == {"name": "ada", "post": value}


@pytest.mark.parametrize(
    "path",
    [
        "/incidents/abc",
        "/incidents/",
        "/incidents/1/2",
        "/users/a/posts/not-a-uuid",
        "/nope",
        "/incidents/99999999999999999999999",
    ],
)
def test_a_path_no_route_takes_is_not_found(path):
    assert Router(ROUTES).match(path) is None


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("/a/{id:number}", "unknown parameter type 'number'"),
        ("/a/{id}/{id}", "parameter 'id' appears twice"),
        ("/a/{id", "a parameter is written {name} or {name:type}"),
        ("/a/{1x}", "a parameter is written {name} or {name:type}"),
        ("a", "a pattern starts with '/'"),
    ],
)
def test_a_malformed_pattern_is_refused_when_the_app_is_made(pattern, problem):
    with pytest.raises(
        ValueError, match="route .*" + problem.replace("{", r"\{").replace("}", r"\}")
    ):
        App({pattern: Seen})


def test_repeated_query_keys_are_kept_as_a_list_and_single_ones_as_a_string():
    assert query_params("tag=a&q=x&tag=b&empty=") == {"tag": ["a", "b"], "q": "x", "empty": ""}


async def test_the_view_gets_typed_path_params_over_query_params_in_process():
    async with LiveClient.mount(App(ROUTES), "/incidents/7?id=nine&tag=a&tag=b") as view:
        assert json.loads(view.text("#seen")) == {
            "id": "int:7",  # the path's, typed, wins over the query's
            "tag": "list:['a', 'b']",
        }


async def test_the_dead_render_and_the_joined_view_see_the_same_typed_params(nursery):
    app = App(ROUTES, secret="test")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    url = runtime.urls[0]
    host, port = url.removeprefix("http://").rsplit(":", 1)
    post = uuid.uuid4()
    path = f"/users/ada/posts/{post}?tag=a&tag=b"
    stream = await trio.open_tcp_stream(host, int(port))
    async with stream:
        await stream.send_all(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode()
        )
        page = b""
        while chunk := await stream.receive_some():
            page += chunk
    text = page.decode()
    token = text.split('data-roost-token="', 1)[1].split('"', 1)[0]
    expected = {"name": "str:ada", "post": f"UUID:{post}", "tag": "list:['a', 'b']"}
    dead = json.loads(
        text.split("<pre id='seen'>", 1)[1].split("</pre>", 1)[0].replace("&#34;", '"')
    )
    assert dead == expected
    async with open_websocket_url(
        url.replace("http://", "ws://") + f"/_roost/socket?v={protocol.VERSION}"
    ) as ws:
        # A token without what the page holds: the join sends the whole render.
        claims = app.signer.verify(token)
        claims.pop("h", None)
        await ws.send_message(json.dumps([0, 1, app.signer.sign(claims), url + path]))
        with trio.fail_after(5):
            render = json.loads(await ws.get_message())
    assert render[0] == 1
    live = json.loads(
        render[3].split("<pre id='seen'>", 1)[1].split("</pre>", 1)[0].replace("&#34;", '"')
    )
    assert live == expected
    nursery.cancel_scope.cancel()
