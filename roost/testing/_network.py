# Network faults of a test client's socket: latency, frames lost either way,
# the connection cut while an event is in flight.
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class NetworkFaults:
    """What the network does to a :meth:`LiveClient.connect` client's frames.

    Set the fields at any time; each applies from the next frame on.
    """

    latency: float = 0.0
    """Seconds each frame takes, each way, on Trio's clock (order is kept)."""
    drop_sent: int = 0
    """The next this many frames the client sends are lost (its events go unanswered)."""
    drop_received: int = 0
    """The next this many frames the server sends are lost (a patch lost is a
    version gap: the client asks for a ``Sync``, as the browser does)."""
    cut_after_send: bool = False
    """The connection is cut right after the next frame goes out: an event in
    flight whose reply never comes (the call raises :class:`Disconnected`).
    The session stays for its grace period; :meth:`LiveClient.reconnect` resumes it."""

    def take_sent(self) -> bool:
        """Whether the frame being sent is lost (and count it)."""
        if self.drop_sent > 0:
            self.drop_sent -= 1
            return True
        return False

    def take_received(self) -> bool:
        """Whether the frame being received is lost (and count it)."""
        if self.drop_received > 0:
            self.drop_received -= 1
            return True
        return False
