"""The notes example: a login hook on every page, a sortable list with live links,
an editor that saves with a flash."""

from __future__ import annotations

import pytest

from examples import notes
from examples.notes import app
from roost.testing import LiveClient, MountError

DEMO = {"user": "demo"}


@pytest.fixture(autouse=True)
def fresh_notes(monkeypatch):
    monkeypatch.setattr(notes, "NOTES", {n.id: notes.Note(**vars(n)) for n in notes.NOTES.values()})


async def test_an_anonymous_visitor_is_sent_to_the_login_page():
    with pytest.raises(MountError) as refused:
        async with LiveClient.mount(app, "/"):
            pass
    assert refused.value.code == "redirected" and "/login" in refused.value.message
    async with LiveClient.mount(app, "/login") as view:
        assert view.exists("form[action='/login'] input[name=password]")


async def test_the_list_sorts_by_a_patch_link_and_opens_a_note_by_a_navigate_link():
    async with LiveClient.mount(app, "/", session=DEMO) as view:
        titles = [n.title for n in sorted(notes.NOTES.values(), key=lambda n: n.title.lower())]
        assert view.text("tbody tr:first-child a.note") == titles[0]
        await view.navigate("/?sort=updated")
        assert view.attr("#sort-updated", "class") == "sorted"
        assert view.text("tbody tr:first-child a.note") == "Books to read"  # the newest first
        await view.navigate("/notes/2")
        assert view.text("h1") == "Ideas"
        assert view.url == "http://localhost/notes/2"


async def test_saving_a_note_goes_back_to_the_list_with_a_flash_shown_once():
    async with LiveClient.mount(app, "/notes/1", session=DEMO) as view:
        assert view.text("h1") == "Groceries"
        await view.event("save", title="Shopping", body="Milk.")
        await view.wait_for(".flash.info")
        assert view.text(".flash.info") == "Saved “Shopping”."
        assert view.url == "http://localhost/?sort=updated"
        assert view.text("tbody tr:first-child a.note") == "Shopping"  # changed last: first
        await view.navigate("/?sort=title")  # the user moves on: the flash stays behind
        assert not view.exists(".flash")


async def test_a_title_too_long_or_empty_is_refused_in_the_page():
    async with LiveClient.mount(app, "/notes/1", session=DEMO) as view:
        await view.event("save", title="  ", body="x")
        assert "A title is 1 to 120 characters" in view.text(".flash.error")
        assert notes.NOTES[1].title == "Groceries"
