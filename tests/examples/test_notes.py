"""The notes example: a login hook on every page, a sortable list with live links,
an editor that saves with a flash."""

from __future__ import annotations

import pytest

from examples import notes
from examples.notes import app
from roost import protocol
from roost.testing import LiveClient, MountError
from tests.server.test_sessions import call

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


async def test_after_the_crash_button_the_list_restarts_at_the_url_a_patch_put_there():
    async with LiveClient.mount(app, "/", session=DEMO, allow_crashes=True) as view:
        await view.navigate("/?sort=updated")  # the column's patch link
        assert view.attr("#sort-updated", "class") == "sorted"
        start = len(view.messages)
        reply = await view.click("#crash", expect_error=True)
        assert isinstance(reply, protocol.Error) and reply.code == protocol.CRASHED

        def restarted(view: LiveClient) -> bool:
            fresh = view.messages[start:]
            return any(isinstance(m, protocol.Render) and m.target == "0" for m in fresh)

        await view.wait_for(restarted)
        assert view.url == "http://localhost/?sort=updated"
        assert view.attr("#sort-updated", "class") == "sorted"  # mounted again at that URL
        assert view.text("tbody tr:first-child a.note") == "Books to read"


async def test_a_flash_already_shown_and_left_behind_is_not_shown_again_by_a_restart():
    async with LiveClient.mount(app, "/notes/1", session=DEMO, allow_crashes=True) as view:
        await view.event("save", title="Shopping", body="Milk.")
        await view.wait_for(".flash.info")
        await view.navigate("/?sort=title")  # the user moves on: the flash stays behind
        assert not view.exists(".flash")
        await view.crash()
        assert view.attr("#sort-title", "class") == "sorted"
        assert not view.exists(".flash")


async def test_a_title_too_long_or_empty_is_refused_in_the_page():
    async with LiveClient.mount(app, "/notes/1", session=DEMO) as view:
        await view.event("save", title="  ", body="x")
        assert "A title is 1 to 120 characters" in view.text(".flash.error")
        assert notes.NOTES[1].title == "Groceries"


async def log_in(host, at: str = "") -> str:
    """Log in as demo through the login form's POST; the session cookie it sets."""
    body = b"username=demo&password=demo"
    status, headers, _ = await call(host, "POST", at + "/login", body=body)
    assert (status, headers["location"]) == (303, at + "/")
    return headers["set-cookie"].split(";", 1)[0]


async def test_logging_out_clears_the_session_and_sends_the_user_to_the_login_page():
    cookie = await log_in(app)
    status, _, page = await call(app, "GET", "/", cookie)
    assert status == 200 and b"Logged in as <b>demo</b>" in page

    status, headers, _ = await call(app, "GET", "/logout", cookie)
    assert (status, headers["location"]) == (303, "/login")
    emptied = headers["set-cookie"].split(";", 1)[0]
    assert emptied != cookie  # the browser's cookie now holds no user
    status, headers, _ = await call(app, "GET", "/", emptied)
    assert (status, headers["location"]) == (303, "/login")  # the hook: anonymous again
    status, _, page = await call(app, "GET", "/login", emptied)
    assert status == 200 and b"Wrong username" not in page


async def test_logging_out_of_the_app_mounted_at_a_sub_path_stays_below_it():
    from starlette.applications import Starlette
    from starlette.routing import Mount

    host = Starlette(routes=[Mount("/app", app=app)])
    cookie = await log_in(host, "/app")
    status, headers, _ = await call(host, "GET", "/app/logout", cookie)
    assert (status, headers["location"]) == (303, "/app/login")
    emptied = headers["set-cookie"].split(";", 1)[0]
    status, headers, _ = await call(host, "GET", "/app/", emptied)
    assert (status, headers["location"]) == (303, "/app/login")
