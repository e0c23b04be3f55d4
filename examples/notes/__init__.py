"""Notes: a small multi-page app with a login, live links, sortable columns, an
editor and a flash.

Run it with ``roost run examples.notes:app`` and open http://127.0.0.1:8000/
(the user ``demo``, password ``demo``).

- ``/login`` is a LiveView page whose form POSTs to ``/login``, a plain
  Starlette endpoint that checks the password and sets the cookie session.
- Every other page is an ``Authenticated`` view: its ``on_mount`` hook sends
  visitors without a user to ``/login``, on the page request and on the socket.
- ``/`` lists the notes; its column headers are ``roost-link="patch"`` links
  (``?sort=title``, ``?sort=updated``: ``handle_params`` sorts, no re-mount), each
  title a ``roost-link="navigate"`` link to the note's page.
- ``/notes/{id:int}`` shows a note (its title is the page's ``<h1>`` and
  ``page_title``) with an editor; saving puts a flash and goes back to the list.
- Each page's Crash button raises in its view: the view's supervisor restarts
  it, mounted again at the page's URL as it is then (``?sort=...`` included).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from roost import App, LiveView, event

USERS = {"demo": "demo"}
SORTS = {"title": lambda n: n.title.lower(), "updated": lambda n: -n.updated}
MAX_TITLE = 120
MAX_BODY = 5000


@dataclass
class Note:
    id: int
    title: str
    body: str
    updated: int


_clock = itertools.count(1)
NOTES: dict[int, Note] = {
    n.id: n
    for n in [
        Note(1, "Groceries", "Milk, eggs, bread.", next(_clock)),
        Note(2, "Ideas", "A roost of actors.", next(_clock)),
        Note(3, "Books to read", "The Pragmatic Programmer.", next(_clock)),
    ]
}


def require_user(view: LiveView, params: dict, session: dict) -> None:
    """The on_mount hook of every page but the login: no user, no page."""
    user = session.get("user")
    if user not in USERS:
        view.redirect("/login")
        return
    view.user = user


class Authenticated(LiveView):
    on_mount = (require_user,)

    @event
    def crash(self):
        raise RuntimeError("the Crash button was clicked")


class NoteList(Authenticated):
    template = "list.html"
    page_title = "Notes"

    def mount(self, params, session):
        self.sort = "title"
        self.notes: list[Note] = []

    def handle_params(self, params, url):
        sort = params.get("sort", "title")
        self.sort = sort if sort in SORTS else "title"
        self.notes = sorted(NOTES.values(), key=SORTS[self.sort])


class NotePage(Authenticated):
    template = "note.html"

    def mount(self, params, session):
        note = NOTES.get(params["id"])
        if note is None:
            self.put_flash("error", "No such note.")
            self.redirect("/")
            return
        self.note_id = note.id
        self.title = note.title
        self.body = note.body
        self.page_title = note.title
        self.error = None

    @event
    def save(self, title: str, body: str):
        title, body = title.strip(), body.strip()
        if not title or len(title) > MAX_TITLE or len(body) > MAX_BODY:
            self.error = f"A title is 1 to {MAX_TITLE} characters, a note at most {MAX_BODY}."
            return
        note = NOTES[self.note_id]
        note.title, note.body, note.updated = title, body, next(_clock)
        self.put_flash("info", f"Saved “{title}”.")
        self.push_navigate("/?sort=updated")


class LoginPage(LiveView):
    template = "login.html"
    page_title = "Log in"

    def mount(self, params, session):
        self.failed = params.get("failed") == "1"


def here(request: Request, path: str) -> str:
    """``path`` of this app, below where a host app mounted it (``/app`` + ``/login``)."""
    return request.scope.get("root_path", "").rstrip("/") + path


async def login(request: Request) -> RedirectResponse:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    if USERS.get(username) == password:
        request.session["user"] = username
        request.session["_flash"] = {"info": f"Welcome, {username}."}
        return RedirectResponse(here(request, "/"), status_code=303)
    return RedirectResponse(here(request, "/login?failed=1"), status_code=303)


async def logout(request: Request) -> RedirectResponse:
    request.session.clear()
    return RedirectResponse(here(request, "/login"), status_code=303)


app = App(
    {"/": NoteList, "/notes/{id:int}": NotePage, "/login": LoginPage},
    http_routes=[Route("/login", login, methods=["POST"]), Route("/logout", logout)],
    layout="layout.html",
    static_dir="static",
    title="Notes",
)
