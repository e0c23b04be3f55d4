# One browser tab's WebSocket: accept (version, host and origin checked), join
# the view named by a signed token, route frames into the session, and on every
# way out detach the session first and close the socket after. The socket comes
# as a `Wire`: an ASGI one here, or roost's own (websocket.py) under `roost run`.
from __future__ import annotations

import logging
import math
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Protocol, cast, get_args
from urllib.parse import parse_qs

import anyio
import anyio.abc
import anyio.lowlevel

from .. import protocol, telemetry
from .._logging import clip
from ..actors import SessionEnded
from ..protocol import (
    CLOSE_BAD_DATA,
    CLOSE_GOING_AWAY,
    CLOSE_INTERNAL_ERROR,
    CLOSE_NORMAL,
    CLOSE_POLICY,
    CLOSE_TRY_AGAIN,
)
from ..supervisor import TaskGroup, open_task_group
from .hosts import origin_refusal
from .limits import TokenBucket, loop_clock
from .tokens import BadToken

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..actors import Session
    from .app import App
    from .deferred import DeferredWrites
    from .runtime import Runtime

log = logging.getLogger("roost.server")

_NO_FRAMES: deque[str] = deque(maxlen=0)  # an idle socket's queue: shared, always empty

_MESSAGE_KINDS = {
    str(tag): name.lower() for name, tag in protocol.tags(*get_args(protocol.ServerMessage)).items()
}
"""Each server message's tag, and what telemetry calls it (``patch``, ``render``...)."""


def _message_kind(frame: str) -> str:
    # What a frame carries, by its (first) message's tag: `[0,…]` alone, or
    # `[[0,…],[0,…]]` for patches that share a frame.
    start = 2 if frame.startswith("[[") else 1
    end = frame.find(",", start)
    return _MESSAGE_KINDS.get(frame[start : end if end > 0 else -1], "other")


CLOSE_TIMEOUT = 2.0
"""Seconds the close frame may take to write; the session is detached before it."""

WRITE_TIMEOUT = 10.0
"""Seconds one write may take before the socket is taken for stuck (and cut off)."""

IDLE_SLACK = 0.125
IDLE_SLACK_MAX = 5.0
"""How much later than its ``idle_timeout`` (``join_timeout``) a silent socket may
be closed: ``IDLE_SLACK`` of it, at most ``IDLE_SLACK_MAX`` seconds (well within
the margin of hypercorn's own read timeout, its backstop)."""


class Wire(Protocol):
    """One accepted WebSocket, as roost's socket uses it: whole messages in, text out.

    Writes never overlap (the socket has one writer at a time, and its close
    goes after it); ``receive`` is called by one task.
    """

    async def receive(self) -> str | bytes | None:
        """The next whole message (text, or bytes for a binary one); None once
        the peer is gone or closed."""
        ...

    async def send(self, text: str) -> None:
        """Write one text message; raises if the peer is gone."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Send the close frame (nothing if the connection is closed already)."""
        ...


class ImmediateWire(Wire, Protocol):
    """A :class:`Wire` that can also write without waiting (roost's own, under
    ``roost run``): the frame goes out in the task that made it, with no writer
    task and no pass of the scheduler in between."""

    def send_now(self, text: str) -> bool | None:
        """Write ``text`` if the connection takes it without waiting. True: written
        whole; False: nothing written (busy, full or gone); None: written in
        part, the rest owed to the next :meth:`flush`."""
        ...

    async def flush(self) -> None:
        """Write what ``send_now`` owes (raises, as ``send``, if the peer is gone)."""
        ...

    @property
    def deferred(self) -> DeferredWrites | None:
        """Where frames left for the actor about to run wait, within a bound
        (None: nowhere; a writer task bounds the wait instead)."""
        ...


class AsgiWire:
    """A :class:`Wire` over an ASGI server's WebSocket (accepted already)."""

    __slots__ = ("_receive", "_send")

    def __init__(self, receive: Any, send: Any) -> None:
        self._receive = receive
        self._send = send

    async def receive(self) -> str | bytes | None:
        event = await self._receive()
        if event["type"] == "websocket.disconnect":
            return None
        text: str | None = event.get("text")
        return text if text is not None else bytes(event.get("bytes") or b"")

    async def send(self, text: str) -> None:
        await self._send({"type": "websocket.send", "text": text})

    async def close(self, code: int, reason: str) -> None:
        await self._send({"type": "websocket.close", "code": code, "reason": reason})


async def serve_socket(app: App, scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Serve one ASGI WebSocket: accept it, then as :func:`serve_wire`."""
    if (await receive())["type"] != "websocket.connect":
        return
    # Accepted first, so that even a refusal reaches the client as a close
    # code and reason rather than a bare HTTP 403 the browser hides.
    await send({"type": "websocket.accept"})
    await serve_wire(app, scope, AsgiWire(receive, send))


async def serve_wire(app: App, scope: dict[str, Any], wire: Wire) -> None:
    """Serve one accepted WebSocket until the client leaves, goes silent or sends
    something invalid.

    A bad frame, token, host or origin closes this connection only, with a
    close code and reason that say what was wrong (docs/protocol.md); so does
    a full server (``server_full``, close 1013). However the socket ends, its
    session is detached before anything is written.
    """
    runtime = app.runtime
    if runtime is not None and runtime.full():
        await _refuse_full(runtime.full_text(), wire)
        return
    refusal = _refusal(app, scope)
    if refusal is not None or runtime is None:
        refusal = refusal or "server is not running a supervision tree"
        log.warning("websocket refused: %s", refusal)
        await _close(wire, CLOSE_POLICY, refusal)
        return
    address = _address(scope)
    if not runtime.addresses.open(address):
        log.warning("websocket refused: %s has too many sockets that have not joined", address)
        await _close(wire, CLOSE_TRY_AGAIN, "too many connections from this address")
        return
    connection = _Connection(app, runtime, address, wire)
    async with open_task_group() as tg:
        connection.writers = tg
        try:
            await connection.serve()
        finally:
            with anyio.CancelScope(shield=True):
                await connection.finish()
            # The close is written (or gave up): a write still stuck on a
            # peer that does not read has nothing left to deliver.
            tg.cancel_scope.cancel()


async def _refuse_full(text: str, wire: Wire) -> None:
    """Refuse a socket opened while every session has its tab connected.

    Refused at once, before the join (no token checked, no session started),
    with an error saying why and close 1013: the browser backs off and tries
    again. A tab coming back within its grace period is not refused here: its
    own session, waiting for it without a socket, makes the server not full.
    """
    log.warning("websocket refused: %s", text)
    try:
        await wire.send(protocol.encode(protocol.Error(0, protocol.SERVER_FULL, text)))
    except Exception:  # the peer is gone already
        return
    await _close(wire, CLOSE_TRY_AGAIN, protocol.SERVER_FULL)


def _refusal(app: App, scope: dict[str, Any]) -> str | None:
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    if query.get("v") != [str(protocol.VERSION)]:
        return f"unsupported protocol version (server speaks v={protocol.VERSION})"
    host = app.hosts.refusal(scope)
    if host is not None:
        return host
    if app.check_origin:
        return origin_refusal(scope)
    return None


def _address(scope: dict[str, Any]) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def _close(wire: Wire, code: int, reason: str) -> None:
    # A close reason is at most 123 bytes (RFC 6455); say as much of it as fits.
    reason = reason.encode()[:123].decode(errors="ignore")
    with anyio.move_on_after(CLOSE_TIMEOUT):
        try:
            await wire.close(code, reason)
        except Exception:  # the peer is gone already
            pass


def _sharing(messages: Iterable[str]) -> tuple[int, int]:
    """How many of the encoded ``messages``, from the first, go out in one frame,
    and their size: patches of different targets one after the other (up to
    ``MAX_JOINED_BYTES``); any other message goes alone."""
    count = size = 0
    targets: set[str] = set()
    for text in messages:
        target = protocol.joinable(text)
        if count and (
            target is None or target in targets or size + len(text) > protocol.MAX_JOINED_BYTES
        ):
            break
        count += 1
        size += len(text)
        if target is None:
            break
        targets.add(target)
    return count, size


class _Connection:
    """One socket: before join, joined to a session, closed.

    The session's outbox never waits: ``transport`` writes a frame at once
    on an :class:`ImmediateWire` when that takes no waiting (nothing queued,
    the socket's buffer has room, no patch of the tab about to follow),
    queues it otherwise, or refuses it when the queue holds
    ``App.outbox_bytes`` or a write has taken ``WRITE_TIMEOUT`` seconds (the
    session then cuts this socket off). A task of the socket's own writes
    what is queued (``_write_queued``, started when a frame is queued, ending
    once none is): a client that stops reading holds that task, never an
    actor. Writes never overlap: the close frame goes once the socket is
    closed to new frames (``_gone``) and its writer has drained what was
    queued.
    """

    def __init__(self, app: App, runtime: Runtime, address: str, wire: Wire) -> None:
        self.app = app
        self.runtime = runtime
        self.address = address
        self._wire = wire
        self._now = cast("ImmediateWire", wire) if hasattr(wire, "send_now") else None
        self._deferred = self._now.deferred if self._now is not None else None
        self._owed = False  # send_now wrote a frame in part: the writer owes the rest
        self._frames: deque[str] = _NO_FRAMES  # made on the first write (a deque is 760 B)
        self._queued_bytes = 0
        self.writers: TaskGroup | None = None
        """Where the writer task runs (the socket's task group)."""
        self._writer = False  # a writer task is running
        self._writer_waiting = False  # ... and is not writing (see _write_last)
        self._write_started: float | None = None
        self._drained: anyio.Event | None = None  # set when the writer ends, if asked
        self.session: Session | None = None
        self.closed = False
        self.left = False
        self._clock = loop_clock()
        rate, burst = app.event_rate
        self.frames = TokenBucket(rate, burst, clock=self._clock)
        self._close: tuple[int, str] | None = None
        """The close code and reason to send when the connection is done."""
        self._close_sent = False
        self._reading: anyio.CancelScope | None = None
        self._deadline = math.inf  # the reading scope's deadline, as last set

    # -- writing -------------------------------------------------------------

    def transport(self, text: str) -> str | None:
        """Write (or queue) one encoded message for the socket; None, or why it cannot take it."""
        if self.closed:
            return None  # its session is being detached
        if (
            self._write_started is not None
            and anyio.current_time() - self._write_started > WRITE_TIMEOUT
        ):
            return f"a write took more than {WRITE_TIMEOUT:g} s"
        if self._queued_bytes + len(text) > self.app.outbox_bytes:
            return f"fell behind by more than {self.app.outbox_bytes} bytes of messages"
        if self._now is not None:
            if self._writer:
                if self._writer_waiting and self._write_last(text):
                    return None
            elif self._frames:  # left for this actor (_defer): with its patch, at once
                if self._write_last(text):
                    assert self._deferred is not None
                    self._deferred.cancel(self._release)
                    return None
            elif self._write_now(text):
                return None
        if self._frames is _NO_FRAMES:
            self._frames = deque()
        self._frames.append(text)
        self._queued_bytes += len(text)
        if not self._writer and not self._defer():
            self._start_writer()
        return None

    def _defer(self) -> bool:
        """Leave what is queued for an actor of the tab that was just handed a
        message (it may answer with a patch that shares the frame) rather than
        start the writer: ``_release`` writes it if that actor has not by the
        time its turn has passed. True if left so."""
        deferred = self._deferred
        session = self.session
        if deferred is None or session is None or not session.handoffs or self._owed:
            return False
        deferred.defer(self._release)
        return True

    def _release(self) -> bool:
        """Write what was left for an actor that has had its turn: at once as one
        frame if it fits one and the socket takes it, else by the writer task.
        True if that task started (called between scheduler batches)."""
        if self._writer or not self._frames:
            return False
        written = False
        try:
            written = not self.closed and self._write_joined(list(self._frames))
        finally:
            if not written:  # (also if that failed: the writer tries again)
                self._start_writer()
        return self._writer  # (also started when the socket took only part of it)

    def _start_writer(self) -> None:
        if self._frames and self._deferred is not None:
            self._deferred.cancel(self._release)  # the writer writes what waited
        if not self._writer and self.writers is not None:
            # A task only while there is something to write: an idle socket costs none.
            self._writer = True
            self._writer_waiting = True  # it writes nothing before its first turn
            self.writers.start_soon(self._write_queued)

    def _write_now(self, text: str) -> bool:
        """Write ``text`` at once if nothing is queued before it and no patch of the
        tab is about to follow it (it would share its frame): True if it went."""
        session = self.session
        if session is None or session.patches_coming:
            return False  # (before the join is through: its frames are queued)
        return self._send_now(text)

    def _write_last(self, text: str) -> bool:
        """Write the patches queued and ``text`` at once, as one frame, if ``text``
        is the last patch of the tab to come (no actor of it has a message from
        another still untaken), each is of another target and the socket's
        buffer takes them: True if they went. Saves the writer task its turn: a
        click on a component that tells its view is answered by the view's actor."""
        session = self.session
        if session is None or session.handoffs:
            return False
        return self._write_joined([*self._frames, text])

    def _write_joined(self, messages: list[str]) -> bool:
        # The queued frames (and one more) out now as one frame, if they may share
        # one (_sharing) and the socket's buffer takes it: True if they went.
        if self._owed or _sharing(messages)[0] < len(messages):
            return False
        if not self._send_now(protocol.join_frame(messages)):
            return False
        self._frames.clear()
        self._queued_bytes = 0
        if self.session is not None:
            self.session.patches_sent()
        return True

    def _send_now(self, text: str) -> bool:
        # One frame on the ImmediateWire, now; what it takes in part is owed
        # (the writer task, started if need be, writes the rest before anything else).
        assert self._now is not None
        began = time.perf_counter() if telemetry.active() else None
        written = self._now.send_now(text)
        if written is False:
            return False
        if written is None:  # in part: the writer task writes the rest
            self._owed = True
            self._write_started = anyio.current_time()
            self._start_writer()
        elif began is not None:
            took = time.perf_counter() - began
            meta = {**self._meta(), "message": _message_kind(text)}
            telemetry.emit(telemetry.Measurement("send", took, len(text), meta))
        return True

    async def _write_queued(self) -> None:
        """Write queued frames in order until none is left (or the peer is gone)."""
        try:
            while True:
                if self._owed:
                    assert self._now is not None
                    try:
                        await self._now.flush()
                    except Exception:  # the peer went away
                        self._frames.clear()
                        self._gone()
                        return
                    self._owed = False
                    self._write_started = None
                if not self._frames:
                    return
                # One pass of the scheduler first: an actor this frame's actor
                # woke (a send_parent) queues its patch meanwhile, and both go
                # out in one frame (written by that actor, _write_last, or here).
                await anyio.lowlevel.checkpoint()
                if self._owed or not self._frames:
                    continue
                self._writer_waiting = False  # (a write of its own in flight)
                text, size = self._take_frames()
                if self.session is not None:
                    self.session.patches_sent()
                self._write_started = anyio.current_time()
                began = time.perf_counter() if telemetry.active() else None
                try:
                    await self._wire.send(text)
                except Exception:  # the peer went away
                    self._frames.clear()
                    self._gone()
                    return
                took = time.perf_counter() - began if began is not None else None
                self._writer_waiting = True
                self._write_started = None
                self._queued_bytes -= size
                if took is not None:
                    meta = {**self._meta(), "message": _message_kind(text)}
                    telemetry.emit(telemetry.Measurement("send", took, len(text), meta))
        finally:
            self._writer = False
            self._writer_waiting = False
            if not self._frames:
                self._frames = _NO_FRAMES
            if self._drained is not None:
                self._drained.set()

    def _take_frames(self) -> tuple[str, int]:
        # The next frame and its queued size (see _sharing).
        count, size = _sharing(self._frames)
        taken = [self._frames.popleft() for _ in range(count)]
        return protocol.join_frame(taken), size

    def _meta(self) -> dict[str, Any]:
        return {"session": self.session.id if self.session is not None else ""}

    def _write(self, message: protocol.ServerMessage) -> None:
        self.transport(protocol.encode(message))

    async def kick(self, code: int, reason: str) -> None:
        """Close the socket (once) with ``code`` and ``reason``; its session is
        detached first, so no write that follows can block it."""
        if self.closed:
            return
        self._gone()
        self._close_sent = True
        await self._write_close(code, reason)
        if self._reading is not None:
            self._reading.cancel()  # stop waiting on a client we gave up on

    def _gone(self) -> None:
        # Every way out of a socket passes here: nothing written may hold it.
        # (A writer still running drains what is queued, then ends.)
        self.closed = True
        if self._frames:  # left for an actor (_defer): the writer drains it before the close
            self._start_writer()
        if self.session is not None:
            self.session.detach(self.transport)

    # -- reading -------------------------------------------------------------

    async def serve(self) -> None:
        """Read and handle frames until the connection is done; then set ``_close``."""
        try:
            with anyio.CancelScope() as self._reading:
                await self._read(self._reading)
            if self._reading.cancelled_caught and not self.closed:
                # Its deadline passed (no kick, which closes first): a silent client.
                what = "idle" if self.session else "no join"
                timeout = self.app.idle_timeout if self.session else self.app.join_timeout
                log.info("closing a websocket: %s for %s s", what, timeout)
                self._close = (CLOSE_GOING_AWAY, f"{what} for {timeout:g} s")
        except SessionEnded:
            # It failed past its restart limit (the client was sent a Crash) or was stopped.
            self._close = (CLOSE_NORMAL, "session ended")
        except Exception:
            # A bug of ours must not reach the server: this socket ends, nothing else.
            log.exception("websocket failed")
            self._close = (CLOSE_INTERNAL_ERROR, "internal error")
        except BaseException:
            self._close = (CLOSE_GOING_AWAY, "server shutting down")
            raise

    async def _read(self, reading: anyio.CancelScope) -> None:
        # The reading scope's own deadline (a scope per frame would cost memory
        # per socket). When a frame comes, it is moved on only if it is nearer
        # than the timeout, to a little past it: most frames leave it as it is,
        # handling a frame always has the whole timeout, and a silent socket is
        # closed at most the slack late. A join clears it (_receive), so that a
        # slow mount is not cut short; the next wait arms it again.
        # (`_deadline` mirrors the scope's, which is read through two layers.)
        while not self.closed:
            if self._deadline == math.inf:
                self._arm(reading, self._clock())
            frame = await self._wire.receive()
            now = self._clock()  # read once for the frame: its deadline and its limits
            self._arm(reading, now)
            if await self._receive(frame, now):
                return

    def _arm(self, reading: anyio.CancelScope, now: float) -> None:
        timeout = self.app.idle_timeout if self.session else self.app.join_timeout
        due = now + timeout
        slack = min(timeout * IDLE_SLACK, IDLE_SLACK_MAX)
        if not due <= self._deadline <= due + slack:
            reading.deadline = self._deadline = due + slack

    async def _receive(self, frame: str | bytes | None, now: float) -> bool:
        """Handle one message (None: the peer is gone); True when the connection is
        done. ``now``: the loop's clock when it came."""
        if frame is None:
            self._gone()
            return True
        if isinstance(frame, str) and telemetry.active():
            telemetry.emit(telemetry.Measurement("receive", bytes=len(frame), meta=self._meta()))
        if not isinstance(frame, str):
            await self._refuse(
                0,
                protocol.BAD_MESSAGE,
                "binary frames are not part of the protocol",
                CLOSE_BAD_DATA,
            )
            return True
        try:
            message = protocol.decode_client(frame)
        except protocol.ProtocolError as exc:
            await self._refuse(0, protocol.BAD_MESSAGE, str(exc), CLOSE_BAD_DATA)
            return True
        if isinstance(message, protocol.Leave):
            self.left = True
            self._close = (CLOSE_NORMAL, "left")
            return True
        ref = getattr(message, "ref", 0)
        if not self.frames.allow(now) or not self.runtime.addresses.allow(self.address, now):
            text = f"more than {self.frames.rate:g} messages per second"
            await self._reply(protocol.Error(ref, protocol.RATE_LIMITED, text))
            return False
        if isinstance(message, protocol.Join):
            if self._reading is not None:
                self._reading.deadline = self._deadline = math.inf  # (see _read)
            return not await self._join(message)
        if self.session is None:
            await self._refuse(ref, protocol.BAD_MESSAGE, "join first", CLOSE_POLICY)
            return True
        await self.session.receive(message)
        return False

    async def _reply(self, message: protocol.ServerMessage) -> None:
        # In order with the session's own messages when joined, directly before.
        if self.session is not None:
            await self.session.send(message)
        else:
            self._write(message)

    async def _join(self, join: protocol.Join) -> bool:
        if self.session is not None:
            await self._refuse(join.ref, protocol.BAD_MESSAGE, "already joined", CLOSE_POLICY)
            return False
        try:
            claims = self.app.signer.verify(join.token)
        except BadToken as exc:
            await self._refuse(join.ref, protocol.BAD_TOKEN, str(exc), CLOSE_POLICY)
            return False
        try:
            session = await self.runtime.start_session(
                claims, self.transport, resume=join.resume, kick=self.kick
            )
        except LookupError as exc:
            await self._refuse(join.ref, protocol.BAD_TOKEN, str(exc), CLOSE_POLICY)
            return False
        except Exception:
            log.exception("join failed")
            await self._refuse(
                join.ref, protocol.JOIN_FAILED, "the view failed to mount", CLOSE_POLICY
            )
            return False
        self.session = session
        self.runtime.addresses.joined(self.address)
        if self.closed:  # the socket went away while the view mounted
            session.detach(self.transport)
            return False
        await session.send(protocol.Joined(join.ref, session.resume_token))
        return True

    async def _refuse(self, ref: int, code: str, text: str, close_code: int) -> None:
        """Answer ``ref`` with an error saying why, and close the socket after."""
        log.warning("closing websocket: %s: %s", code, clip(text))
        self._write(protocol.Error(ref, code, text))
        self._close = (close_code, code)

    # -- the end -----------------------------------------------------------------

    async def finish(self) -> None:
        """Called once, shielded: detach the session, end it if the tab left, close.

        The session is detached before anything is awaited, so a write stuck
        in the server cannot keep it attached (it ends after its grace period).
        """
        session = self.session
        attached = session is not None and session.is_attached_to(self.transport)
        self._gone()
        if session is not None and self.left and attached:
            with anyio.move_on_after(CLOSE_TIMEOUT):
                await self.runtime.end_session(session)
        self.runtime.addresses.close(self.address, joined=session is not None)
        if self._close_sent:
            return
        self._close_sent = True
        code, reason = self._close or (CLOSE_GOING_AWAY, "server shutting down")
        await self._write_close(code, reason)

    async def _write_close(self, code: int, reason: str) -> None:
        # After what was queued (a refusal's Error first), unless that is stuck.
        # Called once the socket takes no more frames (_gone): no writer starts
        # after the drain, so no write overlaps the close.
        assert self.closed
        with anyio.move_on_after(CLOSE_TIMEOUT):
            if self._writer:
                self._drained = anyio.Event()
                await self._drained.wait()
            await _close(self._wire, code, reason)
