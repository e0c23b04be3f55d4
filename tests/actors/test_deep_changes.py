"""A change made in place deep inside an assign (a dict in a list, an
object's attribute, a nested list, a set) shows on the page after the batch
that made it, renders only the regions that read that assign, and data left
unchanged causes no render."""

from __future__ import annotations

import pytest

from roost import App, LiveComponent, LiveView, event, protocol
from roost.render import RegionRenderer
from roost.testing import LiveClient

from .conftest import session_of

PAGE = """<p id="count">{{ count }}</p>
<ul id="todos">{% for todo in todos %}<li>{{ todo.title }}:{{ todo.done }}</li>{% endfor %}</ul>
<p id="user">{{ user.name }} ({{ user.role.title }})</p>
<p id="grid">{% for row in grid %}[{{ row | join(",") }}]{% endfor %}</p>
<p id="tags">{{ tags | sort | join(",") }}</p>
{{ panel }}"""

COUNT, TODOS, NAME, ROLE, GRID, TAGS, PANEL = range(7)  # the regions of PAGE


class Role:
    def __init__(self, title: str) -> None:
        self.title = title


class User:
    """A plain class: no __eq__, no dataclass, nothing roost knows about."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.role = Role("guest")


class Panel(LiveComponent):
    def mount(self):
        self.lines = [{"text": "first"}]

    @event
    def edit(self, text: str):
        self.lines[0]["text"] = text

    def render(self):
        return f'<i class="line">{self.lines[0]["text"]}</i>'


class Page(LiveView):
    template = "page.html"

    def mount(self, params, session):
        self.count = 0
        self.todos = [{"title": "milk", "done": False}, {"title": "eggs", "done": False}]
        self.user = User("ada")
        self.grid = [[1, 2], [3]]
        self.tags = {"a"}
        self.panel = Panel()
        self._log: list[str] = []

    @event
    def inc(self):
        self.count += 1

    @event
    def finish(self, index: int):
        self.todos[index]["done"] = True

    @event
    def rename(self, name: str):
        self.user.name = name

    @event
    def promote(self, title: str):
        self.user.role.title = title

    @event
    def grow(self, value: int):
        self.grid[1].append(value)

    @event
    def tag(self, name: str):
        self.tags.add(name)

    @event
    def same(self):
        # Writes that leave every value as it was.
        self.todos[0]["done"] = self.todos[0]["done"]
        self.user.name = str(self.user.name)
        self.grid[0][:] = [1, 2]
        self.tags.add("a")
        self.todos = [dict(todo) for todo in self.todos]  # an equal copy
        self._log.append("private")


@pytest.fixture
def app(tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text(PAGE)
    monkeypatch.setattr(Page, "__roost_template_dir__", str(tmp_path))
    return App({"/": Page})


def renderer_of(view: LiveClient) -> RegionRenderer:
    state = session_of(view).runtime("0").state
    assert state is not None and state._regions is not None
    return state._regions[0]


def renders(view: LiveClient, target: str = "0") -> int:
    runtime = session_of(view).runtime(target)
    assert runtime is not None
    return runtime.renders


async def test_a_dict_changed_inside_a_list_shows(app):
    async with LiveClient.mount(app) as view:
        await view.event("finish", index=0)
        assert view.text("#todos") == "milk:Trueeggs:False"
        assert renderer_of(view).last.rendered == (TODOS,)
        await view.event("finish", index=1)  # and again: never stale
        assert view.text("#todos") == "milk:Trueeggs:True"
        # Item by item from the loop's second render on: the first todo re-used.
        assert renderer_of(view).last.items_rendered == 1


async def test_an_attribute_of_an_object_changed_in_place_shows(app):
    async with LiveClient.mount(app) as view:
        await view.event("rename", name="grace")
        assert view.text("#user") == "grace (guest)"
        assert renderer_of(view).last.rendered == (NAME, ROLE)
        await view.event("promote", title="admin")  # an object inside the object
        assert view.text("#user") == "grace (admin)"
        assert renderer_of(view).last.rendered == (NAME, ROLE)


async def test_a_nested_list_changed_in_place_shows(app):
    async with LiveClient.mount(app) as view:
        await view.event("grow", value=4)
        assert view.text("#grid") == "[1,2][3,4]"
        assert renderer_of(view).last.rendered == (GRID,)


async def test_a_set_changed_in_place_shows(app):
    async with LiveClient.mount(app) as view:
        await view.event("tag", name="b")
        assert view.text("#tags") == "a,b"
        assert renderer_of(view).last.rendered == (TAGS,)


async def test_a_component_sees_its_own_deep_changes(app):
    async with LiveClient.mount(app) as view:
        await view.event("edit", target="panel", text="second")
        assert view.text(".line") == "second"


async def test_writes_that_change_nothing_cause_no_render(app):
    async with LiveClient.mount(app) as view:
        before = renders(view)
        patches = len(view.renders)
        await view.event("same")
        assert renders(view) == before
        assert len(view.renders) == patches
        assert not any(isinstance(m, protocol.Patch) for m in view.messages)


async def test_a_change_elsewhere_then_a_deep_change_each_render_once(app):
    async with LiveClient.mount(app) as view:
        before = renders(view)
        await view.event("inc")
        assert renderer_of(view).last.rendered == (COUNT,)
        await view.event("rename", name="grace")
        await view.event("inc")  # the rename is not seen a second time
        assert renderer_of(view).last.rendered == (COUNT,)
        assert renders(view) == before + 3
        assert view.text("#count") == "2"
        assert view.text("#user") == "grace (guest)"


async def test_deleting_an_assign_is_a_change():
    from roost import App, LiveView, event
    from roost.testing import LiveClient

    class Note(LiveView):
        def mount(self, params, session):
            self.note = "hello"

        @event
        def clear(self):
            del self.note

        def render(self):
            return f'<p id="note">{getattr(self, "note", "none")}</p>'

    async with LiveClient.mount(App({"/": Note})) as view:
        await view.event("clear")
        assert view.text("#note") == "none"
