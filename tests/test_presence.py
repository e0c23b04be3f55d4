"""Presence: who is on a topic, across nodes sharing a pubsub, with join/leave diffs."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
from pathlib import Path
from typing import Any, ClassVar

import pytest
import trio

import roost
import roost.pubsub
from roost import App, LiveView, Presence, PresenceDiff
from roost.actors import ActorRef, Mailbox
from roost.pubsub import MemoryPubSub
from roost.testing import LiveClient, MountError
from tests.redis_server import fresh_namespace
from tests.redis_server import redis_server as redis_server

TOPIC = "room:lobby"


class Room(LiveView):
    """The docs' "who is here" view, rendered without a template file."""

    presence: ClassVar[Presence]

    def mount(self, params, session):
        self.name = params.get("name", "anonymous")
        self.last = ""
        if self.connected:
            self.presence.track(self, TOPIC, self.name, {"name": self.name})
        self.here = self.presence.list(TOPIC)

    def handle_info(self, message):
        diff = PresenceDiff.parse(message)
        if diff is not None:
            self.here = self.presence.list(diff.topic)
            joined = " ".join(f"+{k}" for k in diff.joins)
            left = " ".join(f"-{k}" for k in diff.leaves)
            self.last = f"{joined} {left}".strip()

    def render(self):
        names = "".join(
            f'<li data-key="{k}">{k} ({len(metas)})</li>' for k, metas in sorted(self.here.items())
        )
        count = f'<b id="count">{len(self.here)}</b>'
        return f'<ul id="here">{names}</ul>{count}<p id="last">{self.last}</p>'


def room_app(pubsub: MemoryPubSub | None = None, **options: Any) -> tuple[App, Presence]:
    """An app (a node) with its own Presence in its tree, and that Presence."""
    presence = Presence(**options)
    view = type("Room", (Room,), {"presence": presence})
    return App({"/": view}, children=[presence.child_spec()], pubsub=pubsub), presence


class Diffs:
    """A node's diffs on a topic as a test sees them (``Presence.follow``)."""

    def __init__(self, presence: Presence, topic: str = TOPIC) -> None:
        self._send, self._receive = trio.open_memory_channel[PresenceDiff](math.inf)
        self.stop = presence.follow(topic, self._send.send_nowait)

    async def next(self) -> PresenceDiff:
        with trio.fail_after(30):  # a hang guard only; virtual under autojump_clock
            return await self._receive.receive()

    def pending(self) -> list[PresenceDiff]:
        found = []
        while True:
            try:
                found.append(self._receive.receive_nowait())
            except trio.WouldBlock:
                return found


class JsonPubSub(MemoryPubSub):
    """Hands each subscriber a decoded JSON copy, as a backend between processes does."""

    async def broadcast(self, topic: str, message: Any) -> None:
        await super().broadcast(topic, json.loads(json.dumps(message)))


def owner(name: str) -> ActorRef:
    """An actor ref that is not a view: what a node tracks for code outside views."""
    return ActorRef(name, Mailbox(1))


def strip_refs(presences: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {
        k: [{n: v for n, v in m.items() if n != "presence_ref"} for m in ms]
        for k, ms in presences.items()
    }


async def test_two_views_on_a_topic_see_each_other():
    app, presence = room_app()
    async with LiveClient.mount(app, "/?name=alice") as alice:
        await alice.wait_for("#here li", "alice (1)")
        async with LiveClient.mount(app, "/?name=bob") as bob:
            await alice.wait_for("#count", "2")
            await bob.wait_for("#count", "2")
            assert alice.text("#last") == "+bob"
            assert bob.text("#here") == "alice (1)bob (1)"
            assert strip_refs(presence.list(TOPIC)) == {
                "alice": [{"name": "alice"}],
                "bob": [{"name": "bob"}],
            }


async def test_a_closed_tab_leaves():
    app, presence = room_app()
    async with LiveClient.mount(app, "/?name=alice") as alice:
        async with LiveClient.mount(app, "/?name=bob"):
            await alice.wait_for("#count", "2")
        await alice.wait_for("#last", "-bob")
        assert alice.text("#count") == "1"
        assert list(presence.list(TOPIC)) == ["alice"]


async def test_one_key_in_two_tabs_is_one_key_with_two_metas():
    app, presence = room_app()
    async with LiveClient.mount(app, "/?name=alice") as first:
        async with LiveClient.mount(app, "/?name=alice"):
            await first.wait_for("#here li", "alice (2)")
            refs = [m["presence_ref"] for m in presence.list(TOPIC)["alice"]]
            assert len(set(refs)) == 2
        await first.wait_for("#here li", "alice (1)")


async def test_a_crashed_view_leaves_and_its_restart_joins_again():
    app, presence = room_app()
    async with LiveClient.mount(app, "/?name=alice") as alice:
        async with LiveClient.mount(app, "/?name=bob") as bob:
            await alice.wait_for("#count", "2")
            before = presence.list(TOPIC)["bob"]
            await bob.crash("0")
            await alice.wait_for("#last", "+bob")
            after = presence.list(TOPIC)["bob"]
            assert len(after) == 1
            assert after[0]["presence_ref"] != before[0]["presence_ref"]


@pytest.mark.parametrize("backend", [MemoryPubSub, JsonPubSub])
async def test_a_second_node_sees_joins_and_leaves(backend):
    pubsub = backend()
    app, node_a = room_app(pubsub)
    node_b = Presence(pubsub, node="b")
    async with trio.open_nursery() as nursery:
        await nursery.start(node_b.run)
        diffs = Diffs(node_b)
        bob = owner("bob")
        node_b.track(bob, TOPIC, "bob", {"name": "bob"})
        assert (await diffs.next()).joins.keys() == {"bob"}  # its own, to its own watchers

        async with LiveClient.mount(app, "/?name=alice") as alice:
            await alice.wait_for("#count", "2")  # bob, from node b
            diff = await diffs.next()
            assert diff.joins.keys() == {"alice"} and diff.leaves == {}
            assert diff.joins["alice"][0]["presence_ref"].startswith(node_a.node + ".")
            assert strip_refs(node_b.list(TOPIC)) == {
                "bob": [{"name": "bob"}],
                "alice": [{"name": "alice"}],
            }

            node_b.untrack(bob, TOPIC, "bob")
            await alice.wait_for("#last", "-bob")
            assert (await diffs.next()).leaves.keys() == {"bob"}

        diff = await diffs.next()  # the tab closed
        assert diff.leaves.keys() == {"alice"} and diff.joins == {}
        assert node_b.list(TOPIC) == {}
        nursery.cancel_scope.cancel()


async def test_a_late_node_learns_the_state_without_waiting_for_a_heartbeat(autojump_clock):
    pubsub = MemoryPubSub()
    app, _ = room_app(pubsub)
    async with LiveClient.mount(app, "/?name=alice") as alice:
        await alice.wait_for("#count", "1")
        late = Presence(pubsub, node="late")
        async with trio.open_nursery() as nursery:
            await nursery.start(late.run)
            start = trio.current_time()
            diffs = Diffs(late)
            diff = await diffs.next()
            assert diff.joins.keys() == {"alice"}
            assert trio.current_time() - start < late.heartbeat
            nursery.cancel_scope.cancel()


async def test_a_node_that_stops_heartbeating_expires(autojump_clock):
    pubsub = MemoryPubSub()
    app, node_a = room_app(pubsub, heartbeat=1.0, timeout=4.0)
    node_b = Presence(pubsub, node="b", heartbeat=1.0, timeout=4.0)
    async with LiveClient.mount(app, "/?name=alice") as alice:
        async with trio.open_nursery() as nursery:
            await nursery.start(node_b.run)
            node_b.track(owner("bob"), TOPIC, "bob", {"name": "bob"})
            await alice.wait_for("#count", "2")
            await trio.sleep(10)  # virtual: heartbeats keep bob here
            assert alice.text("#count") == "2"
            nursery.cancel_scope.cancel()  # kill -9: node b says nothing more
        silent = trio.current_time()
        await alice.wait_for("#last", "-bob")
        assert node_a.timeout <= trio.current_time() - silent <= node_a.timeout + node_a.heartbeat
        assert list(node_a.list(TOPIC)) == ["alice"]


async def test_a_restarted_node_is_not_expired_while_it_heartbeats(autojump_clock):
    pubsub = MemoryPubSub()
    app, _ = room_app(pubsub, heartbeat=1.0, timeout=4.0)
    node_b = Presence(pubsub, node="b", heartbeat=1.0, timeout=4.0)
    async with LiveClient.mount(app, "/?name=alice") as alice:
        async with trio.open_nursery() as nursery:
            await nursery.start(node_b.run)
            node_b.track(owner("bob"), TOPIC, "bob", {"name": "bob"})
            await alice.wait_for("#count", "2")
            nursery.cancel_scope.cancel()  # a crash of b's run: its presences stay
        async with trio.open_nursery() as nursery:
            await nursery.start(node_b.run)  # restarted by its supervisor, say
            await trio.sleep(20)
            assert alice.text("#count") == "2"
            assert "-bob" not in alice.text("#last")
            nursery.cancel_scope.cancel()


async def test_diffs_shape():
    pubsub = MemoryPubSub()
    node = Presence(pubsub, node="n")
    raw: list[Any] = []
    pubsub.subscribe(node.diff_topic(TOPIC), lambda _topic, message: raw.append(message))
    async with trio.open_nursery() as nursery:
        await nursery.start(node.run)
        diffs = Diffs(node)
        ann = owner("ann")
        first = node.track(ann, TOPIC, "ann", {"device": "phone"})
        assert first == "n.1"
        assert await diffs.next() == PresenceDiff(
            TOPIC, {"ann": [{"device": "phone", "presence_ref": "n.1"}]}, {}
        )
        assert raw == [
            {
                "event": "presence_diff",
                "topic": TOPIC,
                "joins": {"ann": [{"device": "phone", "presence_ref": "n.1"}]},
                "leaves": {},
            }
        ]
        second = node.update(ann, TOPIC, "ann", {"device": "laptop"})
        assert await diffs.next() == PresenceDiff(
            TOPIC,
            {"ann": [{"device": "laptop", "presence_ref": second}]},
            {"ann": [{"device": "phone", "presence_ref": "n.1"}]},
        )
        assert node.list(TOPIC) == {"ann": [{"device": "laptop", "presence_ref": second}]}
        node.untrack(ann, TOPIC, "ann")
        assert await diffs.next() == PresenceDiff(
            TOPIC, {}, {"ann": [{"device": "laptop", "presence_ref": second}]}
        )
        assert node.list(TOPIC) == {}
        assert PresenceDiff.parse({"name": "x", "text": "a chat message"}) is None
        nursery.cancel_scope.cancel()


async def test_misuse_is_refused():
    pubsub = MemoryPubSub()
    node = Presence(pubsub)
    with pytest.raises(RuntimeError, match="not running"):
        node.track(owner("x"), TOPIC, "x")
    async with trio.open_nursery() as nursery:
        await nursery.start(node.run)
        ref = owner("x")
        node.track(ref, TOPIC, "x")
        with pytest.raises(ValueError, match="already"):
            node.track(ref, TOPIC, "x")
        with pytest.raises(LookupError):
            node.update(ref, TOPIC, "y", {})
        with pytest.raises(TypeError):
            node.track(ref, TOPIC, 1)  # type: ignore[arg-type]
        with pytest.raises(RuntimeError, match="running already"):
            await node.run()
        nursery.cancel_scope.cancel()
    with pytest.raises(ValueError):
        Presence(heartbeat=5.0, timeout=5.0)


async def test_a_presence_that_took_its_pubsub_from_a_view_serves_the_next_tree_too():
    # Each LiveClient block starts (and stops) a tree with a new in-memory pubsub.
    app, presence = room_app()
    for _ in range(2):
        async with LiveClient.mount(app, "/?name=alice") as alice:
            await alice.wait_for("#count", "1")
        assert presence.list(TOPIC) == {}


async def test_a_view_refused_for_want_of_a_running_presence_does_not_bind_it(caplog):
    # An app that forgot presence.child_spec(): its view cannot track. The
    # refusal leaves the Presence free for the app that runs it, whose pubsub
    # is another one.
    app, presence = room_app()
    forgot = App({"/": app.routes["/"]})
    with pytest.raises(MountError):
        async with LiveClient.mount(forgot, "/?name=ann"):
            pass
    assert "this Presence is not running" in caplog.text
    async with LiveClient.mount(app, "/?name=ann") as ann:
        await ann.wait_for("#count", "1")
    assert presence.list(TOPIC) == {}


async def test_a_malformed_message_on_the_wire_is_ignored():
    pubsub = MemoryPubSub()
    node = Presence(pubsub, node="n")
    async with trio.open_nursery() as nursery:
        await nursery.start(node.run)
        diffs = Diffs(node)
        for message in (None, [], {"node": "m"}, {"node": "m", "op": "diff", "joins": 1}):
            await pubsub.broadcast("roost.presence:" + TOPIC, message)
        await pubsub.broadcast(
            "roost.presence:" + TOPIC,
            {"op": "diff", "node": "m", "joins": {"k": [{"presence_ref": "m.1"}]}, "leaves": {}},
        )
        assert (await diffs.next()).joins == {"k": [{"presence_ref": "m.1"}]}
        assert diffs.pending() == []
        nursery.cancel_scope.cancel()


async def test_the_docs_example_runs(tmp_path, monkeypatch):
    # The guide's app.py and lobby.html, as written there.
    text = (Path(__file__).parent.parent / "docs" / "guide.md").read_text()
    blocks = re.findall(r"```(?:python|html)\n(.*?)```", text, re.S)
    code = next(b for b in blocks if b.startswith("# app.py: who is here"))
    template = next(b for b in blocks if b.startswith("<!-- lobby.html -->"))
    (tmp_path / "presence_docs_app.py").write_text(code)
    (tmp_path / "lobby.html").write_text(template)
    spec = importlib.util.spec_from_file_location(
        "presence_docs_app", tmp_path / "presence_docs_app.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "presence_docs_app", module)
    spec.loader.exec_module(module)
    async with LiveClient.mount(module.app, "/?name=ann") as ann:
        async with LiveClient.mount(module.app, "/?name=ann") as again:
            async with LiveClient.mount(module.app, "/?name=bob"):
                await ann.wait_for("#count", "2")
                assert ann.text("#here") == "ann (2 tabs)bob"
            await again.wait_for("#here", "ann (2 tabs)")
        await ann.wait_for("#here", "ann")


async def test_two_processes_sharing_redis_see_each_other(redis_server):
    # Two backend objects on one Redis: what two processes of one app have. A
    # hello may go out before Redis has our subscription: the heartbeat repairs it.
    url = fresh_namespace(redis_server)
    pubsub_a, pubsub_b = roost.pubsub.backend(url), roost.pubsub.backend(url)
    app, _ = room_app(pubsub_a, heartbeat=0.2, timeout=2.0)
    node_b = Presence(pubsub_b, node="b", heartbeat=0.2, timeout=2.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(pubsub_b.run)
        await nursery.start(node_b.run)
        diffs = Diffs(node_b)
        node_b.track(owner("bob"), TOPIC, "bob", {"name": "bob"})
        assert (await diffs.next()).joins.keys() == {"bob"}
        async with LiveClient.mount(app, "/?name=alice") as alice:
            await alice.wait_for("#count", "2")
            assert (await diffs.next()).joins.keys() == {"alice"}
        assert (await diffs.next()).leaves.keys() == {"alice"}
        assert list(node_b.list(TOPIC)) == ["bob"]
        nursery.cancel_scope.cancel()


async def test_a_burst_of_changes_reaches_the_views_as_one_diff_a_second(autojump_clock):
    pubsub = MemoryPubSub()
    node = Presence(pubsub, node="n", diff_interval=1.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(node.run)
        diffs = Diffs(node)
        node.track(owner("ann"), TOPIC, "ann")
        first = await diffs.next()  # after a quiet spell: at once
        assert list(first.joins) == ["ann"] and trio.current_time() < 1.0
        for name in ("bob", "cy", "dee"):
            node.track(owner(name), TOPIC, name)
        gone = owner("eve")
        node.track(gone, TOPIC, "eve")
        node.untrack(gone, TOPIC, "eve")  # joined and left within the interval: a leave
        burst = await diffs.next()
        assert trio.current_time() >= 1.0  # one interval after the first diff
        assert sorted(burst.joins) == ["bob", "cy", "dee"] and list(burst.leaves) == ["eve"]
        assert diffs.pending() == []
        assert sorted(node.list(TOPIC)) == ["ann", "bob", "cy", "dee"]
        diffs.stop()
        nursery.cancel_scope.cancel()


def test_the_diff_interval_cannot_be_negative():
    with pytest.raises(ValueError, match="diff_interval"):
        Presence(diff_interval=-1)


async def test_a_summary_counts_the_keys_and_lists_the_first_and_is_made_once_per_change():
    pubsub = MemoryPubSub()
    node = Presence(pubsub, node="n", diff_interval=0)
    async with trio.open_nursery() as nursery:
        await nursery.start(node.run)
        assert node.summary(TOPIC, 2) == (0, ())
        for name in ("dee", "bob", "ann", "cy"):
            node.track(owner(name), TOPIC, name)
        second = owner("bob")
        node.track(second, TOPIC, "bob")  # bob in two tabs
        summary = node.summary(TOPIC, 2)
        assert summary == (4, (("ann", 1), ("bob", 2)))
        assert node.summary(TOPIC, 2) is summary  # no change since: the same, shared
        assert node.summary(TOPIC, 10) == (4, (("ann", 1), ("bob", 2), ("cy", 1), ("dee", 1)))
        node.untrack(second, TOPIC, "bob")
        assert node.summary(TOPIC, 2) == (4, (("ann", 1), ("bob", 1)))
        nursery.cancel_scope.cancel()


async def test_a_topic_with_more_views_than_a_second_of_diffs_gets_them_less_often(
    autojump_clock, monkeypatch
):
    monkeypatch.setattr(roost._presence, "DIFFS_PER_SECOND", 1)
    node = Presence(MemoryPubSub(), node="n", diff_interval=1.0)
    async with trio.open_nursery() as nursery:
        await nursery.start(node.run)
        watchers = [Diffs(node) for _ in range(3)]  # 3 views, 1 diff a second: every 3 s
        node.track(owner("ann"), TOPIC, "ann")
        await watchers[0].next()
        started = trio.current_time()
        node.track(owner("bob"), TOPIC, "bob")
        assert list((await watchers[0].next()).joins) == ["bob"]
        assert trio.current_time() - started >= 3.0
        for diffs in watchers:
            diffs.stop()
        nursery.cancel_scope.cancel()
