"""Failing backends under the chat example: a pubsub whose broadcast fails or
hangs, a store that fails, and what the people in the room see."""

from __future__ import annotations

import anyio
import trio.testing
from selectolax.lexbor import LexborHTMLParser

from examples.chat import ChatView
from roost import App, protocol
from roost.testing import FaultyPubSub, FaultyStore, LiveClient


def messages(view: LiveClient) -> list[str]:
    return [li.text() for li in LexborHTMLParser(view.html("#messages")).css("li")]


def chat_app(pubsub: FaultyPubSub | None = None, store: FaultyStore | None = None) -> App:
    return App({"/": ChatView}, title="roost chat", pubsub=pubsub, store=store)


async def test_a_post_whose_broadcast_fails_crashes_the_posters_tab_and_reaches_no_one():
    pubsub = FaultyPubSub()
    app = chat_app(pubsub)
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        await ann.event("post", text="before", name="ann")
        await bob.wait_for("#messages li", "ann: before")
        await ann.wait_for("#messages li", "ann: before")
        start = len(ann.messages)
        pubsub.fail()

        error = await ann.event("post", text="lost", name="ann", expect_error=True)

        # Ann is told her post crashed; her view re-mounts, and the room's
        # history stays on her page (a stream: her browser holds it, the
        # server never did). Bob sees nothing new.
        assert error.code == protocol.CRASHED
        assert "ConnectionError" in error.message
        await ann.wait_for(
            lambda v: any(isinstance(m, protocol.Render) for m in v.messages[start:])
        )
        assert messages(ann) == ["ann: before"]
        assert ann.attr('input[name="name"]', "value") == "ann"  # from her link
        [report] = ann.crashes
        assert isinstance(report.exception, ConnectionError)
        assert messages(bob) == ["ann: before"]
        assert bob.restarts() == 0
        assert pubsub.calls["broadcast"] == 2

        pubsub.heal()
        await ann.event("post", text="after", name="ann")
        await bob.wait_for("#messages li", "ann: after")
        await ann.wait_for("#messages li", "ann: after")
        assert messages(bob) == ["ann: before", "ann: after"]
        assert messages(ann) == ["ann: after"]


async def test_one_failed_broadcast_loses_one_post_and_the_next_goes_through():
    pubsub = FaultyPubSub()
    app = chat_app(pubsub)
    async with LiveClient.mount(app, "/?name=ann") as ann:
        pubsub.fail(times=1)
        error = await ann.event("post", text="one", name="ann", expect_error=True)
        assert error.code == protocol.CRASHED
        await ann.wait_for(lambda v: v.restarts("0") == 1)
        await ann.event("post", text="two", name="ann")
        await ann.wait_for("#messages li", "ann: two")
        assert messages(ann) == ["ann: two"]


async def test_a_hung_broadcast_freezes_the_posters_tab_until_the_backend_answers():
    pubsub = FaultyPubSub()
    app = chat_app(pubsub)
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        pubsub.hang()
        replies: list[protocol.Ack | protocol.Error] = []

        async def post(text: str) -> None:
            replies.append(await ann.event("post", text=text, name="ann"))

        async with anyio.create_task_group() as tg:
            tg.start_soon(post, "one")
            await trio.testing.wait_all_tasks_blocked()
            assert pubsub.hanging == 1
            # Ann's view waits on the broadcast: her next post waits behind it,
            # neither is answered, and nobody sees anything yet.
            tg.start_soon(post, "two")
            await trio.testing.wait_all_tasks_blocked()
            assert replies == []
            assert messages(ann) == messages(bob) == []
            assert ann.mailbox_depth("0") == 1

            pubsub.heal()

        assert [type(r) for r in replies] == [protocol.Ack, protocol.Ack]
        await bob.wait_for("#messages li", "ann: two")
        await ann.wait_for("#messages li", "ann: two")
        assert messages(ann) == messages(bob) == ["ann: one", "ann: two"]
        assert ann.restarts() == 0


async def test_a_failing_store_changes_nothing_in_the_chat_as_no_tab_uses_it_yet():
    store = FaultyStore()
    store.fail()
    app = chat_app(store=store)
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        await ann.event("post", text="hello", name="ann")
        await bob.wait_for("#messages li", "ann: hello")
        await ann.crash("0")
        await bob.disconnect()
        await bob.reconnect()
        assert messages(bob) == ["ann: hello"]
    # The chat does not persist (its history is a stream the browser keeps):
    # the store is started with the app and never called.
    assert store.calls == {"run": 1}
