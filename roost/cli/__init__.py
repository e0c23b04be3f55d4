"""The ``roost`` command: run an app, list its routes, look into a running
server's supervision tree (``tree``, ``kill``, ``restart``), start a project."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .._dev import DEV_ENV
from ..server.runtime import pubsub_factory, store_factory
from . import _logs
from ._admin import DEFAULT_URL, fault_command, tree_command
from ._gc import GcPolicy as GcPolicy
from ._gc import GcStats as GcStats
from ._gc import YoungCollections as YoungCollections
from ._new import new_command
from ._run import SHUTDOWN_TIMEOUT as SHUTDOWN_TIMEOUT
from ._run import AppImportFailed as AppImportFailed
from ._run import AppNotFound as AppNotFound
from ._run import load_app, routes_table, run_reloading, serve
from ._say import say
from ._sockets import address_in_use, bind_address
from ._workers import run_workers

PRODUCTION_VALUES = frozenset({"prod", "production"})
"""``ROOST_ENV`` values that mean production mode: ``roost run`` then needs ``ROOST_SECRET``."""
ADMIN_OFF = "off"


def _parser() -> argparse.ArgumentParser:
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
    _log_options(run)
    run.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="HOST",
        help="also serve requests for this Host name (repeatable; see docs/security.md)",
    )
    run.add_argument(
        "--admin",
        default=None,
        metavar="HOST:PORT",
        help="where the admin endpoint of `roost tree` listens (default 127.0.0.1 and the "
        "port after --port; 'off' for none); served only when ROOST_SECRET is set",
    )
    for kind, what in (("pubsub", "topics"), ("store", "session snapshots")):
        run.add_argument(
            f"--{kind}",
            default=None,
            metavar="URL",
            help=f"where the app's {what} live: memory:// (default: this process) or "
            "redis://host:port[/db][?namespace=NAME] (shared; docs/deployment.md)",
        )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="N processes on the same port, each with its own supervision tree (a dead one "
        "is started again); share sessions between them with --store/--pubsub redis://...",
    )
    run.add_argument("--fd", type=int, default=None, help=argparse.SUPPRESS)
    run.add_argument(
        "--reload",
        action="store_true",
        help="dev mode: restart the server when a Python file changes, re-read changed "
        'templates, show errors in the page (docs/guide.md, "Dev mode")',
    )
    routes = commands.add_parser(
        "routes", help="list an app's routes, the views they mount and its HTTP endpoints"
    )
    routes.add_argument("app", help="the app, as module:attribute (e.g. examples.counter:app)")

    tree = commands.add_parser("tree", help="show a running server's live supervision tree")
    _url_option(tree)
    tree.add_argument("--watch", action="store_true", help="refresh it in place until Ctrl-C")
    tree.add_argument("--interval", type=float, default=1.0, help="seconds between refreshes")
    tree.add_argument("--json", action="store_true", help="print JSON (for scripts)")
    for how, text in (
        ("kill", "stop an actor or service at once (its supervisor restarts it)"),
        ("restart", "restart an actor once it has handled what it holds"),
    ):
        fault = commands.add_parser(how, help=text)
        fault.add_argument("path", help="its path, as `roost tree` shows it")
        _url_option(fault)
    new = commands.add_parser("new", help="create a project: an app, a layout, a test")
    new.add_argument("name", help="the project's folder and name (its package: - becomes _)")
    return parser


def _log_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--log-level",
        default=None,
        choices=list(_logs.LEVELS),
        help=f"default: ${_logs.LEVEL_ENV}, else info",
    )
    parser.add_argument(
        "--log-format",
        default=None,
        choices=list(_logs.FORMATS),
        help=f"one line of text or one JSON object per record (default: ${_logs.FORMAT_ENV}, "
        "else text)",
    )


def _url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get("ROOST_ADMIN_URL", DEFAULT_URL),
        help=f"the server's admin endpoint (default $ROOST_ADMIN_URL, else {DEFAULT_URL})",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``roost`` command; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        _logs.configure(
            getattr(args, "log_level", None) or (None if args.command == "run" else "warning"),
            getattr(args, "log_format", None),
        )
    except ValueError as exc:
        parser.exit(2, f"roost: {exc}\n")
    if args.command == "tree":
        return tree_command(args.url, args.json, args.watch, args.interval)
    if args.command in ("kill", "restart"):
        return fault_command(args.url, args.command, args.path)
    if args.command == "new":
        return new_command(args.name)
    if getattr(args, "reload", False):
        return run_reloading(parser, args)
    if args.command == "run" and args.workers > 1:
        return _workers(parser, args, list(argv) if argv is not None else sys.argv[1:])
    try:
        app = load_app(args.app)
    except AppNotFound as exc:
        parser.exit(1 if isinstance(exc, AppImportFailed) else 2, f"roost: {exc}\n")
    if args.command == "routes":
        print(routes_table(app), end="")
        return 0
    for kind, factory in (("pubsub", pubsub_factory), ("store", store_factory)):
        url = getattr(args, kind)
        if url is None:
            continue
        try:  # as App(pubsub=url) / App(store=url) would
            setattr(app, f"new_{kind}", factory(url))
        except (ValueError, ImportError) as exc:
            parser.exit(2, f"roost: --{kind}: {exc}\n")
    production = os.environ.get(DEV_ENV, "").strip().lower() in PRODUCTION_VALUES
    if production and not app.signer.configured:
        parser.exit(
            2,
            f"roost: production mode ({DEV_ENV}=prod) needs a secret: set ROOST_SECRET "
            "(the same for every worker and machine), or pass App(secret=...)\n",
        )
    admin = _admin_bind(args)
    checked = [*_split(admin)] if args.fd is not None else [(args.host, args.port), *_split(admin)]
    for host, port in checked:
        if address_in_use(host, port):
            parser.exit(1, f"roost: cannot listen on {bind_address(host, port)}: in use\n")
    if not app.signer.configured and args.fd is None:
        say(
            "roost: no ROOST_SECRET: a random secret for this process only (dev); set it "
            "to keep sessions across restarts, workers and machines"
        )
    # The URL roost prints must work: the address it listens on is served too.
    extra = [*args.allowed_host]
    if args.host not in ("0.0.0.0", "::", ""):
        extra.append(args.host)
    app.hosts.extend(extra)
    if app.debug:
        say(f"roost: dev mode ({DEV_ENV}=dev or App(debug=True)): not for production")
    if args.fd is not None:  # a worker of --workers: the parent's socket
        return serve(app, args.host, args.port, admin, fd=args.fd)
    return serve(app, args.host, args.port, admin)


def _workers(parser: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]) -> int:
    # The workers' own command line: this one without --workers, each with an
    # admin endpoint of its own (run_workers appends its --admin; the last one
    # given wins): worker k on the admin port + k - 1.
    own: list[str] = []
    skip = False
    for item in argv:
        if skip:
            skip = False
            continue
        if item == "--workers":
            skip = True
            continue
        if item.startswith("--workers="):
            continue
        own.append(item)
    admin: tuple[str, int] | None = None
    if args.admin != ADMIN_OFF:
        found = _split(_admin_bind(args))
        if not found:
            parser.exit(2, f"roost: --admin {args.admin}: expected HOST:PORT, or off\n")
        admin = found[0]
    return run_workers(own, args.workers, args.host, args.port, admin)


def _admin_bind(args: argparse.Namespace) -> str | None:
    if args.admin == ADMIN_OFF:
        return None
    if args.admin:
        return str(args.admin)
    return bind_address("127.0.0.1", args.port + 1 if args.port else 0)


def _split(bind: str | None) -> list[tuple[str, int]]:
    if bind is None:
        return []
    host, _, port = bind.rpartition(":")
    try:
        return [(host.strip("[]"), int(port))]
    except ValueError:
        return []


if __name__ == "__main__":
    sys.exit(main())
