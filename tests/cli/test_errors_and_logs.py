"""`roost run` says what is wrong in one line, with no traceback; its logs are
one readable line per supervision event, naming the actor by its path, or one
JSON object per line; the environment configures them too."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.serve import ROOT, roost_run

ROOST = Path(sys.executable).with_name("roost")


def run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT):
    return subprocess.run(
        [str(ROOST), *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_a_port_in_use_is_one_line_and_status_1():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = run("run", "examples.counter:app", "--port", str(port), "--admin", "off")
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_production_mode_without_a_secret_refuses_to_start():
    env = {"ROOST_ENV": "prod", "ROOST_SECRET": ""}
    done = run("run", "examples.counter:app", "--port", "0", env=env)
    assert done.returncode == 2
    assert "production mode" in done.stderr and "ROOST_SECRET" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_wrong_app_and_a_failing_module_are_one_line(tmp_path):
    missing = run("run", "no_such_module:app")
    assert missing.returncode == 2 and "cannot import 'no_such_module'" in missing.stderr
    not_app = run("run", "examples.counter:nothing")
    assert not_app.returncode == 2 and "is not a roost App" in not_app.stderr
    (tmp_path / "broken.py").write_text("import roost\nraise RuntimeError('bad config')\n")
    broken = run("run", "broken:app", cwd=tmp_path)
    assert broken.returncode == 1
    assert "RuntimeError: bad config" in broken.stderr and "broken.py, line 2" in broken.stderr
    for done in (missing, not_app, broken):
        assert "Traceback" not in done.stderr


def test_json_logs_name_each_actor_by_its_path():
    env = {"ROOST_LOG_FORMAT": "json", "ROOST_SECRET": "x"}
    os.environ.update(env)
    try:
        with roost_run("examples.counter:app", "--admin", "off") as served:
            served.stop()
    finally:
        for key in env:
            os.environ.pop(key, None)
    records = [json.loads(line) for line in served.stderr.splitlines() if line.startswith("{")]
    started = [r for r in records if r.get("event") == "started"]
    assert {r["path"] for r in started} >= {"pubsub", "store", "sessions", "http"}
    assert all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    assert any(r["message"] == "http: shut down" for r in records)


def test_a_bad_log_setting_in_the_environment_is_refused_clearly():
    done = run("routes", "examples.counter:app", env={"ROOST_LOG_FORMAT": "xml"})
    assert done.returncode == 2 and "ROOST_LOG_FORMAT='xml'" in done.stderr
