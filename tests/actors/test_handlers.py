from __future__ import annotations

import pytest

from roost.actors.handlers import BadParams, collect_handlers, event


class Thing:
    @event
    def inc(self, by: int = 1):
        pass

    @event(name="select-tab")
    def select(self, tab: str):
        pass

    @event
    def anything(self, **params):
        pass

    def private(self):
        pass


def test_only_declared_methods_are_handlers_under_their_event_names():
    assert set(collect_handlers(Thing)) == {"inc", "select-tab", "anything"}


def test_params_are_converted_to_the_annotated_types():
    handler = collect_handlers(Thing)["inc"]
    assert handler.validate({"by": "3"}) == {"by": 3}
    assert handler.validate({}) == {"by": 1}


def test_a_missing_or_unexpected_or_badly_typed_param_is_refused():
    handlers = collect_handlers(Thing)
    with pytest.raises(BadParams, match="tab"):
        handlers["select-tab"].validate({})
    with pytest.raises(BadParams, match="extra"):
        handlers["inc"].validate({"extra": "1"})
    with pytest.raises(BadParams):
        handlers["inc"].validate({"by": "three"})


def test_var_keyword_handlers_accept_any_params():
    assert collect_handlers(Thing)["anything"].validate({"a": "1"}) == {"a": "1"}
