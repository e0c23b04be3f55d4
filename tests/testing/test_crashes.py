"""A crash nobody injected fails the test: at the next call, or when the
LiveClient block ends, with the actor, the exception and its traceback."""

from __future__ import annotations

import pytest

from roost import App, LiveComponent, LiveView, event, live_component, on_component, protocol
from roost.testing import EventError, LiveClient, UnexpectedCrash


class Child(LiveComponent):
    def mount(self, **props):
        self.n = 0

    @event
    def tell(self):
        self.send_parent("told", {})  # the parent has no handler for it: it raises

    @event
    def boom(self):
        raise RuntimeError("child boom")

    def render(self):
        return f'<button id="tell" roost-click="tell">tell</button><i id="n">{self.n}</i>'


class Parent(LiveView):
    def mount(self, params, session):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    @event
    def boom(self):
        raise RuntimeError("parent boom")

    @on_component("other")
    def other(self, cid, data):
        pass

    def render(self):
        return f'<b id="count">{self.count}</b><button id="inc" roost-click="inc">+</button>' + str(
            live_component(Child, id="child")
        )


app = App({"/": Parent})


async def test_a_background_crash_fails_the_test_at_the_next_call_naming_the_actor():
    with pytest.raises(UnexpectedCrash) as info:
        async with LiveClient.mount(app) as view:
            await view.click("#tell")  # acknowledged: the child handled it
            await view.wait_for(lambda v: v.crashes)  # the parent crashed meanwhile
            view.text("#count")
    text = str(info.value)
    assert "actor '0'" in text and "LookupError" in text and "told" in text
    assert "Traceback" in text


async def test_a_crash_after_the_last_call_fails_the_test_when_the_block_ends():
    with pytest.raises(UnexpectedCrash, match="actor '0'"):
        async with LiveClient.mount(app) as view:
            await view.click("#tell")


async def test_allow_crashes_lets_every_actor_or_the_named_ones_crash():
    async with LiveClient.mount(app, allow_crashes=True) as view:
        await view.click("#tell")
        await view.wait_for(lambda v: v.crashes)
    async with LiveClient.mount(app, allow_crashes={"0"}) as view:
        await view.click("#tell")
        await view.wait_for(lambda v: v.crashes)
    with pytest.raises(UnexpectedCrash):
        async with LiveClient.mount(app, allow_crashes={"child"}) as view:
            await view.click("#tell")


def rendered_since(start: int, target: str):
    def check(view: LiveClient) -> bool:
        return any(
            isinstance(m, protocol.Render) and m.target == target for m in view.messages[start:]
        )

    return check


async def test_a_crash_the_test_was_told_of_by_the_reply_is_not_a_surprise():
    async with LiveClient.mount(app) as view:
        with pytest.raises(EventError):
            await view.event("boom", target="child")
        start = len(view.messages)
        error = await view.event("boom", expect_error=True)
        assert error.code == "crashed"
        await view.wait_for(rendered_since(start, "0"))  # restarted
        await view.wait_for("#n")  # and its child rendered into it
        await view.click("#inc")
        assert [c.target for c in view.crashes] == ["child", "0"]


async def test_injected_faults_are_not_unexpected():
    async with LiveClient.mount(app) as view:
        await view.crash("child")
        await view.kill("0")
        view.crash_at("child", "render")
        await view.click("#inc")  # the view re-renders; its child is told nothing new
        assert view.restarts() >= 2
