"""roost/cli/_sockets.py: the sockets `roost run` listens on."""

from __future__ import annotations

from roost.cli import _sockets


def test_a_reload_watchers_free_port_leaves_the_next_one_free_for_the_admin_endpoint(
    monkeypatch,
):
    # The servers a --reload watcher starts put their admin endpoint on the
    # port after theirs: with --port 0 the watcher picks one whose next is free.
    taken: list[int] = []
    real = _sockets.address_in_use

    def in_use(host: str, port: int) -> bool:
        if len(taken) < 3:  # as if another process held the next port, three times
            taken.append(port)
            return True
        return real(host, port)

    monkeypatch.setattr(_sockets, "address_in_use", in_use)
    with _sockets.listening_socket_beside_free_port("127.0.0.1") as sock:
        port = sock.getsockname()[1]
        assert len(taken) == 3 and port + 1 not in taken  # free when it was picked
