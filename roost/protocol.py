"""Every wire message as a typed struct, and the one codec for them.

Version 3 of the roost wire protocol (docs/protocol.md is its readable
form). Each message is a JSON array whose first element is its tag, a digit
(numbered apart for each direction); the remaining elements are the struct's
fields in order. A server frame holds one message, or several as an array of
messages (``join_frame``). Trailing fields that hold their default are left
off the wire (``encode``), and a decoder fills them back in. This module is
data only: the server, the test client and the browser client (through the
generated ``roost/client/protocol.js``) all take their tags and field
positions from here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Annotated, Any

import msgspec

VERSION = 3
"""The protocol version; the WebSocket URL carries it as ``?v=3``.

Version 3 (breaking): tags are digits, not letters; a ``Patch`` names its
version last and leaves it off when it is the one after the version its target
last got on this socket; attribute names in ops may be an index into
``ATTR_NAMES``.

Version 2 (breaking): an ``Event``'s target follows its params and both may be
left off; a ``Patch`` carries the refs it answers (no ``Ack`` frame follows it)
and names its target last, left off for the view; a ``Render`` without HTML
says the page already holds that content as it was served."""

MAX_FRAME_BYTES = 64 * 1024
"""Largest client frame the server accepts; a larger one closes that socket."""

MAX_CHUNK_BYTES = 45_000
"""The most bytes of a file one ``Chunk`` carries: as base64 (60,000 characters)
its frame stays within ``MAX_FRAME_BYTES``."""

MAX_INT_BITS = 64
"""Integers in client messages (and event params converted from strings) must fit
in 64 bits, signed; JavaScript numbers are exact only to 53."""


VIEW_TARGET = "0"
"""The target id of a session's LiveView; components use their own ids."""


class _Msg(msgspec.Struct, array_like=True, frozen=True, forbid_unknown_fields=True):
    # forbid_unknown_fields: an array with elements past the last field is refused.
    # A field with a default may be missing from the end of the array.
    pass


# -- client -> server ---------------------------------------------------------


class Join(_Msg, tag=0, frozen=True):
    """Join the view behind ``token`` (from the dead render) at ``url``.

    ``resume`` is the session id a ``Joined`` gave this tab before: within the
    grace period it re-attaches that running session instead of mounting anew.
    """

    ref: int
    token: str
    url: str
    resume: str = ""


class Event(_Msg, tag=1, frozen=True):
    """Invoke ``handler`` of actor ``target`` with ``params``; answered by ``ref``.

    ``[1,1,"inc"]`` is a click on the view's ``inc``: no params, the view's target.
    """

    ref: int
    handler: str
    params: dict[str, Any] = {}
    target: str = VIEW_TARGET


class Heartbeat(_Msg, tag=2, frozen=True):
    """Keep-alive; answered with an ``Ack``."""

    ref: int


class Sync(_Msg, tag=3, frozen=True):
    """Ask for a full render of ``target`` (the client saw a version gap)."""

    ref: int
    target: str


class Leave(_Msg, tag=4, frozen=True):
    """The client is going away; the server ends the session."""


class Visit(_Msg, tag=5, frozen=True):
    """Go to ``url`` without a page load (a live link, the browser's back or forward).

    The page's URL is already ``url``. A path the tab's view is routed at too
    runs its ``handle_params`` (a patch follows); another view's path mounts
    that view in the tab (its ``Render`` follows); a path no view is routed
    at, or another site's, is answered by ``Navigate`` (a page load).
    """

    ref: int
    url: str


Size = Annotated[int, msgspec.Meta(ge=0, lt=2**53)]
"""A byte count or offset: what a JavaScript number holds exactly."""


class FileInfo(_Msg, frozen=True):
    """One file chosen in an upload's file input: ``["a.png",1024,"image/png"]``."""

    name: str
    size: Size
    type: str


class Upload(_Msg, tag=6, frozen=True):
    """The files chosen for upload ``name`` of actor ``target`` (see ``allow_upload``).

    Sent before any of their bytes: the actor checks each (type, size, count)
    and replies (``Ack.reply``) ``{"refs": [...], "chunk_size": n, "auto": b}``:
    for each file its entry's ref, or None for a file it refused (the errors
    are in its ``uploads`` assign); ``auto`` false: send the chunks only when
    the input's form is submitted, before the submit event. An upload allowed
    with ``external=`` adds ``"external": [meta, ...]``: for each accepted file
    what its uploader needs (``meta["uploader"]`` names it); its bytes go there,
    not in ``Chunk`` s, and ``Progress`` reports them. The selection replaces
    the upload's unconsumed entries.
    """

    ref: int
    name: str
    files: list[FileInfo]
    target: str = VIEW_TARGET


class Chunk(_Msg, tag=7, frozen=True):
    """The bytes at ``offset`` of upload entry ``entry``, base64 in ``data``.

    At most ``MAX_CHUNK_BYTES`` (and the upload's ``chunk_size``) per chunk,
    in order; the client sends the next once this one is answered.
    """

    ref: int
    entry: str
    offset: Size
    data: str
    target: str = VIEW_TARGET


class Progress(_Msg, tag=8, frozen=True):
    """How many bytes of external upload entry ``entry`` have reached their storage.

    For an upload allowed with ``external=`` (the page's uploader sends the
    file elsewhere, to a presigned URL): sent as the uploader reports
    progress, each answered before the next, never going backwards;
    ``loaded`` equal to the entry's size means it is done.
    """

    ref: int
    entry: str
    loaded: Size
    target: str = VIEW_TARGET


ClientMessage = Join | Event | Heartbeat | Sync | Leave | Visit | Upload | Chunk | Progress


# -- server -> client ---------------------------------------------------------


class Patch(_Msg, tag=0, frozen=True):
    """Ops (see ``OP``) that bring ``target`` to ``version``, and the refs it answers.

    Built by :func:`patch`, in the compact form the wire carries: ``ops`` is one
    op itself (``[0,[1],"3"]``) or a list of several; ``acks`` is the ref of the
    one client message this patch answers, a list of them, or 0 for none. The
    client applies the ops, then settles those refs as ``Ack`` s would (no
    ``Ack`` frame follows). Read them as lists with :attr:`op_list` and
    :attr:`acked`. ``version`` 0 (left off the wire): the version after the
    one this socket last carried for ``target`` (its ``Render`` or ``Patch``);
    a client that holds no version of it treats that as a gap.
    """

    ops: list[Any]
    acks: int | list[int] = 0
    target: str = VIEW_TARGET
    version: int = 0

    @property
    def op_list(self) -> list[Any]:
        """The ops as a list, also when the wire carries one op bare."""
        ops = self.ops
        return [ops] if ops and type(ops[0]) is int else ops

    @property
    def acked(self) -> list[int]:
        """The refs this patch answers, in order."""
        acks = self.acks
        if isinstance(acks, int):
            return [acks] if acks else []
        return acks

    def following(self) -> Patch:
        """This patch with its version left off: it follows the last one sent."""
        return Patch(self.ops, self.acks, self.target)


class Render(_Msg, tag=1, frozen=True):
    """The whole content of ``target`` at ``version`` (join, restart, resync).

    Without ``html`` (``[1,"0",1]``): the page already holds this content,
    as the dead render served it; the client keeps its DOM and takes the
    version (or, if it changed that part of the page since, asks for a
    ``Sync``). Sent only on a new session's join.
    """

    target: str
    version: int
    html: str | None = None


class Joined(_Msg, tag=2, frozen=True):
    """The ``Join`` ``ref`` succeeded: ``session`` is what to send as ``resume`` later."""

    ref: int
    session: str


class Ack(_Msg, tag=3, frozen=True):
    """The message ``ref`` was handled; ``reply``: what its handler returned (a
    dict, for a JS hook's ``pushEvent`` callback), None (left off) for nothing."""

    ref: int
    reply: dict[str, Any] | None = None


class Error(_Msg, tag=4, frozen=True):
    """The message ``ref`` was refused (``ref`` 0: not tied to one message)."""

    ref: int
    code: str
    message: str


class Crash(_Msg, tag=5, frozen=True):
    """Actor ``target`` failed for good; the client shows ``message`` in its place."""

    target: str
    message: str


class Navigate(_Msg, tag=6, frozen=True):
    """Go to ``to`` (a full page load). ``flash``: a signed token of the flash
    messages the next page shows; the client hands it over in the ``FLASH_COOKIE``
    cookie, which the page's dead render reads and clears."""

    to: str
    flash: str = ""


class Url(_Msg, tag=7, frozen=True):
    """The tab now shows ``to``: push it on the browser's history (``replace``: in
    place of the current entry), no page load (``push_patch``, ``push_navigate``)."""

    to: str
    replace: bool = False


class PushEvent(_Msg, tag=8, frozen=True):
    """A named event for client-side hooks."""

    event: str
    payload: Any


class Title(_Msg, tag=9, frozen=True):
    """Set the page's title (``document.title``) to ``title``: the view's ``page_title``."""

    title: str


ServerMessage = Patch | Render | Joined | Ack | Error | Crash | Navigate | Url | PushEvent | Title


def patch(target: str, version: int, ops: list[Any], acks: Sequence[int] = ()) -> Patch:
    """The ``Patch`` of ``ops`` for ``target``, answering ``acks``, in its compact form:
    one op bare, one ack as an int (a lone ref 0 stays a list: 0 means none)."""
    wire_ops: list[Any] = ops[0] if len(ops) == 1 else ops
    wire_acks: int | list[int] = (
        acks[0] if len(acks) == 1 and acks[0] else list(acks) if acks else 0
    )
    return Patch(wire_ops, wire_acks, target, version)


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
    STREAM = 8


ATTR_NAMES = (
    "class",
    "value",
    "checked",
    "selected",
    "disabled",
    "hidden",
    "style",
    "href",
    "src",
    "title",
    "open",
    "aria-selected",
    "aria-expanded",
    "aria-current",
    "aria-hidden",
    "aria-pressed",
)
"""Attribute names an op may carry as their index here (``[1,[0],0,"active"]``
sets ``class``): the ones patches change most. Append only; any other name
goes as itself."""

ATTR_CODES = {name: code for code, name in enumerate(ATTR_NAMES)}
"""``ATTR_NAMES`` the other way round: a name's index."""


def attr_name(name: str | int) -> str:
    """An op's attribute name as written: itself, or the ``ATTR_NAMES`` entry its index names.

    Raises ``IndexError`` for an index past the table (or negative), ``TypeError``
    for anything but a string or an int."""
    if type(name) is str:
        return name
    if type(name) is int:
        if name < 0:
            raise IndexError(f"no attribute name at index {name}")
        return ATTR_NAMES[name]
    raise TypeError(f"an attribute name must be a string or an index, not {name!r}")


# -- names the page and the client share ---------------------------------------


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
    LINK = "roost-link"
    """On an ``<a href>``: ``"patch"`` or ``"navigate"``; a click goes there live (``Visit``)."""
    KEYDOWN = "roost-keydown"
    """A key pressed while the element (or one inside it) has focus sends this event."""
    KEYUP = "roost-keyup"
    """A key released while the element (or one inside it) has focus sends this event."""
    WINDOW_KEYDOWN = "roost-window-keydown"
    """A key pressed anywhere in the window sends this event (any element may carry it)."""
    WINDOW_KEYUP = "roost-window-keyup"
    """A key released anywhere in the window sends this event (any element may carry it)."""
    KEY = "roost-key"
    """With a key binding: only this ``event.key`` (matched case-insensitively) sends."""
    FOCUS = "roost-focus"
    """The element getting focus sends this event."""
    BLUR = "roost-blur"
    """The element losing focus sends this event."""
    WINDOW_FOCUS = "roost-window-focus"
    """The window getting focus sends this event (any element may carry it)."""
    WINDOW_BLUR = "roost-window-blur"
    """The window losing focus sends this event (any element may carry it)."""
    CLICK_AWAY = "roost-click-away"
    """A click outside the element sends this event."""
    DEBOUNCE = "roost-debounce"
    """On a binding's element: send after this many quiet milliseconds, or ``"blur"``."""
    THROTTLE = "roost-throttle"
    """On a binding's element: send at once, then at most once per this many milliseconds."""
    UPDATE = "roost-update"
    """``"ignore"``: patches leave the element's attributes and children as the browser has them."""
    HOOK = "roost-hook"
    """Runs the JS hook of this name (``window.Roost.hooks``) for the element's life."""
    DISABLE_WITH = "roost-disable-with"
    """On a submit button: its text while its form's submit is in flight (it is disabled)."""
    UPLOAD = "roost-upload"
    """On a file input: its chosen files go to the view's upload of this name
    (``allow_upload``), in chunks over the socket."""
    DROP_TARGET = "roost-drop-target"
    """On any element: files dropped on it go to the view's upload of this name, as if
    chosen in its file input; it has the class ``roost-drop-target-active`` while
    files are dragged over it."""
    AUTO_RECOVER = "roost-auto-recover"
    """On a form with a change binding: after a rejoin, ``"ignore"`` sends nothing, any
    other value sends that event instead of the change binding's (form recovery)."""


class VALUE:
    """Attribute values roost renders and the browser client reads."""

    STREAM = "stream"
    """``roost-update="stream"``: a stream's container; the server keeps none of its
    children, which ``OP.STREAM`` adds, replaces and removes by their ``id``."""
    IGNORE = "ignore"
    """``roost-update="ignore"``: patches leave the element as the browser has it;
    ``roost-auto-recover="ignore"``: the form is not re-sent after a rejoin."""


CRASH_CLASS = "roost-error"
"""The class of the notice (``<p role="alert">``) that takes the place of the content
of an actor that failed for good."""

TARGET_PARAM = "_target"
"""The param of a change event naming the field that changed. A handler gets
it only if it has a parameter of that name; else it is left out."""

FLASH_COOKIE = "roost_flash"
"""The cookie a ``Navigate``'s flash token goes in, for the next page's dead render."""


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
NO_UPLOAD = "no_upload"
"""A ``Chunk`` for an upload entry the actor does not have (any more): cancelled,
consumed, refused, or its bytes are not the ones expected next. Stop sending it."""
SERVER_FULL = "server_full"
"""No room for another session: the server holds ``App(max_sessions)`` sessions, each
with its tab connected. The socket is closed with ``CLOSE_TRY_AGAIN``; try again later."""


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
    NO_UPLOAD,
    SERVER_FULL,
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
"""Cut off: the socket fell behind (it did not read what the server sent); reconnect.
Also: too many sockets from one address, or the server is full; try again later."""


class ProtocolError(ValueError):
    """A frame that is not a valid message of this protocol version."""


_encoder = msgspec.json.Encoder()
_client_decoder = msgspec.json.Decoder(ClientMessage)
_server_decoder = msgspec.json.Decoder(ServerMessage)


def _tag(cls: type[msgspec.Struct]) -> int:
    tag = cls.__struct_config__.tag
    assert type(tag) is int
    return tag


def _trailing_defaults(cls: type[msgspec.Struct]) -> tuple[int, int, tuple[Any, ...]] | None:
    # (tag, how many fields come first without a default, the defaults after them)
    defaults = []
    for field in msgspec.structs.fields(cls):
        if field.default_factory is not msgspec.NODEFAULT:
            defaults.append(field.default_factory())
        elif field.default is not msgspec.NODEFAULT:
            defaults.append(field.default)
        elif defaults:
            raise TypeError(f"{cls.__name__}: a field without a default follows one with")
    if not defaults:
        return None
    required = len(cls.__struct_fields__) - len(defaults)
    return _tag(cls), required, tuple(defaults)


_CLIENT_MESSAGES = (Join, Event, Heartbeat, Sync, Leave, Visit, Upload, Chunk, Progress)
_SERVER_MESSAGES = (Patch, Render, Joined, Ack, Error, Crash, Navigate, Url, PushEvent, Title)
_TRIMMED: dict[type[msgspec.Struct], tuple[int, int, tuple[Any, ...]]] = {
    cls: spec
    for cls in (*_CLIENT_MESSAGES, *_SERVER_MESSAGES)
    if (spec := _trailing_defaults(cls)) is not None
}


_PATCH_TAG = _tag(Patch)


def encode(message: msgspec.Struct) -> str:
    """Encode any message as its compact JSON text: trailing fields that hold
    their default are left off (``[1,1,"inc"]``, not ``[1,1,"inc",{},"0"]``)."""
    if type(message) is Patch:  # (most of what a server sends: trimmed in line)
        return _encoder.encode(_patch_fields(message)).decode()
    spec = _TRIMMED.get(type(message))
    if spec is not None:
        tag, required, defaults = spec
        values = msgspec.structs.astuple(message)
        n = len(values)
        while n > required:
            default, value = defaults[n - 1 - required], values[n - 1]
            if type(value) is not type(default) or value != default:
                break
            n -= 1
        if n < len(values):
            return _encoder.encode([tag, *values[:n]]).decode()
    return _encoder.encode(message).decode()


def _patch_fields(patch: Patch) -> list[Any]:
    # A Patch's fields up to the last that does not hold its default (0, 0, VIEW_TARGET, 0).
    ops, acks, target, version = patch.ops, patch.acks, patch.target, patch.version
    if version != 0 or type(version) is not int:
        return [_PATCH_TAG, ops, acks, target, version]
    if target != VIEW_TARGET or type(target) is not str:
        return [_PATCH_TAG, ops, acks, target]
    if acks != 0 or type(acks) is not int:
        return [_PATCH_TAG, ops, acks]
    return [_PATCH_TAG, ops]


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
    kind = type(value)
    if kind is str:  # (what most params are)
        return True
    if kind is int:
        bits: int = value.bit_length()
        return bits < MAX_INT_BITS
    if kind is dict:
        value = value.values()
    elif kind is not list and kind is not tuple:
        return True
    for item in value:  # (a loop, not all() of a generator: every event's params)
        if not ints_fit(item):
            return False
    return True


MAX_JOINED_BYTES = 64 * 1024
"""Patches of different targets queued together for one socket share a frame up to
this size (``join_frame``)."""

_PATCH_PREFIX = f"[{Patch.__struct_config__.tag},"


def joinable(message: str) -> str | None:
    """The target of the encoded ``message`` if it may share a frame, else None.

    Only patches do, and only with patches of other targets (a click on a
    component that tells its view is answered by both actors' patches in one
    frame); two patches of one target keep a frame each.
    """
    if not message.startswith(_PATCH_PREFIX):
        return None
    # The target is the last string, before a version if one is written out;
    # the ops always end in "]", so a string right before the end is the target.
    end = len(message) - 1
    if message[end - 1].isdigit():
        end = message.rindex(",", 0, end)
    if message[end - 1] != '"':
        return VIEW_TARGET  # the target is left off: the view's
    start = message.rfind(',"', 0, end)
    return message[start + 2 : end - 1] if start > 0 else None


def join_frame(messages: Sequence[str]) -> str:
    """One server frame holding the encoded ``messages`` in order: the message itself
    for one, else a JSON array of them (``[[0,…],[0,…]]``), applied in order."""
    if len(messages) == 1:
        return messages[0]
    return "[" + ",".join(messages) + "]"


def decode_server(frame: str | bytes) -> ServerMessage:
    """Decode one server message (used by the test client)."""
    try:
        return _server_decoder.decode(frame)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ProtocolError(str(exc)) from None


_server_frame_decoder = msgspec.json.Decoder(list[ServerMessage])


def decode_server_frame(frame: str | bytes) -> list[ServerMessage]:
    """Decode a server frame: the one message it holds, or each of its messages."""
    head = frame[:2]
    try:
        if head in ("[[", b"[["):
            return _server_frame_decoder.decode(frame)
        return [_server_decoder.decode(frame)]
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ProtocolError(str(exc)) from None


def tags(*union: type[msgspec.Struct]) -> dict[str, int]:
    """Each message's tag by its name in capitals (PushEvent: ``PUSH_EVENT``), as
    the browser client names them."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).upper(): _tag(cls) for cls in union}


def _constants(namespace: type) -> dict[str, Any]:
    return {name: value for name, value in vars(namespace).items() if name.isupper()}


def _fields(*union: type[msgspec.Struct]) -> dict[str, dict[str, int]]:
    # Each message's field positions in its array (the tag is at 0), by JS name.
    names = tags(*union)
    return {
        name: {field.upper(): i + 1 for i, field in enumerate(cls.__struct_fields__)}
        for name, cls in zip(names, union, strict=True)
    }


def js_module() -> str:
    """The text of ``roost/client/protocol.js``, generated from this module."""
    constants = {
        "VERSION": VERSION,
        "CLIENT": tags(*_CLIENT_MESSAGES),
        "SERVER": tags(*_SERVER_MESSAGES),
        "FIELDS": _fields(*_CLIENT_MESSAGES, *_SERVER_MESSAGES),
        "OP": _constants(OP),
        "ATTR_NAMES": list(ATTR_NAMES),
        "ATTR": _constants(ATTR),
        "VALUE": _constants(VALUE),
        "ERROR": {code.upper(): code for code in ERROR_CODES},
        "VIEW_TARGET": VIEW_TARGET,
        "FLASH_COOKIE": FLASH_COOKIE,
        "TARGET_PARAM": TARGET_PARAM,
        "CRASH_CLASS": CRASH_CLASS,
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
