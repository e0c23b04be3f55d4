"""roost._logging.clip: what a client sent can be logged without forging lines."""

from __future__ import annotations

from roost._logging import MAX_LOGGED, clip


def test_a_newline_from_a_client_is_escaped_so_it_cannot_start_a_forged_line():
    logged = clip("inc\nroost: admin logged in\r\x1b[2J")
    assert "\n" not in logged and "\r" not in logged and "\x1b" not in logged
    assert logged == "inc\\nroost: admin logged in\\r\\x1b[2J"


def test_a_long_value_is_cut_and_says_how_long_it_was():
    logged = clip("x" * 60_000)
    assert logged == "x" * MAX_LOGGED + "... (60000 characters)"


def test_anything_but_text_is_logged_as_its_repr():
    assert clip(["a", 1]) == "['a', 1]"
    assert clip("plain text") == "plain text"
