# A real nginx on loopback, load-balancing over roost processes, for tests:
# started with a config of its own in a temporary folder, stopped at the end.
from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ports import free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """
worker_processes 1;
pid {root}/nginx.pid;
error_log stderr notice;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    upstream roost {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://roost;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $http_host;
            proxy_read_timeout 120s;
            proxy_next_upstream error timeout http_502;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""


def require_nginx() -> None:
    """Skip without nginx, except under CI=true, where its absence is a failure."""
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is missing (CI=true): install the Debian package nginx")
        pytest.skip("nginx is missing; install the Debian package nginx")


@contextmanager
def nginx(root: Path, upstreams: Sequence[int], timeout: float = 15.0) -> Iterator[str]:
    """nginx on a free loopback port in front of ``upstreams`` (ports of
    127.0.0.1); yields its base URL; stopped when the block ends."""
    require_nginx()
    port = free_port()
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=1s;" for p in upstreams
    )
    root.mkdir(parents=True, exist_ok=True)
    conf = root / "nginx.conf"
    conf.write_text(CONFIG.format(root=root, servers=servers, port=port))
    process = subprocess.Popen(
        [NGINX, "-c", str(conf), "-p", str(root), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # nginx logs "start worker processes" once its listening sockets are open;
    # a thread reads its log (so that it never fills the pipe) and says so.
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        seen: list[str] = []
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"nginx did not start listening: {seen}") from None
            assert line is not None, f"nginx exited: {seen}"
            seen.append(line)
            if "start worker processes" in line:
                break
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=10)  # the log's end: nginx has exited
        assert process.stderr is not None
        process.stderr.close()
