"""Flash messages: put by a handler, shown by the next view push_navigate mounts
(once), left behind by the user's own navigation, and handed to a page load."""

from __future__ import annotations

from roost import App, LiveView, event, protocol
from roost.testing import LiveClient


class Editor(LiveView):
    def render(self) -> str:
        shown = "".join(f"<p class='flash {k}'>{t}</p>" for k, t in self.flash.items())
        return f"<h1>Editor</h1>{shown}"

    @event
    def save(self):
        self.put_flash("info", "Saved")
        self.push_navigate("/list")

    @event
    def save_and_leave(self):
        self.put_flash("info", "Saved")
        self.redirect("/elsewhere")


class List(LiveView):
    def render(self) -> str:
        shown = "".join(f"<p class='flash {k}'>{t}</p>" for k, t in self.flash.items())
        return f"<h1>List</h1>{shown}<a href='/'>edit</a>"

    @event
    def dismiss(self):
        self.clear_flash("info")


def app() -> App:
    return App({"/": Editor, "/list": List})


async def test_a_flash_goes_with_push_navigate_and_stays_behind_on_the_users_navigation():
    async with LiveClient.mount(app()) as view:
        await view.event("save")
        await view.wait_for(".flash.info")
        assert view.text("h1") == "List" and view.text(".flash.info") == "Saved"
        await view.navigate("/")  # the user's own navigation: the flash was for that page
        assert view.text("h1") == "Editor" and not view.exists(".flash")


async def test_clear_flash_removes_it():
    async with LiveClient.mount(app()) as view:
        await view.event("save")
        await view.wait_for(".flash.info")
        await view.event("dismiss")
        assert not view.exists(".flash")


async def test_a_redirect_hands_the_flash_to_the_next_page_in_a_signed_token():
    the_app = app()
    async with LiveClient.mount(the_app) as view:
        await view.event("save_and_leave")
        [navigate] = [m for m in view.messages if isinstance(m, protocol.Navigate)]
    assert navigate.to == "/elsewhere"
    assert the_app.signer.verify(navigate.flash) == {"flash": {"info": "Saved"}}
