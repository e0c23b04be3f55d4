"""LiveClient.submit and .change send what the browser's bindings send: every
field of the form as the page holds it, what the test typed in their place,
and for a change, `_target`; follow_redirect opens where the server sent the tab."""

from __future__ import annotations

import json

import pytest

from roost import App, LiveView, event
from roost.testing import LiveClient, SelectorError

FORM = """
<form id="profile" roost-submit="save" roost-change="validate" roost-value-kind="user">
  <input name="name" value="{name}">
  <input type="hidden" name="id" value="7">
  <input type="checkbox" name="admin" id="admin" {admin}>
  <input type="checkbox" name="tags" value="a" checked>
  <input type="checkbox" name="tags" value="b">
  <select name="size"><option value="s">s</option><option value="m" selected>m</option></select>
  <select name="langs" multiple><option value="py" selected>py</option><option>js</option></select>
  <input type="radio" name="plan" value="free" checked><input type="radio" name="plan" value="pro">
  <textarea name="bio">{bio}</textarea>
  <input type="file" name="avatar">
  <input name="off" value="x" disabled>
  <button>Save</button>
</form>
<pre id="got">{got}</pre>
"""


class Profile(LiveView):
    def mount(self, params, session):
        self.got = ""
        self.user = session.get("user", "")

    @event
    def save(self, **params):
        self.got = json.dumps(params, sort_keys=True)

    @event
    def validate(self, name: str, _target: str, **params):
        self.got = json.dumps({"name": name, "_target": _target}, sort_keys=True)

    @event
    def leave(self):
        self.redirect("/next?from=profile")

    def render(self):
        return FORM.format(name="ann", admin="", bio="hi", got=self.got.replace("<", "&lt;"))


class Next(LiveView):
    def mount(self, params, session):
        self.source = params.get("from", "")
        self.user = session.get("user", "")

    def render(self):
        return f'<p id="from">{self.source}</p><p id="user">{self.user}</p>'


app = App({"/": Profile, "/next": Next})


def got(view: LiveClient) -> dict:
    return json.loads(view.text("#got"))


async def test_submit_sends_every_field_as_the_browser_does_with_the_typed_ones_in_place():
    async with LiveClient.mount(app) as view:
        await view.submit("#profile", name="bob", admin=True)
        assert got(view) == {
            "name": "bob",
            "id": "7",
            "admin": True,
            "tags": ["a"],
            "size": "m",
            "langs": ["py"],
            "plan": "free",
            "bio": "hi",
            "kind": "user",
        }


async def test_a_field_the_form_does_not_have_is_refused():
    async with LiveClient.mount(app) as view:
        with pytest.raises(SelectorError, match="no field named 'nope'"):
            await view.submit("#profile", nope="x")


async def test_change_sends_the_form_and_the_changed_fields_name_as_target():
    async with LiveClient.mount(app) as view:
        await view.change("#profile input[name=name]", name="bo")
        assert got(view) == {"name": "bo", "_target": "name"}
        await view.change("#profile", bio="longer")
        assert got(view) == {"name": "ann", "_target": "bio"}


async def test_follow_redirect_opens_the_page_the_server_sent_the_tab_to():
    async with LiveClient.mount(app, session={"user": "ann"}) as view:
        with pytest.raises(AssertionError, match="did not redirect"):
            view.follow_redirect()
        await view.event("leave")
        async with view.follow_redirect() as there:
            assert there.text("#from") == "profile"
            assert there.text("#user") == "ann"  # the same cookie session
