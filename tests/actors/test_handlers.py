from __future__ import annotations

import enum
import re
from typing import Annotated, Literal, Optional

import msgspec
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


# This module has ``from __future__ import annotations``: every annotation
# below is a string, resolved when its class is defined.

NonNegative = Annotated[int, msgspec.Meta(ge=0)]


class Typed(LiveView):
    @event
    def everything(
        self,
        n: int,
        name: str,
        on: bool,
        tags: list[str],
        limit: Optional[int] = None,  # noqa: UP045 - the spelling under test
        size: Literal["s", "m", "l"] = "m",
        level: Literal[1, 2] | None = None,
    ):
        pass

    @event
    def positive(self, n: NonNegative):
        pass

    def render(self):
        return "<p></p>"


def test_string_annotations_validate_and_convert():
    handler = collect_handlers(Typed)["everything"]
    got = handler.validate(
        {"n": "3", "name": "x", "on": "true", "tags": ["a", "b"], "limit": "7", "level": "2"}
    )
    assert got == {
        "n": 3,
        "name": "x",
        "on": True,
        "tags": ["a", "b"],
        "limit": 7,
        "size": "m",
        "level": 2,
    }
    assert handler.validate({"n": 1, "name": "", "on": "0", "tags": [], "limit": None}) == {
        "n": 1,
        "name": "",
        "on": False,
        "tags": [],
        "limit": None,
        "size": "m",
        "level": None,
    }
    required = {"n": "1", "name": "x", "on": "1", "tags": []}
    for bad in [
        {"n": "one"},
        {"on": "maybe"},
        {"tags": "a"},
        {"limit": "seven"},
        {"size": "xl"},
        {"level": "3"},
    ]:
        with pytest.raises(BadParams):
            handler.validate(required | bad)


def test_annotated_constraints_of_string_annotations_are_kept():
    handler = collect_handlers(Typed)["positive"]
    assert handler.validate({"n": "0"}) == {"n": 0}
    with pytest.raises(BadParams, match=">= 0"):
        handler.validate({"n": "-1"})


def test_an_unresolvable_annotation_is_a_type_error_when_the_class_is_defined():
    with pytest.raises(TypeError) as info:

        class Counter(LiveView):
            @event
            def inc(self, n: itn):  # noqa: F821 - the typo under test
                pass

    message = str(info.value)
    assert "Counter.inc" in message
    assert "'n'" in message
    assert "'itn'" in message
    assert "name 'itn' is not defined" in message


def test_a_typo_inside_a_generic_annotation_is_a_type_error_too():
    with pytest.raises(TypeError, match=re.escape("'list[itn]' of parameter 'xs'")):

        class Plain:
            @event
            def add(self, xs: list[itn]):  # noqa: F821 - the typo under test
                pass

        collect_handlers(Plain)


def test_a_type_defined_after_the_class_in_its_module_is_a_type_error():
    # Resolved when the class is defined, as without the __future__ import.
    source = """
from __future__ import annotations
from typing import Literal
from roost import LiveView, event

class Early(LiveView):
    @event
    def pick(self, color: Color):
        pass

Color = Literal["red", "blue"]
"""
    with pytest.raises(TypeError, match=r"'Color' of parameter 'color'.*before the class"):
        exec(compile(source, "early.py", "exec"), {"__name__": "early"})


def test_a_type_of_the_class_body_may_be_used_by_its_bare_name():
    class Picker(LiveView):
        class Color(enum.Enum):
            RED = "red"
            BLUE = "blue"

        Size = Literal["s", "m"]

        @event
        def pick(self, color: Color, size: Size = "s"):
            pass

    handler = collect_handlers(Picker)["pick"]
    assert handler.validate({"color": "red"}) == {"color": Picker.Color.RED, "size": "s"}
    with pytest.raises(BadParams):
        handler.validate({"color": "green"})
    with pytest.raises(BadParams):
        handler.validate({"color": "red", "size": "xl"})


def test_an_inherited_handler_resolves_in_its_own_class_body():
    class Base(LiveView):
        Size = Literal["s", "m"]

        @event
        def pick(self, size: Size):
            pass

    class Child(Base):
        Size = int  # not the one Base.pick means

    handler = collect_handlers(Child)["pick"]
    assert handler.validate({"size": "m"}) == {"size": "m"}
    with pytest.raises(BadParams):
        handler.validate({"size": "1"})


def test_only_the_event_params_annotations_are_resolved():
    # Names no one defines (a TYPE_CHECKING import, say) outside the params an
    # event fills: self, *args, **params and the return.
    class Odd(LiveView):
        @event
        def inc(self: Nowhere, by: int = 1, *rest: Nowhere, **params: Nowhere) -> Nowhere:  # noqa: F821
            pass

    assert collect_handlers(Odd)["inc"].validate({"by": "2"}) == {"by": 2}


class Opaque:
    pass


def test_a_type_msgspec_cannot_build_from_json_is_a_type_error_when_the_class_is_defined():
    with pytest.raises(TypeError) as info:

        class Picker(LiveView):
            @event
            def pick(self, thing: Opaque):
                pass

    message = str(info.value)
    assert "Picker.pick" in message
    assert "'thing'" in message
    assert "cannot convert" in message
    assert "Opaque" in message
    with pytest.raises(TypeError, match=r"'things'.*Opaque"):

        class Nested(LiveView):
            @event
            def pick(self, things: list[Opaque | None]):
                pass

    with pytest.raises(TypeError, match=r"'thing'.*msgspec cannot validate"):

        class Union(LiveView):
            @event
            def pick(self, thing: Opaque | int):
                pass


def test_a_type_general_enough_for_json_values_is_accepted():
    class General(LiveView):
        @event
        def anything(self, value: object = None):
            pass

    assert collect_handlers(General)["anything"].validate({"value": [1]}) == {"value": [1]}


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


def test_an_integer_parameter_converted_from_a_huge_string_is_refused():
    class Big(LiveView):
        @event
        def set(self, n: int) -> None:
            pass

    handler = Big.__roost_handlers__["set"]
    assert handler.validate({"n": "12"}) == {"n": 12}
    with pytest.raises(BadParams, match="64 bits"):
        handler.validate({"n": "9" * 4000})
