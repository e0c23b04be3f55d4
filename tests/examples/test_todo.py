"""The todo example: a keyed list changed by keyed ops, and a validated form."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from examples.todo import MAX_LENGTH, MAX_TODOS, app
from roost import protocol
from roost.render import ops
from roost.testing import LiveClient

ERROR = "A todo needs at least 3 characters."
TOO_LONG = f"A todo can have at most {MAX_LENGTH} characters."
FULL = f"The list is full ({MAX_TODOS} todos): remove one first."


def todos(view: LiveClient) -> list[tuple[str, str]]:
    """(key, title) of each item, in order."""
    tree = LexborHTMLParser(view.html("#todos"))
    return [
        (li.attributes["data-key"] or "", li.css_first(".title").text()) for li in tree.css("li")
    ]


def op_codes_since(view: LiveClient, before: int) -> list[int]:
    """The op codes of every patch received since message ``before``, in order;
    fails on a full render (the list must be patched, not re-sent)."""
    codes = []
    for message in view.messages[before:]:
        assert not isinstance(message, protocol.Render), f"a full render: {message}"
        if isinstance(message, protocol.Patch):
            codes.extend(op[0] for op in message.op_list)
    return codes


async def test_adding_a_todo_inserts_one_keyed_item():
    async with LiveClient.mount(app) as view:
        assert todos(view) == [("1", "Write roost"), ("2", "Test it")]
        before = len(view.messages)
        await view.event("add", title="  Ship it ")
        assert todos(view) == [("1", "Write roost"), ("2", "Test it"), ("3", "Ship it")]
        assert op_codes_since(view, before) == [ops.INSERT]


async def test_removing_a_todo_removes_only_its_item():
    async with LiveClient.mount(app) as view:
        before = len(view.messages)
        await view.click('[aria-label="remove Write roost"]')
        assert todos(view) == [("2", "Test it")]
        assert set(op_codes_since(view, before)) == {ops.REMOVE}


async def test_moving_a_todo_up_moves_its_keyed_item_without_replacing_the_list():
    async with LiveClient.mount(app) as view:
        await view.event("add", title="Ship it")
        before = len(view.messages)
        await view.click('[aria-label="move Ship it up"]')
        assert todos(view) == [("1", "Write roost"), ("3", "Ship it"), ("2", "Test it")]
        codes = op_codes_since(view, before)
        assert ops.MOVE in codes
        assert not {ops.REPLACE, ops.INSERT, ops.REMOVE} & set(codes)


async def test_moving_the_first_todo_up_changes_nothing_and_sends_no_patch():
    async with LiveClient.mount(app) as view:
        before = len(view.frames)
        await view.click('[aria-label="move Write roost up"]')
        assert [f.sent for f in view.frames[before:]] == [True, False]  # event, ack
        assert todos(view) == [("1", "Write roost"), ("2", "Test it")]


async def test_a_short_title_shows_the_error_and_a_valid_one_clears_it():
    async with LiveClient.mount(app) as view:
        assert view.text('#add [role="alert"]') == ""
        await view.event("check", title="ab")
        assert view.text('#add [role="alert"]') == ERROR
        await view.event("check", title="abc")
        assert view.text('#add [role="alert"]') == ""
        await view.event("check", title="  a  ")
        assert view.text('#add [role="alert"]') == ERROR
        await view.event("check", title="")  # an emptied field is not an error yet
        assert view.text('#add [role="alert"]') == ""


async def test_adding_a_short_title_is_refused_with_the_error_and_keeps_the_input():
    async with LiveClient.mount(app) as view:
        assert view.attr("#add", "roost-reset") == ""
        await view.event("add", title="ab")
        assert view.text('#add [role="alert"]') == ERROR
        assert todos(view) == [("1", "Write roost"), ("2", "Test it")]
        # No reset: the browser keeps what was typed, for the user to fix.
        assert view.attr("#add", "roost-reset") is None

        await view.event("add", title="abc")
        assert view.text('#add [role="alert"]') == ""
        assert todos(view)[-1] == ("3", "abc")
        assert view.attr("#add", "roost-reset") == ""


async def test_a_title_over_the_limit_is_refused_with_the_error_and_keeps_the_input():
    async with LiveClient.mount(app) as view:
        assert view.attr('input[name="title"]', "maxlength") == str(MAX_LENGTH)
        await view.event("check", title="x" * (MAX_LENGTH + 1))
        assert view.text('#add [role="alert"]') == TOO_LONG

        before = len(view.frames)
        await view.event("add", title="x" * 20_000)
        assert view.text('#add [role="alert"]') == TOO_LONG
        assert todos(view) == [("1", "Write roost"), ("2", "Test it")]
        assert view.attr("#add", "roost-reset") is None
        # What was sent is not echoed back: the reply is small.
        assert sum(f.size for f in view.frames[before:] if not f.sent) < 200

        await view.event("add", title=f"  {'y' * MAX_LENGTH}  ")  # at the limit, once stripped
        assert view.text('#add [role="alert"]') == ""
        assert todos(view)[-1] == ("3", "y" * MAX_LENGTH)


async def test_the_list_is_bounded_and_says_so():
    async with LiveClient.mount(app) as view:
        for n in range(len(todos(view)), MAX_TODOS):
            await view.event("add", title=f"todo {n}")
        assert len(todos(view)) == MAX_TODOS
        assert view.text('#add [role="alert"]') == ""

        await view.event("add", title="one too many")
        assert len(todos(view)) == MAX_TODOS
        assert todos(view)[-1][1] == f"todo {MAX_TODOS - 1}"
        assert view.text('#add [role="alert"]') == FULL
        assert view.attr("#add", "roost-reset") is None

        # Room again: the message goes, and the next add goes through.
        await view.click('[aria-label="remove Write roost"]')
        assert view.text('#add [role="alert"]') == ""
        await view.event("add", title="one more")
        assert todos(view)[-1][1] == "one more"
        assert len(todos(view)) == MAX_TODOS
