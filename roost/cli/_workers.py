# `roost run APP --workers N`: N server processes sharing one listening
# socket, each with its own supervision tree; a worker that dies is started
# again; Ctrl-C or SIGTERM stops them all.
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from ._say import say
from ._sockets import address_in_use, bind_address, listening_socket

RESTART_BACKOFF = (0.5, 10.0)
"""Seconds before a dead worker is started again: first, and at most (doubling)."""
STOP_TIMEOUT = 15.0
"""Seconds the workers get to stop after Ctrl-C (their graceful shutdown takes 10)."""
WORKER_ENV = "ROOST_WORKER"
"""Set to its number (1..N) in each worker's environment."""


def worker_admin(admin: tuple[str, int], number: int) -> tuple[str, int]:
    """Where worker ``number`` (1..N) serves its admin endpoint, given where
    ``roost run`` without workers would (``admin``): that port + number - 1;
    port 0 (a free one, each worker its own) stays 0."""
    host, port = admin
    return host, port + number - 1 if port else 0


def run_workers(
    argv: Sequence[str],
    count: int,
    host: str,
    port: int,
    admin: tuple[str, int] | None = None,
) -> int:
    """Run ``count`` workers of ``roost run`` (``argv``: its own arguments,
    without ``--workers``) on one socket until Ctrl-C or SIGTERM; 0 when they
    all stopped cleanly. ``admin``: where the admin endpoint would be without
    workers; each worker gets its own (``worker_admin``), if a secret is set."""
    env = dict(os.environ)
    secret_set = bool(env.get("ROOST_SECRET") or env.get("ROOST_SECRET_FILE"))
    # Admin endpoints only with a secret the operator knows (else nobody could
    # use them); each worker on its own port, checked free before any starts.
    admins = {n: worker_admin(admin, n) for n in range(1, count + 1)} if admin else {}
    if not secret_set:
        admins = {}
    for where in admins.values():
        if address_in_use(*where):
            print(f"roost: cannot listen on {bind_address(*where)}: in use", file=sys.stderr)
            return 1
    try:
        sock = listening_socket(host, port)
    except OSError as exc:
        print(f"roost: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    if not secret_set:
        # Tokens must verify on whichever worker a tab's socket reaches.
        env["ROOST_SECRET"] = secrets.token_urlsafe(32)
        say(
            "roost: no ROOST_SECRET: one random secret for these workers only (set "
            "ROOST_SECRET to share sessions with other machines and restarts, and to "
            "use roost tree)"
        )
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    workers: dict[int, subprocess.Popen[bytes]] = {}
    backoff: dict[int, float] = {}

    def start(number: int) -> None:
        where = admins.get(number)
        command = [
            *(sys.executable, "-m", "roost.cli", *argv),
            *("--admin", bind_address(*where) if where else "off"),
            *("--fd", str(sock.fileno())),
        ]
        workers[number] = subprocess.Popen(
            command, env={**env, WORKER_ENV: str(number)}, pass_fds=(sock.fileno(),)
        )

    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        for number in range(1, count + 1):
            start(number)
        say(f"roost: serving http://{shown}:{bound_port} with {count} workers (Ctrl-C to stop)")
        known = {n: w for n, w in admins.items() if w[1]}  # (port 0: each worker says its own)
        if known:
            listed = ", ".join(f"worker {n} http://{bind_address(*w)}" for n, w in known.items())
            say(f"roost: admin endpoints (roost tree --url URL): {listed}")
        while not stopping:
            for number, process in list(workers.items()):
                code = process.poll()
                if code is None or stopping:
                    continue
                delay = backoff.get(number, RESTART_BACKOFF[0])
                how = f"signal {-code}" if code < 0 else f"status {code}"
                say(f"roost: worker {number} exited ({how}); starting it again in {delay:g} s")
                deadline = time.monotonic() + delay
                while time.monotonic() < deadline and not stopping:
                    time.sleep(0.05)
                if not stopping:
                    start(number)
                    backoff[number] = min(delay * 2, RESTART_BACKOFF[1])
            time.sleep(0.1)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        status = _stop_all(workers)
        sock.close()
    say("roost: stopped")
    return status


def _stop_all(workers: dict[int, subprocess.Popen[bytes]]) -> int:
    # Each gets SIGINT (as Ctrl-C gives it anyway) and its graceful shutdown;
    # one that is still there after STOP_TIMEOUT is killed.
    for process in workers.values():
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    status = 0
    for process in workers.values():
        try:
            code = process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        if code not in (0, -signal.SIGINT, 130):
            status = 1
    return status
