"""`roost new NAME` (issue 16): the project it makes runs and passes its own
tests straight away, in a fresh virtual environment too."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest

from roost.cli._new import roost_requirement

ROOST = Path(sys.executable).with_name("roost")
NAME, PACKAGE = "demo-app", "demo_app"
FILES = {
    ".gitignore",
    "README.md",
    "pyproject.toml",
    f"{PACKAGE}/__init__.py",
    f"{PACKAGE}/views.py",
    f"{PACKAGE}/home.html",
    f"{PACKAGE}/counter.html",
    f"{PACKAGE}/layout.html",
    f"{PACKAGE}/static/app.css",
    "tests/test_home.py",
}
QUICK = 60  # seconds, for a command that runs no pip
PIP = 600  # seconds, for a fresh venv and the installs from the package index
SERVING = re.compile(r"roost: serving (http://\S+)")


def run(
    args: list[str | Path], cwd: Path, timeout: float = QUICK, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def outside_env(**extra: str) -> dict[str, str]:
    """This process's environment without this test run and its venv in it."""
    venv_bin = Path(sys.prefix, "bin")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "PYTHON", "VIRTUAL_ENV"))
    }
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and Path(p) != venv_bin]
    env["PATH"] = os.pathsep.join(path)
    env.update(extra)
    return env


def new(where: Path, name: str = NAME) -> subprocess.CompletedProcess[str]:
    return run([ROOST, "new", name], cwd=where)


def test_new_makes_the_project(tmp_path: Path) -> None:
    made = new(tmp_path)
    assert made.returncode == 0, made.stderr
    root = tmp_path / NAME
    assert f"created {root}/" in made.stdout
    assert f"roost run {PACKAGE}:app" in made.stdout
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert files == FILES
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["name"] == NAME
    assert project["dependencies"] == [roost_requirement()]
    # roost here is this checkout, so the new project's venv installs it from here.
    assert roost_requirement() == f"roost @ {Path(__file__).parents[2].as_uri()}"


def test_new_refuses_a_folder_that_exists(tmp_path: Path) -> None:
    (tmp_path / NAME).mkdir()
    (tmp_path / NAME / "mine.txt").write_text("keep")
    refused = new(tmp_path)
    assert refused.returncode == 1
    assert refused.stderr == f"roost: {tmp_path / NAME} already exists\n"
    assert refused.stdout == ""
    assert [p.name for p in (tmp_path / NAME).iterdir()] == ["mine.txt"]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("1app", "use letters, digits, - and _"),
        ("my app", "use letters, digits, - and _"),
        ("app-", "use letters, digits, - and _"),
        ("_app", "use letters, digits, - and _"),
        ("a/b", "use letters, digits, - and _"),
        ("class", "its package 'class' is a Python keyword"),
        ("json", "its package 'json' would clash with the module 'json'"),
        ("roost", "its package 'roost' would clash with the module 'roost'"),
    ],
)
def test_new_refuses_an_unusable_name(tmp_path: Path, name: str, why: str) -> None:
    refused = new(tmp_path, name)
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"roost: {name!r} is not a usable project name: {why}")
    assert "Traceback" not in refused.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_new_project_passes_its_own_tests(tmp_path: Path) -> None:
    assert new(tmp_path).returncode == 0
    root = tmp_path / NAME
    env = outside_env(PYTHONPATH=str(root))
    routes = run([ROOST, "routes", f"{PACKAGE}:app"], cwd=root, env=env)
    assert routes.returncode == 0, routes.stderr
    assert re.search(rf"^/\s+{PACKAGE}\.views\.Home\b", routes.stdout, re.M), routes.stdout
    tests = run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], cwd=root, env=env)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert re.search(r"\b3 passed\b", tests.stdout), tests.stdout


def test_the_readme_commands_work_in_a_fresh_venv(tmp_path: Path) -> None:
    """The README's two commands, in a venv of their own: roost from this
    checkout, everything else from the package index."""
    assert new(tmp_path).returncode == 0
    root = tmp_path / NAME
    serve_block, test_block = re.findall(r"```sh\n(.*?)\n```", (root / "README.md").read_text())
    venv = "python3 -m venv .venv && . .venv/bin/activate && "
    assert test_block == f"{venv}pip install -e '.[test]' && pytest"
    assert serve_block == f"{venv}pip install -e . && roost run {PACKAGE}:app"
    # Building roost from this checkout would leave build/ and roost.egg-info in
    # it (pip builds in the source folder): setuptools builds in tmp_path instead.
    config = tmp_path / "setuptools.cfg"
    config.write_text(
        f"[build]\nbuild_base = {tmp_path}/build\n[egg_info]\negg_base = {tmp_path}\n"
    )
    env = outside_env(
        DIST_EXTRA_CONFIG=str(config), PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_QUIET="1"
    )
    # `python3` is the Python running this test (the one its venv was made with).
    env["PATH"] = f"{Path(os.path.realpath(sys.executable)).parent}{os.pathsep}{env['PATH']}"

    tests = run(["sh", "-c", test_block], cwd=root, env=env, timeout=PIP)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert re.search(r"\b3 passed\b", tests.stdout), tests.stdout
    python = root / ".venv" / "bin" / "python"
    where = run([python, "-c", "import roost; print(roost.__file__)"], cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(root / ".venv"), where.stdout + where.stderr

    # The run command, on a free port; `exec` so that SIGINT goes to roost.
    command = serve_block.replace("roost run", "exec roost run") + " --port 0"
    server = subprocess.Popen(
        ["sh", "-c", command],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        url = None
        deadline = time.monotonic() + PIP
        while url is None:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.001))
            except queue.Empty:
                pytest.fail("roost run did not serve in time:\n" + "".join(output))
            assert line is not None, "roost run ended before serving:\n" + "".join(output)
            output.append(line)
            if match := SERVING.search(line):
                url = match.group(1)
        page = get(url + "/")
        assert '<span id="count">0</span>' in page
        assert "Hello, <span" in page
        css = re.search(r'href="(/static/app\.css\?vsn=\w+)"', page)
        assert css is not None, page
        assert "font-family" in get(url + css.group(1))
        script = re.search(r'<script type="module" src="([^"]+)"', page)
        assert script is not None, page
        assert "import" in get(url + script.group(1))  # roost's client, from its package data

        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=QUICK) == 0, "".join(output)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        reader.join(timeout=QUICK)
        assert server.stdout is not None
        server.stdout.close()
    while (line := lines.get_nowait()) is not None:
        output.append(line)
    assert output[-1] == "roost: stopped\n", "".join(output)


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=QUICK) as response:
        assert response.status == 200
        body: bytes = response.read()
        return body.decode()
