"""An actor re-renders only the template regions that read a changed assign;
the components placed in the others keep running."""

from __future__ import annotations

import pytest

from roost import App, LiveComponent, LiveView, event
from roost.render import RegionRenderer
from roost.testing import LiveClient

from .conftest import session_of

BOARD = """<h1>{{ title }}</h1>
<p id="count">{{ count }}</p>
<nav>{{ tabs }}</nav>
{% if shown %}<section>
{{ live_component(kind, id="pager", label="page " ~ page) }}</section>{% endif %}
<ul id="items">{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>"""

TITLE, COUNT, TABS, PAGER, ITEMS = range(5)  # the regions of BOARD


class Clicker(LiveComponent):
    def mount(self, label):
        self.label = label
        self.clicks = 0

    @event
    def click(self):
        self.clicks += 1

    def render(self):
        return (
            f'<b class="label">{self.label}</b><i class="clicks">{self.clicks}</i>'
            '<button class="click" roost-click="click">+</button>'
        )


class Board(LiveView):
    template = "board.html"

    def mount(self, params, session):
        self.title = "Board"
        self.count = 0
        self.page = 1
        self.shown = True
        self.items = ["a", "b"]
        self.kind = Clicker  # for live_component(kind, ...)
        self.tabs = Clicker(label="tabs")  # a handle: component id "tabs"

    @event
    def inc(self):
        self.count += 1

    @event
    def next_page(self):
        self.page += 1

    @event
    def toggle(self):
        self.shown = not self.shown

    @event
    def relabel(self, label: str):
        self.send_update("tabs", label=label)

    @event
    def add(self, item: str):
        self.items.append(item)


class WholeBoard(Board):
    render_regions = False


@pytest.fixture
def app(tmp_path, monkeypatch):
    (tmp_path / "board.html").write_text(BOARD)
    for cls in (Board, WholeBoard):
        monkeypatch.setattr(cls, "__roost_template_dir__", str(tmp_path))
    return App({"/": Board, "/whole": WholeBoard})


def renderer_of(view: LiveClient) -> RegionRenderer:
    runtime = session_of(view).runtime("0")
    assert runtime is not None and runtime.state is not None
    regions = runtime.state._regions
    assert regions is not None
    return regions[0]


async def test_components_in_unchanged_regions_keep_running(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        await view.click('[data-roost-id="pager"] .click')
        await view.click('[data-roost-id="tabs"] .click')
        pager, tabs = session.runtime("pager"), session.runtime("tabs")
        assert pager is not None and tabs is not None
        pager_state, tabs_state = pager.state, tabs.state

        for n in (1, 2, 3):
            await view.event("inc")
            assert view.text("#count") == str(n)
            assert renderer_of(view).last.rendered == (COUNT,)
            assert renderer_of(view).last.replayed == (TITLE, TABS, PAGER, ITEMS)

        # The same actors, never restarted, their state intact, still on the page.
        assert session.runtime("pager") is pager and pager.state is pager_state
        assert session.runtime("tabs") is tabs and tabs.state is tabs_state
        assert session.runtime("0").children == {"tabs", "pager"}
        assert view.text('[data-roost-id="pager"] .clicks') == "1"
        assert view.text('[data-roost-id="tabs"] .clicks') == "1"
        assert pager.renders == 2 and tabs.renders == 2


async def test_a_re_rendered_region_gives_its_component_new_props(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        await view.click('[data-roost-id="pager"] .click')
        pager = session.runtime("pager")
        await view.event("next_page")
        assert renderer_of(view).last.rendered == (PAGER,)
        await view.wait_for('[data-roost-id="pager"] .label', "page 2")
        assert session.runtime("pager") is pager  # updated, not re-mounted
        assert view.text('[data-roost-id="pager"] .clicks') == "1"


async def test_a_component_its_region_stops_placing_stays_gone_while_replayed(app):
    async with LiveClient.mount(app) as view:
        session = session_of(view)
        await view.event("toggle")
        assert not view.exists('[data-roost-id="pager"]')
        assert "pager" not in session.registry
        await view.event("inc")  # replays the (now empty) pager region
        assert renderer_of(view).last.replayed == (TITLE, TABS, PAGER, ITEMS)
        assert "pager" not in session.registry
        assert session.runtime("0").children == {"tabs"}
        await view.event("toggle")
        await view.wait_for('[data-roost-id="pager"] .clicks', "0")


async def test_props_sent_with_send_update_survive_a_replay(app):
    async with LiveClient.mount(app) as view:
        await view.event("relabel", label="renamed")
        await view.wait_for('[data-roost-id="tabs"] .label', "renamed")
        await view.event("inc")  # the tabs region is replayed, with the props it now has
        assert renderer_of(view).last.replayed == (TITLE, TABS, PAGER, ITEMS)
        assert view.text('[data-roost-id="tabs"] .label') == "renamed"
        assert session_of(view).runtime("tabs").props == {"label": "renamed"}


async def test_a_list_changed_in_place_re_renders_its_region(app):
    async with LiveClient.mount(app) as view:
        await view.event("add", item="c")
        assert renderer_of(view).last.rendered == (ITEMS,)
        assert view.text("#items") == "abc"


async def test_a_view_can_render_its_whole_template_every_time(app):
    async with LiveClient.mount(app, "/whole") as view:
        session = session_of(view)
        pager = session.runtime("pager")
        await view.event("inc")
        assert view.text("#count") == "1"
        assert session.runtime("0").state._regions is None
        assert session.runtime("pager") is pager


async def test_a_restarted_view_renders_in_full_and_then_by_regions(app):
    async with LiveClient.mount(app) as view:
        await view.event("inc")
        await view.crash()
        assert view.text("#count") == "0"
        assert renderer_of(view).last.rendered == (TITLE, COUNT, TABS, PAGER, ITEMS)
        await view.event("inc")
        assert view.text("#count") == "1"
        assert renderer_of(view).last.rendered == (COUNT,)
