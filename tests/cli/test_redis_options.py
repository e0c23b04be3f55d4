"""`roost run --pubsub URL --store URL`: the app's backends from the command line."""

from __future__ import annotations

import signal
import subprocess

from tests.redis_server import command, free_port, fresh_namespace
from tests.serve import ROOST, ROOT, roost_run


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOST), "run", "examples.counter:app", "--port", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_bad_backend_url_is_a_usage_error_naming_the_option_not_the_password() -> None:
    result = run("--pubsub", "redis://:s3cret@127.0.0.1:6379?colour=red")
    assert result.returncode == 2
    assert "roost: --pubsub: a redis:// pubsub URL takes no option 'colour'" in result.stderr
    result = run("--store", "mongodb://:s3cret@127.0.0.1")
    assert result.returncode == 2
    assert "roost: --store: unsupported store URL: scheme 'mongodb'" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


def test_a_redis_that_cannot_be_reached_at_start_fails_the_run_saying_where() -> None:
    port = free_port()
    result = run("--store", f"redis://:s3cret@127.0.0.1:{port}")
    assert result.returncode == 1
    last_line = result.stderr.strip().splitlines()[-1]
    assert "root supervisor failed" in last_line
    assert f"redis at 127.0.0.1:{port} unreachable" in last_line
    assert "s3cret" not in result.stderr


def test_the_app_runs_on_redis_pubsub_and_store(redis_server: str) -> None:
    url = fresh_namespace(redis_server)
    with roost_run("examples.chat:app", "--pubsub", url, "--store", url) as served:
        clients = command(redis_server, "CLIENT", "LIST").decode()
        assert clients.count("name=roost") >= 2  # the pubsub's subscriber, the store's
        assert served.stop(signal.SIGINT) == 0
    assert "Traceback" not in served.stderr
