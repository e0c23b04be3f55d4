# The admin endpoint `roost tree`, `roost kill` and `roost restart` talk to:
# the live supervision tree as JSON, and faults by path. Its own listener
# (loopback by default), and every request must carry the server's secret.
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._tree import PathError, fault, tree

if TYPE_CHECKING:
    from .runtime import Runtime

ADMIN_HEADER = "authorization"
SCHEME = "Bearer "
MAX_BODY = 4096


def admin_token(secret: str) -> str:
    """What a request must show (``Authorization: Bearer <token>``): derived from
    the server's secret, so the secret itself never goes over the wire."""
    return hmac.new(secret.encode(), b"roost admin endpoint", hashlib.sha256).hexdigest()


class AdminEndpoint:
    """The ASGI app of the admin listener (HTTP only, JSON answers).

    ``GET /tree``; ``POST /kill`` and ``POST /restart`` with ``{"path": ...}``.
    Each request needs ``Authorization: Bearer <admin_token(secret)>`` for one
    of the server's secrets; else 401, and nothing is done.
    """

    def __init__(self, runtime: Runtime, secrets: Iterable[str]) -> None:
        self.runtime = runtime
        self.tokens = [admin_token(s) for s in secrets]

    def _allowed(self, scope: dict[str, Any]) -> bool:
        given = ""
        for name, value in scope.get("headers", ()):
            if name.decode("latin-1").lower() == ADMIN_HEADER:
                given = value.decode("latin-1")
        if not given.startswith(SCHEME):
            return False
        token = given[len(SCHEME) :].strip()
        return any(hmac.compare_digest(token, t) for t in self.tokens)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        if not self._allowed(scope):
            await _answer(send, 401, {"error": "the server's secret (ROOST_SECRET) is needed"})
            return
        method, path = scope["method"], scope["path"]
        if method == "GET" and path == "/tree":
            await _answer(send, 200, tree(self.runtime))
            return
        if method == "POST" and path in ("/kill", "/restart"):
            body = await _body(receive)
            try:
                target = json.loads(body)["path"]
                if not isinstance(target, str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                await _answer(send, 400, {"error": 'send {"path": "..."}'})
                return
            try:
                done = await fault(self.runtime, target, path[1:])
            except PathError as exc:
                await _answer(send, 404, {"error": str(exc)})
                return
            await _answer(send, 200, {"done": done})
            return
        await _answer(send, 404, {"error": f"no {method} {path}"})


async def _body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        body += bytes(message.get("body", b""))
        if len(body) > MAX_BODY or not message.get("more_body"):
            return bytes(body[:MAX_BODY])


async def _answer(send: Any, status: int, payload: Any) -> None:
    body = json.dumps(payload, default=str).encode()
    headers = [(b"content-type", b"application/json"), (b"cache-control", b"no-store")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
