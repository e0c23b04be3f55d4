"""The chat example: tabs on one app share a room over pubsub, and see who is in it."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from examples.chat import KEEP, MAX_NAME, MAX_TEXT, ChatView, app
from roost import App, protocol
from roost.render import ops
from roost.testing import Frame, LiveClient

NAME_ERROR = f"A name can have at most {MAX_NAME} characters."
TEXT_ERROR = f"A message can have at most {MAX_TEXT} characters."
ALERT = '#post [role="alert"]'


def messages(view: LiveClient) -> list[str]:
    return [li.text() for li in LexborHTMLParser(view.html("#messages")).css("li")]


def keys(view: LiveClient) -> list[str]:
    return [
        li.attributes.get("id") or "" for li in LexborHTMLParser(view.html("#messages")).css("li")
    ]


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


async def test_each_message_is_a_streamed_item_with_its_own_id():
    async with LiveClient.mount(app, "/?name=ann") as view:
        for n in range(1, 4):
            await post(view, f"m{n}", "ann")
            await view.wait_for("#messages li", f"ann: m{n}")
        shown = keys(view)
        assert all(shown) and len(set(shown)) == 3


async def received_for_post(poster: LiveClient, watcher: LiveClient, n: int) -> list[Frame]:
    """Post message ``n`` (every text the same length) and return the frames
    ``watcher`` received for it."""
    before = len(watcher.frames)
    await post(poster, f"message {n:03d}", "ann")
    await watcher.wait_for("#messages li:last-child", f"ann: message {n:03d}")
    return [f for f in watcher.frames[before:] if not f.sent]


def op_codes(frames: list[Frame]) -> list[int]:
    codes = []
    for frame in frames:
        message = protocol.decode_server(frame.text)
        assert isinstance(message, protocol.Patch), f"not a patch: {message}"
        codes.extend(op[0] for op in message.op_list)
    return codes


async def test_a_post_costs_every_tab_one_small_patch_and_the_server_holds_no_history():
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        sizes = {}
        for n in range(1, 201):
            frames = await received_for_post(ann, bob, n)
            if n in (2, 200):
                [patch] = frames
                sizes[n] = patch.size
                assert op_codes(frames) == [ops.STREAM]  # the new item, with the limit
        # O(1) in the number of messages shown: the 200th post (50 kept, the
        # oldest dropped by the browser) costs what the 2nd did.
        assert sizes[200] <= sizes[2] + 8, sizes
        assert len(messages(bob)) == KEEP
        assert messages(bob)[0] == f"ann: message {200 - KEEP + 1:03d}"
        state = bob.session.tab.actor("0").state
        assert not state.streams.pending and "messages" not in state.__dict__


async def test_the_inputs_tell_the_browser_the_limits():
    async with LiveClient.mount(app, "/?name=ann") as view:
        assert view.attr('input[name="name"]', "maxlength") == str(MAX_NAME)
        assert view.attr('input[name="text"]', "maxlength") == str(MAX_TEXT)


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        ("n" * (MAX_NAME + 1), "hello", NAME_ERROR),
        ("ann", "t" * (MAX_TEXT + 1), TEXT_ERROR),
        ("n" * 20_000, "t" * 20_000, f"{NAME_ERROR} {TEXT_ERROR}"),  # under the 64 KB frame limit
    ],
    ids=["name", "text", "both-huge"],
)
async def test_a_post_over_the_limits_is_refused_with_an_error_and_keeps_the_input(
    name, text, error
):
    async with (
        LiveClient.mount(app, "/?name=ann") as ann,
        LiveClient.mount(app, "/?name=bob") as bob,
    ):
        assert ann.text(ALERT) == ""
        assert ann.attr("#post", "roost-reset") == ""
        before = len(ann.frames)
        await post(ann, text, name)
        assert ann.text(ALERT) == error
        # No reset: the browser keeps what was typed, for the user to fix.
        assert ann.attr("#post", "roost-reset") is None
        # The error costs a small patch; the input is not echoed back.
        assert sum(f.size for f in ann.frames[before:] if not f.sent) < 300

        await post(ann, "short", "ann")
        await bob.wait_for("#messages li", "ann: short")
        assert messages(bob) == ["ann: short"]  # the refused post never went out
        assert ann.text(ALERT) == ""
        assert ann.attr("#post", "roost-reset") == ""


async def test_a_post_at_the_limits_goes_through_whole():
    async with LiveClient.mount(app, "/?name=ann") as view:
        name, text = "n" * MAX_NAME, "t" * MAX_TEXT
        await post(view, f"  {text}  ", f" {name} ")
        await view.wait_for("#messages li", f"{name}: {text}")
        assert view.text(ALERT) == ""


async def test_a_long_name_in_the_link_is_cut_to_the_limit():
    long = "x" * 10_000
    async with LiveClient.mount(app, f"/?name={long}") as view:
        assert view.attr('input[name="name"]', "value") == "x" * MAX_NAME
        await post(view, "hi", "")
        await view.wait_for("#messages li", f"{'x' * MAX_NAME}: hi")


async def test_a_blank_name_in_the_link_is_anonymous():
    async with LiveClient.mount(app, "/?name=%20%20") as view:
        assert view.attr('input[name="name"]', "value") == "anonymous"


def here(view: LiveClient) -> list[str]:
    """The tab's "who is here" list, as shown."""
    return [li.text() for li in LexborHTMLParser(view.html("#here")).css("li")]


async def test_each_tab_lists_who_is_here_and_a_closed_tab_leaves_the_others_list():
    async with LiveClient.mount(app, "/?name=ann") as ann:
        await ann.wait_for("#here li", "ann")
        async with LiveClient.mount(app, "/?name=bob") as bob:
            await ann.wait_for("#count", "2")  # bob's join, pushed to ann's tab
            await bob.wait_for("#count", "2")
            assert here(ann) == here(bob) == ["ann", "bob"]
            async with LiveClient.mount(app, "/?name=bob"):  # bob in a second tab
                await ann.wait_for("#here li", "bob (2 tabs)")
            await ann.wait_for("#here li", "bob")
            assert messages(ann) == messages(bob) == []  # joins and leaves are not posts
        await ann.wait_for("#count", "1")  # bob's leave
        assert here(ann) == ["ann"]


async def test_the_room_without_a_presence_has_no_list():
    # ChatView alone (an app whose tree runs no Presence) is the room as before.
    async with LiveClient.mount(App({"/": ChatView}), "/?name=ann") as view:
        assert not view.exists("#here")
        await post(view, "hi", "")
        await view.wait_for("#messages li", "ann: hi")
