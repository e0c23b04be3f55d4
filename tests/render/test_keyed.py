"""Keyed children are matched by key: moves, inserts and removes, never replaces."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from roost.render import apply_ops, diff_html, parse_html
from roost.render.keyed import longest_increasing
from roost.render.ops import INSERT, MOVE, REMOVE, REPLACE, TEXT
from roost.render.statics import rows


def items(keys: str | list[str], tag: str = "li") -> str:
    return "<ul>" + "".join(f'<{tag} data-key="{k}">{k}</{tag}>' for k in keys) + "</ul>"


def check(old: str, new: str) -> list:
    ops = diff_html(old, new)
    assert apply_ops(old, ops) == parse_html(new)
    return ops


def codes(ops: list) -> list[int]:
    return [op[0] for op in ops]


def test_moving_the_last_item_first_is_one_move() -> None:
    assert check(items("abcd"), items("dabc")) == [[MOVE, [0, 3], 0]]


def test_moving_the_first_item_last_is_one_move() -> None:
    assert check(items("abcd"), items("bcda")) == [[MOVE, [0, 0], 3]]


def test_swap_is_moves_only() -> None:
    assert set(codes(check(items("abcde"), items("aecdb")))) == {MOVE}


def test_reversal_moves_all_but_one() -> None:
    ops = check(items("abcdef"), items("fedcba"))
    assert codes(ops) == [MOVE] * 5


def test_insert_and_delete_by_key() -> None:
    assert check(items("abc"), items("axc")) == [
        [REMOVE, [0, 1]],
        [INSERT, [0, 1], '<li data-key="x">x</li>'],
    ]


def test_prepend_to_a_keyed_list_is_one_insert() -> None:
    assert check(items("abc"), items("zabc")) == [[INSERT, [0, 0], '<li data-key="z">z</li>']]


def test_moved_item_with_changed_content_is_moved_then_patched() -> None:
    old = '<ul><li data-key="a">A</li><li data-key="b">B</li></ul>'
    new = '<ul><li data-key="b">B!</li><li data-key="a">A</li></ul>'
    ops = check(old, new)
    assert codes(ops) == [MOVE, TEXT]
    assert ops[-1] == [TEXT, [0, 0, 0], "B!"]


def test_whitespace_between_keyed_items_is_kept_in_place() -> None:
    old = "<ul>\n <li data-key=1>1</li>\n <li data-key=2>2</li>\n <li data-key=3>3</li>\n</ul>"
    new = "<ul>\n <li data-key=3>3</li>\n <li data-key=1>1</li>\n <li data-key=2>2</li>\n</ul>"
    ops = check(old, new)
    assert REPLACE not in codes(ops)
    assert INSERT not in codes(ops)


def test_same_key_with_another_tag_is_not_matched() -> None:
    old = '<div><p data-key="a">x</p></div>'
    new = '<div><section data-key="a">x</section></div>'
    assert codes(check(old, new)) == [REMOVE, INSERT]


def test_duplicate_keys_still_give_the_new_tree() -> None:
    check(items("aab"), items("baa"))
    check(items("ab"), items("bbaa"))


def test_keyed_table_rows() -> None:
    old = "<table>" + "".join(f"<tr data-key={k}><td>{k}</td></tr>" for k in "abc") + "</table>"
    new = "<table>" + "".join(f"<tr data-key={k}><td>{k}</td></tr>" for k in "cab") + "</table>"
    assert check(old, new) == [[MOVE, [0, 0, 2], 0]]


def test_boundaries_are_keyed_by_their_actor_id() -> None:
    old = '<div data-roost-id="a">A</div><div data-roost-id="b">B</div>'
    new = '<div data-roost-id="b">B</div><div data-roost-id="a">A</div>'
    assert codes(check(old, new)) == [MOVE]


def test_longest_increasing_subsequence() -> None:
    assert longest_increasing([]) == set()
    assert longest_increasing([3, 1, 2]) == {1, 2}
    assert len(longest_increasing([5, 0, 2, 1, 4, 3])) == 3


@given(st.permutations(list("abcdefgh")))
def test_any_permutation_is_moves_only_and_at_most_n_minus_lis(perm: list[str]) -> None:
    ops = check(items("abcdefgh"), items(perm))
    assert set(codes(ops)) <= {MOVE}
    order = ["abcdefgh".index(k) for k in perm]
    assert len(ops) == 8 - len(longest_increasing(order))


@given(
    st.lists(st.sampled_from("abcdefghij"), unique=True, max_size=8),
    st.lists(st.sampled_from("abcdefghij"), unique=True, max_size=8),
)
def test_any_keyed_change_never_replaces(old: list[str], new: list[str]) -> None:
    ops = check(items(old), items(new))
    assert REPLACE not in codes(ops)
    kept = set(old) & set(new)
    inserted = sum("".join(rows(op[2])).count("<li") for op in ops if op[0] == INSERT)
    assert inserted == len(set(new) - kept)
