# The app's root supervision tree, as drawn in DESIGN.md: pubsub, store, the
# sessions dynamic supervisor and (under `roost run`) the HTTP server.
from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

import anyio
import anyio.abc
import hypercorn.config
import hypercorn.trio

from ..actors import Registry, Session
from ..actors.outbox import Transport
from ..pubsub import MemoryPubSub
from ..store import MemoryStore
from ..supervisor import ChildNotFound, ChildSpec, DynamicSupervisor, NotRunning, Supervisor, events

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
        self._sessions: dict[str, Session] = {}
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

    async def start_session(
        self, claims: dict[str, Any], transport: Transport, *, url: str = ""
    ) -> Session:
        """The session a verified token's ``claims`` name, now sending to ``transport``.

        A session with that id that is still running (its tab reconnected
        within the grace period) is attached to ``transport`` and resumes with
        its state; otherwise a new one starts. Raises ``LookupError`` when no
        view is routed at the claimed path, and whatever the view's start
        raised (its ``mount``, say) otherwise.
        """
        running = self._sessions.get(claims.get("s", ""))
        if running is not None and not running.ended:
            await running.attach(transport)
            return running
        await self._gone(claims.get("s", ""))
        view_class = self.app.routes.get(claims.get("r", ""))
        if view_class is None:
            raise LookupError(f"no view is routed at {claims.get('r')!r}")
        session = Session(
            claims["s"],
            view_class,
            claims.get("p", {}),
            {},
            transport,
            url=url,
            pubsub=self.pubsub,
            names=self.names,
            grace=self.app.reconnect_grace,
        )
        await self.sessions.start_child(session.child_spec())
        self._sessions[session.id] = session
        session.when_ended(lambda: self._forget(session))
        return session

    async def end_session(self, session: Session) -> None:
        """Stop ``session`` (a normal exit); nothing if it already ended."""
        if not session.ended and self.sessions.running:
            with contextlib.suppress(ChildNotFound, NotRunning):
                await self.sessions.terminate_child(session.id)

    def session(self, session_id: str) -> Session | None:
        """The running session with this id, if any."""
        return self._sessions.get(session_id)

    async def _gone(self, session_id: str) -> None:
        # A session that just ended may still be a child of `sessions` for a
        # moment; its id is free once the supervisor reports it gone.
        if not self.sessions.running:
            return
        with events.listen(self.sessions.name) as recorder:
            seen = 0
            while any(child == session_id for child, _, _ in self.sessions.which_children()):
                seen += 1
                await recorder.wait_for(child=session_id, count=seen)

    def _forget(self, session: Session) -> None:
        if self._sessions.get(session.id) is session:
            del self._sessions[session.id]

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
        assert self.bind is not None
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
