# `roost run --reload`: a watcher process that runs the server as its child and
# starts a new one whenever a Python file under the watched folders changes; and,
# inside a dev mode server, the watcher that makes open pages follow their templates.
"""The reloader of ``roost run --reload``, and the live reload of dev mode.

The watcher (this process) serves nothing itself: it runs ``roost run`` without
``--reload`` as a child process, in dev mode (``ROOST_ENV=dev``), and watches
the Python files of the working directory (and of the app's package, when that
lies elsewhere) with watchfiles. On a change it stops the child as Ctrl-C would
(its sessions end gracefully) and starts a new one, on the same port and with
the same secret. A child that exits by itself (a syntax error in the app, say)
has said why on its standard error; the watcher says that it waits for the
next change, and starts the server again then. Ctrl-C (SIGINT), SIGTERM or
SIGHUP stop the child, then the watcher, with status 0.

The child runs in its own process group, so that Ctrl-C in a terminal reaches
the watcher only, which then stops the child once.

Inside the server, in dev mode, :class:`TemplateWatcher` (a child of the app's
tree) needs no restart: a changed template re-renders the open pages, a
changed root layout reloads them, a changed stylesheet of the static folder is
fetched again by them.
"""

from __future__ import annotations

import importlib.util
import logging
import math
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import anyio.abc
import jinja2
import trio
from watchfiles import Change, DefaultFilter, PythonFilter, awatch

from . import protocol
from ._dev import DEV_ENV, DEV_STYLESHEET
from .actors import (
    MailboxClosed,
    MailboxFull,
    Rerender,
    SessionEnded,
    template_classes,
)
from .render.environment import environment_of, loaded_templates, template_folders
from .supervisor import IGNORE, ChildSpec

if TYPE_CHECKING:
    from .actors import Session
    from .server import App

__all__ = [
    "STOP_TIMEOUT",
    "TEMPLATE_WATCHER",
    "Reloader",
    "TemplateWatcher",
    "child_environment",
    "python_command",
    "watched_paths",
]

STOP_TIMEOUT = 20.0
"""Seconds a server being restarted or stopped has to exit before it is killed
(its own graceful shutdown takes at most ``roost.cli.SHUTDOWN_TIMEOUT``)."""

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

SECRET_ENV = "ROOST_SECRET"

log = logging.getLogger("roost")


@dataclass(frozen=True)
class _Changed:
    """Watched files changed."""

    paths: tuple[str, ...]


@dataclass(frozen=True)
class _Stop:
    """The watcher was asked to stop, by this signal."""

    signum: int


class _Server:
    """One child process running the server."""

    def __init__(self, process: trio.Process) -> None:
        self.process = process
        self.stopping = False

    async def report_exit(self, say: Callable[[str], None]) -> None:
        """Say so when the server exits without having been asked to."""
        status = await self.process.wait()
        if not self.stopping:
            say(f"roost: the server exited with status {status}; waiting for a change to restart")

    async def stop(self, signum: int) -> None:
        """Send ``signum``; kill the process if it has not exited after ``STOP_TIMEOUT``."""
        self.stopping = True
        if self.process.poll() is not None:
            return
        self.process.send_signal(signum)
        with trio.move_on_after(STOP_TIMEOUT):
            await self.process.wait()
            return
        log.warning("roost: the server did not stop within %s s; killing it", STOP_TIMEOUT)
        self.process.kill()
        await self.process.wait()


class Reloader:
    """Run ``command`` as a child process; run it anew when a Python file under
    ``paths`` changes; stop it and return 0 on SIGINT, SIGTERM or SIGHUP.

    ``env`` is the child's environment. ``say`` prints the watcher's own lines.
    ``pass_fds``: file descriptors each child inherits (the listening socket).
    """

    def __init__(
        self,
        command: Sequence[str],
        paths: Sequence[Path],
        *,
        env: Mapping[str, str],
        say: Callable[[str], None] = lambda line: print(line, flush=True),
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.command = list(command)
        self.pass_fds = tuple(pass_fds)
        self.paths = list(paths)
        self.env = dict(env)
        self.say = say
        self.restarts = 0

    def run(self) -> int:
        """Block until stopped by a signal; the exit status (0)."""
        return trio.run(self._run)

    async def _run(self) -> int:
        send, inbox = trio.open_memory_channel[_Changed | _Stop](math.inf)
        stop_watching = anyio.Event()
        with trio.open_signal_receiver(*STOP_SIGNALS) as signals:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._watch, send.clone(), stop_watching)
                nursery.start_soon(_forward_signals, signals, send)
                shown = ", ".join(str(p) for p in self.paths)
                self.say(f"roost: dev mode; restarting on changes to Python files in {shown}")
                server: _Server | None = None
                try:
                    while True:
                        server = await self._start(nursery)
                        message = await inbox.receive()
                        if isinstance(message, _Stop):
                            await server.stop(message.signum)
                            break
                        self.say(f"roost: {_describe(message.paths)} changed; restarting")
                        await server.stop(signal.SIGTERM)
                        self.restarts += 1
                        # Files changed meanwhile reach the next server anyway; a stop ends here.
                        if _stop_requested(inbox):
                            break
                finally:
                    # Whatever ends the watcher (the watching failed, say) ends its server.
                    if server is not None:
                        with trio.CancelScope(shield=True):
                            await server.stop(signal.SIGTERM)
                stop_watching.set()
                nursery.cancel_scope.cancel()
        return 0

    async def _start(self, nursery: trio.Nursery) -> _Server:
        process = await trio.lowlevel.open_process(
            self.command, env=self.env, process_group=0, pass_fds=self.pass_fds
        )
        server = _Server(process)
        nursery.start_soon(server.report_exit, self.say)
        return server

    async def _watch(
        self, send: trio.MemorySendChannel[_Changed | _Stop], stop: anyio.Event
    ) -> None:
        async with send:
            async for changes in awatch(
                *self.paths, watch_filter=PythonFilter(), stop_event=stop, debounce=400
            ):
                await send.send(_Changed(tuple(sorted({path for _, path in changes}))))


async def _forward_signals(
    signals: AsyncIterator[int], send: trio.MemorySendChannel[_Changed | _Stop]
) -> None:
    async for signum in signals:
        await send.send(_Stop(signum))


def _stop_requested(inbox: trio.MemoryReceiveChannel[_Changed | _Stop]) -> bool:
    """Empty ``inbox``; whether it held a stop request."""
    stop = False
    while True:
        try:
            stop |= isinstance(inbox.receive_nowait(), _Stop)
        except trio.WouldBlock:
            return stop


def _describe(paths: Sequence[str]) -> str:
    shown = [os.path.relpath(p) if not os.path.relpath(p).startswith("..") else p for p in paths]
    return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")


def watched_paths(app: str, cwd: Path) -> list[Path] | None:
    """The folders ``--reload`` watches for ``app`` (``module:attribute``): ``cwd``,
    and the folder of the app's top-level package (or its module's file) when it
    lies outside ``cwd``; None when there is no such module. Finding it imports
    nothing."""
    top = app.partition(":")[0].split(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    paths = [cwd]
    places: Iterable[str] = spec.submodule_search_locations or (
        [spec.origin] if spec.origin and spec.has_location else []
    )
    for place in places:
        path = Path(place).resolve()
        if not path.is_relative_to(cwd):
            paths.append(path)
    return paths


def child_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The servers' environment: ``env`` with dev mode on (``ROOST_ENV=dev``) and,
    unless ``env`` names one, one random ``ROOST_SECRET`` for all of them, so
    that the tokens of open pages and the session cookie (a login) stay valid
    across restarts (an ``App(secret=...)`` still takes its own)."""
    child = {**env, DEV_ENV: "dev"}
    if not child.get(SECRET_ENV) and not child.get("ROOST_SECRET_FILE"):
        child[SECRET_ENV] = secrets.token_urlsafe(32)
    return child


def python_command(args: Sequence[str]) -> list[str]:
    """The command that runs ``roost ARGS`` with this Python."""
    return [sys.executable, "-c", "import sys; from roost.cli import main; sys.exit(main())", *args]


# -- dev mode: open pages follow their templates -----------------------------------

TEMPLATE_WATCHER = "dev-reload"
"""The id of :class:`TemplateWatcher`'s child in the app's tree."""

_ROOST = Path(__file__).resolve().parent


class TemplateWatcher:
    """Dev mode's live reload of ``app``'s open pages, without a restart.

    It watches (with watchfiles) the folders of the app's templates (its views'
    and components', the root layout's) and its static folder. When a loaded
    template's file changes, every actor of every open page renders its whole
    template again: what the edit changed goes out as a patch, state kept. A
    template that no longer compiles is reported in the log instead, and the
    pages keep what they show. When the root layout changes, the open pages
    reload; when a ``.css`` file of the static folder changes, they fetch it
    again (``DEV_STYLESHEET``).
    """

    def __init__(self, app: App) -> None:
        self.app = app

    def child_spec(self) -> ChildSpec:
        """Its spec, for the app's ``children`` (id ``TEMPLATE_WATCHER``)."""
        return ChildSpec(TEMPLATE_WATCHER, self.run)

    def folders(self) -> list[Path]:
        """The folders it watches: the root layout's, the static folder, and the
        template folders of the view and component classes defined so far
        (roost's own package aside); none inside another."""
        found = set(template_folders())
        for cls in template_classes():
            found.add(Path(cls.__roost_template_dir__).resolve())
        found.add(self.app.layout.path.parent.resolve())
        if self.app.static is not None:
            found.add(self.app.static.directory)
        kept: list[Path] = []
        for folder in sorted(found, key=lambda f: len(f.parts)):
            if folder.is_relative_to(_ROOST) or not folder.is_dir():
                continue
            if not any(folder.is_relative_to(k) for k in kept):
                kept.append(folder)
        return kept

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED
    ) -> object:
        folders = self.folders()
        if not folders:
            return IGNORE
        stop = anyio.Event()
        async with anyio.create_task_group() as group:
            await group.start(self._watch, folders, stop)
            task_status.started()
            try:
                await anyio.sleep_forever()
            finally:
                # The watching thread returns only when asked: its cancel waits for it.
                stop.set()
        return None

    async def _watch(
        self,
        folders: list[Path],
        stop: anyio.Event,
        *,
        task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        changes = awatch(*folders, watch_filter=_NotPython(), stop_event=stop, debounce=400)
        # The first step of the loop sets up the watches before this task waits for
        # anything: a file changed once `started` has returned is seen.
        task_status.started()
        async for changed in changes:
            await self.changed(_resolved(path for _, path in changed))

    async def changed(self, paths: set[Path]) -> None:
        """Act on the files ``paths`` having changed (see the class)."""
        layout = self.app.layout.path.resolve()
        static = self.app.static
        stylesheets = [
            p
            for p in paths
            if static is not None and p.is_relative_to(static.directory) and p.suffix == ".css"
        ]
        loaded = loaded_templates()
        templates = sorted(p for p in paths if p in loaded and p != layout)
        if layout in paths and _compiles(layout):
            log.info("roost: the layout %s changed; reloading the open pages", _shown(layout))
            for session in self._sessions():
                to = session.tab.href(session.view.url or "/")
                await _tell(session, protocol.Navigate(to))
        if templates and all(_compiles(p) for p in templates):
            shown = ", ".join(_shown(p) for p in templates)
            log.info("roost: %s changed; rendering the open pages again", shown)
            for session in self._sessions():
                for target in session.tab.targets():
                    ref = session.tab.ref(target)
                    if ref is None:
                        continue
                    try:
                        ref.send(Rerender())
                    except (MailboxFull, MailboxClosed):
                        pass  # busy or gone: its next render shows the edit anyway
        for path in stylesheets:
            assert static is not None
            name = path.relative_to(static.directory).as_posix()
            try:
                url = static.url(name)
            except ValueError:  # deleted
                continue
            detail = {"path": url.partition("?")[0], "url": url}
            for session in self._sessions():
                await _tell(session, protocol.PushEvent(DEV_STYLESHEET, detail))

    def _sessions(self) -> list[Session]:
        runtime = self.app.runtime
        return runtime.live_sessions() if runtime is not None else []


class _NotPython(DefaultFilter):
    """What watchfiles' default filter lets through, but for Python files (a
    change to one is ``--reload``'s: the server restarts)."""

    def __call__(self, change: Change, path: str) -> bool:
        return not path.endswith((".py", ".pyc", ".pyo")) and super().__call__(change, path)


def _resolved(paths: Iterable[str]) -> set[Path]:
    return {Path(path).resolve() for path in paths}


def _compiles(path: Path) -> bool:
    """Whether the template file ``path`` compiles; says why in the log when not."""
    found = environment_of(path)
    if found is None:
        return True
    env, name = found
    try:
        env.get_template(name)  # dev mode: re-read, since it changed
    except jinja2.TemplateSyntaxError as exc:
        log.error(
            "roost: %s, line %s: %s; the open pages keep what they show",
            _shown(path),
            exc.lineno,
            exc.message,
        )
        return False
    except jinja2.TemplateNotFound:
        return False  # deleted (or being saved): its next version is another change
    return True


def _shown(path: Path) -> str:
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


async def _tell(session: Session, message: protocol.ServerMessage) -> None:
    try:
        await session.outbox.put(message)
    except SessionEnded:
        pass
