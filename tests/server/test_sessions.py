"""The cookie session and on_mount hooks: a login endpoint (a Starlette route of
the app) sets the cookie, a hook sends anonymous visitors to it on both renders,
and the view's mount gets the session on the dead render and once connected."""

from __future__ import annotations

import json

import trio
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from roost import App, LiveView, protocol
from roost.server import Runtime
from roost.testing import LiveClient, MountError
from tests.websockets import open_websocket_url


def require_user(view, params, session):
    if not session.get("user"):
        view.redirect("/login")
        return
    view.user = session["user"]


class Authenticated(LiveView):
    on_mount = (require_user,)


class Home(Authenticated):
    mounted_with: list[str] = []

    def mount(self, params, session):
        Home.mounted_with.append(session.get("user", ""))

    def render(self) -> str:
        return f'<p id="user">{self.user}</p>'


async def login(request: Request):
    form = await request.form()
    if form.get("username") == "demo" and form.get("password") == "demo":
        request.session["user"] = "demo"
        return RedirectResponse("/", status_code=303)
    return PlainTextResponse("wrong username or password", status_code=401)


async def health(request: Request):
    return PlainTextResponse("ok")


def make_app() -> App:
    Home.mounted_with = []
    routes = [Route("/login", login, methods=["POST"]), Route("/health", health)]
    return App({"/": Home}, secret="test", http_routes=routes)


async def test_a_hook_redirects_an_anonymous_visitor_and_lets_a_logged_in_one_mount():
    app = make_app()
    try:
        async with LiveClient.mount(app, "/"):
            raise AssertionError("mounted without a user")
    except MountError as exc:
        assert exc.code == "redirected" and "/login" in exc.message
    assert Home.mounted_with == []  # the hook stopped it before mount
    async with LiveClient.mount(app, "/", session={"user": "demo"}) as view:
        assert view.text("#user") == "demo"
    assert Home.mounted_with == ["demo", "demo"]  # the dead render and the connected mount


class Raw:
    """A bare HTTP/1.1 client over trio, for exact status codes and cookies."""

    def __init__(self, url: str) -> None:
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self.host, self.port = host, int(port)
        self.cookie = ""

    async def request(self, method: str, path: str, body: str = "") -> tuple[int, dict, str]:
        stream = await trio.open_tcp_stream(self.host, self.port)
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nConnection: close\r\n"
        if self.cookie:
            head += f"Cookie: {self.cookie}\r\n"
        if body:
            head += "Content-Type: application/x-www-form-urlencoded\r\n"
            head += f"Content-Length: {len(body)}\r\n"
        async with stream:
            await stream.send_all((head + "\r\n" + body).encode())
            data = b""
            while chunk := await stream.receive_some():
                data += chunk
        raw_head, _, raw_body = data.partition(b"\r\n\r\n")
        status_line, *lines = raw_head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(": ")
            headers[name.lower()] = value
            if name.lower() == "set-cookie":
                self.cookie = value.split(";", 1)[0]
        return int(status_line.split()[1]), headers, raw_body.decode()


async def test_a_login_post_sets_the_cookie_and_both_renders_get_the_session(nursery):
    app = make_app()
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    url = runtime.urls[0]
    client = Raw(url)

    status, headers, _ = await client.request("GET", "/")
    assert (status, headers["location"]) == (303, "/login")  # the hook, over HTTP
    assert (await client.request("GET", "/health"))[:1] == (200,)
    status, _, text = await client.request("POST", "/login", "username=demo&password=nope")
    assert (status, text) == (401, "wrong username or password")
    assert (await client.request("GET", "/login"))[0] == 405  # the route takes POST only
    status, headers, _ = await client.request("POST", "/login", "username=demo&password=demo")
    assert (status, headers["location"]) == (303, "/")
    assert client.cookie.startswith("roost_session=")

    status, _, page = await client.request("GET", "/")
    assert status == 200 and '<p id="user">demo</p>' in page
    token = page.split('data-roost-token="', 1)[1].split('"', 1)[0]
    claims = app.signer.verify(token)
    claims.pop("h", None)  # ask for the whole render: it shows what the live mount got
    async with open_websocket_url(
        url.replace("http://", "ws://") + f"/_roost/socket?v={protocol.VERSION}"
    ) as ws:
        await ws.send_message(json.dumps([0, 1, app.signer.sign(claims), url + "/"]))
        with trio.fail_after(5):
            render = json.loads(await ws.get_message())
    assert render[0] == 1 and '<p id="user">demo</p>' in render[3]
    assert Home.mounted_with == ["demo", "demo"]
    nursery.cancel_scope.cancel()


async def test_a_host_apps_session_in_the_scope_is_the_one_the_view_gets():
    app = make_app()
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "session": {"user": "host"},  # as Starlette's SessionMiddleware leaves it
    }
    await app(scope, receive, send)
    assert sent[0]["status"] == 200
    assert b'<p id="user">host</p>' in sent[1]["body"]


async def call(
    app, method: str, path: str, cookie: str = "", body: bytes = b"", content_type: str = ""
) -> tuple[int, dict, bytes]:
    """One HTTP request through an ASGI app, in process."""
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    headers = [(b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    if body:
        kind = content_type or "application/x-www-form-urlencoded"
        headers += [(b"content-type", kind.encode()), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "method": method,
        "path": path.partition("?")[0],
        "raw_path": path.partition("?")[0].encode(),
        "root_path": "",
        "query_string": path.partition("?")[2].encode(),
        "headers": headers,
        "scheme": "http",
        "server": ("localhost", 80),
        "http_version": "1.1",
    }
    await app(scope, receive, send)
    head = {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]}
    answer = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], head, answer


async def test_mounted_in_a_starlette_app_the_views_get_the_hosts_session():
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.sessions import SessionMiddleware
    from starlette.routing import Mount

    async def host_login(request: Request):
        request.session["user"] = "host-user"
        return PlainTextResponse("logged in")

    roost_app = App({"/": Home}, secret="roost-secret")
    host = Starlette(
        routes=[Route("/login", host_login, methods=["POST"]), Mount("/live", app=roost_app)],
        middleware=[Middleware(SessionMiddleware, secret_key="the-hosts-own-key")],
    )
    status, headers, _ = await call(host, "POST", "/login")
    assert status == 200
    cookie = headers["set-cookie"].split(";", 1)[0]
    assert cookie.startswith("session=")  # the host's cookie, not roost's
    status, _, page = await call(host, "GET", "/live/", cookie)
    assert status == 200 and b'<p id="user">host-user</p>' in page
    status, headers, _ = await call(host, "GET", "/live/")  # no host session: the hook
    assert (status, headers["location"]) == (303, "/live/login")
