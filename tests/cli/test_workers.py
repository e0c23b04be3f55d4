"""`roost run APP --workers N`: N processes on one port, a worker killed with
-9 started again, Ctrl-C stopping every one of them cleanly."""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from roost.protocol import ATTR
from roost.server.tokens import TokenSigner
from tests.serve import ROOT

ROOST = Path(sys.executable).with_name("roost")
READY = re.compile(r"worker (\d) \(pid (\d+)\) serving")


class Workers:
    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [str(ROOST), "run", "examples.counter:app", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
            start_new_session=True,  # so that a failed test can kill the workers too
        )
        self.lines: list[str] = []
        self.url = ""
        self.pids: dict[int, int] = {}

    def kill(self) -> None:
        """Kill the parent and its workers, if still running (a failed test)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()

    def until(self, done, timeout: float = 30.0) -> None:
        """Read output lines until ``done()`` (bounded by ``timeout``)."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while not done():
                assert time.monotonic() < deadline, f"timed out; output: {self.lines}"
                selector.select(timeout=0.5)
                line = self.process.stdout.readline()
                if not line:
                    continue
                self.lines.append(line)
                if match := re.search(r"serving (http://\S+) with", line):
                    self.url = match.group(1)
                if match := READY.search(line):
                    self.pids[int(match.group(1))] = int(match.group(2))


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.status


def page_token(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        html = answer.read().decode()
    match = re.search(ATTR.TOKEN + r'="([^"]+)"', html)
    assert match, html
    return match.group(1)


def test_workers_share_the_port_a_killed_one_is_restarted_and_ctrl_c_stops_all():
    workers = Workers("--workers", "2")
    try:
        workers.until(lambda: workers.url and len(workers.pids) == 2)
        assert any(
            "no ROOST_SECRET: one random secret for these workers" in x for x in workers.lines
        )
        for _ in range(4):
            assert get(workers.url + "/") == 200
        first = dict(workers.pids)
        os.kill(first[1], signal.SIGKILL)
        workers.until(lambda: workers.pids[1] != first[1])
        assert any("worker 1 exited (signal 9)" in x for x in workers.lines)
        assert get(workers.url + "/") == 200
        workers.process.send_signal(signal.SIGINT)
        out, _ = workers.process.communicate(timeout=40)
        assert workers.process.returncode == 0
        assert out.count("roost: stopped") == 3  # two workers, then the parent
        assert not any(alive(pid) for pid in workers.pids.values())
    finally:
        workers.kill()


def test_workers_take_the_secret_from_the_file_roost_secret_file_names(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-a-mounted-file\n")
    env = {"ROOST_SECRET_FILE": str(secret), "ROOST_SECRET": ""}
    workers = Workers("--workers", "2", env=env)
    try:
        workers.until(lambda: workers.url and len(workers.pids) == 2)
        assert not any("random secret" in x for x in workers.lines)
        for _ in range(4):  # whichever worker answers signs with the file's secret
            TokenSigner(["from-a-mounted-file"]).verify(page_token(workers.url + "/"))
        workers.process.send_signal(signal.SIGINT)
        workers.process.communicate(timeout=40)
        assert workers.process.returncode == 0
    finally:
        workers.kill()
