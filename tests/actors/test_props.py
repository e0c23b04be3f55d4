"""Props from parent to component never block the parent; they coalesce while it is busy."""

from __future__ import annotations

from typing import Any

import anyio
import pytest
import trio.testing

from roost import App, LiveComponent, LiveView, event, live_component, on_component, protocol
from roost.testing import LiveClient

from .conftest import session_of


class Clicker(LiveComponent):
    mailbox_size = 1
    gate: anyio.Event

    def mount(self, n=0):
        self.n = n
        self._updates: list[dict[str, Any]] = []

    def update(self, **props):
        self._updates.append(props)
        super().update(**props)

    @event
    async def click(self, wait: bool = False):
        if wait:
            await Clicker.gate.wait()
        self.send_parent("clicked")

    @event
    async def hold(self):
        await Clicker.gate.wait()

    def render(self):
        return f'<i class="n">{self.n}</i>'


class Holder(LiveView):
    """Counts its child's clicks and passes the count back down as a prop."""

    mailbox_size = 1
    gate: anyio.Event

    def mount(self, params, session):
        self.n = 0

    @event
    def noop(self):
        pass

    @event
    def set(self, n: int):
        self.n = n

    @on_component("clicked")
    async def clicked(self, component_id, data):
        if self.n == 0:
            await Holder.gate.wait()
        self.n += 1

    def render(self):
        return f'<b id="n">{self.n}</b>{live_component(Clicker, id="c", n=self.n)}'


class Setter(Holder):
    mailbox_size = 8


@pytest.fixture(autouse=True)
def gates():
    Clicker.gate = anyio.Event()
    Holder.gate = anyio.Event()


def replies(view: LiveClient) -> dict[int, protocol.Ack | protocol.Error]:
    # Ack or Error, as sent or (an Ack) carried by the patch that answered it.
    return {r: m for r, m in view.replies.items() if isinstance(m, protocol.Ack | protocol.Error)}


async def test_a_parent_and_a_busy_child_with_full_mailboxes_do_not_deadlock():
    async with LiveClient.mount(App({"/": Holder})) as view:
        session = session_of(view)
        # The parent handles the first click's send_parent and waits on its gate.
        await session.receive(protocol.Event(901, "click", {}, "c"))
        await trio.testing.wait_all_tasks_blocked()
        await session.receive(protocol.Event(902, "noop"))  # the parent's mailbox: full
        await session.receive(protocol.Event(903, "click", {"wait": "true"}, "c"))
        await trio.testing.wait_all_tasks_blocked()
        await session.receive(protocol.Event(904, "click", {}, "c"))  # the child's mailbox: full
        Clicker.gate.set()  # the child's send_parent now waits for room in the parent's mailbox
        await trio.testing.wait_all_tasks_blocked()
        Holder.gate.set()  # the parent renders n=1 and gives the busy child new props
        await trio.testing.wait_all_tasks_blocked()
        assert session.runtime("0").state.n == 3
        await view.wait_for('[data-roost-id="c"] .n', "3")
        assert view.text("#n") == "3"
        assert {ref: type(r).__name__ for ref, r in replies(view).items()} == {
            901: "Ack",
            902: "Ack",
            903: "Ack",
            904: "Ack",
        }


async def test_props_given_while_a_component_is_busy_are_applied_once_with_the_latest():
    async with LiveClient.mount(App({"/": Setter})) as view:
        session = session_of(view)
        await session.receive(protocol.Event(901, "hold", {}, "c"))
        await trio.testing.wait_all_tasks_blocked()
        for n in (5, 6, 7):
            await view.event("set", n=str(n))
        Clicker.gate.set()
        await view.wait_for('[data-roost-id="c"] .n', "7")
        assert session.runtime("c").state._updates == [{"n": 7}]


async def test_props_that_change_and_change_back_while_a_component_is_busy_run_no_update():
    async with LiveClient.mount(App({"/": Setter})) as view:
        session = session_of(view)
        await session.receive(protocol.Event(901, "hold", {}, "c"))
        await trio.testing.wait_all_tasks_blocked()
        await view.event("set", n="5")
        await view.event("set", n="0")
        Clicker.gate.set()
        await trio.testing.wait_all_tasks_blocked()
        child = session.runtime("c")
        assert child.state._updates == []
        assert child.renders == 1
