"""JSON endpoints given to the app as Starlette routes (``App(http_routes=...)``):
served beside the views, with their path parameters, methods and the request's
cookie session."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from roost import App, LiveView

from .test_sessions import call

ITEMS = {1: {"id": 1, "name": "first"}, 2: {"id": 2, "name": "second"}}


class Home(LiveView):
    def render(self) -> str:
        return '<p id="home">home</p>'


async def list_items(request: Request) -> JSONResponse:
    return JSONResponse(list(ITEMS.values()))


async def one_item(request: Request) -> JSONResponse:
    item = ITEMS.get(request.path_params["id"])
    return JSONResponse(item if item else {"error": "no such item"}, 200 if item else 404)


async def add_item(request: Request) -> JSONResponse:
    data = await request.json()
    return JSONResponse({"id": 3, "name": data["name"]}, status_code=201)


async def me(request: Request) -> JSONResponse:
    return JSONResponse({"user": request.session.get("user")})


async def log_in(request: Request) -> PlainTextResponse:
    request.session["user"] = "demo"
    return PlainTextResponse("ok")


def make_app() -> App:
    return App(
        {"/": Home},
        secret="test",
        http_routes=[
            Route("/api/items", list_items),
            Route("/api/items", add_item, methods=["POST"]),
            Route("/api/items/{id:int}", one_item),
            Route("/api/me", me),
            Route("/login", log_in, methods=["POST"]),
        ],
    )


async def test_a_json_endpoint_answers_beside_the_views():
    app = make_app()
    status, headers, body = await call(app, "GET", "/api/items")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body) == [{"id": 1, "name": "first"}, {"id": 2, "name": "second"}]
    status, _, page = await call(app, "GET", "/")
    assert status == 200 and b'<p id="home">home</p>' in page  # the view is still there


async def test_a_json_endpoint_gets_its_typed_path_parameters_and_its_methods():
    app = make_app()
    status, _, body = await call(app, "GET", "/api/items/2")
    assert (status, json.loads(body)) == (200, {"id": 2, "name": "second"})
    status, _, body = await call(app, "GET", "/api/items/9")
    assert (status, json.loads(body)) == (404, {"error": "no such item"})
    assert (await call(app, "GET", "/api/items/abc"))[0] == 404  # not an int: no route
    sent = json.dumps({"name": "third"}).encode()
    status, _, body = await call(
        app, "POST", "/api/items", body=sent, content_type="application/json"
    )
    assert (status, json.loads(body)) == (201, {"id": 3, "name": "third"})
    assert (await call(app, "DELETE", "/api/items"))[0] == 405


async def test_a_json_endpoint_reads_the_cookie_session_the_views_get():
    app = make_app()
    status, _, body = await call(app, "GET", "/api/me")
    assert (status, json.loads(body)) == (200, {"user": None})
    status, headers, _ = await call(app, "POST", "/login")
    assert status == 200
    cookie = headers["set-cookie"].split(";", 1)[0]
    assert cookie.startswith("roost_session=")
    status, _, body = await call(app, "GET", "/api/me", cookie)
    assert (status, json.loads(body)) == (200, {"user": "demo"})
