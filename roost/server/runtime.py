# The app's root supervision tree, as drawn in DESIGN.md: pubsub, store, the
# sessions dynamic supervisor and (under `roost run`) the HTTP server.
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc
import hypercorn.config
import hypercorn.trio

from ..actors import Registry
from ..pubsub import MemoryPubSub
from ..store import MemoryStore
from ..supervisor import ChildSpec, DynamicSupervisor, Supervisor

if TYPE_CHECKING:
    from .app import App


class Runtime:
    """The running tree of one app in one process.

    ``run`` starts it under the caller's task group and reports ``started``
    once every child is up (the HTTP server listening, when ``bind`` is
    given). Cancelling the caller stops it in reverse order; a failure past
    the root's restart intensity is raised out of ``run``.
    """

    def __init__(self, app: App, bind: str | None = None) -> None:
        self.app = app
        self.bind = bind
        self.urls: list[str] = []
        self.pubsub = MemoryPubSub()
        self.store = MemoryStore()
        self.names = Registry()
        self.sessions = DynamicSupervisor(max_children=app.max_sessions, name="sessions")
        children = [
            ChildSpec("pubsub", self.pubsub.run),
            ChildSpec("store", self.store.run),
            *app.children,
            self.sessions.child_spec(id="sessions"),
        ]
        if bind is not None:
            children.append(ChildSpec("http", self._serve_http))
        self.root = Supervisor(children, strategy="one_for_one", name="root")

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        self.app.runtime = self
        try:
            await self.root.run(task_status=task_status)
        finally:
            self.app.runtime = None

    async def _serve_http(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        config = hypercorn.config.Config()
        config.bind = [self.bind]
        config.accesslog = None
        config.errorlog = logging.getLogger("hypercorn.error")
        config.websocket_max_message_size = 64 * 1024
        config.graceful_timeout = 2.0

        class _Started:
            def started(inner, urls: list[str] | None = None) -> None:
                self.urls = list(urls or [])
                task_status.started(self.urls)

        await hypercorn.trio.serve(self.app, config, task_status=_Started())  # type: ignore[arg-type]
