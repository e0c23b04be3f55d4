# The `roost` console script: `roost run module:app` serves an app under its
# supervision tree until Ctrl-C (exit 0) or a failure of the root (exit 1).
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import importlib
import logging
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import trio

from ._dev import DEV_ENV
from .server import App, Runtime

SHUTDOWN_TIMEOUT = 10.0
"""Seconds Ctrl-C (or SIGTERM) leaves the sessions to stop gracefully before the rest
is cancelled."""

log = logging.getLogger("roost")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``roost`` command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="roost", description="Phoenix-style LiveViews on Trio.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help="serve an app under its supervision tree")
    run.add_argument(
        "app", help="the app to serve, as module:attribute (e.g. examples.counter:app)"
    )
    run.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    run.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one")
    run.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    run.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also serve requests for this Host name (repeatable; see docs/security.md)",
    )
    run.add_argument(
        "--reload",
        action="store_true",
        help="dev mode: restart the server when a Python file changes, re-read changed "
        'templates, show errors in the page (docs/guide.md, "Dev mode")',
    )
    routes = commands.add_parser("routes", help="list an app's routes and the views they mount")
    routes.add_argument("app", help="the app, as module:attribute (e.g. examples.counter:app)")
    args = parser.parse_args(argv)
    _configure_logging(getattr(args, "log_level", "warning"))
    if getattr(args, "reload", False):
        return run_reloading(parser, args)
    try:
        app = load_app(args.app)
    except AppNotFound as exc:
        parser.exit(2, f"roost: {exc}\n")
    if args.command == "routes":
        print(routes_table(app), end="")
        return 0
    # The URL roost prints must work: the address it listens on is served too.
    extra = [*args.allowed_host]
    if args.host not in ("0.0.0.0", "::", ""):
        extra.append(args.host)
    app.hosts.extend(extra)
    if app.debug:
        print(f"roost: dev mode ({DEV_ENV}=dev or App(debug=True)): not for production", flush=True)
    return serve(app, args.host, args.port)


def run_reloading(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``roost run --reload``: a watcher process that runs the server (in dev
    mode) as its child, and a new one whenever a Python file changes; see
    ``roost._reload``. The app is imported by the server only, so that an error
    in it leaves the watcher waiting for the fix."""
    from ._reload import Reloader, child_environment, free_port, python_command, watched_paths

    module_name, _, attribute = args.app.partition(":")
    if not module_name or not attribute:
        parser.exit(2, f"roost: expected module:attribute, got {args.app!r}\n")
    cwd = Path.cwd()
    if str(cwd) not in sys.path:
        sys.path.insert(0, str(cwd))
    paths = watched_paths(args.app, cwd)
    if paths is None:
        parser.exit(2, f"roost: cannot import {module_name!r}: no such module\n")
    command = ["run", args.app, "--host", args.host, "--log-level", args.log_level]
    command += ["--port", str(args.port or free_port(args.host))]
    for host in args.allowed_host:
        command += ["--allowed-host", host]
    # watchfiles logs each change it sees; the watcher says so in its own words.
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    reloader = Reloader(python_command(command), paths, env=child_environment(os.environ))
    return reloader.run()


def routes_table(app: App) -> str:
    """``roost routes``: each route's pattern, the view it mounts, and its typed
    parameters, in the order they are matched."""
    rows = [
        (
            route.pattern,
            f"{route.view.__module__}.{route.view.__qualname__}",
            ", ".join(f"{name}: {kind}" for name, kind in route.params),
        )
        for route in app.router
    ]
    head = ("route", "view", "parameters")
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(2)]
    return "".join(
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip() + "\n"
        for row in [head, *rows]
    )


class AppNotFound(Exception):
    """``module:attribute`` does not name a roost ``App``."""


def load_app(path: str) -> App:
    """Import ``module:attribute`` (module relative to the current directory)."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise AppNotFound(f"expected module:attribute, got {path!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise AppNotFound(f"cannot import {module_name!r}: {exc}") from None
    app = getattr(module, attribute, None)
    if not isinstance(app, App):
        raise AppNotFound(f"{path!r} is not a roost App (found {type(app).__name__})")
    return app


def serve(app: App, host: str, port: int) -> int:
    """Run ``app`` until SIGINT/SIGTERM (0) or until its root supervisor fails (1)."""
    try:
        trio.run(_serve, app, host, port)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            return 130
        failure = _leaf(exc)
        reason = f"{type(failure).__name__}: {failure}"
        if failure.__cause__ is not None:
            cause = failure.__cause__
            reason += f", because of {type(cause).__name__}: {cause}"
        log.critical("roost: the root supervisor failed: %s", reason)
        return 1
    return 0


async def _serve(app: App, host: str, port: int) -> None:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    runtime = Runtime(app, bind=bind)
    stats = GcStats() if os.environ.get(GC_STATS_ENV, "") not in ("", "0") else None
    wanted = [signal.SIGINT, signal.SIGTERM]
    if stats is not None:
        wanted.append(signal.SIGUSR1)
        # What Trio hands back when it stops listening, to a report asked for
        # during the shutdown: ignored, not the default (which ends the process).
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    # A session is gone once its supervisor has dropped it: then nothing of
    # it is held but by its own reference cycles.
    policy = GcPolicy(
        lambda: runtime.sessions_started - runtime.sessions.count(), runtime.sessions.count
    )
    with trio.open_signal_receiver(*wanted) as signals:
        async with trio.open_nursery() as nursery:
            await nursery.start(runtime.run)
            policy.install()
            nursery.start_soon(policy.run)
            for url in runtime.urls:
                print(f"roost: serving {url} (Ctrl-C to stop)", flush=True)
            if stats is not None:
                stats.install()
            async for signum in signals:
                if signum == signal.SIGUSR1 and stats is not None:
                    sessions = runtime.sessions.count()
                    when = (
                        f"sessions={sessions} started={runtime.sessions_started} "
                        f"policy_collections={policy.full_collections}"
                    )
                    print(stats.report(when), flush=True)
                    stats.reset()
                    continue
                log.info("roost: %s received, shutting down", signal.Signals(signum).name)
                break
            # Nothing of what runs now outlives the process: no collection (the
            # shutdown of 10,000 sessions spent 20 of its 33 s in full collections
            # of objects about to go anyway). Reference counting still frees.
            gc.disable()
            # Gracefully (each view's `terminate` runs), within the sessions'
            # own shutdown time; then whatever is left is cancelled.
            with trio.move_on_after(SHUTDOWN_TIMEOUT):
                await runtime.stop()
            nursery.cancel_scope.cancel()
    policy.uninstall()
    if stats is not None:
        stats.uninstall()
        print(stats.report("at exit"), flush=True)
    print("roost: stopped", flush=True)


class GcPolicy:
    """How ``roost run`` has Python's cyclic garbage collector work: no full
    collection while sessions join or idle, one after sessions have ended.

    A full collection scans every object the server holds and stops every
    task meanwhile: about 4 s with 10,000 sessions. CPython starts one each
    time its older objects have grown by a quarter, so while sessions joined
    the server stopped for seconds at 2,500, 3,100, 3,900, ... sessions, and
    once they had ended it never collected what their reference cycles kept.
    Here instead:

    - what start-up built (modules, classes, templates) is frozen
      (``gc.freeze``): no collection looks at it again;
    - young collections run as usual (``threshold0``, ``threshold1``), and
      free short-lived cycles in milliseconds; objects that outlive them are
      left to reference counting, which frees a session that holds no cycle
      the moment it ends;
    - full collections run only here (``run``): once the sessions ended
      since the last one number a quarter of the sessions there are now (and
      at least ``min_ended``), or as soon as none is left, to reclaim what
      ended sessions' reference cycles hold; then the C allocator is asked to
      give its free memory back to the system (``malloc_trim``, glibc).
      Sessions that leave no cycles would make these all but unneeded.
    """

    NEVER = 2**31 - 1
    """A ``threshold2`` that CPython never reaches: no full collection of its own."""

    def __init__(
        self,
        ended: Callable[[], int],
        live: Callable[[], int],
        *,
        share: float = 0.25,
        min_ended: int = 50,
        interval: float = 1.0,
    ) -> None:
        self._ended = ended
        self._live = live
        self.share = share
        self.min_ended = min_ended
        self.interval = interval
        self.full_collections = 0
        self._ended_then = 0
        self._saved: tuple[int, int, int] | None = None

    def install(self) -> None:
        """Once the server has started: freeze what start-up built, stop CPython's
        own full collections."""
        gc.collect()
        gc.freeze()
        self._saved = gc.get_threshold()
        threshold0, threshold1, _ = self._saved
        gc.set_threshold(threshold0, threshold1, self.NEVER)
        self._ended_then = self._ended()

    def uninstall(self) -> None:
        """Give CPython its own settings back (and its collections)."""
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        gc.unfreeze()
        gc.enable()

    def due(self) -> bool:
        """Whether enough sessions have ended since the last full collection: a
        quarter of those there are now (the collection's cost grows with them),
        or any at all once none is left."""
        ended = self._ended() - self._ended_then
        live = self._live()
        return ended >= max(self.min_ended, self.share * live) or (ended > 0 and live == 0)

    def collect(self) -> None:
        """A full collection, now; then free memory goes back to the system."""
        self._ended_then = self._ended()
        collected = gc.collect()
        self.full_collections += 1
        _trim_malloc()
        log.info("roost: garbage collected after sessions ended: %d objects", collected)

    async def run(self) -> None:
        """Check ``due`` every ``interval`` seconds and collect when it is."""
        while True:
            await trio.sleep(self.interval)
            if self.due():
                self.collect()


GC_STATS_ENV = "ROOST_GC_STATS"
"""``ROOST_GC_STATS=1 roost run ...`` reports the garbage collector's pauses (off by default)."""


def _trim_malloc() -> None:
    """Ask glibc's allocator to return the free memory it keeps (Linux; else nothing)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


class GcStats:
    """The pauses of Python's cyclic garbage collector, from a ``gc.callbacks`` hook.

    Under ``ROOST_GC_STATS=1``, ``roost run`` prints one line of these on each
    SIGUSR1 (and starts counting afresh) and once more at exit: how many
    collections of each generation ran, the longest pause of each, and their
    total. A collection stops every task of the server, so its longest pause
    is the longest time a click can wait on it. The hook costs two clock
    reads per collection.
    """

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self._clock = clock
        self._began = 0.0
        self.reset()

    def reset(self) -> None:
        """Start counting afresh."""
        self.collections = [0, 0, 0]
        self.longest = [0.0, 0.0, 0.0]
        """The longest pause of each generation's collections, in seconds."""
        self.total = 0.0
        self.collected = 0

    def install(self) -> None:
        if self._callback not in gc.callbacks:
            gc.callbacks.append(self._callback)

    def uninstall(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._began = self._clock()
            return
        pause = self._clock() - self._began
        generation = info["generation"]
        self.collections[generation] += 1
        self.longest[generation] = max(self.longest[generation], pause)
        self.total += pause
        self.collected += info["collected"]

    def report(self, when: str = "") -> str:
        """One line: ``roost: gc: ... max_pause_ms=... gen2_max_pause_ms=...``."""
        longest = [round(s * 1000, 1) for s in self.longest]
        return (
            f"roost: gc: {when} collections={self.collections} "
            f"max_pause_ms={max(longest)} gen2_max_pause_ms={longest[2]} "
            f"max_pause_ms_by_gen={longest} total_pause_ms={self.total * 1000:.1f} "
            f"collected={self.collected} frozen={gc.get_freeze_count()}"
        )


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper()),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    # hypercorn announces its bind address too; roost prints its own URL line.
    logging.getLogger("hypercorn.error").setLevel(max(logging.WARNING, logging.root.level))


if __name__ == "__main__":
    sys.exit(main())
