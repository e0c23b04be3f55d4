from __future__ import annotations

import pytest

from roost import App, LiveView
from roost.actors.handlers import BadParams, collect_handlers, event
from roost.testing import LiveClient


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


def test_a_param_named_like_self_or_a_positional_only_parameter_is_refused():
    class Odd:
        @event
        def anything(self, **params):
            pass

        @event
        def fixed(this, flag=False, /, **params):
            pass

    handlers = collect_handlers(Odd)
    with pytest.raises(BadParams, match="self"):
        handlers["anything"].validate({"self": 1})
    with pytest.raises(BadParams, match="this"):
        handlers["fixed"].validate({"this": 1})
    with pytest.raises(BadParams, match="flag"):
        handlers["fixed"].validate({"flag": "1"})
    assert handlers["fixed"].validate({"other": 1}) == {"other": 1}


def test_a_required_positional_only_parameter_is_refused_when_the_class_is_declared():
    with pytest.raises(TypeError, match="positional-only"):

        class Unreachable:
            @event
            def inc(self, by, /):
                pass

        collect_handlers(Unreachable)


class Loose(LiveView):
    def mount(self, params, session):
        self.got = ""

    @event
    def anything(self, **params):
        self.got = ",".join(sorted(params))

    def render(self):
        return f'<p id="got">{self.got}</p>'


async def test_an_event_param_named_self_is_bad_params_and_the_actor_stays_alive():
    async with LiveClient.mount(App({"/": Loose})) as view:
        error = await view.event("anything", {"self": 1}, expect_error=True)
        assert error.code == "bad_params"
        await view.event("anything", a="1", b="2")
        assert view.text("#got") == "a,b"
        assert view.version("0") == 2, "the same incarnation: no restart"
