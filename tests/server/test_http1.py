"""roost's own answers to plain GET and HEAD requests (roost/server/http1.py):
which requests it takes, that a kept-alive connection goes on correctly from
one request to the next and to hypercorn, and its bounds. Against a real
hypercorn server on loopback in this process, and on socket pairs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import trio
import trio.testing
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.routing import Route

from roost import App
from roost.server import Runtime, http1
from roost.server.hypercorn_guard import MAX_HEAD, GuardedTaskGroup
from tests.hostile.conftest import InProcess, connect

from .conftest import Counter

KIB = 1024


@pytest.fixture
async def served(nursery, tmp_path) -> AsyncIterator[InProcess]:
    (tmp_path / "big.txt").write_bytes(bytes(range(256)) * 2048)  # 512 KiB, in chunks
    ended = trio.Event()

    async def endless(request):
        async def chunks():
            try:
                yield b"first\n"
                await trio.sleep_forever()
            finally:
                ended.set()

        return StreamingResponse(chunks(), media_type="text/plain")

    async def echo(request):
        return PlainTextResponse((await request.body()).decode() or "empty")

    app = App(
        {"/": Counter},
        secret="test-secret",
        static_dir=tmp_path,
        http_routes=[Route("/endless", endless), Route("/echo", echo, methods=["GET", "POST"])],
    )
    app.endless_ended = ended  # type: ignore[attr-defined]
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    yield InProcess(app, runtime, runtime.urls[0])
    nursery.cancel_scope.cancel()


@pytest.fixture
def through_hypercorn(monkeypatch) -> list[str]:
    """The method and path of each HTTP request hypercorn handed to the app."""
    seen: list[str] = []
    spawn_app = GuardedTaskGroup.spawn_app

    async def recording(self, app, config, scope, send):
        if scope["type"] == "http":
            seen.append(f"{scope['method']} {scope['path']}")
        return await spawn_app(self, app, config, scope, send)

    monkeypatch.setattr(GuardedTaskGroup, "spawn_app", recording)
    return seen


class Responses:
    """Reads HTTP/1.1 responses off one connection, one at a time."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = b""

    async def next(self, *, head_only: bool = False) -> tuple[int, dict[str, str], bytes]:
        with trio.fail_after(5):
            while b"\r\n\r\n" not in self.buffer:
                await self._more()
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            headers = dict(line.lower().split(": ", 1) for line in lines[1:])
            length = 0 if head_only else int(headers.get("content-length", 0))
            while len(self.buffer) < length:
                await self._more()
            body, self.buffer = self.buffer[:length], self.buffer[length:]
        return int(lines[0].split()[1]), headers, body

    async def closed(self, within: float = 5.0) -> bool:
        """True once the server closed the connection (with nothing more sent)."""
        with trio.fail_after(within):
            try:
                return await self.stream.receive_some(65536) == b"" and not self.buffer
            except trio.BrokenResourceError:
                return True

    async def _more(self) -> None:
        data = await self.stream.receive_some(65536)
        if not data:
            raise ConnectionError(f"closed with {self.buffer[:200]!r} unread")
        self.buffer += data


def get(served: InProcess, path: str, method: str = "GET", extra: str = "") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: {served.netloc}\r\n{extra}\r\n".encode()


# -- which requests it takes ----------------------------------------------------


def test_claims_a_plain_get_or_head_of_what_the_app_answers_itself():
    app = App({"/": Counter, "/items/{id}": Counter}, secret="s", http_routes=[Route("/api", None)])
    requests = http1.DirectRequests(app)
    host = b"Host: x\r\n"
    for line in (
        b"GET / HTTP/1.1",
        b"HEAD / HTTP/1.1",
        b"GET /items/3?a=1 HTTP/1.1",
        b"GET /_roost/client.js HTTP/1.1",
        b"GET / HTTP/1.0",
    ):
        assert requests.claims(line + b"\r\n" + host + b"\r\n") is True, line
    # Not yet decidable: the start of a GET or HEAD, a head not finished.
    for partial in (b"G", b"HEA", b"GET /", b"GET / HTTP/1.1\r\nHost: x\r\n"):
        assert requests.claims(partial) is None, partial
    # hypercorn's: other methods, the app's own endpoints, bodies, upgrades,
    # anything unusual, however it goes on.
    for head in (
        b"POST / HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /api HTTP/1.1\r\n" + host + b"\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"Content-Length: 3\r\n\r\nabc",
        b"GET / HTTP/1.1\r\n" + host + b"transfer-encoding: chunked\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"Expect: 100-continue\r\n\r\n",
        b"GET http://x/ HTTP/1.1\r\n" + host + b"\r\n",
        b"GET / HTTP/2.0\r\n" + host + b"\r\n",
        b"GET /\xc3\xa9 HTTP/1.1\r\n" + host + b"\r\n",
        b"PRI * HTTP/2.0\r\n",
        b"OPTIONS",
        # Lines ended by LF alone, which h11 reads and this path leaves to it.
        b"GET / HTTP/1.1\nHost: x\n",
        b"GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n",
    ):
        assert requests.claims(head) is False, head
    # A head over the limit is hypercorn's to refuse (431).
    padded = b"GET / HTTP/1.1\r\n" + host + b"X-Pad: " + b"a" * MAX_HEAD + b"\r\n\r\n"
    assert requests.claims(padded) is False
    assert requests.claims(padded[: MAX_HEAD + 100]) is False


async def test_a_page_is_answered_without_hypercorn(served, through_hypercorn):
    stream = await connect(served)
    async with stream:
        await stream.send_all(get(served, "/?start=41"))
        status, headers, body = await Responses(stream).next()
    assert status == 200 and b"data-roost-token" in body and b'<b id="n">41</b>' in body
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-store" and "date" in headers
    assert through_hypercorn == []


async def test_requests_sent_together_are_answered_in_order_on_one_connection(
    served, through_hypercorn
):
    stream = await connect(served)
    async with stream:
        await stream.send_all(
            get(served, "/?start=1") + get(served, "/_roost/nothing") + get(served, "/?start=3")
        )
        responses = Responses(stream)
        first, missing, third = [await responses.next() for _ in range(3)]
        # and the connection stays open for the next one
        await stream.send_all(get(served, "/?start=4"))
        fourth = await responses.next()
    assert [r[0] for r in (first, missing, third, fourth)] == [200, 404, 200, 200]
    assert b">1</b>" in first[2] and b">3</b>" in third[2] and b">4</b>" in fourth[2]
    assert missing[0] == 404 and through_hypercorn == []


async def test_a_request_it_does_not_take_hands_the_connection_to_hypercorn(
    served, through_hypercorn
):
    stream = await connect(served)
    async with stream:
        responses = Responses(stream)
        await stream.send_all(get(served, "/"))
        page = await responses.next()
        body = "hello"
        post = get(served, "/echo", "POST", f"Content-Length: {len(body)}\r\n")
        await stream.send_all(post + body.encode() + get(served, "/echo") + get(served, "/"))
        echoed, empty, again = [await responses.next() for _ in range(3)]
    assert (page[0], echoed, empty[2], again[0]) == (200, (200, echoed[1], b"hello"), b"empty", 200)
    # The rest of the connection went through hypercorn, whatever it asked for.
    assert through_hypercorn == ["POST /echo", "GET /echo", "GET /"]


async def test_the_apps_own_endpoints_go_through_hypercorn_and_see_the_peer_leave(
    served, through_hypercorn
):
    stream = await connect(served)
    async with stream:
        await stream.send_all(get(served, "/endless"))
        responses = Responses(stream)
        with trio.fail_after(5):
            while b"first" not in responses.buffer:
                await responses._more()
    with trio.fail_after(5):
        await served.app.endless_ended.wait()  # its stream was ended when the peer left
    assert through_hypercorn == ["GET /endless"]


async def test_a_request_with_lines_ended_by_lf_alone_is_still_answered(served):
    stream = await connect(served)
    async with stream:
        await stream.send_all(f"GET / HTTP/1.1\nHost: {served.netloc}\n\n".encode())
        status, _, body = await Responses(stream).next()
    assert status == 200 and b"data-roost-token" in body


async def test_head_gives_the_length_and_no_body(served):
    stream = await connect(served)
    async with stream:
        responses = Responses(stream)
        await stream.send_all(get(served, "/static/big.txt", "HEAD"))
        status, headers, body = await responses.next(head_only=True)
        await stream.send_all(get(served, "/?start=7"))
        after = await responses.next()  # nothing of a body came in between
    assert status == 200 and headers["content-length"] == str(512 * KIB) and body == b""
    assert after[0] == 200 and b">7</b>" in after[2]


async def test_a_static_file_larger_than_a_chunk_arrives_whole(served, tmp_path):
    stream = await connect(served)
    async with stream:
        await stream.send_all(get(served, "/static/big.txt"))
        status, _, body = await Responses(stream).next()
    assert status == 200 and body == (tmp_path / "big.txt").read_bytes()


@pytest.mark.parametrize(
    "request_line, extra",
    [("GET / HTTP/1.1", "Connection: close\r\n"), ("GET / HTTP/1.0", "")],
)
async def test_a_request_that_asks_for_a_close_gets_it_after_its_answer(
    served, request_line, extra
):
    stream = await connect(served)
    async with stream:
        await stream.send_all(f"{request_line}\r\nHost: {served.netloc}\r\n{extra}\r\n".encode())
        responses = Responses(stream)
        status, headers, _ = await responses.next()
        assert status == 200 and headers.get("connection") == "close"
        assert await responses.closed()


async def test_a_request_h11_refuses_gets_400_and_a_close(served):
    stream = await connect(served)
    async with stream:
        await stream.send_all(b"GET / HTTP/1.1\r\nNo-Host: here\r\n\r\n")  # 1.1 needs a Host
        responses = Responses(stream)
        status, headers, _ = await responses.next()
        assert status == 400 and headers["connection"] == "close"
        assert await responses.closed()


async def test_a_connection_that_sends_nothing_more_is_closed_after_the_keep_alive_timeout(
    served,
):
    from roost.server.hypercorn_guard import HEAD_TIMEOUT

    stream = await connect(served)
    async with stream:
        await stream.send_all(get(served, "/"))
        responses = Responses(stream)
        assert (await responses.next())[0] == 200
        start = trio.current_time()
        assert await responses.closed(within=HEAD_TIMEOUT + 3)
    assert trio.current_time() - start >= HEAD_TIMEOUT - 0.5


# -- one request, on a socket pair ------------------------------------------------


class Plain:
    """An ASGI app that answers every path with ``respond``."""

    def __init__(self, respond) -> None:
        self.respond = respond

    def answers_reads(self, path: str) -> bool:
        return True

    async def __call__(self, scope, receive, send) -> None:
        await self.respond(scope, receive, send)


async def answer(respond, request: bytes = b"GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n", **kw):
    """Serve ``request`` with an app that ``respond``s: what the peer got, what serve returned."""
    ours, theirs = trio.testing.memory_stream_pair()
    requests = http1.DirectRequests(Plain(respond), **kw)  # type: ignore[arg-type]
    rest = await requests.serve(ours, request, ("127.0.0.1", 5), ("127.0.0.1", 80))  # type: ignore[arg-type]
    await ours.aclose()
    received = b""
    while chunk := await theirs.receive_some():
        received += chunk
    return received, rest


async def test_the_scope_is_what_asgi_would_give():
    scopes = []

    async def respond(scope, receive, send):
        scopes.append(scope)
        assert await receive() == {"type": "http.request", "body": b"", "more_body": False}
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    received, rest = await answer(
        respond, b"GET /a%20b?c=1 HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n\r\nGE"
    )
    (scope,) = scopes
    assert scope["type"] == "http" and scope["method"] == "GET" and scope["http_version"] == "1.1"
    assert (scope["path"], scope["raw_path"], scope["query_string"]) == ("/a b", b"/a%20b", b"c=1")
    assert scope["headers"] == [(b"host", b"x"), (b"x-a", b"1")]
    assert scope["client"] == ("127.0.0.1", 5) and scope["root_path"] == ""
    assert received.startswith(b"HTTP/1.1 204 ") and rest == b"GE"  # the next request's start


async def test_a_whole_response_goes_out_in_one_write():
    async def respond(scope, receive, send):
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"5")]}
        )
        await send({"type": "http.response.body", "body": b"hello"})

    ours, _theirs = trio.testing.memory_stream_pair()
    writes: list[bytes] = []
    send_all = ours.send_all

    async def recording(data):
        writes.append(bytes(data))
        await send_all(data)

    ours.send_all = recording  # type: ignore[method-assign]
    requests = http1.DirectRequests(Plain(respond))  # type: ignore[arg-type]
    await requests.serve(ours, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", None, None)  # type: ignore[arg-type]
    assert len(writes) == 1 and writes[0].startswith(b"HTTP/1.1 200 ")
    assert writes[0].endswith(b"\r\n\r\nhello")


async def test_an_app_that_fails_before_answering_gets_500_and_a_close(caplog):
    async def respond(scope, receive, send):
        raise RuntimeError("the app broke")

    received, rest = await answer(respond)
    assert received.startswith(b"HTTP/1.1 500 ") and b"connection: close" in received
    assert rest is None and "the app broke" in caplog.text


async def test_an_app_that_returns_without_answering_gets_500(caplog):
    async def respond(scope, receive, send):
        pass

    received, rest = await answer(respond)
    assert received.startswith(b"HTTP/1.1 500 ") and rest is None
    assert "answered GET /a with nothing" in caplog.text


async def test_a_response_cut_short_closes_the_connection():
    async def respond(scope, receive, send):
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]}
        )
        await send({"type": "http.response.body", "body": b"12345", "more_body": True})

    received, rest = await answer(respond)
    assert received.endswith(b"\r\n\r\n12345") and rest is None


async def test_a_second_receive_is_the_disconnect_once_the_response_is_sent():
    events = []

    async def respond(scope, receive, send):
        await receive()
        async with trio.open_nursery() as nursery:

            async def listen():
                events.append(await receive())

            nursery.start_soon(listen)
            await trio.testing.wait_all_tasks_blocked()
            assert events == []  # not while the response is being made
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"2")],
                }
            )
            await send({"type": "http.response.body", "body": b"ok"})
        events.append("returned")

    received, _ = await answer(respond)
    assert received.endswith(b"ok") and events == [{"type": "http.disconnect"}, "returned"]


async def test_a_receive_after_the_response_is_the_disconnect_at_once():
    events = []

    async def respond(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        with trio.fail_after(1):
            events.append(await receive())

    received, _ = await answer(respond)
    assert received.startswith(b"HTTP/1.1 204 ") and events == [{"type": "http.disconnect"}]


async def test_a_peer_that_does_not_read_is_dropped_after_the_write_timeout(autojump_clock):
    async def respond(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"x" * 100})

    ours, _theirs = trio.testing.lockstep_stream_pair()  # the peer never reads
    requests = http1.DirectRequests(Plain(respond), write_timeout=7.0)  # type: ignore[arg-type]
    with trio.fail_after(30):
        rest = await requests.serve(ours, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", None, None)  # type: ignore[arg-type]
    assert rest is None and trio.current_time() == pytest.approx(7.0)


async def test_a_peer_gone_mid_response_cancels_the_app(autojump_clock):
    sent = []

    async def respond(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:  # a file streamed in chunks, for as long as it is taken
            await send({"type": "http.response.body", "body": b"x" * 1000, "more_body": True})
            sent.append(1)

    ours, _theirs = trio.testing.lockstep_stream_pair()  # the peer never reads
    requests = http1.DirectRequests(Plain(respond), write_timeout=7.0)  # type: ignore[arg-type]
    with trio.fail_after(30):
        rest = await requests.serve(ours, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", None, None)  # type: ignore[arg-type]
    assert rest is None and sent == []  # not one chunk more after the write that failed


async def test_a_header_h11_refuses_is_answered_with_500(caplog):
    async def respond(scope, receive, send):
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", b"/a\r\nx: y")],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    received, rest = await answer(respond)
    assert received.startswith(b"HTTP/1.1 500 ") and rest is None
    assert b"x: y" not in received


async def test_the_last_request_a_connection_may_make_is_answered_with_a_close():
    async def respond(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    ours, theirs = trio.testing.memory_stream_pair()
    requests = http1.DirectRequests(Plain(respond))  # type: ignore[arg-type]
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    rest = await requests.serve(ours, request * 2, None, None, last=True)  # type: ignore[arg-type]
    await ours.aclose()
    received = b""
    while chunk := await theirs.receive_some():
        received += chunk
    assert rest is None and received.count(b"HTTP/1.1 204 ") == 1
    assert b"connection: close" in received.lower()


async def test_a_connection_is_closed_after_hypercorns_most_requests(nursery, monkeypatch):
    import hypercorn.config

    monkeypatch.setattr(hypercorn.config.Config, "keep_alive_max_requests", 2)
    app = App({"/": Counter}, secret="test-secret")
    runtime = Runtime(app, bind="127.0.0.1:0")
    await nursery.start(runtime.run)
    served = InProcess(app, runtime, runtime.urls[0])
    stream = await connect(served)
    async with stream:
        await stream.send_all(get(served, "/") * 3)
        responses = Responses(stream)
        first, second = [await responses.next() for _ in range(2)]
        assert first[0] == second[0] == 200
        assert "connection" not in first[1] and second[1]["connection"] == "close"
        assert await responses.closed()


def test_the_date_header_is_an_http_date():
    assert re.fullmatch(
        rb"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT",
        http1.DirectRequests(None).date(),  # type: ignore[arg-type]
    )
