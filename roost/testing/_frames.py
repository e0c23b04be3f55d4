# What the test client records of the wire, and what a connection hands it:
# the page it loaded, frame texts in order, then one Closed when the connection
# or session ends.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Frame:
    """One protocol frame as it crossed the wire: ``sent`` by the client or received."""

    sent: bool
    text: str

    @property
    def size(self) -> int:
        """The frame's length in bytes (UTF-8), what the socket carries."""
        return len(self.text.encode())

    def __repr__(self) -> str:
        arrow = "->" if self.sent else "<-"
        return f"<Frame {arrow} {self.text} ({self.size} B)>"


@dataclass(frozen=True)
class Closed:
    """The connection (or, in process, the session) ended; nothing follows."""

    reason: str
    code: int | None = None


@dataclass(frozen=True)
class Loaded:
    """The page (the dead render's HTML) was loaded; its frames follow."""

    page: str


@dataclass(frozen=True)
class Lost:
    """A frame the server sent that the network lost (``NetworkFaults``): never
    applied, but the versions it carried count (the next patch is then a gap)."""

    text: str


Deliver = Callable[[str | Closed | Loaded | Lost], None]
"""How a connection hands the client what it received, in order, without waiting."""
