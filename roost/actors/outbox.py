# One tab's outgoing messages, in order, to whatever socket is attached:
# actors put typed messages, the outbox encodes each once (roost.protocol's
# codec) and hands the frame to the socket, which queues it within a budget.
from __future__ import annotations

from collections.abc import Awaitable, Callable

from .. import protocol

Transport = Callable[[str], str | None]
"""Takes one encoded server message (a JSON text frame) for a tab's socket, without
waiting: None when it is queued for writing, else why the socket cannot take it
(it fell too far behind, a write stalled); the socket is then cut off."""

CutOff = Callable[[Transport, str], Awaitable[None]]
"""Called with a transport the outbox gave up on, and why."""


class SessionEnded(Exception):
    """The session failed past its restart limit or was stopped."""


class Outbox:
    """Where a tab's actors put their messages for the browser.

    ``put`` never waits: the frame goes straight to the attached socket's own
    queue, which is bounded in bytes (docs/security.md); a socket that cannot
    take it is cut off (``on_cut_off``: the session detaches it and closes it,
    the tab reconnects and resyncs). While no socket is attached (the tab is
    reconnecting) messages are dropped: the tab gets full renders when it is
    back. Messages from one actor reach the socket in the order put.

    A patch whose version follows the one its target last got on the attached
    socket goes without it (``Patch.following``): the client counts it.
    """

    __slots__ = ("_closed", "_sent", "_transport", "dropped", "on_cut_off")

    def __init__(self, transport: Transport | None, *, on_cut_off: CutOff | None = None) -> None:
        self._transport = transport
        self._closed = False
        self._sent: dict[str, int] | None = None
        """Each target's version last given to the attached transport."""
        self.on_cut_off = on_cut_off
        self.dropped = 0

    @property
    def attached(self) -> bool:
        return self._transport is not None

    def attach(self, transport: Transport) -> None:
        """Send to ``transport`` from now on."""
        self._transport = transport
        self._sent = None

    def detach(self) -> None:
        """Drop messages until a transport is attached again."""
        self._transport = None
        self._sent = None

    async def put(self, message: protocol.ServerMessage) -> None:
        """Send ``message`` to the socket, or drop it while none is attached.

        Raises ``SessionEnded`` once the session is over.
        """
        if self._closed:
            raise SessionEnded("the session has ended")
        transport = self._transport
        if transport is None:
            self.dropped += 1
            return
        refused = transport(self._encode(message))
        if refused is not None:
            self.dropped += 1
            await self._cut_off(transport, refused)

    def write_now(self, message: protocol.ServerMessage) -> None:
        """Send ``message`` even after the session ended (its last words: a Crash)."""
        if self._transport is not None:
            self._transport(protocol.encode(message))

    def _encode(self, message: protocol.ServerMessage) -> str:
        if isinstance(message, protocol.Patch | protocol.Render):
            sent = self._sent
            if sent is None:
                sent = self._sent = {}
            previous = sent.get(message.target)
            sent[message.target] = message.version
            if type(message) is protocol.Patch and previous == message.version - 1:
                message = message.following()
        return protocol.encode(message)

    def close(self) -> None:
        """Refuse more messages: the session is over."""
        self._closed = True

    async def _cut_off(self, transport: Transport, reason: str) -> None:
        if self._transport != transport:
            return
        self.detach()
        if self.on_cut_off is not None:
            await self.on_cut_off(transport, reason)
