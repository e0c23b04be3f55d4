"""`roost run APP --workers N`: N processes on one port, a worker killed with
-9 started again, Ctrl-C stopping every one of them cleanly."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from roost.protocol import ATTR
from roost.server.tokens import TokenSigner
from tests.ports import consecutive_free_ports
from tests.serve import ROOT, LineReader

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
        assert self.process.stdout is not None
        self._reader = LineReader(self.process.stdout)
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

        def take(line: str) -> bool | None:
            self.lines.append(line)
            if match := re.search(r"serving (http://\S+) with", line):
                self.url = match.group(1)
            if match := READY.search(line):
                self.pids[int(match.group(1))] = int(match.group(2))
            return True if done() else None

        if not done():
            found = self._reader.until(take, timeout)
            assert found, f"timed out; output: {self.lines}"


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


ADMIN = re.compile(r"admin endpoint on (http://\S+)")
SECRET = {"ROOST_SECRET": "workers-admin-secret", "ROOST_SECRET_FILE": ""}


def roost_tree(url: str) -> dict:
    import json

    done = subprocess.run(
        [str(ROOST), "tree", "--json", "--url", url],
        env={**os.environ, **SECRET},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@contextlib.contextmanager
def bounded(workers: Workers, seconds: float = 45.0):
    """Kill the workers if the test is not done within ``seconds``: ``until``
    waits in ``readline`` for a line, which never comes if nothing prints it."""
    import threading

    def kill() -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(workers.process.pid, signal.SIGKILL)

    timer = threading.Timer(seconds, kill)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def stop(workers: Workers) -> None:
    workers.process.send_signal(signal.SIGINT)
    workers.process.communicate(timeout=40)
    assert workers.process.returncode == 0


def test_with_a_secret_each_worker_has_an_admin_endpoint_roost_tree_can_read():
    workers = Workers("--workers", "2", env=SECRET)
    with bounded(workers):
        try:

            def admins() -> set[str]:
                return {m.group(1) for x in workers.lines if (m := ADMIN.search(x))}

            workers.until(lambda: workers.url and len(workers.pids) == 2 and len(admins()) == 2)
            for url in admins():
                assert roost_tree(url)["tree"]["kind"] == "supervisor"
            stop(workers)
        finally:
            workers.kill()


def test_worker_k_serves_its_admin_endpoint_on_the_admin_port_plus_k_minus_1():
    port = consecutive_free_ports(2)
    workers = Workers("--workers", "2", "--admin", f"127.0.0.1:{port}", env=SECRET)
    with bounded(workers):
        try:
            workers.until(lambda: any("admin endpoints" in x for x in workers.lines))
            first, second = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
            assert any(f"worker 1 {first}, worker 2 {second}" in x for x in workers.lines)
            workers.until(lambda: sum(bool(ADMIN.search(x)) for x in workers.lines) == 2)
            for url in (first, second):
                assert roost_tree(url)["tree"]["id"] == "root"
            stop(workers)
        finally:
            workers.kill()
