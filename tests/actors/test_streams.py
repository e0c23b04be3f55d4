"""Streams: items rendered once, sent as one STREAM op, and dropped from the
server; inserts at either end, replacements by id, deletes, limits and resets
cost the changed items only; they work inside LiveComponents too."""

from __future__ import annotations

import gc
import json
import weakref
from collections import Counter

import trio
import trio.testing

from roost import protocol
from roost.testing import LiveClient, held_bytes
from tests.apps.streamed import app


def items(view: LiveClient, selector: str = "#messages") -> list[str]:
    return [li.text() for li in view._page.select(f"{selector} > li")]


def last_ops(view: LiveClient) -> list:
    patch = [m for m in view.messages if isinstance(m, protocol.Patch)][-1]
    return patch.op_list


async def test_the_first_render_carries_the_items_and_the_server_keeps_none():
    async with LiveClient.mount(app) as view:
        assert items(view) == ["m0", "m1", "m2"]
        state = view.session.tab.actor("0").state
        assert not state.streams.pending  # forgotten once rendered


async def test_an_insert_sends_only_the_new_item():
    async with LiveClient.mount(app) as view:
        sent = sum(f.size for f in view.frames if not f.sent)
        await view.event("add", text="hello")
        assert items(view) == ["m0", "m1", "m2", "hello"]
        (op,) = [op for op in last_ops(view) if op[0] == protocol.OP.STREAM]
        assert op[2] == ['<li id="messages-104">hello</li>']
        grown = sum(f.size for f in view.frames if not f.sent) - sent
        assert grown < 200  # the new item, not the list
        await view.event("add_front", text="first")
        assert items(view)[0] == "first"


async def test_replace_delete_limit_and_reset():
    async with LiveClient.mount(app) as view:
        await view.event("edit", id=1, text="m1 edited")
        assert items(view) == ["m0", "m1 edited", "m2"]
        await view.event("drop", id=0)
        assert items(view) == ["m1 edited", "m2"]
        for text in ("a", "b", "c"):
            await view.event("bounded", text=text)
        assert items(view) == ["a", "b", "c"]
        await view.event("restart")
        assert items(view) == ["fresh"]


async def test_a_stream_in_a_live_component():
    async with LiveClient.mount(app) as view:
        assert items(view, "#notes") == ["first note"]
        await view.event("note", {"text": "second"}, target="notes")
        assert items(view, "#notes") == ["first note", "second"]


async def test_the_servers_memory_stays_flat_as_the_stream_grows():
    async with LiveClient.mount(app) as view:
        actor = view.session.tab.actor("0")
        await view.event("many", n=10)
        before = len(json.dumps(str(actor.state.__dict__)))
        html_before = len(actor._full_html)
        await view.event("many", n=1000)
        assert len(items(view)) == 3 + 10 + 1000
        assert len(json.dumps(str(actor.state.__dict__))) - before < 100
        assert len(actor._full_html) == html_before == 0


class Item:
    def __init__(self, id: int, text: str) -> None:
        self.id, self.text = id, text


async def test_an_item_sent_is_held_by_nothing_while_the_view_waits_for_more():
    # A broadcast to 10,000 views: what each held on to (its message, the
    # item, the ops) stayed alive until its next batch, and every young
    # collection of the broadcast went through it.
    from roost.actors.messages import Info

    async with LiveClient.mount(app) as view:
        item = Item(700, "from afar")
        gone = weakref.ref(item)
        view.session.tab.actor("0").ref.send(Info(item))
        del item
        await view.wait_for("#messages-700", "from afar")
        assert gone() is None  # freed by its count alone: no collection asked for


def received(view: LiveClient) -> int:
    return sum(f.size for f in view.frames if not f.sent)


async def test_a_front_insert_a_delete_and_a_limit_each_cost_the_changed_items_only():
    async with LiveClient.mount(app) as view:
        await view.event("many", n=1000)  # a long list: none of it is sent again below
        sent = received(view)
        await view.event("add_front", text="first")
        assert received(view) - sent < 200  # the new item at the front
        sent = received(view)
        await view.event("drop", id=0)
        assert received(view) - sent < 100  # the deleted item's id
        (op,) = [op for op in last_ops(view) if op[0] == protocol.OP.STREAM]
        assert "m0" not in json.dumps(op)
        sent = received(view)
        await view.event("bounded", text="last")  # keep the last 3: one insert, a limit
        assert received(view) - sent < 200
        assert len(items(view)) == 3 and items(view)[-1] == "last"


async def test_a_ten_thousand_message_log_leaves_the_servers_memory_flat():
    async with LiveClient.mount(app) as view:
        await view.event("many", n=1000)
        before = held_bytes(view.session)
        for _ in range(9):
            await view.event("many", n=1000)
        assert len(items(view)) == 3 + 10_000
        grown = held_bytes(view.session) - before
    # Held as an assign, 9,000 more messages would be about 900 KB of dicts and strings.
    assert grown < 20_000, f"the session grew by {grown} B"


async def test_after_a_streamed_render_a_region_that_reads_the_stream_is_replayed_again():
    # The render after a stream insert renders the stream's regions once
    # more (their containers empty); from then on a change of anything else
    # replays them, as for any region whose names did not change.
    async with LiveClient.mount(app) as view:
        actor = view.session.tab.actor("0")
        state = actor.state
        renderer = state._regions[0]
        await view.event("add", text="streamed")
        assert items(view)[-1] == "streamed"
        state.count += 1
        actor._render(state, {"count"})
        stream_regions = set(renderer.last.rendered) - {0}
        assert stream_regions  # (counted as changed: their items were sent)
        state.count += 1
        actor._render(state, {"count"})
        assert stream_regions <= set(renderer.last.replayed)


async def test_views_streaming_a_broadcast_leave_next_to_nothing_for_the_collector():
    # In a broadcast to 10,000 views, every object a view keeps anew from one
    # broadcast to the next is traced by the young collections that run
    # meanwhile (and again once older): 14 of them a view (its render's
    # values and stats, its change fingerprints, the stream object, its wait)
    # cost a sixth of the broadcast.
    from roost.actors import Session
    from roost.actors.messages import Info
    from roost.supervisor import DynamicSupervisor
    from tests.apps.streamed import Log

    frames = [0]

    def transport(text: str) -> None:
        frames[0] += 1

    sessions = DynamicSupervisor(name="sessions")
    async with trio.open_nursery() as nursery:
        await nursery.start(sessions.run)
        views = [Session(f"s{i}", Log, {}, {}, transport) for i in range(50)]
        for session in views:
            await session.start(sessions)
        await trio.testing.wait_all_tasks_blocked()

        async def left_behind(number: int | None) -> Counter[str]:
            # The objects the collector tracks that are new after a broadcast of
            # item `number` (or after none), but for the test's own.
            gc.collect()
            gc.freeze()
            try:
                if number is not None:
                    for session in views:
                        session.tab.actor("0").ref.send(Info(Item(number, "news")))
                await trio.testing.wait_all_tasks_blocked()
                return Counter(type(o).__name__ for o in gc.get_objects())
            finally:
                gc.unfreeze()

        await left_behind(1)
        shown = frames[0]
        idle = await left_behind(None)
        kept = await left_behind(2) - idle
        assert frames[0] == shown + len(views)  # each view sent its patch
        await sessions.stop()
    # Each view's wait for the next message; the rest (a dozen) is the test's own.
    assert kept["generator"] == len(views)
    assert kept.total() < 1.5 * len(views), kept
