"""Placing a LiveComponent from a hand-written render(): a component handle
interpolated with str() or in an f-string places the component, as {{ tabs }}
does in a template; outside a render it refuses with a clear error."""

from __future__ import annotations

import pytest

from roost import App, LiveComponent, LiveView, event
from roost.actors.scope import ComponentHandle
from roost.testing import LiveClient

from .conftest import session_of


class Tabs(LiveComponent):
    def mount(self, tabs, active=None):
        self.tabs = tabs
        self.active = active or tabs[0]

    @event
    def select(self, tab: str):
        if tab in self.tabs:
            self.active = tab

    def render(self):
        buttons = "".join(
            f'<button roost-click="select" roost-value-tab="{tab}"'
            f"{' class=active' if tab == self.active else ''}>{tab}</button>"
            for tab in self.tabs
        )
        return f'<nav class="tabs">{buttons}</nav>'


class FString(LiveView):
    def mount(self, params, session):
        self.title = "Dashboard"
        self.tabs = Tabs(tabs=["Profile", "Settings"])

    @event
    def retitle(self, title: str):
        self.title = title

    def render(self):
        return f"<main><h1>{self.title}</h1>{self.tabs}</main>"


class WithStr(LiveView):
    def mount(self, params, session):
        self.tabs = Tabs(tabs=["One", "Two"])

    def render(self):
        return "<main>" + str(self.tabs) + "</main>"


async def test_a_handle_in_an_f_string_places_the_component():
    async with LiveClient.mount(App({"/": FString})) as view:
        assert "ComponentHandle" not in view.html()
        assert view.exists('main > [data-roost-id="tabs"] > nav.tabs')
        assert view.text('[data-roost-id="tabs"] button.active') == "Profile"
        assert set(session_of(view).components) == {"tabs"}

        # It is a live component: its events go to its own actor.
        await view.click('button[roost-value-tab="Settings"]')
        assert view.text('[data-roost-id="tabs"] button.active') == "Settings"

        # The view re-renders around it; the component keeps its state.
        await view.event("retitle", title="Home")
        assert view.text("h1") == "Home"
        assert view.text('[data-roost-id="tabs"] button.active') == "Settings"


async def test_the_dead_render_of_an_f_string_places_the_component_filled_in():
    app = App({"/": FString})
    page = await app.dead_render("/", FString, {})
    assert "ComponentHandle" not in page
    assert '<div data-roost-id="tabs"><nav class="tabs">' in page


async def test_str_of_a_handle_places_the_component():
    async with LiveClient.mount(App({"/": WithStr})) as view:
        assert view.text('main > [data-roost-id="tabs"] button.active') == "One"


def test_str_of_a_handle_outside_a_render_is_a_clear_error():
    handle = ComponentHandle(Tabs, "tabs", {"tabs": ["a"]})
    with pytest.raises(RuntimeError, match=r"component 'tabs' \(Tabs\).*only while an actor"):
        str(handle)
    with pytest.raises(RuntimeError, match="only while an actor"):
        f"{handle}"
    # repr stays available, for debugging and error messages.
    assert "Tabs" in repr(handle) and "'tabs'" in repr(handle)
