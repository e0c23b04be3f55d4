from __future__ import annotations

import dataclasses
import logging
import re
import threading

import msgspec
import pytest
from markupsafe import Markup

from roost.actors import assigns
from roost.actors.assigns import _MISSING, ChangeTracker


def test_assigning_an_equal_value_is_not_a_change():
    t = ChangeTracker()
    t.reset({"count": 1})
    t.assigned("count", 1, 1)
    assert t.changed({"count": 1}) == set()


def test_assigning_a_different_or_new_value_is_a_change():
    t = ChangeTracker()
    t.reset({"count": 1})
    t.assigned("count", 1, 2)
    t.assigned("name", _MISSING, None)
    assert t.changed({"count": 2, "name": None}) == {"count", "name"}


def test_in_place_mutation_of_a_list_is_seen():
    items = [1, 2]
    t = ChangeTracker()
    t.reset({"items": items})
    items.append(3)
    assert t.changed({"items": items}) == {"items"}


def test_reset_starts_a_new_round():
    t = ChangeTracker()
    t.assigned("count", 1, 2)
    t.reset({"count": 2})
    assert t.changed({"count": 2}) == set()


# -- changes in place, at any depth ---------------------------------------------


class User:
    def __init__(self, name):
        self.name = name
        self.friends = []


class Slotted:
    __slots__ = ("__secret", "value")

    def __init__(self, value):
        self.value = value
        self.__secret = 0

    def bump(self):
        self.__secret += 1


@dataclasses.dataclass
class Point:
    x: int
    tags: list


class Row(msgspec.Struct):
    id: int
    cells: list


def rendered(assigns):
    """A tracker as it stands right after a render of ``assigns``."""
    t = ChangeTracker()
    t.reset(assigns)
    return t


@pytest.mark.parametrize(
    ("value", "mutate"),
    [
        pytest.param([{"done": False}], lambda v: v[0].update(done=True), id="dict-in-list"),
        pytest.param(User("ada"), lambda v: setattr(v, "name", "grace"), id="attribute"),
        pytest.param(User("ada"), lambda v: v.friends.append(User("bo")), id="list-in-object"),
        pytest.param([User("ada")], lambda v: setattr(v[0], "name", "x"), id="object-in-list"),
        pytest.param([[1, [2]]], lambda v: v[0][1].append(3), id="nested-list"),
        pytest.param({"tags": {"a"}}, lambda v: v["tags"].add("b"), id="set-in-dict"),
        pytest.param({"a"}, lambda v: v.add("b"), id="set"),
        pytest.param([Point(1, [])], lambda v: v[0].tags.append("t"), id="dataclass"),
        pytest.param([Row(1, [])], lambda v: v[0].cells.append(0), id="struct"),
        pytest.param([Slotted(1)], lambda v: v[0].bump(), id="slots-private"),
        pytest.param(["<b>"], lambda v: v.__setitem__(0, Markup("<b>")), id="str-to-markup"),
        pytest.param([1], lambda v: v.__setitem__(0, 1.0), id="int-to-float"),
        pytest.param({"a": 1, "b": 2}, lambda v: v.update(a=v.pop("a")), id="dict-order"),
        pytest.param([2**70], lambda v: v.__setitem__(0, 2**70 + 1), id="big-int"),
    ],
)
def test_a_change_in_place_at_any_depth_is_seen(value, mutate):
    t = rendered({"v": value})
    assert t.changed({"v": value}) == set()
    mutate(value)
    assert t.changed({"v": value}) == {"v"}
    t.reset({"v": value})
    assert t.changed({"v": value}) == set()


def test_cycles_and_deep_nesting_are_tracked():
    root = User("root")
    root.friends.append(root)  # a cycle through an object
    loop: list = [1]
    loop.append(loop)  # a cycle through a list alone
    deep: list = [0]
    for _ in range(5000):  # deeper than the recursion limit
        deep = [deep]
    assigns = {"root": root, "loop": loop, "deep": deep}
    t = rendered(assigns)
    assert t.changed(assigns) == set()
    root.name = "x"
    loop[0] = 2
    inner = deep
    while len(inner) == 1 and isinstance(inner[0], list):
        inner = inner[0]
    inner[0] = 1
    assert t.changed(assigns) == {"root", "loop", "deep"}


def test_an_equal_copy_assigned_in_place_of_a_value_is_no_change():
    old = [{"id": 1, "tags": {"a"}}]
    t = rendered({"rows": old})
    new = [{"id": 1, "tags": {"a"}}]
    t.assigned("rows", old, new)
    assert t.changed({"rows": new}) == set()


def test_an_equal_value_of_another_type_is_a_change():
    # 1, 1.0 and True are equal, but render as "1", "1.0" and "True".
    t = rendered({"n": 1})
    t.assigned("n", 1, 1.0)
    assert t.changed({"n": 1.0}) == {"n"}


def test_a_mutated_value_assigned_again_is_still_a_change():
    rows = [{"done": False}]
    t = rendered({"rows": rows})
    rows[0]["done"] = True
    t.assigned("rows", rows, rows)  # `self.rows = self.rows`
    assert t.changed({"rows": rows}) == {"rows"}


def test_private_attributes_are_never_tracked():
    cache: list = []
    t = rendered({"_cache": cache, "shown": 1})
    cache.append(1)
    assert t.changed({"_cache": cache, "shown": 1}) == set()


def test_a_deleted_mutable_assign_is_a_change():
    t = rendered({"rows": [1], "n": 1})
    assert t.changed({"n": 1}) == {"rows"}


def test_the_tracker_keeps_digests_not_copies():
    rows = [{"id": i, "name": f"row {i}"} for i in range(1000)]
    t = rendered({"rows": rows, "title": "x", "count": 3})
    # One 8-byte digest for the list; scalars only change by assignment: no entry.
    assert {name: type(d) for name, d in t._prints.items()} == {"rows": int}


def test_objects_it_cannot_look_into_are_compared_by_hash_or_identity():
    lock = threading.Lock()
    pattern = re.compile("a+")
    t = rendered({"things": [lock, pattern, len, User]})
    assert t.changed({"things": [lock, pattern, len, User]}) == set()
    assert t.changed({"things": [lock, re.compile("a+"), len, User]}) == set()  # equal hash
    assert t.changed({"things": [threading.Lock(), pattern, len, User]}) == {"things"}


@pytest.fixture
def fingerprinted(monkeypatch) -> list:
    """Every value the tracker fingerprints, in order."""
    calls = []
    real = assigns.fingerprint

    def counting(value):
        calls.append(value)
        return real(value)

    monkeypatch.setattr(assigns, "fingerprint", counting)
    return calls


def test_each_batch_fingerprints_each_mutable_assign_once(fingerprinted):
    calls = fingerprinted
    rows, user = [1, 2], User("ada")
    state = {"rows": rows, "user": user, "count": 0}
    t = rendered(state)
    assert len(calls) == 2  # rows and user; never the int
    calls.clear()
    user.name = "grace"
    assert t.changed(state) == {"user"}
    t.reset(state)  # the render's reset re-uses what `changed` just computed
    assert len(calls) == 2
    calls.clear()
    t.assigned("rows", rows, [3])
    state["rows"] = [3]
    assert t.changed(state) == {"rows"}
    t.reset(state)
    assert len(calls) == 2  # user in `changed`, the new rows in `reset`


def test_an_assign_the_render_sets_is_tracked_from_then_on():
    rows = [1]
    state = {"rows": rows}
    t = ChangeTracker()
    t.reset(state)
    rows.append(2)
    assert t.changed(state) == {"rows"}
    extra = [0]
    t.assigned("extra", _MISSING, extra)  # set by the render itself
    state["extra"] = extra
    t.reset(state)
    extra.append(1)
    assert t.changed(state) == {"extra"}


def test_an_equal_value_the_render_assigns_again_is_no_change_next_batch():
    # A render that derives a tuple from the state (equal to the last one) must
    # not make the next batch render again.
    items, labels = [1], tuple(str(i) for i in [1])
    state = {"items": items, "labels": labels}
    t = ChangeTracker()
    t.reset(state)
    items.append(2)
    assert t.changed(state) == {"items"}
    again = tuple(str(i) for i in [1])
    t.assigned("labels", labels, again)  # the render
    state["labels"] = again
    t.reset(state)
    assert t.changed(state) == set()


def test_what_the_render_does_to_an_assign_the_handler_set_is_the_next_baseline():
    # The handler assigns a list, the render empties it: appending what it held
    # before is a change.
    old: list[str] = []
    state = {"notes": old}
    t = ChangeTracker()
    t.reset(state)
    notes = ["a"]
    t.assigned("notes", old, notes)
    state["notes"] = notes
    assert t.changed(state) == {"notes"}
    notes.clear()  # the render
    t.reset(state)
    notes.append("a")
    assert t.changed(state) == {"notes"}


def test_a_value_too_big_to_fingerprint_counts_as_changed_and_warns_once(monkeypatch, caplog):
    monkeypatch.setattr(assigns, "MAX_OBJECTS", 10)
    monkeypatch.setattr(assigns, "_warned", set())
    many = [User(str(i)) for i in range(20)]
    small = [User("a")]
    state = {"many": many, "small": small}
    with caplog.at_level(logging.WARNING, logger="roost.actors"):
        t = rendered(state)
        assert t.changed(state) == {"many"}
        t.reset(state)
        assert t.changed(state) == {"many"}
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1
    assert "'many'" in warnings[0] and "more than 10 objects" in warnings[0]


def test_a_tuple_of_immutable_values_is_never_fingerprinted_and_its_reassignment_is_seen(
    fingerprinted,
):
    calls = fingerprinted
    here = tuple((f"user {i}", i % 3 + 1) for i in range(1000))
    tags = frozenset({"a", ("b", 1)})
    state = {"here": here, "tags": tags, "rows": [1]}
    t = rendered(state)
    for _ in range(3):  # batches that leave them alone
        assert t.changed(state) == set()
        t.reset(state)
    assert calls == [[1]] * 7  # only the list: once at first, then once a batch
    calls.clear()
    longer = (*here, ("user 1000", 1))
    t.assigned("here", here, longer)
    state["here"] = longer
    assert t.changed(state) == {"here"}
    t.reset(state)
    assert t.changed(state) == set()
    assert all(value == [1] for value in calls)


def test_a_tuple_holding_something_mutable_is_still_fingerprinted_each_batch():
    rows = [{"done": False}]
    held = (1, ("a", rows))
    state = {"held": held}
    t = rendered(state)
    assert t.changed(state) == set()
    rows[0]["done"] = True  # inside the tuple, in place
    assert t.changed(state) == {"held"}


def test_a_frozen_value_past_the_object_limit_is_fingerprinted_instead(monkeypatch):
    monkeypatch.setattr(assigns, "MAX_OBJECTS", 10)
    assert assigns._frozen(tuple(range(10)))
    assert not assigns._frozen(tuple(range(11)))
    assert not assigns._frozen((1, [2]))
    assert assigns._frozen((Markup("<b>"), None, 1.5, b"x", frozenset({("y", 2)})))


def test_the_streams_assign_is_told_changed_by_identity_without_a_fingerprint(monkeypatch):
    # roost replaces the streams assign on every change and after every render
    # (each tab of a broadcast renders one): its contents are never walked.
    from roost.actors.stateful import Streams

    walked: list[object] = []
    real = assigns.fingerprint
    monkeypatch.setattr(assigns, "fingerprint", lambda value: walked.append(value) or real(value))
    tracker = ChangeTracker()
    values = {"streams": Streams(), "items": [1]}
    tracker.reset(values)
    assert tracker.changed(values) == set()
    values["streams"] = Streams({"messages": [("m-1", {"id": 1})]})
    assert tracker.changed(values) == {"streams"}
    tracker.reset(values)
    assert tracker.changed(values) == set()
    assert not any(isinstance(value, Streams) for value in walked)
    assert [1] in walked  # a list is still fingerprinted
