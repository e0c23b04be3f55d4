# `roost tree`, `roost kill` and `roost restart`: a client of the admin
# endpoint of a running server (roost/server/admin.py).
from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any

from ..server.admin import admin_token
from ..server.tokens import configured_secrets

DEFAULT_URL = "http://127.0.0.1:8001"
"""Where ``roost run`` on its default port (8000) puts the admin endpoint."""
SECRET_ENV = "ROOST_SECRET"


class AdminError(Exception):
    """What went wrong talking to the endpoint, said for the command line."""


def request(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One JSON request to the admin endpoint at ``url``, signed with ROOST_SECRET."""
    secret = configured_secrets().split(",")[0].strip()
    if not secret:
        raise AdminError(
            f"{SECRET_ENV} is not set (nor ROOST_SECRET_FILE): set it to the running "
            "server's secret (roost run serves the admin endpoint only when it has one)"
        )
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url.rstrip("/") + path,
        data=data,
        method=method,
        headers={
            "Authorization": f"Bearer {admin_token(secret)}",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as answer:
            return json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        try:
            said = json.loads(exc.read()).get("error", "")
        except ValueError:
            said = ""
        if exc.code == 401:
            raise AdminError(f"refused by {url}: {SECRET_ENV} is not the server's secret") from None
        raise AdminError(f"{url} answered {exc.code}: {said}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise AdminError(
            f"no admin endpoint at {url} ({reason}); is `roost run` running there "
            f"with {SECRET_ENV} set? It prints the endpoint's URL at start-up"
        ) from None


def render(tree: dict[str, Any]) -> str:
    """The tree as text, one line per supervisor or actor, indented by depth."""
    lines: list[str] = []

    def walk(node: dict[str, Any], prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else ("└── " if last else "├── ")
        lines.append(prefix + branch + _line(node))
        children = node.get("children", [])
        inner = prefix + ("" if top else ("    " if last else "│   "))
        for i, child in enumerate(children):
            walk(child, inner, i == len(children) - 1, False)

    walk(tree, "", True, True)
    return "\n".join(lines) + "\n"


def _line(node: dict[str, Any]) -> str:
    kind = node["kind"]
    parts = [node["id"] if node.get("path") else "root", kind]
    if kind == "supervisor":
        intensity = node.get("intensity") or {}
        if node.get("strategy"):
            parts.append(node["strategy"])
        if intensity:
            parts.append(f"{intensity.get('max_restarts')}/{intensity.get('max_seconds'):g}s")
    if node.get("class"):
        parts.append(node["class"])
    if "state" in node:
        parts.append(node["state"])
    if kind != "supervisor" or node.get("restarts"):
        parts.append(f"restarts={node.get('restarts', 0)}")
    if "mailbox" in node:
        parts.append(f"mailbox={node['mailbox']}")
    if node.get("memory"):
        parts.append(f"mem={_size(node['memory'])}")
    if node.get("path"):
        parts.append(node["path"])
    return "  ".join(str(p) for p in parts)


def _size(n: int) -> str:
    return f"{n / 1024:.1f}KiB" if n >= 1024 else f"{n}B"


def tree_command(url: str, as_json: bool, watch: bool, interval: float) -> int:
    """``roost tree``; returns the exit status."""
    try:
        while True:
            answer = request(url, "GET", "/tree")
            text = json.dumps(answer, indent=2) + "\n" if as_json else render(answer["tree"])
            if watch:
                # Redraw in place: home, clear, the tree, and when it was taken.
                sys.stdout.write("\x1b[H\x1b[2J" + text + time.strftime("%H:%M:%S\n"))
                sys.stdout.flush()
                time.sleep(interval)
                continue
            sys.stdout.write(text)
            return 0
    except AdminError as exc:
        print(f"roost: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


def fault_command(url: str, how: str, path: str) -> int:
    """``roost kill PATH`` / ``roost restart PATH``; returns the exit status."""
    try:
        answer = request(url, "POST", f"/{how}", {"path": path})
    except AdminError as exc:
        print(f"roost: {exc}", file=sys.stderr)
        return 1
    print(f"roost: {answer['done']}")
    return 0
