from __future__ import annotations

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
