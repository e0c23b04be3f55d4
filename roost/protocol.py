"""Every wire message as a typed struct, and the one codec for them.

Version 1 of the roost wire protocol (docs/protocol.md is its readable
form). Each message is a JSON array whose first element is a one-character
tag; the remaining elements are the struct's fields in order. This module
is data only: the server, the test client and the browser client (through
the generated ``roost/client/protocol.js``) all take their tags from here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import msgspec

VERSION = 1
"""The protocol version; the WebSocket URL carries it as ``?v=1``."""

MAX_FRAME_BYTES = 64 * 1024
"""Largest client frame the server accepts; a larger one closes that socket."""

MAX_INT_BITS = 64
"""Integers in client messages (and event params converted from strings) must fit
in 64 bits, signed; JavaScript numbers are exact only to 53."""


class _Msg(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    # forbid_unknown_fields: an array with elements past the last field is refused.
    pass


# -- client -> server ---------------------------------------------------------


class Join(_Msg, tag="j", frozen=True):
    """Join the view behind ``token`` (from the dead render) at ``url``.

    ``resume`` is the session id a ``Joined`` gave this tab before: within the
    grace period it re-attaches that running session instead of mounting anew.
    """

    ref: int
    token: str
    url: str
    resume: str = ""


class Event(_Msg, tag="e", frozen=True):
    """Invoke ``handler`` of actor ``target`` with ``params``; answered by ``ref``."""

    ref: int
    target: str
    handler: str
    params: dict[str, Any] = {}


class Heartbeat(_Msg, tag="h", frozen=True):
    """Keep-alive; answered with an ``Ack``."""

    ref: int


class Sync(_Msg, tag="s", frozen=True):
    """Ask for a full render of ``target`` (the client saw a version gap)."""

    ref: int
    target: str


class Leave(_Msg, tag="l", frozen=True):
    """The client is going away; the server ends the session."""


ClientMessage = Join | Event | Heartbeat | Sync | Leave


# -- server -> client ---------------------------------------------------------


class Patch(_Msg, tag="p", frozen=True):
    """Ops (see ``OP``) that bring ``target`` to ``version``."""

    target: str
    version: int
    ops: list[Any]


class Render(_Msg, tag="f", frozen=True):
    """The whole content of ``target`` at ``version`` (join, restart, resync)."""

    target: str
    version: int
    html: str


class Joined(_Msg, tag="k", frozen=True):
    """The ``Join`` ``ref`` succeeded: ``session`` is what to send as ``resume`` later."""

    ref: int
    session: str


class Ack(_Msg, tag="r", frozen=True):
    """The message ``ref`` was handled."""

    ref: int


class Error(_Msg, tag="!", frozen=True):
    """The message ``ref`` was refused (``ref`` 0: not tied to one message)."""

    ref: int
    code: str
    message: str


class Crash(_Msg, tag="c", frozen=True):
    """Actor ``target`` failed for good; the client shows ``message`` in its place."""

    target: str
    message: str


class Navigate(_Msg, tag="n", frozen=True):
    """Go to ``to`` (a full page load)."""

    to: str


class PushEvent(_Msg, tag="x", frozen=True):
    """A named event for client-side hooks."""

    event: str
    payload: Any


ServerMessage = Patch | Render | Joined | Ack | Error | Crash | Navigate | PushEvent


# -- patch ops ----------------------------------------------------------------


class OP:
    """The patch op codes: what one actor's ``Patch`` asks the browser to do.

    Every op is a JSON array ``[OPCODE, PATH, *ARGS]``. ``PATH`` is a list of
    child-node indexes relative to the actor's container element (``[]`` is
    the container itself, ``[0]`` its first child node, text and comment
    nodes included; inside a ``<template>`` the indexes count the template's
    content). Ops apply in order, each path resolved against the tree as the
    earlier ops left it. ``roost.render.ops`` documents each op's shape;
    docs/protocol.md is the readable table.
    """

    TEXT = 0
    SET_ATTR = 1
    REMOVE_ATTR = 2
    INSERT = 3
    REMOVE = 4
    MOVE = 5
    REPLACE = 6
    SPLICE = 7


# -- names the page and the client share ---------------------------------------

VIEW_TARGET = "0"
"""The target id of a session's LiveView; components use their own ids."""


class ATTR:
    """The DOM attributes roost renders and the browser client reads."""

    ID = "data-roost-id"
    """An actor's container element; its value is the actor's target id."""
    CRASHED = "data-roost-crashed"
    """Set on a container whose actor failed for good (its content is the error)."""
    TOKEN = "data-roost-token"
    """On the page's root: the signed session token the socket joins with."""
    CLICK = "roost-click"
    """A click on the element sends this event."""
    SUBMIT = "roost-submit"
    """Submitting the form sends this event with the form's fields."""
    CHANGE = "roost-change"
    """Input in the field (or the form) sends this event with the form's fields."""
    VALUE_PREFIX = "roost-value-"
    """``roost-value-NAME="v"`` adds the parameter ``NAME`` to the element's events."""
    TARGET = "roost-target"
    """Sends the element's events to this target id instead of its container's actor."""
    RESET = "roost-reset"
    """On a form: clear it once its submit event was answered."""


# -- error codes ---------------------------------------------------------------

# Error codes a client can rely on.
BAD_MESSAGE = "bad_message"
UNKNOWN_TARGET = "unknown_target"
UNKNOWN_EVENT = "unknown_event"
BAD_PARAMS = "bad_params"
OVERLOADED = "overloaded"
CRASHED = "crashed"
RATE_LIMITED = "rate_limited"
JOIN_FAILED = "join_failed"
BAD_TOKEN = "bad_token"


ERROR_CODES = (
    BAD_MESSAGE,
    UNKNOWN_TARGET,
    UNKNOWN_EVENT,
    BAD_PARAMS,
    OVERLOADED,
    CRASHED,
    RATE_LIMITED,
    JOIN_FAILED,
    BAD_TOKEN,
)

# WebSocket close codes the server uses (RFC 6455), and what each means here.
CLOSE_NORMAL = 1000
"""The session ended (a Leave, or the view failed for good)."""
CLOSE_GOING_AWAY = 1001
"""The server is shutting down; reconnect."""
CLOSE_BAD_DATA = 1007
"""A frame that is not a message of this protocol."""
CLOSE_POLICY = 1008
"""Refused: bad token, origin, host, version, or a second join; or replaced by a newer socket."""
CLOSE_INTERNAL_ERROR = 1011
"""The server failed handling this socket (a bug): reconnect."""
CLOSE_TRY_AGAIN = 1013
"""Cut off: the socket fell behind (it did not read what the server sent); reconnect."""


class ProtocolError(ValueError):
    """A frame that is not a valid message of this protocol version."""


_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)


def encode(message: msgspec.Struct) -> str:
    """Encode any message as its compact JSON text."""
    return _encoder.encode(message).decode()


def decode_client(frame: str) -> ClientMessage:
    """Decode a client text frame, or raise ``ProtocolError`` saying what is wrong.

    Refused: a frame over ``MAX_FRAME_BYTES``, anything but one message of
    this version (elements past a message's last field included), and
    integers past ``MAX_INT_BITS``.
    """
    size = len(frame.encode())
    if size > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {size} bytes exceeds {MAX_FRAME_BYTES}")
    try:
        message = _client_decoder.decode(frame)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ProtocolError(str(exc)) from None
    except RecursionError:  # absurdly deep nesting
        raise ProtocolError("frame nested too deeply") from None
    if isinstance(message, Event) and message.params and not ints_fit(message.params):
        raise ProtocolError(f"an integer in the params does not fit in {MAX_INT_BITS} bits")
    return message


def ints_fit(value: Any) -> bool:
    """Whether every int in ``value`` (and in its lists, tuples and dicts) fits in
    ``MAX_INT_BITS`` bits, signed."""
    if type(value) is int:
        return value.bit_length() < MAX_INT_BITS
    if type(value) is dict:
        return all(ints_fit(v) for v in value.values())
    if type(value) is list or type(value) is tuple:
        return all(ints_fit(v) for v in value)
    return True


def decode_server(frame: str | bytes) -> ServerMessage:
    """Decode a server frame (used by the test client)."""
    try:
        return _server_decoder.decode(frame)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ProtocolError(str(exc)) from None


def _tags(*union: type[msgspec.Struct]) -> dict[str, str]:
    # PushEvent -> PUSH_EVENT: the JS names follow the struct names.
    return {
        re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).upper(): str(cls.__struct_config__.tag)
        for cls in union
    }


def _constants(namespace: type) -> dict[str, Any]:
    return {name: value for name, value in vars(namespace).items() if name.isupper()}


def js_module() -> str:
    """The text of ``roost/client/protocol.js``, generated from this module."""
    constants = {
        "VERSION": VERSION,
        "CLIENT": _tags(Join, Event, Heartbeat, Sync, Leave),
        "SERVER": _tags(Patch, Render, Joined, Ack, Error, Crash, Navigate, PushEvent),
        "OP": _constants(OP),
        "ATTR": _constants(ATTR),
        "ERROR": {code.upper(): code for code in ERROR_CODES},
        "VIEW_TARGET": VIEW_TARGET,
    }
    lines = [
        "// Generated by `python -m roost.protocol` from roost/protocol.py: do not edit.",
        "// tests/test_protocol.py fails when this file and protocol.py disagree.",
    ]
    for name, value in constants.items():
        lines.append(f"export const {name} = {json.dumps(value, sort_keys=True)};")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(js_module(), end="")
