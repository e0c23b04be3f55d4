# The dashboard's LiveView: it reads the server it runs in (the admin
# endpoint's tree, the telemetry figures) once a second, and kills or
# restarts what an operator points at.
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .._tree import PathError, fault, tree
from ..actors import LiveView, event
from .stats import STATS

if TYPE_CHECKING:
    from ..server import App

REFRESH = 1.0
"""Seconds between two refreshes of an open dashboard."""


def tree_rows(node: dict[str, Any]) -> list[dict[str, Any]]:
    """The nested tree of ``admin.tree()`` as the dashboard's rows, each node
    before its children: its fields, ``level`` (the root's is 1), ``parent``
    (its supervisor's path), ``guide`` (the branch lines before its name),
    ``supervision`` (a supervisor's strategy and intensity, in words) and
    ``faultable`` (whether kill and restart apply to it)."""
    return list(_rows(node, None, 1, "", ""))


def _rows(
    node: dict[str, Any], parent: str | None, level: int, guide: str, inner: str
) -> Iterator[dict[str, Any]]:
    row = {key: value for key, value in node.items() if key != "children"}
    row.update(
        level=level,
        parent=parent,
        guide=guide,
        supervision=_supervision(node) if node["kind"] == "supervisor" else "",
        # What fault() acts on: actors and services, not the supervisors.
        faultable=node["kind"] != "supervisor",
    )
    yield row
    children = node.get("children", ())
    for i, child in enumerate(children):
        last = i == len(children) - 1
        yield from _rows(
            child,
            node["path"],
            level + 1,
            inner + ("└── " if last else "├── "),
            inner + ("    " if last else "│   "),
        )


def _supervision(node: dict[str, Any]) -> str:
    intensity = node.get("intensity") or {}
    text = str(node.get("strategy") or "")
    if intensity:
        restarts, seconds = intensity.get("max_restarts"), intensity.get("max_seconds")
        text += f", at most {restarts} restarts in {seconds:g} s"
    return text


def dashboard_view(app: App) -> type[LiveView]:
    """The dashboard's view class for ``app`` (it reads ``app.runtime``)."""

    class Dashboard(LiveView):
        template = "dashboard.html"

        def mount(self, params: dict[str, Any], session: dict[str, Any]) -> None:
            self.page_title = "roost dashboard"
            self.message = ""
            self.rows: list[dict[str, Any]] = []
            self.sessions = 0
            self.stats: dict[str, Any] = STATS.snapshot()
            if self.connected:
                STATS.open()
                self.send_after(REFRESH, "tick")
            self.refresh()

        def terminate(self, reason: BaseException | None) -> None:
            if self.connected:
                STATS.close()

        def handle_info(self, message: Any) -> None:
            if message == "tick":
                self.refresh()
                self.send_after(REFRESH, "tick")

        def refresh(self) -> None:
            runtime = app.runtime
            if runtime is None:
                return
            self.rows = tree_rows(tree(runtime)["tree"])
            self.sessions = len(runtime.live_sessions())
            self.stats = STATS.snapshot()

        @event
        async def kill(self, path: str) -> None:
            await self._fault(path, "kill")

        @event
        async def restart(self, path: str) -> None:
            await self._fault(path, "restart")

        async def _fault(self, path: str, how: str) -> None:
            runtime = app.runtime
            if runtime is None:
                return
            try:
                self.message = await fault(runtime, path, how)
            except PathError as exc:
                self.message = str(exc)
            self.refresh()

    return Dashboard
