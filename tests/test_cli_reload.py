"""`roost run --reload` as a user runs it: a watcher process restarting its server."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.serve import ROOST

APP = """\
import os

from roost import App, LiveView


class Page(LiveView):
    template = "page.html"

    def mount(self, params, session):
        self.word = {word!r}
        self.pid = os.getpid()


app = App({{"/": Page}}, secret="test-secret")
"""

TEMPLATE = '<p>{prefix}<b id="word">{{{{ word }}}}</b> <i id="pid">{{{{ pid }}}}</i></p>\n'

WAIT = 60.0
"""Seconds a step may take before the test gives up (a bound, not a measurement)."""


@dataclass
class Watcher:
    """``roost run --reload`` running in its own process group, as a shell runs it."""

    process: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def expect(self, pattern: str) -> re.Match[str]:
        """Read the output until a line matches ``pattern``."""
        while True:
            try:
                line = self.lines.get(timeout=WAIT)
            except queue.Empty:
                raise AssertionError(f"no line matching {pattern!r} in {self.seen!r}") from None
            if line is None:
                raise AssertionError(f"exited before {pattern!r}; output {self.seen!r}")
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def rest(self) -> str:
        """The output from here to the end (once the process has exited)."""
        out = []
        while (line := self.lines.get(timeout=WAIT)) is not None:
            out.append(line)
        self.seen += out
        return "".join(out)


@contextmanager
def watching(folder: Path, *extra: str) -> Iterator[Watcher]:
    env = {k: v for k, v in os.environ.items() if k != "ROOST_ENV"}
    process = subprocess.Popen(
        [str(ROOST), "run", "reloadapp:app", "--reload", "--port", "0", *extra],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
        process_group=0,  # Ctrl-C in a terminal signals the whole foreground group
    )
    watcher = Watcher(process)

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            watcher.lines.put(line)
        watcher.lines.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        yield watcher
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        reader.join(WAIT)
        assert process.stdout is not None
        process.stdout.close()


def _page(url: str) -> tuple[str, int]:
    with urllib.request.urlopen(url + "/", timeout=WAIT) as response:
        body = response.read().decode()
    word = re.search(r'<b id="word">([^<]*)</b>', body)
    pid = re.search(r'<i id="pid">(\d+)</i>', body)
    assert word and pid, body
    return body, int(pid.group(1))


def _edit(path: Path, text: str) -> None:
    """Rewrite ``path`` as an editor would, a second later by its clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture
def app_folder(tmp_path: Path) -> Path:
    (tmp_path / "reloadapp.py").write_text(APP.format(word="one"))
    (tmp_path / "page.html").write_text(TEMPLATE.format(prefix=""))
    return tmp_path


def test_reload_restarts_on_python_changes_survives_a_syntax_error_and_stops_on_ctrl_c(
    app_folder: Path,
) -> None:
    module = app_folder / "reloadapp.py"
    with watching(app_folder) as watcher:
        url = watcher.expect(r"serving (http://\S+)").group(1)
        body, first = _page(url)
        assert '<b id="word">one</b>' in body

        # A Python change: a new server, at the same URL, with the new code.
        _edit(module, APP.format(word="two"))
        watcher.expect(r"reloadapp\.py changed; restarting")
        assert watcher.expect(r"serving (http://\S+)").group(1) == url
        body, second = _page(url)
        assert '<b id="word">two</b>' in body
        assert second != first and _gone(first)

        # A template change: no restart, the next page load shows it (dev mode).
        _edit(app_folder / "page.html", TEMPLATE.format(prefix="edited "))
        body, same = _page(url)
        assert "<p>edited <b" in body
        assert same == second

        # A syntax error: the server says where, the watcher waits for the fix.
        _edit(module, APP.format(word="three") + "\ndef broken(:\n")
        watcher.expect(r"the server exited with status 1; waiting for a change")
        assert any("SyntaxError" in line for line in watcher.seen)
        assert watcher.process.poll() is None
        _edit(module, APP.format(word="three"))
        watcher.expect(r"serving http://")
        body, third = _page(url)
        assert '<b id="word">three</b>' in body

        # Ctrl-C: the watcher stops its server, then itself, with status 0.
        os.killpg(watcher.process.pid, signal.SIGINT)
        assert watcher.process.wait(timeout=WAIT) == 0
        rest = watcher.rest()
        assert "roost: stopped" in rest
        assert "Traceback" not in rest
        assert _gone(third)


def test_sigterm_to_the_watcher_alone_stops_its_server_too(app_folder: Path) -> None:
    with watching(app_folder) as watcher:
        url = watcher.expect(r"serving (http://\S+)").group(1)
        _, pid = _page(url)
        watcher.process.send_signal(signal.SIGTERM)
        assert watcher.process.wait(timeout=WAIT) == 0
        assert "roost: stopped" in watcher.rest()
        assert _gone(pid)


def test_reload_refuses_an_app_that_is_not_there(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(ROOST), "run", "nosuchmodule:app", "--reload"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=WAIT,
    )
    assert result.returncode == 2
    assert "cannot import 'nosuchmodule'" in result.stderr


def test_the_servers_run_in_dev_mode_and_share_one_secret() -> None:
    from roost._reload import child_environment

    env = child_environment({"PATH": "/bin", "ROOST_ENV": "production"})
    assert env["ROOST_ENV"] == "dev" and env["PATH"] == "/bin"
    assert len(env["ROOST_SECRET"]) >= 32
    assert child_environment({"ROOST_SECRET": "mine"})["ROOST_SECRET"] == "mine"


def test_reload_on_a_port_in_use_says_so_and_exits(app_folder: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(ROOST), "run", "reloadapp:app", "--reload", "--port", str(port)],
            cwd=app_folder,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
