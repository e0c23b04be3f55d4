"""The flash shown without the view doing so: a template that does not name
``flash`` has it at the top of the view's content (the part of the page the
view patches), at once after ``put_flash``, dismissed by a click, carried by
``push_navigate``, left behind by the user's navigation; ``flash_group(flash)``
places it elsewhere; a template that shows the flash itself keeps doing so."""

from __future__ import annotations

from pathlib import Path

from roost import App, LiveView, event
from roost.testing import LiveClient

MESSAGE = '.roost-flash > p.flash.info[role="alert"]'


def views(folder: Path, **templates: str) -> None:
    for name, text in templates.items():
        (folder / name).write_text(text)


def app(folder: Path, **templates: str) -> App:
    """An editor at ``/`` that saves with a flash and a list at ``/list``, their
    templates ``edit.html`` and ``list.html`` (plain ones unless given)."""
    views(
        folder,
        **{
            "edit.html": '<h1>Editor</h1><button id="save" roost-click="save">save</button>',
            "list.html": '<h1>List</h1><a href="/">edit</a>',
            **templates,
        },
    )

    class Editor(LiveView):
        template = "edit.html"

        @event
        def save(self):
            self.put_flash("info", "Saved <b>it</b>")

        @event
        def save_and_go(self):
            self.put_flash("info", "Saved")
            self.push_navigate("/list")

        @event
        def warn(self):
            self.put_flash("error", "Careful")

        @event
        def dismiss(self):
            self.clear_flash()

    class List(LiveView):
        template = "list.html"

    Editor.__roost_template_dir__ = List.__roost_template_dir__ = str(folder)
    return App({"/": Editor, "/list": List})


async def test_put_flash_shows_at_once_at_the_top_of_a_view_whose_template_does_not(tmp_path):
    async with LiveClient.mount(app(tmp_path)) as view:
        assert not view.exists(".roost-flash")  # nothing to show: the content as written
        await view.click("#save")
        assert view.text(MESSAGE) == "Saved <b>it</b>"  # escaped text, not markup
        assert view.html().startswith('<div id="roost-flash"')
        await view.event("dismiss")
        assert not view.exists(".roost-flash") and view.exists("#save")


async def test_a_click_on_a_message_dismisses_it_alone(tmp_path):
    async with LiveClient.mount(app(tmp_path)) as view:
        await view.click("#save")
        await view.event("warn")
        assert view.exists(MESSAGE) and view.exists(".flash.error")
        await view.click(MESSAGE)
        assert not view.exists(MESSAGE) and view.text(".flash.error") == "Careful"


async def test_push_navigate_shows_it_on_the_next_view_and_the_users_navigation_leaves_it(
    tmp_path,
):
    async with LiveClient.mount(app(tmp_path)) as view:
        await view.event("save_and_go")
        await view.wait_for("h1", "List")
        assert view.text(MESSAGE) == "Saved"
        await view.navigate("/")
        assert view.text("h1") == "Editor" and not view.exists(".flash")


async def test_flash_group_places_it_where_the_template_says(tmp_path):
    edit = (
        '<h1>Editor</h1><aside id="side">{{ flash_group(flash) }}</aside>'
        '<button id="save" roost-click="save">save</button>'
    )
    async with LiveClient.mount(app(tmp_path, **{"edit.html": edit})) as view:
        assert view.html("#side") == (
            '<aside id="side"><div id="roost-flash" class="roost-flash" aria-live="polite">'
            "</div></aside>"
        )
        await view.click("#save")
        assert view.text(f"#side {MESSAGE}") == "Saved <b>it</b>"
        assert view.html().count('id="roost-flash"') == 1  # not at the top as well


async def test_a_template_that_shows_the_flash_itself_gets_no_second_one(tmp_path):
    own = (
        '{% for kind, text in flash.items() %}<p class="mine {{ kind }}">{{ text }}</p>{% endfor %}'
    )
    edit = '<h1>Editor</h1>{% include "own.html" %}<button id="save" roost-click="save">s</button>'
    async with LiveClient.mount(app(tmp_path, **{"edit.html": edit, "own.html": own})) as view:
        await view.click("#save")
        assert view.text(".mine.info") == "Saved <b>it</b>"
        assert not view.exists(".roost-flash")
