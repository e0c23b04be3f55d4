# Why not hypercorn for these: a page's GET through hypercorn cost the server
# about 700 µs of CPU, of which the app's own work (routing, the dead render,
# the token) was 150: the rest was an app task and its queue, an idle-timer
# task restarted per request, and three shielded writes (head, body, end),
# each through a lock, two cancel scopes and h11's serializer. Every visitor
# pays it once per page, and a burst of visitors pays it on the join path.
"""roost's own answers to plain HTTP/1.1 GET and HEAD requests under ``roost run``.

hypercorn's connection handler (``hypercorn_guard``) offers each new
connection's first request head to :class:`DirectRequests`; a GET or HEAD
with no body, no upgrade and no ``Expect``, for a path the app answers
itself (a page, a static file, roost's client, a 404: never the app's own
``http`` endpoints), is answered here, in the connection's task: h11 parses
the head and frames the response, the app is called as an ASGI app, and the
response goes out in one write when it is whole (a streamed one, chunk by
chunk after the head). The connection then stays with roost for as long as
its requests are of that kind; the first that is not (a POST, a WebSocket
upgrade, a request h11 or this module would not take) is handed to
hypercorn with the bytes read so far, and hypercorn serves the rest.

It keeps hypercorn's bounds under the guard: a head within ``MAX_HEAD`` and
``HEAD_TIMEOUT`` (also the wait for the next request), a write the peer
does not take within ``WRITE_TIMEOUT`` closes the connection and cancels
the app, a request h11 refuses gets 400 and a close, a header h11 refuses
in the app's response a 500, and a connection is closed after
``keep_alive_max_requests`` requests. What it does not do: a request body, a
``server`` header, an access log (``roost run`` keeps hypercorn's off), the
disconnect of a peer that goes away while a response is being made (the
app's second ``receive`` returns ``http.disconnect`` once the response is
sent; roost's own handlers never wait for it).
"""

from __future__ import annotations

import logging
import re
from email.utils import formatdate
from time import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import h11
import trio

from .hypercorn_guard import MAX_HEAD, WRITE_TIMEOUT, bare_lf, refusal

if TYPE_CHECKING:
    from .app import App

log = logging.getLogger("roost.server")

Address = tuple[str, int] | None

_REQUEST_LINE = re.compile(rb"(GET|HEAD) (/[^ \r\n]*) HTTP/1\.[01]\r\n")
_NOT_PLAIN = re.compile(rb"\r\n(?:content-length|transfer-encoding|upgrade|expect)[ \t]*:", re.I)
"""A header that gives the request a body or asks for more than an answer: hypercorn's."""

_STARTS = (b"GET /", b"HEAD /")


_BAD_REQUEST = refusal(400)

_FAILED = refusal(500)
"""What an app that failed before it began its response answers (as hypercorn does)."""

_NO_BODY_STATUS = frozenset({204, 304})


class DirectRequests:
    """Answers the plain GET and HEAD requests ``app`` serves itself, on the connection."""

    def __init__(self, app: App, write_timeout: float = WRITE_TIMEOUT) -> None:
        self.app = app
        self.write_timeout = write_timeout
        self._date = (0, b"")

    def claims(self, head: bytes) -> bool | None:
        """Whether the request that begins ``head`` is answered here; None while
        the bytes so far cannot tell.

        Only a complete head within ``MAX_HEAD`` is claimed, and only when it
        is plainly a GET or HEAD of a path the app answers itself; anything
        else, however malformed, is hypercorn's to answer.
        """
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) > MAX_HEAD or bare_lf(head, len(head)):
                return False
            if head.startswith(_STARTS) or any(start.startswith(head) for start in _STARTS):
                return None
            return False
        line = _REQUEST_LINE.match(head, 0, end + 2)
        if end + 4 > MAX_HEAD or line is None or _NOT_PLAIN.search(head, 0, end + 2):
            return False
        if bare_lf(head, end):
            return False
        try:
            path = unquote(line[2].partition(b"?")[0].decode("ascii"))
        except UnicodeDecodeError:
            return False
        return self.app.answers_reads(path)

    async def serve(
        self,
        stream: trio.SocketStream,
        head: bytes,
        client: Address,
        server: Address,
        *,
        last: bool = False,
    ) -> bytes | None:
        """Answer the request at the start of ``head`` (which :meth:`claims`).

        Returns what was read past that request when the connection may carry
        the next one, None when it is to be closed (the caller closes it).
        ``last``: the connection's last request (hypercorn's
        ``keep_alive_max_requests``), answered with ``connection: close``.
        """
        end = head.index(b"\r\n\r\n") + 4
        parser = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        parser.receive_data(head[:end])
        try:
            request = parser.next_event()
            if not isinstance(request, h11.Request) or not isinstance(
                parser.next_event(), h11.EndOfMessage
            ):
                raise h11.RemoteProtocolError("not a request without a body")
        except h11.RemoteProtocolError:
            await self._write(stream, _BAD_REQUEST)
            return None
        path, _, query = request.target.partition(b"?")
        method = request.method.decode("ascii")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": request.http_version.decode("ascii"),
            "method": method,
            "scheme": "http",
            "path": unquote(path.decode("ascii")),
            "raw_path": path,
            "query_string": query,
            "root_path": "",
            "headers": list(request.headers),
            "client": client,
            "server": server,
            "extensions": {},
        }
        response = _Response(self, stream, parser, method == "HEAD", last)
        try:
            # A peer gone (or not reading) cancels the app, as hypercorn's guard
            # does: a streamed file is not read to the end for no one.
            with response.scope:
                await self.app(scope, response.receive, response.send)
        except Exception:
            log.exception("the app failed answering %s %s", method, scope["path"])
            if not response.started:
                await self._write(stream, _FAILED)
            return None
        finally:
            response.finished()
        if not response.started:
            log.error("the app answered %s %s with nothing", method, scope["path"])
            await self._write(stream, _FAILED)
            return None
        if response.broken or parser.our_state is not h11.DONE:
            return None  # gone, cut short, or the request asked for a close
        return head[end:]

    async def _write(self, stream: trio.SocketStream, data: bytes) -> bool:
        """Write ``data``; False when the peer has gone or did not take it in time."""
        with trio.move_on_after(self.write_timeout) as deadline:
            try:
                await stream.send_all(data)
            except (trio.BrokenResourceError, trio.ClosedResourceError):
                return False
        if deadline.cancelled_caught:
            log.info("closing a connection whose peer took no data for %s s", self.write_timeout)
            return False
        return True

    def date(self) -> bytes:
        """The ``date`` header's value, made once a second."""
        now = int(time())
        if self._date[0] != now:
            self._date = (now, formatdate(now, usegmt=True).encode("ascii"))
        return self._date[1]


class _Response:
    """One request's ASGI ``receive`` and ``send``: the head held until the
    first body, so that a whole response is one write."""

    def __init__(
        self,
        owner: DirectRequests,
        stream: trio.SocketStream,
        parser: h11.Connection,
        head: bool,
        last: bool,
    ) -> None:
        self.scope = trio.CancelScope()
        self._last = last
        self._owner = owner
        self._stream = stream
        self._parser = parser
        self._bodiless = head  # a HEAD request: the length is told, no body sent
        self._pending = b""
        self._received = False
        self._over = False
        self._done: trio.Event | None = None
        self.started = False
        self.broken = False

    async def receive(self) -> dict[str, Any]:
        if not self._received:
            self._received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        if not self._over:
            if self._done is None:
                self._done = trio.Event()
            await self._done.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            if self.started:
                raise RuntimeError("http.response.start sent twice")
            status = int(message["status"])
            if status < 200:
                raise RuntimeError(f"an informational response ({status}) is not served here")
            headers = [
                (bytes(name).strip(), bytes(value).strip())
                for name, value in message.get("headers", ())
            ]
            headers.append((b"date", self._owner.date()))
            if self._last:
                headers.append((b"connection", b"close"))
            # h11 refuses a bad header here, before anything counts as started:
            # the app's failure is then answered with a 500.
            response = h11.Response(status_code=status, headers=headers)
            self._pending = self._parser.send(response) or b""
            self.started = True
            self._bodiless = self._bodiless or status in _NO_BODY_STATUS
        elif kind == "http.response.body":
            if not self.started:
                raise RuntimeError("http.response.body sent before http.response.start")
            if self.broken:
                await trio.lowlevel.checkpoint()  # where the app's cancellation lands
                return
            if self._parser.our_state is not h11.SEND_BODY:
                return  # the response is whole: more of it is not an error (as hypercorn)
            out = self._pending
            self._pending = b""
            body = message.get("body", b"")
            if body and not self._bodiless:
                out += self._parser.send(h11.Data(data=bytes(body))) or b""
            whole = not message.get("more_body", False)
            if whole:
                out += self._parser.send(h11.EndOfMessage()) or b""
            if out and not await self._owner._write(self._stream, out):
                self.broken = True
                self.scope.cancel()
                self.finished()
                await trio.lowlevel.checkpoint()  # the app ends here
            if whole:
                self.finished()
        else:
            raise RuntimeError(f"unexpected ASGI message {kind!r} on an HTTP/1.1 response")

    def finished(self) -> None:
        """The response is sent, or will not be: a waiting ``receive`` returns."""
        self._over = True
        if self._done is not None:
            self._done.set()
