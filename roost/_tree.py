# The live supervision tree of a running runtime as data, and faults by path:
# what the admin endpoint (`roost tree`, `roost kill`, `roost restart`) and the
# dashboard both show and do. It reads the runtime; it imports no server code.
from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .actors import Crash, MailboxClosed, MailboxFull, Session
from .protocol import VIEW_TARGET
from .supervisor import ChildNotFound, Killed, NotRunning

if TYPE_CHECKING:
    from .server.runtime import Runtime


class PathError(LookupError):
    """A path that names nothing in the tree, or nothing that can be killed."""


def tree(runtime: Runtime) -> dict[str, Any]:
    """The live tree: ``tree`` (nested nodes) and ``actors`` (every node but the
    supervisors, flat). Each node has ``path``, ``id``, ``kind`` (``supervisor``,
    ``service``, ``view``, ``component``), ``state``, ``restarts``; supervisors
    ``strategy`` and ``intensity``; actors ``mailbox`` and ``memory`` (bytes, an
    estimate of their state's size)."""
    root = runtime.root.describe()
    node = _supervisor_node("", root)
    for child in root["children"]:
        if child["id"] == "sessions":
            node["children"].append(_sessions_node(runtime, child))
        else:
            node["children"].append(
                {
                    "path": str(child["id"]),
                    "id": str(child["id"]),
                    "kind": "supervisor" if child["type"] == "supervisor" else "service",
                    "state": child["state"],
                    "restarts": child["restarts"],
                    "children": [],
                }
            )
    actors = [n for n in _walk(node) if n["kind"] != "supervisor"]
    return {"tree": node, "actors": actors}


def _walk(node: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield node
    for child in node.get("children", ()):
        yield from _walk(child)


def _supervisor_node(path: str, described: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "path": path,
        "id": path.rsplit("/", 1)[-1] if path else "root",
        "kind": "supervisor",
        "strategy": described["strategy"],
        "intensity": described["intensity"],
        "children": [],
        **extra,
    }


def _sessions_node(runtime: Runtime, child: dict[str, Any]) -> dict[str, Any]:
    node = _supervisor_node("sessions", runtime.sessions.describe())
    node.update(state=child["state"], restarts=child["restarts"])
    for session in runtime.live_sessions():
        node["children"].append(_session_node(session))
    return node


def _session_node(session: Session) -> dict[str, Any]:
    path = f"sessions/{session.id}"
    described = session.supervisor.describe() if session.supervisor.running else None
    node = _supervisor_node(
        path,
        described or {"strategy": "one_for_all", "intensity": {}},
        state="running" if session.supervisor.running else "stopping",
        restarts=0,
    )
    # Each actor as its session sees it (state, mailbox), with what its
    # supervisor counts (restarts, and a state of its own while not running).
    counted: dict[str, dict[str, Any]] = {}
    for child in (described or {}).get("children", ()):
        if child["id"] == "view":
            counted[VIEW_TARGET] = child
    comps = session.components_supervisor
    described_comps = comps.describe() if comps.running else None
    if described_comps is not None:
        counted.update({str(c["id"]): c for c in described_comps["children"]})
    actors = {
        row["target"]: _actor_node(session, row, counted.get(row["target"]))
        for row in session.actors()
    }
    view = actors.pop(VIEW_TARGET)
    if described_comps is not None:
        sup = _supervisor_node(f"{path}/view/components", described_comps, state="running")
        sup["children"] = list(actors.values())
        view["children"].append(sup)
    node["children"].append(view)
    return node


def _actor_node(
    session: Session, row: dict[str, Any], counted: dict[str, Any] | None
) -> dict[str, Any]:
    target = row["target"]
    is_view = target == VIEW_TARGET
    path = f"sessions/{session.id}/view" + ("" if is_view else f"/components/{target}")
    actor = session.tab.actor(target)
    state = actor.state if actor is not None else None
    running = row["state"] == "running"
    return {
        "path": path,
        "id": "view" if is_view else target,
        "target": target,
        "kind": row["kind"],
        "class": type(state).__name__ if state is not None else None,
        "state": counted["state"] if running and counted is not None else row["state"],
        "restarts": counted["restarts"] if counted is not None else 0,
        "mailbox": row["mailbox"],
        "memory": estimate_size(state) if state is not None and running else 0,
        "children": [],
    }


def estimate_size(obj: Any, depth: int = 3) -> int:
    """About how many bytes ``obj`` holds: its own size and, ``depth`` levels
    down, its attributes' and items' (shared objects counted once)."""
    seen: set[int] = set()

    def size(o: Any, level: int) -> int:
        if id(o) in seen:
            return 0
        seen.add(id(o))
        total = sys.getsizeof(o, 0)
        if level <= 0:
            return total
        if isinstance(o, dict):
            total += sum(size(k, level - 1) + size(v, level - 1) for k, v in o.items())
        elif isinstance(o, list | tuple | set | frozenset):
            total += sum(size(item, level - 1) for item in o)
        elif hasattr(o, "__dict__") and not isinstance(o, type):
            total += size(vars(o), level - 1)
        return total

    return size(obj, depth)


def _session_and_target(runtime: Runtime, path: str) -> tuple[Session, str] | None:
    parts = path.strip("/").split("/")
    if len(parts) >= 3 and parts[0] == "sessions" and parts[2] == "view":
        session = runtime.session(parts[1])
        if session is None:
            raise PathError(f"no session {parts[1]!r}")
        if len(parts) == 3:
            return session, VIEW_TARGET
        if len(parts) == 5 and parts[3] == "components":
            return session, parts[4]
    return None


async def fault(runtime: Runtime, path: str, how: str) -> str:
    """Kill (cancelled at once: an abnormal exit its supervisor restarts) or
    restart (queued behind what its mailbox holds, then it fails and is
    restarted) the actor or service at ``path``. Returns what was done."""
    found = _session_and_target(runtime, path)
    if found is not None:
        session, target = found
        if how == "kill":
            try:
                session.kill(target, Killed(f"{path} killed by roost kill"))
            except LookupError as exc:
                raise PathError(str(exc)) from None
            return f"killed {path}"
        ref = session.tab.ref(target)
        if ref is None:
            raise PathError(f"{path} is not running (restarting?)")
        try:
            ref.send(Crash(f"{path} restarted by roost restart"))
        except (MailboxClosed, MailboxFull) as exc:
            raise PathError(f"{path} cannot take the request: {exc}") from None
        return f"restarting {path}"
    if "/" not in path.strip("/") and path.strip("/") not in ("", "sessions"):
        try:
            runtime.root.kill_child(path.strip("/"), Killed(f"{path} {how}ed by roost {how}"))
        except (ChildNotFound, NotRunning) as exc:
            raise PathError(str(exc)) from None
        return f"{how}ed {path}" if how == "kill" else f"restarting {path}"
    raise PathError(
        f"{path!r} is not an actor or a service: use a path roost tree shows, "
        "such as sessions/ID/view or sessions/ID/view/components/ID"
    )
