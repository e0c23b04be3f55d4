"""Live navigation: push_patch keeps the view and runs handle_params, push_navigate
and live links mount another view in the tab without a page load, redirect loads
a page; after a crash the page still agrees with the URL."""

from __future__ import annotations

from roost import App, LiveView, event, protocol
from roost.testing import LiveClient


class Notes(LiveView):
    mounts = 0
    ended: list[str] = []

    def mount(self, params, session):
        Notes.mounts += 1
        self.sort = "title"

    def handle_params(self, params, url):
        self.sort = params.get("sort", "title")
        self.url = url

    def render(self) -> str:
        return f'<h1>Notes</h1><p id="sort">{self.sort}</p><p id="url">{self.url}</p>'

    @event
    def sort_by(self, column: str):
        self.push_patch(f"/?sort={column}")

    @event
    def open_note(self, id: str):
        self.push_navigate(f"/notes/{id}")

    @event
    def leave_site(self):
        self.redirect("https://example.com/bye")

    @event
    def nowhere(self):
        self.push_navigate("/no/such/page")

    def terminate(self, reason):
        Notes.ended.append(self.sort)


class Note(LiveView):
    def mount(self, params, session):
        self.note = params["id"]

    def render(self) -> str:
        return f'<h1 id="title">Note {self.note}</h1>'


def app() -> App:
    Notes.mounts, Notes.ended = 0, []
    return App({"/": Notes, "/notes/{id:int}": Note})


async def test_push_patch_changes_the_url_and_runs_handle_params_without_a_remount():
    async with LiveClient.mount(app()) as view:
        await view.event("sort_by", column="date")
        assert view.text("#sort") == "date"
        assert view.url == "http://localhost/?sort=date"
        assert view.text("#url") == "http://localhost/?sort=date"
        assert Notes.mounts == 2  # the dead render and the live mount, no more
        assert protocol.Url("/?sort=date") in view.messages


async def test_push_navigate_mounts_the_routed_view_in_the_tab_and_ends_the_old_one():
    async with LiveClient.mount(app()) as view:
        await view.event("open_note", id="7")
        await view.wait_for("#title")
        assert view.text("#title") == "Note 7"
        assert view.url == "http://localhost/notes/7"
        assert Notes.ended == ["title"]  # terminate ran with its state
        assert view.redirected_to is None  # no page load


async def test_a_live_link_to_the_same_view_patches_and_to_another_view_navigates():
    async with LiveClient.mount(app()) as view:
        await view.navigate("/?sort=author")
        assert view.text("#sort") == "author"
        assert Notes.mounts == 2
        await view.navigate("/notes/3")  # answered once the new view has rendered
        assert view.text("#title") == "Note 3"
        await view.navigate("/?sort=date")  # back: the list is mounted again
        assert view.text("#sort") == "date"
        assert view.url == "http://localhost/?sort=date"


async def test_redirect_and_unrouted_paths_load_a_page_instead():
    async with LiveClient.mount(app()) as view:
        await view.event("leave_site")
        assert view.redirected_to == "https://example.com/bye"
        await view.event("nowhere")
        assert view.redirected_to == "http://localhost/no/such/page"
        await view.navigate("/elsewhere")
        assert view.redirected_to == "http://localhost/elsewhere"
        assert view.text("#sort") == "title"  # the view stayed as it was


async def test_after_a_crash_the_restarted_view_agrees_with_the_url():
    async with LiveClient.mount(app()) as view:
        await view.event("sort_by", column="date")
        await view.crash()
        assert view.text("#sort") == "date"
        assert view.text("#url") == "http://localhost/?sort=date"
