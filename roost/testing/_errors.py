# What the test client raises: each names what the test was waiting for and
# what the server said instead.
from __future__ import annotations

from .. import protocol


class EventError(Exception):
    """The server refused an event with an ``Error`` reply.

    ``code`` is the protocol's error code (one of ``roost.protocol.ERROR_CODES``:
    ``protocol.UNKNOWN_EVENT``, ``protocol.BAD_PARAMS``, ``protocol.CRASHED``, ...),
    ``message`` the server's explanation, ``reply`` the decoded ``protocol.Error``.
    """

    def __init__(self, handler: str, target: str, reply: protocol.Error) -> None:
        self.handler = handler
        self.target = target
        self.reply = reply
        self.code = reply.code
        self.message = reply.message
        super().__init__(
            f"event {handler!r} for target {target!r} refused: {reply.code}: {reply.message}"
        )


class MountError(Exception):
    """The view could not be opened: no such route, the page request failed, or
    the server refused the join (``code`` is then its error code)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


class Disconnected(Exception):
    """The connection or the session ended while the client needed it."""


class WaitTimeout(AssertionError):
    """What the client was waiting for did not happen within its timeout."""


class SelectorError(AssertionError):
    """A CSS selector matched no element, or several where one was needed."""
