# The sockets `roost run` listens on: made here once (one for every worker,
# or the one a --reload watcher hands to each server it starts), and checked.
from __future__ import annotations

import errno
import socket


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every worker serves (inherited by them as a file descriptor)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def bind_address(host: str, port: int) -> str:
    """hypercorn's bind string for ``host`` and ``port`` (an IPv6 host in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def address_in_use(host: str, port: int) -> bool:
    """Whether ``host:port`` cannot be listened on now (port 0: never)."""
    if port == 0:
        return False
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False
