# The `roost` console script: `roost run module:app` serves an app under its
# supervision tree until Ctrl-C (exit 0) or a failure of the root (exit 1).
from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
from collections.abc import Sequence

import trio

from .server import App, Runtime

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
    args = parser.parse_args(argv)
    _configure_logging(args.log_level)
    try:
        app = load_app(args.app)
    except AppNotFound as exc:
        parser.exit(2, f"roost: {exc}\n")
    # The URL roost prints must work: the address it listens on is served too.
    extra = [*args.allowed_host]
    if args.host not in ("0.0.0.0", "::", ""):
        extra.append(args.host)
    app.hosts.extend(extra)
    return serve(app, args.host, args.port)


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
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            await nursery.start(runtime.run)
            for url in runtime.urls:
                print(f"roost: serving {url} (Ctrl-C to stop)", flush=True)
            async for signum in signals:
                log.info("roost: %s received, shutting down", signal.Signals(signum).name)
                break
            nursery.cancel_scope.cancel()
    print("roost: stopped", flush=True)


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
