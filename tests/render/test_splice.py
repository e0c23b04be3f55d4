"""Splices: the changed middle of a long value, with JavaScript string offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from roost.render.splice import apply_splice, splice_args


def test_short_values_are_never_spliced() -> None:
    assert splice_args("tab active", "tab") is None


def test_a_small_change_in_a_long_value_is_spliced() -> None:
    old = "You have 5 unread messages in 3 folders."
    assert splice_args(old, old.replace("5", "6")) == (9, 1, "6")


def test_a_wholesale_change_is_not_spliced() -> None:
    assert splice_args("a" * 30, "b" * 30) is None


def test_offsets_count_utf16_code_units() -> None:
    assert splice_args("😀" * 12 + "x" * 12, "😀" * 12 + "y" + "x" * 11) == (24, 1, "y")
    assert apply_splice("😀ab", 2, 1, "c") == "😀cb"


@given(st.text("ab😀é", max_size=40), st.text("ab😀é", max_size=40))
def test_a_splice_turns_old_into_new(old: str, new: str) -> None:
    args = splice_args(old, new)
    if args is not None:
        assert apply_splice(old, *args) == new
