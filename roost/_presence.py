# Presence: who is on a topic, across every node sharing the pubsub, with
# join/leave diffs for the views that watch it (Phoenix.Presence, without CRDTs).
"""Presence: who is on a topic, in this process and every other one sharing the pubsub.

One :class:`Presence` per app, run in its supervision tree
(``App(children=[presence.child_spec()])``), is this process's *node*: a
random node id, the presences its own actors track, and a replica of every
other node's presences on the topics its actors care about. A view tracks
itself in ``mount`` (``presence.track(self, topic, key, meta)``); it is
untracked when its actor exits, however it exits. ``presence.list(topic)``
gives ``{key: [meta, ...]}`` merged from every node, and each change reaches
the views that track or ``subscribe`` to the topic as a ``presence_diff``
message in ``handle_info`` (:meth:`PresenceDiff.parse` reads it).

How the nodes agree, on pubsub topics of their own (``roost.presence:`` +
the topic), each message JSON-able:

- a node's own joins and leaves, as it makes them: ``{"op": "diff", "node":
  n, "joins": {...}, "leaves": {...}}``;
- its whole state on the topic, every ``heartbeat`` seconds while it has
  presences there: ``{"op": "state", "node": n, "presences": {...}}``. It
  replaces what the others hold for that node, which repairs a lost diff;
- ``{"op": "hello", "node": n}`` when a node starts watching a topic: the
  others answer with their state at once, so a late joiner need not wait for
  a heartbeat.

A node heard nothing from on a topic for ``timeout`` seconds (killed, cut off)
has its presences there dropped, as leaves. There are no vector clocks: each
node is the only writer of its own presences and the pubsub keeps one
broadcaster's messages in order, which is all a replica needs; the price is
that a node cut off for longer than ``timeout`` flickers (leaves, then joins
again at its next heartbeat) where Phoenix's CRDT would not.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import secrets
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import anyio
import anyio.abc

from .actors import ActorRef, LiveComponent, LiveView
from .pubsub import PubSub, Unsubscribe
from .supervisor import ChildSpec

log = logging.getLogger("roost.presence")

HEARTBEAT = 5.0
"""Seconds between a node's state broadcasts on each topic it has presences on."""

TIMEOUT = 20.0
"""Seconds without a word from a node before its presences are dropped."""

DIFF_INTERVAL = 1.0
"""Seconds between two diffs of one topic to this node's views: a diff goes at
once after a quiet spell; the changes of the interval that follows wait and go
as one diff. A burst of joins (a room of a thousand tabs, filling) then costs
each view one diff a second instead of one per join."""

DIFFS_PER_SECOND = 2000
"""The most diffs a second a node hands its views of one topic: with more views
than this on a topic, its interval grows with them (10,000 views: a diff every
5 s), so that a big room filling up cannot take the whole process."""

FLUSH_TIMEOUT = 2.0
"""Seconds a stopping node may take to send what it still has to say (the last leaves)."""

DIFF_EVENT = "presence_diff"
"""The ``event`` of the diff messages views get in ``handle_info``."""

REF = "presence_ref"
"""The key each meta is given: the id of that one presence, unique across nodes."""

_WIRE = "roost.presence:"
_DIFFS = "roost.presence_diff:"

Meta: TypeAlias = dict[str, Any]
Presences: TypeAlias = dict[str, list[Meta]]
"""``{key: [meta, ...]}``: each key's presences (one per tab, say), oldest first."""

Summary: TypeAlias = tuple[int, tuple[tuple[str, int], ...]]
"""``(how many keys, ((key, presences), ...))``: what :meth:`Presence.summary` gives."""

Owner: TypeAlias = LiveView | LiveComponent | ActorRef
"""What a presence belongs to: it is untracked when this actor (incarnation) exits."""

_Entry: TypeAlias = tuple[str, Meta]  # (key, meta with its REF)
# `list` is a method of Presence: in its body, the builtin goes by these names.
_Entries: TypeAlias = list[_Entry]
_Refs: TypeAlias = list[str]

NOT_RUNNING = (
    "this Presence is not running: add presence.child_spec() to App(children=[...]) "
    "(or run presence.run in a task group)"
)


@dataclass(frozen=True)
class PresenceDiff:
    """What changed on ``topic``: the presences that joined and those that left.

    ``joins`` and ``leaves`` are ``{key: [meta, ...]}`` as :meth:`Presence.list`
    gives them; a ``meta`` changed by :meth:`Presence.update` leaves with its
    old ``presence_ref`` and joins with a new one, in the same diff. A node
    tells its views the changes of a topic at most once every
    ``diff_interval`` seconds, all of them in one diff; a presence that joined
    and left within it comes as a leave only. Every subscriber of a node may
    be handed the same dicts: treat them as read-only.
    """

    topic: str
    joins: Presences
    leaves: Presences

    @classmethod
    def parse(cls, message: Any) -> PresenceDiff | None:
        """The diff in ``message`` (as ``handle_info`` got it), or None for any other message."""
        if not isinstance(message, dict) or message.get("event") != DIFF_EVENT:
            return None
        topic, joins, leaves = message.get("topic"), message.get("joins"), message.get("leaves")
        if not isinstance(topic, str) or not isinstance(joins, dict):
            return None
        if not isinstance(leaves, dict):
            return None
        return cls(topic, joins, leaves)


@dataclass
class _Topic:
    # One topic as this node sees it: every node's entries, when each remote
    # node was last heard from, and how many local watchers keep it replicated.
    unsubscribe: Unsubscribe
    nodes: dict[str, dict[str, _Entry]] = field(default_factory=dict)
    seen: dict[str, float] = field(default_factory=dict)
    followers: int = 0
    changes: int = 0  # how many times its presences changed: what a summary was made at
    summaries: dict[int, tuple[int, Summary]] = field(default_factory=dict)


@dataclass
class _Owner:
    # One local actor's presences ((topic, key) -> presence_ref) and the topics
    # whose diffs it gets.
    unwatch: Callable[[], None]
    tracked: dict[tuple[str, str], str] = field(default_factory=dict)
    follows: set[str] = field(default_factory=set)


class Presence:
    """This process's presences and its replica of every other node's.

    Make one per app and run it in the app's tree, after the pubsub and before
    the sessions: ``App(routes, children=[presence.child_spec()])``. Its
    pubsub is the app's: given here, or else taken from the first view that
    uses it (then let go when its tree stops, so a new tree may bring another).

    Args:
      pubsub: the backend to share presences on; None for the app's own.
      node: this node's id (default: a random one, unique per process).
      heartbeat: seconds between this node's state broadcasts.
      timeout: seconds without a word from a node before its presences expire;
        more than ``heartbeat`` (a few times it), and the same on every node.
      diff_interval: seconds between two diffs of a topic to this node's views
        (``DIFF_INTERVAL``), longer on a topic with more than
        ``DIFFS_PER_SECOND`` views; 0 sends each change as it happens.
    """

    def __init__(
        self,
        pubsub: PubSub | None = None,
        *,
        node: str | None = None,
        heartbeat: float = HEARTBEAT,
        timeout: float = TIMEOUT,
        diff_interval: float = DIFF_INTERVAL,
    ) -> None:
        if heartbeat <= 0 or timeout <= heartbeat:
            raise ValueError("heartbeat must be > 0 and timeout > heartbeat")
        if diff_interval < 0:
            raise ValueError("diff_interval must be >= 0")
        self.diff_interval = diff_interval
        self.node = node or secrets.token_hex(6)
        """This node's id, in every presence_ref it makes."""
        self.heartbeat = heartbeat
        self.timeout = timeout
        self._pubsub = pubsub
        self._lazy = pubsub is None
        self._started = False
        self._running = False
        self._topics: dict[str, _Topic] = {}
        self._owners: dict[ActorRef, _Owner] = {}
        self._outbox: deque[tuple[str, Any]] = deque()
        # The changes of each topic not told to this node's views yet (joins,
        # leaves, by presence_ref), and when each topic's last diff went.
        self._held: dict[str, tuple[dict[str, _Entry], dict[str, _Entry]]] = {}
        self._told: dict[str, float] = {}
        self._wake: anyio.Event | None = None
        self._refs = itertools.count(1)
        self._generation = 0
        """How many times a stopped tree made it forget everything (``_reset``)."""

    # -- running -----------------------------------------------------------------

    def child_spec(self, id: str = "presence") -> ChildSpec:
        """The child spec that runs this node in a supervisor (``App(children=...)``)."""
        return ChildSpec(id, self.run)

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Send this node's messages and heartbeats and expire silent nodes, until cancelled.

        Reports ``started(self)`` at once. A restart (after a crash) keeps
        every presence; a stop sends the messages still waiting (the last
        leaves) within ``FLUSH_TIMEOUT`` seconds, and a Presence that took its
        pubsub from a view then forgets everything, ready for another tree.
        """
        if self._running:
            raise RuntimeError("this Presence is running already")
        self._running = self._started = True
        self._wake = anyio.Event()
        stopped = False
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(self._send_loop)
                tg.start_soon(self._beat_loop)
                task_status.started(self)
        except BaseException as exc:
            stopped = _only_cancelled(exc)
            raise
        finally:
            try:
                with anyio.CancelScope(shield=True), anyio.move_on_after(FLUSH_TIMEOUT):
                    self._release(everything=True)
                    await self._send_pending()
                if stopped and self._lazy:
                    self._reset()
            finally:
                self._running = False

    # -- what actors do ------------------------------------------------------------

    def track(
        self, owner: Owner, topic: str, key: str, meta: Mapping[str, Any] | None = None
    ) -> str | None:
        """Show ``owner`` on ``topic`` as ``key`` with ``meta``, until it exits or untracks.

        Call it in ``mount``: in a dead render (not connected) it does
        nothing. A view or component that tracks also gets the topic's diffs
        (:meth:`subscribe`). ``meta`` is JSON-able; it is given a
        ``presence_ref``. A key may have many presences (a user in two tabs),
        one per owner.

        Returns:
          The presence's ``presence_ref``; None in a dead render.

        Raises:
          ValueError: ``owner`` tracks ``key`` on ``topic`` already.
          RuntimeError: this Presence has never run (see :meth:`child_spec`).
        """
        if not isinstance(key, str):
            raise TypeError(f"a presence key is a str, not {type(key).__name__}")
        if not isinstance(owner, ActorRef):
            if not owner.connected:
                return None
            self.subscribe(owner, topic)
        record = self._owner(owner)
        if (topic, key) in record.tracked:
            raise ValueError(f"{owner!r} tracks {key!r} on {topic!r} already")
        presence_ref = self._join(topic, key, meta)
        record.tracked[topic, key] = presence_ref
        return presence_ref

    def update(self, owner: Owner, topic: str, key: str, meta: Mapping[str, Any]) -> str | None:
        """Replace the meta of ``owner``'s presence ``key`` on ``topic``; returns its new
        ``presence_ref`` (None in a dead render). Raises ``LookupError`` if it has none."""
        if not isinstance(owner, ActorRef) and not owner.connected:
            return None
        record = self._owners.get(_ref_of(owner))
        old = record.tracked.get((topic, key)) if record is not None else None
        if record is None or old is None:
            raise LookupError(f"{owner!r} does not track {key!r} on {topic!r}")
        entries = self._topics[topic].nodes[self.node]
        presence_ref = self._new_ref()
        joined = (key, {**(meta or {}), REF: presence_ref})
        left = entries.pop(old)
        entries[presence_ref] = joined
        record.tracked[topic, key] = presence_ref
        self._announce(topic, joins=[joined], leaves=[left])
        return presence_ref

    def untrack(self, owner: Owner, topic: str, key: str) -> None:
        """End ``owner``'s presence ``key`` on ``topic`` (nothing if it has none).

        It keeps getting the topic's diffs if it did."""
        if not isinstance(owner, ActorRef) and not owner.connected:
            return
        record = self._owners.get(_ref_of(owner))
        presence_ref = record.tracked.pop((topic, key), None) if record is not None else None
        if presence_ref is not None:
            self._leave(topic, [presence_ref])

    def subscribe(self, view: LiveView | LiveComponent, topic: str) -> None:
        """Deliver ``topic``'s diffs to ``view``'s ``handle_info`` until it exits.

        For a view that shows who is on a topic without being on it itself
        (``track`` does this too). Subscribing twice does nothing more. In a
        dead render it does nothing.

        Raises:
          RuntimeError: this Presence has never run (see :meth:`child_spec`).
        """
        if not view.connected:
            return
        if not self._started:  # before binding: a refused view must not keep its pubsub
            raise RuntimeError(NOT_RUNNING)
        self._bind(_pubsub_of(view))
        record = self._owner(view)
        if topic not in record.follows:
            record.follows.add(topic)
            view.subscribe(self.diff_topic(topic))
            self._follow(topic)

    def follow(self, topic: str, deliver: Callable[[PresenceDiff], None]) -> Callable[[], None]:
        """Call ``deliver(diff)`` for every diff on ``topic``, for code that is not a view.

        ``deliver`` is called from the pubsub and must neither block nor
        raise. Returns the function that stops it.
        """
        pubsub = self._usable()

        def on_message(_topic: str, message: Any) -> None:
            diff = PresenceDiff.parse(message)
            if diff is not None:
                deliver(diff)

        unsubscribe = pubsub.subscribe(self.diff_topic(topic), on_message)
        self._follow(topic)
        generation = self._generation
        done = False

        def unfollow() -> None:
            nonlocal done
            if not done:
                done = True
                unsubscribe()
                if generation == self._generation:  # else forgotten already
                    self._unfollow(topic)

        return unfollow

    def list(self, topic: str) -> Presences:
        """Who is on ``topic``, as far as this node knows: ``{key: [meta, ...]}``.

        Merged from every node; this node's presences first; a fresh copy. A
        topic that no actor of this node tracks or watches is not replicated
        here: its list is empty.
        """
        found: Presences = {}
        watched = self._topics.get(topic)
        if watched is None:
            return found
        mine = watched.nodes.get(self.node, {})
        others = (e for n, e in watched.nodes.items() if n != self.node)
        for entries in (mine, *others):
            for key, meta in entries.values():
                found.setdefault(key, []).append(dict(meta))
        return found

    def summary(self, topic: str, limit: int) -> Summary:
        """How many keys are on ``topic``, and the first ``limit`` of them in
        sorted order, each with its number of presences (a name and its tabs).

        What a page shows of a big room: made once per change of the topic
        and shared by every caller, so a thousand views reading it after a
        diff cost one pass through the room, where :meth:`list` would cost
        each of them one. As :meth:`list`, from every node this one replicates.
        """
        watched = self._topics.get(topic)
        if watched is None:
            return 0, ()
        made = watched.summaries.get(limit)
        if made is not None and made[0] == watched.changes:
            return made[1]
        counts: dict[str, int] = {}
        for entries in watched.nodes.values():
            for key, _meta in entries.values():
                counts[key] = counts.get(key, 0) + 1
        first = heapq.nsmallest(limit, counts)
        summary = (len(counts), tuple((key, counts[key]) for key in first))
        watched.summaries[limit] = (watched.changes, summary)
        return summary

    def diff_topic(self, topic: str) -> str:
        """The pubsub topic on which this node reports ``topic``'s diffs to its own subscribers."""
        return f"{_DIFFS}{self.node}:{topic}"

    # -- local presences ---------------------------------------------------------

    def _owner(self, owner: Owner) -> _Owner:
        ref = _ref_of(owner)
        record = self._owners.get(ref)
        if record is None:
            if not ref.alive:
                raise RuntimeError(f"{ref!r} has exited: it can track nothing")
            self._usable()
            record = self._owners[ref] = _Owner(ref.watch(self._exited))
        return record

    def _exited(self, ref: ActorRef, reason: Any) -> None:
        # The owner's incarnation ended (normally or not): its presences leave.
        record = self._owners.pop(ref, None)
        if record is None:
            return
        by_topic: dict[str, _Refs] = {}
        for (topic, _key), presence_ref in record.tracked.items():
            by_topic.setdefault(topic, []).append(presence_ref)
        for topic, refs in by_topic.items():
            self._leave(topic, refs)
        for topic in record.follows:
            self._unfollow(topic)

    def _join(self, topic: str, key: str, meta: Mapping[str, Any] | None) -> str:
        watched = self._topic(topic)
        presence_ref = self._new_ref()
        entry = (key, {**(meta or {}), REF: presence_ref})
        watched.nodes.setdefault(self.node, {})[presence_ref] = entry
        self._announce(topic, joins=[entry], leaves=[])
        return presence_ref

    def _leave(self, topic: str, presence_refs: Iterable[str]) -> None:
        watched = self._topics.get(topic)
        entries = watched.nodes.get(self.node) if watched is not None else None
        if watched is None or entries is None:
            return
        left = [entries.pop(r) for r in presence_refs if r in entries]
        if not entries:
            del watched.nodes[self.node]
        self._announce(topic, joins=[], leaves=left)
        self._maybe_drop(topic)

    def _new_ref(self) -> str:
        return f"{self.node}.{next(self._refs)}"

    def _announce(self, topic: str, *, joins: _Entries, leaves: _Entries) -> None:
        # A change of this node's own: to the other nodes, and to local watchers.
        if not joins and not leaves:
            return
        message = {
            "op": "diff",
            "node": self.node,
            "joins": _group(joins),
            "leaves": _group(leaves),
        }
        self._send(_WIRE + topic, message)
        self._tell(topic, joins, leaves)

    def _tell(self, topic: str, joins: _Entries, leaves: _Entries) -> None:
        # A change for this node's own watchers of `topic`: held until its diff
        # is due (_release), merged with the others of the interval. A presence
        # that joins and leaves within it is told as a leave only: a view may
        # have seen it meanwhile in list().
        watched = self._topics.get(topic)
        if not (joins or leaves) or watched is None:
            return
        watched.changes += 1
        if not watched.followers:
            return
        held = self._held.get(topic)
        if held is None:
            held = self._held[topic] = ({}, {})
        held_joins, held_leaves = held
        for entry in leaves:
            held_joins.pop(entry[1][REF], None)
            held_leaves[entry[1][REF]] = entry
        for entry in joins:
            held_joins[entry[1][REF]] = entry
        if self._wake is not None:
            self._wake.set()

    def _interval(self, topic: str) -> float:
        # diff_interval, or longer for a topic with more views than a second of
        # diffs should reach (0 stays 0: each change as it happens).
        if not self.diff_interval:
            return 0.0
        watched = self._topics.get(topic)
        followers = watched.followers if watched is not None else 0
        return max(self.diff_interval, followers / DIFFS_PER_SECOND)

    def _release(self, everything: bool = False) -> float | None:
        # Send the diffs that are due (all of them: `everything`); the seconds
        # until the next one is, or None when none is held.
        now = anyio.current_time()
        wait: float | None = None
        for topic in list(self._held):
            due = self._told.get(topic, -math.inf) + self._interval(topic)
            if due > now and not everything:
                wait = due - now if wait is None else min(wait, due - now)
                continue
            joins, leaves = self._held.pop(topic)
            if joins or leaves:
                self._told[topic] = now
                diff = {"event": DIFF_EVENT, "topic": topic}
                self._send(
                    self.diff_topic(topic),
                    {**diff, "joins": _group(joins.values()), "leaves": _group(leaves.values())},
                )
        return wait

    # -- topics this node replicates ---------------------------------------------------

    def _topic(self, topic: str) -> _Topic:
        watched = self._topics.get(topic)
        if watched is None:
            pubsub = self._usable()
            unsubscribe = pubsub.subscribe(_WIRE + topic, lambda _t, m: self._receive(topic, m))
            watched = self._topics[topic] = _Topic(unsubscribe)
            self._send(_WIRE + topic, {"op": "hello", "node": self.node})
        return watched

    def _follow(self, topic: str) -> None:
        self._topic(topic).followers += 1

    def _unfollow(self, topic: str) -> None:
        watched = self._topics.get(topic)
        if watched is not None:
            watched.followers -= 1
            self._maybe_drop(topic)

    def _maybe_drop(self, topic: str) -> None:
        # No local presence and no local watcher: stop replicating the topic.
        watched = self._topics.get(topic)
        if watched is not None and watched.followers <= 0 and self.node not in watched.nodes:
            watched.unsubscribe()
            del self._topics[topic]
            self._held.pop(topic, None)
            self._told.pop(topic, None)

    def _receive(self, topic: str, message: Any) -> None:
        # Another node's message on the topic (a pubsub callback: never raises).
        try:
            self._handle(topic, message)
        except Exception:
            log.exception("presence: a message on %r could not be handled: %r", topic, message)

    def _handle(self, topic: str, message: Any) -> None:
        watched = self._topics.get(topic)
        node = message.get("node") if isinstance(message, dict) else None
        if watched is None or not isinstance(node, str) or node == self.node:
            return
        op = message.get("op")
        if op == "hello":
            mine = watched.nodes.get(self.node)
            if mine:
                self._send(_WIRE + topic, self._state(mine))
            return
        if op == "state":
            entries = _entries(message.get("presences"))
            if entries is not None:
                watched.seen[node] = anyio.current_time()
                self._replace(topic, watched, node, entries)
        elif op == "diff":
            joins, leaves = _entries(message.get("joins")), _entries(message.get("leaves"))
            if joins is not None and leaves is not None:
                watched.seen[node] = anyio.current_time()
                self._apply(topic, watched, node, joins, leaves)

    def _replace(self, topic: str, watched: _Topic, node: str, new: dict[str, _Entry]) -> None:
        old = watched.nodes.pop(node, {})
        leaves = [entry for r, entry in old.items() if new.get(r) != entry]
        joins = [entry for r, entry in new.items() if old.get(r) != entry]
        if new:
            watched.nodes[node] = new
        else:
            watched.seen.pop(node, None)
        self._tell(topic, joins, leaves)

    def _apply(
        self,
        topic: str,
        watched: _Topic,
        node: str,
        joins: dict[str, _Entry],
        leaves: dict[str, _Entry],
    ) -> None:
        entries = watched.nodes.setdefault(node, {})
        left = [entries.pop(r) for r in leaves if r in entries]
        joined = []
        for r, entry in joins.items():
            if entries.get(r) != entry:
                if r in entries:
                    left.append(entries[r])
                entries[r] = entry
                joined.append(entry)
        if not entries:
            del watched.nodes[node]
            watched.seen.pop(node, None)
        self._tell(topic, joined, left)

    def _state(self, entries: dict[str, _Entry]) -> dict[str, Any]:
        return {"op": "state", "node": self.node, "presences": _group(entries.values())}

    def _beat(self) -> None:
        # Every heartbeat: say what this node has; drop the nodes gone silent.
        now = anyio.current_time()
        for topic, watched in list(self._topics.items()):
            mine = watched.nodes.get(self.node)
            if mine:
                self._send(_WIRE + topic, self._state(mine))
            for node, seen in list(watched.seen.items()):
                if now - seen > self.timeout:
                    del watched.seen[node]
                    gone = watched.nodes.pop(node, {})
                    log.info("presence: node %s went silent; %d left %r", node, len(gone), topic)
                    self._tell(topic, [], list(gone.values()))

    # -- the pubsub ------------------------------------------------------------------

    def _bind(self, pubsub: PubSub) -> None:
        if self._pubsub is None:
            self._pubsub = pubsub
        elif self._pubsub is not pubsub:
            raise RuntimeError(
                "this Presence shares presences on another pubsub than this view's: "
                "one Presence per app (or give it the app's pubsub)"
            )

    def _usable(self) -> PubSub:
        if not self._started:
            raise RuntimeError(NOT_RUNNING)
        if self._pubsub is None:
            raise RuntimeError(
                "this Presence has no pubsub yet: give it one, or track a view first"
            )
        return self._pubsub

    def _send(self, topic: str, message: Any) -> None:
        self._outbox.append((topic, message))
        if self._wake is not None:
            self._wake.set()

    async def _send_pending(self) -> None:
        while self._outbox and self._pubsub is not None:
            topic, message = self._outbox.popleft()
            try:
                await self._pubsub.broadcast(topic, message)
            except Exception:
                log.warning("presence: a broadcast on %r failed", topic, exc_info=True)

    async def _send_loop(self) -> None:
        while True:
            wait = self._release()
            await self._send_pending()
            if not self._outbox:
                self._wake = anyio.Event()
                if wait is None:
                    await self._wake.wait()
                else:
                    with anyio.move_on_after(wait):
                        await self._wake.wait()

    async def _beat_loop(self) -> None:
        while True:
            await anyio.sleep(self.heartbeat)
            self._beat()

    def _reset(self) -> None:
        # The tree that ran this Presence stopped: its views are gone, and the
        # next tree may bring another pubsub.
        for record in self._owners.values():
            record.unwatch()
        for watched in self._topics.values():
            watched.unsubscribe()
        self._owners.clear()
        self._topics.clear()
        self._outbox.clear()
        self._held.clear()
        self._told.clear()
        self._pubsub = None
        self._started = False
        self._generation += 1


def _ref_of(owner: Owner) -> ActorRef:
    return owner if isinstance(owner, ActorRef) else owner.ref


def _pubsub_of(view: LiveView | LiveComponent) -> PubSub:
    # The pubsub of the actor running `view`. No public way to it yet: a
    # `pubsub` property on Stateful (or its Services) would replace this.
    return view._running().tab.pubsub


def _group(entries: Iterable[_Entry]) -> Presences:
    grouped: Presences = {}
    for key, meta in entries:
        grouped.setdefault(key, []).append(meta)
    return grouped


def _entries(presences: Any) -> dict[str, _Entry] | None:
    # `{key: [meta, ...]}` from the wire, by presence_ref; None if malformed.
    if not isinstance(presences, dict):
        return None
    found: dict[str, _Entry] = {}
    for key, metas in presences.items():
        if not isinstance(key, str) or not isinstance(metas, list):
            return None
        for meta in metas:
            if not isinstance(meta, dict) or not isinstance(meta.get(REF), str):
                return None
            found[meta[REF]] = (key, meta)
    return found


def _only_cancelled(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_only_cancelled(e) for e in exc.exceptions)
    return isinstance(exc, anyio.get_cancelled_exc_class())
