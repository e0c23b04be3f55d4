# `roost run module:app`: serve an app under its supervision tree until
# Ctrl-C (exit 0) or a failure of the root (exit 1); `roost routes`.
from __future__ import annotations

import argparse
import errno
import gc
import importlib
import logging
import os
import re
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import trio
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

from ..server import App, Runtime
from ._gc import GC_STATS_ENV, GcPolicy, GcStats
from ._say import say
from ._sockets import bind_address

SHUTDOWN_TIMEOUT = 10.0
"""Seconds Ctrl-C (or SIGTERM) leaves the sessions to stop gracefully before the rest
is cancelled."""

log = logging.getLogger("roost")


def run_reloading(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    """``roost run --reload``: a watcher process that runs the server (in dev
    mode) as its child, and a new one whenever a Python file changes; see
    ``roost._reload``. The app is imported by the server only, so that an error
    in it leaves the watcher waiting for the fix."""
    from .._reload import Reloader, child_environment, python_command, watched_paths
    from ._sockets import listening_socket, listening_socket_beside_free_port

    module_name, _, attribute = args.app.partition(":")
    if not module_name or not attribute:
        parser.exit(2, f"roost: expected module:attribute, got {args.app!r}\n")
    cwd = Path.cwd()
    if str(cwd) not in sys.path:
        sys.path.insert(0, str(cwd))
    paths = watched_paths(args.app, cwd)
    if paths is None:
        parser.exit(2, f"roost: cannot import {module_name!r}: no such module\n")
    command = ["run", args.app, "--host", args.host]
    for option in ("log_level", "log_format", "admin", "pubsub", "store"):
        value = getattr(args, option, None)
        if value:
            command += [f"--{option.replace('_', '-')}", value]
    # The watcher holds the listening socket and every server it starts serves
    # it: the same URL each time, no other process can take the port between
    # two servers, and a connection made during a restart waits to be accepted.
    try:
        if args.port == 0 and not args.admin:
            sock = listening_socket_beside_free_port(args.host)
        else:
            sock = listening_socket(args.host, args.port)
    except OSError as exc:
        print(f"roost: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    command += ["--port", str(sock.getsockname()[1]), "--fd", str(sock.fileno())]
    for host in args.allowed_host:
        command += ["--allowed-host", host]
    # watchfiles logs each change it sees; the watcher says so in its own words.
    logging.getLogger("watchfiles").setLevel(logging.WARNING)
    reloader = Reloader(
        python_command(command),
        paths,
        env=child_environment(os.environ),
        pass_fds=(sock.fileno(),),
    )
    with sock:
        return reloader.run()


def routes_table(app: App) -> str:
    """``roost routes``: each route's pattern, the view it mounts, and its typed
    parameters, in the order they are matched; then, when the app has some, its
    plain HTTP endpoints (``App(http_routes=...)``) with their methods, for the
    requests no view takes."""
    rows = [
        (
            route.pattern,
            f"{route.view.__module__}.{route.view.__qualname__}",
            ", ".join(f"{name}: {kind}" for name, kind in route.params),
        )
        for route in app.router
    ]
    text = _table(("route", "view", "parameters"), rows)
    if app.http is not None:
        endpoints = list(_http_rows("", app.http.routes))
        text += "\n" + _table(("http route", "methods", "endpoint", "parameters"), endpoints)
    return text


def _table(head: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in [head, *rows]
    )


_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_PATH_PARAM = re.compile(r"{([^{}:]+)(?::([^{}]+))?}")


def _http_rows(prefix: str, routes: Sequence[BaseRoute]) -> Iterator[tuple[str, str, str, str]]:
    # Starlette's routes, a Mount's own routes listed under its path.
    for route in routes:
        path = prefix + str(getattr(route, "path", ""))
        if isinstance(route, Mount) and route.routes:
            yield from _http_rows(path, route.routes)
            continue
        if isinstance(route, Route):
            methods = sorted(route.methods or _endpoint_methods(route.endpoint), key=_method_rank)
            how, target = ", ".join(methods) or "any", route.endpoint
        elif isinstance(route, WebSocketRoute):
            how, target = "WEBSOCKET", route.endpoint
        elif isinstance(route, Mount):
            path, how, target = path + "/...", "any", route.app
        else:
            how, target = "any", route
        params = ", ".join(f"{m[1]}: {m[2] or 'str'}" for m in _PATH_PARAM.finditer(path))
        yield path or "/", how, _dotted(target), params


def _endpoint_methods(endpoint: object) -> list[str]:
    # A class endpoint (Starlette's HTTPEndpoint) answers the methods it defines.
    if not isinstance(endpoint, type):
        return []
    found = [m for m in _METHOD_ORDER if callable(getattr(endpoint, m.lower(), None))]
    return [*found, "HEAD"] if "GET" in found and "HEAD" not in found else found


def _method_rank(method: str) -> tuple[int, str]:
    known = method in _METHOD_ORDER
    return (_METHOD_ORDER.index(method) if known else len(_METHOD_ORDER), method)


def _dotted(target: object) -> str:
    name = getattr(target, "__qualname__", None)
    if name is None:
        return repr(target)
    return f"{getattr(target, '__module__', '?')}.{name}"


class AppNotFound(Exception):
    """``module:attribute`` does not name a roost ``App``."""


class AppImportFailed(AppNotFound):
    """The app's module raised while it was imported (its own error, exit status 1)."""


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
    except Exception as exc:
        # The module's own error, in one line: where it is and what it says.
        where = ""
        tb = exc.__traceback__
        while tb is not None:
            where = f" ({tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno})"
            tb = tb.tb_next
        if isinstance(exc, SyntaxError):
            where = ""  # its message names the file and line
        raise AppImportFailed(
            f"importing {module_name!r} failed: {type(exc).__name__}: {exc}{where}"
        ) from None
    app = getattr(module, attribute, None)
    if not isinstance(app, App):
        raise AppNotFound(f"{path!r} is not a roost App (found {type(app).__name__})")
    return app


def serve(app: App, host: str, port: int, admin: str | None = None, fd: int | None = None) -> int:
    """Run ``app`` until SIGINT/SIGTERM (0) or until its root supervisor fails
    (1); ``admin``: where the admin endpoint listens (``roost tree``), if
    anywhere; ``fd``: a listening socket to serve instead of ``host:port``."""
    try:
        trio.run(_serve, app, host, port, admin, fd)
        # The process ends next: what the sessions left is freed with it, not
        # traced through by the collection CPython runs while it finalises.
        gc.freeze()
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            return 130
        failure = _leaf(exc)
        if _address_in_use(failure):
            where = bind_address(host, port) + (f" or {admin}" if admin else "")
            print(f"roost: cannot listen on {where}: the address is in use", file=sys.stderr)
            return 1
        reason = f"{type(failure).__name__}: {failure}"
        if failure.__cause__ is not None:
            cause = failure.__cause__
            reason += f", because of {type(cause).__name__}: {cause}"
        log.critical("roost: the root supervisor failed: %s", reason)
        return 1
    return 0


def _address_in_use(exc: BaseException) -> bool:
    # Whether `exc` (or its cause) is a listener that could not bind its address.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno == errno.EADDRINUSE:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _serve(
    app: App, host: str, port: int, admin: str | None = None, fd: int | None = None
) -> None:
    bind = f"fd://{fd}" if fd is not None else bind_address(host, port)
    runtime = Runtime(app, bind=bind, admin_bind=admin)
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
            collecting = trio.CancelScope()

            async def collect() -> None:
                with collecting:
                    await policy.run()

            nursery.start_soon(collect)
            worker = os.environ.get("ROOST_WORKER")
            for url in runtime.urls:
                if worker:
                    say(f"roost: worker {worker} (pid {os.getpid()}) serving {url}")
                else:
                    say(f"roost: serving {url} (Ctrl-C to stop)")
            for url in runtime.admin_urls:
                say(f"roost: admin endpoint on {url} (roost tree --url {url})")
            if admin is not None and not app.signer.configured:
                say("roost: no admin endpoint: set ROOST_SECRET to use roost tree")
            if stats is not None:
                stats.install()
            async for signum in signals:
                if signum == signal.SIGUSR1 and stats is not None:
                    sessions = runtime.sessions.count()
                    when = (
                        f"sessions={sessions} started={runtime.sessions_started} "
                        f"policy_collections={policy.full_collections}"
                    )
                    say(stats.report(when))
                    stats.reset()
                    continue
                log.info("roost: %s received, shutting down", signal.Signals(signum).name)
                break
            # Nothing of what runs now outlives the process: no collection (the
            # shutdown of 10,000 sessions spent 20 of its 33 s in full collections
            # of objects about to go anyway). Reference counting still frees.
            gc.disable()
            collecting.cancel()  # nor the policy's, when the last session ends
            # Gracefully (each view's `terminate` runs), within the sessions'
            # own shutdown time; then whatever is left is cancelled.
            with trio.move_on_after(SHUTDOWN_TIMEOUT):
                await runtime.stop()
            nursery.cancel_scope.cancel()
    policy.uninstall()
    if stats is not None:
        stats.uninstall()
        say(stats.report("at exit"))
    say("roost: stopped")


def _leaf(exc: BaseException) -> BaseException:
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc
