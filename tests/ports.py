"""Ports for servers a test starts on an address it chose itself.

A port taken with ``bind(("127.0.0.1", 0))`` comes from the kernel's ephemeral
range, the same range every outgoing connection (Chromium's, a client's, Redis's)
takes its local port from; between the probe and the server's own bind, such a
connection can take it ("cannot listen ...: in use"). Ports handed out here lie
below that range, so only another listener could hold them, and no port is
handed out twice in one test run.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_handed_out: set[int] = set()


def _ephemeral_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A loopback port nothing listens on now, outside the ephemeral range."""
    high = min(_ephemeral_start(), 65536) - 1
    low = max(1024, high - 12000)
    for _ in range(200):
        port = random.randint(low, high)
        if port in _handed_out or not _bindable(port):
            continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free loopback port between {low} and {high}")


def consecutive_free_ports(count: int) -> int:
    """A port P such that P .. P + count - 1 are all free now (and handed out)."""
    for _ in range(50):
        first = free_port()
        ports = range(first, first + count)
        if any(port in _handed_out for port in ports[1:]):
            continue
        if all(_bindable(port) for port in ports[1:]):
            _handed_out.update(ports)
            return first
    raise RuntimeError(f"no {count} consecutive free loopback ports")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
