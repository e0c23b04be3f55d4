"""LiveComponents as actors: placing, props, events, send_parent, nesting."""

from __future__ import annotations

from typing import Any

import pytest

from roost import App, Component, LiveComponent, LiveView, event, live_component, on_component
from roost.testing import EventError, LiveClient

from .conftest import session_of


class Counter(LiveComponent):
    def mount(self, label="c", step=1):
        self.label = label
        self.step = step
        self.count = 0
        self.mounts = getattr(self, "mounts", 0) + 1

    def update(self, **props):
        self.updates = getattr(self, "updates", 0) + 1
        super().update(**props)

    @event
    def inc(self):
        self.count += self.step
        self.send_parent("counted", {"count": self.count})

    def render(self):
        return (
            f'<b class="label">{self.label}</b><i class="count">{self.count}</i>'
            f'<button class="inc" roost-click="inc">+</button>'
        )


class Badge(Component):
    def render(self):
        return f'<span class="badge">{self.props["n"]}</span>'


class Parent(LiveView):
    def mount(self, params, session):
        self.title = "t"
        self.label = "first"
        self.shown = True
        self.totals: dict[str, Any] = {}
        self.seed = Counter(label="seed")  # the seed's style: id "seed"

    @event
    def retitle(self, title: str):
        self.title = title

    @event
    def relabel(self, label: str):
        self.label = label

    @event
    def toggle(self):
        self.shown = not self.shown

    @event
    def bump(self, id: str, step: int):
        self.send_update(id, step=step)

    @on_component("counted")
    def counted(self, component_id, data):
        self.totals = {**self.totals, component_id: data["count"]}

    def render(self):
        placed = live_component(Counter, id="a", label=self.label) if self.shown else ""
        totals = ",".join(f"{k}={v}" for k, v in sorted(self.totals.items()))
        return (
            f"<h1>{self.title}</h1>{Badge(n=len(self.totals)).__html__()}"
            f'<p id="totals">{totals}</p>{placed}{self.seed.__html__()}'
        )


@pytest.fixture
def app():
    return App({"/": Parent})


async def test_components_render_into_their_own_containers(app):
    async with LiveClient.mount(app) as view:
        assert view.text('[data-roost-id="a"] .label') == "first"
        assert view.text('[data-roost-id="seed"] .label') == "seed"
        assert view.text(".badge") == "0"


async def test_an_event_inside_a_component_goes_to_its_own_actor(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        parent_renders = session.runtime("0").renders
        await view.click('[data-roost-id="a"] .inc')
        assert view.text('[data-roost-id="a"] .count') == "1"
        assert session.runtime("a").renders == 2
        assert session.runtime("seed").renders == 1
        # The parent rendered once more only for the send_parent it got.
        await view.wait_for("#totals", "a=1")
        assert session.runtime("0").renders == parent_renders + 1


async def test_send_parent_reaches_the_on_component_handler(app):
    async with LiveClient.mount(app) as view:
        await view.click('[data-roost-id="seed"] .inc')
        await view.wait_for("#totals", "seed=1")
        assert view.text(".badge") == "1"


async def test_a_parent_render_with_the_same_props_does_not_wake_the_component(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        await view.event("retitle", title="new")
        assert view.text("h1") == "new"
        assert session.runtime("a").renders == 1
        assert not hasattr(session.runtime("a").state, "updates")


async def test_changed_props_run_update_and_re_render_only_that_component(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        await view.event("relabel", label="second")
        await view.wait_for('[data-roost-id="a"] .label', "second")
        state = session.runtime("a").state
        assert state.updates == 1 and state.mounts == 1
        assert session.runtime("seed").renders == 1


async def test_send_update_merges_props_into_the_component(app):
    async with LiveClient.mount(app) as view:
        await view.event("bump", id="a", step="5")
        await view.click('[data-roost-id="a"] .inc')
        assert view.text('[data-roost-id="a"] .count') == "5"
        assert view.text('[data-roost-id="a"] .label') == "first"


async def test_a_component_no_longer_rendered_is_unmounted_and_stops(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        before = session.components_supervisor.count_children()["active"]
        await view.event("toggle")
        assert not view.exists('[data-roost-id="a"]')
        assert "a" not in session.registry
        assert session.components_supervisor.count_children()["active"] == before - 1
        await view.event("toggle")
        await view.wait_for('[data-roost-id="a"] .count', "0")


async def test_events_to_a_component_are_validated_by_its_own_handlers(app):
    async with LiveClient.mount(app) as view:
        with pytest.raises(EventError) as error:
            await view.event("retitle", target="a", title="x")
        assert error.value.code == "unknown_event"
        await view.click('[data-roost-id="a"] .inc')
        assert view.text('[data-roost-id="a"] .count') == "1"


class Leaf(LiveComponent):
    def mount(self):
        self.n = 0
        self.unmounted = False

    @event
    def inc(self):
        self.n += 1

    def render(self):
        return f'<em roost-click="inc">{self.n}</em>'


class Branch(LiveComponent):
    def mount(self):
        self.leaf = Leaf()

    def render(self):
        return f"<div>branch {self.leaf.__html__()}</div>"


class Tree(LiveView):
    def mount(self, params, session):
        self.open = True

    @event
    def close(self):
        self.open = False

    def render(self):
        return "<main>" + (live_component(Branch, id="branch") if self.open else "") + "</main>"


async def test_nested_components_are_actors_and_stop_with_their_parent():
    async with LiveClient.mount(App({"/": Tree})) as view:
        session = session_of(view)
        await view.click('[data-roost-id="leaf"] em')
        assert view.text('[data-roost-id="leaf"] em') == "1"
        assert session.runtime("leaf").parent == "branch"
        await view.event("close")
        assert set(session.registry) == {"0"}
        assert session.components_supervisor.count_children()["active"] == 0


async def test_a_crashing_parent_component_restarts_alone_and_its_children_keep_their_state():
    async with LiveClient.mount(App({"/": Tree})) as view:
        session = session_of(view)
        await view.click('[data-roost-id="leaf"] em')
        leaf = session.runtime("leaf")
        await view.crash("branch")
        assert view.text('[data-roost-id="branch"]').startswith("branch")
        assert session.runtime("leaf") is leaf and leaf.ref is not None
        assert view.text('[data-roost-id="leaf"] em') == "1"
        await view.click('[data-roost-id="leaf"] em')
        assert view.text('[data-roost-id="leaf"] em') == "2"


def test_components_with_equal_props_are_equal_and_unhashable():
    # Equal by props (so re-assigning an equal one is no change); props may be
    # unhashable, so hashing must not pretend equal objects differ.
    assert Badge(n=1) == Badge(n=1)
    assert Badge(n=1) != Badge(n=2)
    with pytest.raises(TypeError):
        hash(Badge(n=[1]))
    with pytest.raises(TypeError):
        {Badge(n=1)}


class Broken(LiveComponent):
    def mount(self, fail=True):
        if fail:
            raise RuntimeError("cannot mount")
        self.ok = "mounted"

    def render(self):
        return f"<i>{self.ok}</i>"


class Host(LiveView):
    def mount(self, params, session):
        self.n = 0
        self.fail = True

    @event
    def inc(self):
        self.n += 1

    @event
    def fix(self):
        self.fail = False

    def render(self):
        broken = live_component(Broken, id="broken", fail=self.fail)
        return f'<p id="n">{self.n}</p>{broken}<button id="inc" roost-click="inc">+</button>'


async def test_a_component_that_fails_to_mount_shows_its_error_and_its_parent_carries_on(
    caplog,
):
    async with LiveClient.mount(App({"/": Host}), allow_crashes={"broken"}) as view:
        await view.wait_for('[data-roost-id="broken"] [role="alert"]')
        assert "component 'broken'" in caplog.text and "Broken" in caplog.text
        session = session_of(view)
        await view.click("#inc")
        assert view.text("#n") == "1"
        assert session.runtime("0").renders == 2  # never re-mounted
        await view.event("fix")  # new props: it mounts again, and works
        assert view.text('[data-roost-id="broken"] i') == "mounted"
