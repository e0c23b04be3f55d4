"""A real redis-server for the tests of the Redis backends.

It listens on a free loopback port, keeps its files in a temporary folder and
persists nothing (``--save '' --appendonly no``). ``stop()`` and ``start()``
take it away and bring it back on the same port, for "Redis went away
mid-test". Without redis-server the tests that need it skip, except under
``CI=true``, where they fail.

The fixtures are imported by the conftest.py of the folders whose tests use
them (tests/pubsub, tests/store):

- ``redis_server``: the URL of a server shared by a session's tests; each
  test keeps to a namespace of its own (:func:`fresh_namespace`).
- ``redis_process``: a :class:`RedisServer` of the test's own, to stop and
  start again.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ports import free_port

READY_TIMEOUT = 10.0
"""Seconds a started redis-server has to answer PING."""
STOP_TIMEOUT = 10.0
"""Seconds a stopped redis-server has to exit before it is killed."""


def redis_server_path() -> str:
    """Where redis-server is; skips the test without it (fails it under CI=true)."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
    )
    if found is None:
        message = "redis-server is missing: install the Debian package redis-server"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true)")
        pytest.skip(message)
    return found


def command(url: str, *words: str) -> bytes:
    """Send one command to the server at ``url`` (``redis://127.0.0.1:PORT``);
    its reply: a bulk string's bytes, or the first line of any other."""
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    with socket.create_connection(("127.0.0.1", port), timeout=5.0) as sock:
        sock.sendall(" ".join(words).encode() + b"\r\n")
        reply = b""
        while b"\r\n" not in reply:
            reply += sock.recv(65536) or b"\r\n"
        head, _, rest = reply.partition(b"\r\n")
        if not head.startswith(b"$") or head == b"$-1":
            return head
        size = int(head[1:])
        while len(rest) < size:
            rest += sock.recv(65536) or b"x" * size
        return rest[:size]


def fresh_namespace(url: str) -> str:
    """``url`` with a namespace no other backend uses."""
    return f"{url}?namespace=test-{uuid.uuid4().hex[:12]}"


class RedisServer:
    """One redis-server process on 127.0.0.1, started and stopped at will."""

    def __init__(self, folder: Path) -> None:
        self.executable = redis_server_path()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log = folder / "redis.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT``: the same across a stop and start."""
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start it on its port and return once it answers PING."""
        assert self._process is None, "already running"
        self._process = subprocess.Popen(
            [
                self.executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
                "--logfile",
                str(self.log),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while not self._answers_ping():
            if self._process.poll() is not None:
                self._process = None
                raise RuntimeError(f"redis-server exited at start: {self._log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server gave no PONG in {READY_TIMEOUT} s")
            time.sleep(0.005)  # a poll interval, not a wait for readiness

    def stop(self) -> None:
        """Stop it (SIGTERM, as an operator would) and wait until it has exited."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def restart(self) -> None:
        """Stop it and start it again on the same port (everything it held is gone)."""
        self.stop()
        self.start()

    def _answers_ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def _log_tail(self) -> str:
        try:
            return " | ".join(self.log.read_text(errors="replace").splitlines()[-5:])
        except OSError:
            return "(no log)"


@contextmanager
def running_redis_server(folder: Path) -> Iterator[RedisServer]:
    """A started :class:`RedisServer` for the block; stopped after it."""
    server = RedisServer(folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a redis-server shared by the session's tests (use a namespace each)."""
    with running_redis_server(tmp_path_factory.mktemp("redis")) as server:
        yield server.url


@pytest.fixture
def redis_process(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own, to stop and start again mid-test."""
    with running_redis_server(tmp_path) as server:
        yield server
