"""What is wrong with a view's template is said when the app is made, not at the
first request: a missing or broken template, an event the view does not handle
(with a suggestion), a component placed without an id."""

from __future__ import annotations

import pytest

from roost import App, LiveView, event
from roost.actors import ViewProblem, check_view

from . import check_templates


class Base(LiveView):
    __roost_template_dir__ = check_templates.__path__[0]

    @event
    def inc(self):
        pass


def view(template: str) -> type[LiveView]:
    cls = type(f"View_{template.split('.')[0]}", (Base,), {"template": template})
    cls.__roost_template_dir__ = check_templates.__path__[0]
    return cls


def test_a_template_binding_an_event_the_view_lacks_is_refused_with_a_suggestion():
    with pytest.raises(
        ViewProblem, match=r"line 1: roost-click='incr' names no event handler.*did you mean 'inc'"
    ):
        check_view(view("typo.html"))


def test_a_missing_template_is_refused_at_start_up():
    with pytest.raises(ViewProblem, match=r"template 'gone\.html' not found"):
        App({"/": view("gone.html")})


def test_a_template_that_does_not_compile_is_refused_with_its_line():
    with pytest.raises(ViewProblem, match=r"template 'broken.html', line 1: .*endif"):
        App({"/": view("broken.html")})


def test_a_component_placed_without_an_id_is_refused():
    with pytest.raises(ViewProblem, match=r"live_component\(\.\.\.\) needs an id"):
        check_view(view("no_id.html"))


def test_a_correct_template_and_events_sent_elsewhere_pass():
    check_view(view("fine.html"))
    check_view(view("elsewhere.html"))  # roost-target: another actor's handlers
    App({"/": view("fine.html")})


def test_a_view_with_its_own_render_has_nothing_to_check():
    class Own(LiveView):
        template = "gone.html"

        def render(self) -> str:
            return "<p>own</p>"

    check_view(Own)
