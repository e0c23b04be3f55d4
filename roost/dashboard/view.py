# The dashboard's LiveView: it reads the server it runs in (the admin
# endpoint's tree, the telemetry figures) once a second, and kills or
# restarts what an operator points at.
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..actors import LiveView, event
from ..server.admin import PathError, fault, tree
from .stats import STATS

if TYPE_CHECKING:
    from ..server import App

REFRESH = 1.0
"""Seconds between two refreshes of an open dashboard."""


def dashboard_view(app: App) -> type[LiveView]:
    """The dashboard's view class for ``app`` (it reads ``app.runtime``)."""

    class Dashboard(LiveView):
        template = "dashboard.html"

        def mount(self, params: dict[str, Any], session: dict[str, Any]) -> None:
            self.page_title = "roost dashboard"
            self.message = ""
            self.actors: list[dict[str, Any]] = []
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
            self.actors = tree(runtime)["actors"]
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
