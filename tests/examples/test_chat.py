"""The chat example: tabs on one app share a room over pubsub."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from examples.chat import KEEP, app
from roost.testing import LiveClient


def messages(view: LiveClient) -> list[str]:
    return [li.text() for li in LexborHTMLParser(view.html("#messages")).css("li")]


async def post(view: LiveClient, text: str, name: str = "") -> None:
    """Submit the form as the browser does: both fields."""
    await view.event("post", text=text, name=name)


async def test_two_tabs_see_each_others_posts():
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        await post(ann, "hello bob", "ann")
        await bob.wait_for("#messages li", "ann: hello bob")
        await ann.wait_for("#messages li", "ann: hello bob")

        await post(bob, "hi ann", "bob")
        await ann.wait_for("#messages li", "bob: hi ann")
        await bob.wait_for("#messages li", "bob: hi ann")
        assert messages(ann) == messages(bob) == ["ann: hello bob", "bob: hi ann"]


async def test_a_post_without_a_name_goes_under_the_tabs_name():
    async with LiveClient.mount(app, "/?name=cleo") as view:
        assert view.attr('input[name="name"]', "value") == "cleo"
        await post(view, "  spaced out  ", "   ")
        await view.wait_for("#messages li", "cleo: spaced out")


async def test_blank_posts_are_ignored():
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        before = len(ann.frames)
        await post(ann, "", "ann")
        await post(ann, "   \n\t ", "ann")
        # Nothing changed for the poster: only the events and their acks went by.
        assert [f.sent for f in ann.frames[before:]] == [True, False, True, False]

        # A later post arrives alone: the blank ones were never broadcast.
        await post(ann, "not blank", "ann")
        await bob.wait_for("#messages li", "ann: not blank")
        assert messages(bob) == ["ann: not blank"]


async def test_only_the_last_50_messages_are_kept():
    assert KEEP == 50
    async with LiveClient.mount(app, "/?name=ann") as view:
        for n in range(1, KEEP + 6):
            await post(view, f"m{n}", "ann")
        await view.wait_for("#messages li", f"ann: m{KEEP + 5}")
        shown = messages(view)
        assert len(shown) == KEEP
        assert shown[0] == "ann: m6"
        assert shown[-1] == f"ann: m{KEEP + 5}"


async def test_a_message_is_shown_as_text_never_as_html():
    async with LiveClient.mount(app, "/?name=ann") as view:
        await post(view, "<script>alert(1)</script><b>bold</b>", "<i>ann</i>")
        await view.wait_for("#messages li", "<i>ann</i>: <script>alert(1)</script><b>bold</b>")
        assert not view.exists("#messages script")
        assert not view.exists("#messages i")
