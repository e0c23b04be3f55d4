# `roost run --reload`: a watcher process that runs the server as its child and
# starts a new one whenever a Python file under the watched folders changes.
"""The reloader of ``roost run --reload``.

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

import anyio
import trio
from watchfiles import PythonFilter, awatch

from ._dev import DEV_ENV

__all__ = [
    "STOP_TIMEOUT",
    "Reloader",
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
