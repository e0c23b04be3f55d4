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


def listening_socket_beside_free_port(host: str, tries: int = 50) -> socket.socket:
    """A socket on a free port (``--port 0``) whose next port is free too: each
    server a ``--reload`` watcher starts on it puts its admin endpoint there
    (the port after ``--port``), and would refuse to start were it taken."""
    for _ in range(tries - 1):
        sock = listening_socket(host, 0)
        if not address_in_use("127.0.0.1", sock.getsockname()[1] + 1):
            return sock
        sock.close()
    return listening_socket(host, 0)  # the server says which port is in use


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
