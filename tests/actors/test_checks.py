"""What is wrong with a view's template is said when the app is made, not at the
first request: a missing or broken template, an event the view or a component
it places does not handle (with a suggestion), a component placed without an id."""

from __future__ import annotations

import sys
import types

import pytest

from roost import App, LiveComponent, LiveView, event
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


# -- every event binding, the subtree of roost-target, the components a view places


def write(tmp_path, **templates: str) -> str:
    for name, text in templates.items():
        (tmp_path / f"{name}.html").write_text(text)
    return str(tmp_path)


def view_of(folder: str, template: str) -> type[LiveView]:
    cls = type(f"View_{template}", (Base,), {"template": f"{template}.html"})
    cls.__roost_template_dir__ = folder
    return cls


EVENT_BINDINGS = [
    "roost-click",
    "roost-submit",
    "roost-change",
    "roost-keydown",
    "roost-keyup",
    "roost-window-keydown",
    "roost-window-keyup",
    "roost-focus",
    "roost-blur",
    "roost-window-focus",
    "roost-window-blur",
    "roost-click-away",
    "roost-auto-recover",
]


@pytest.mark.parametrize("binding", EVENT_BINDINGS)
def test_every_event_binding_is_checked_against_the_views_handlers(tmp_path, binding):
    folder = write(tmp_path, bound=f'<p>x</p>\n<div {binding}="incr">x</div>')
    with pytest.raises(
        ViewProblem, match=rf"line 2: {binding}='incr' names no event handler.*did you mean 'inc'"
    ):
        App({"/": view_of(folder, "bound")})


def test_a_binding_in_a_tag_that_also_holds_an_expression_is_checked(tmp_path):
    folder = write(tmp_path, mixed='<button class="{{ kind }}"\n  roost-click="incr">+</button>')
    with pytest.raises(ViewProblem, match=r"line 2: roost-click='incr'"):
        check_view(view_of(folder, "mixed"))


def test_roost_target_exempts_only_the_subtree_it_is_on(tmp_path):
    folder = write(
        tmp_path,
        around=(
            '<div roost-target="tabs"><button roost-click="select">a</button>\n'
            '<p><button roost-keyup="close">b</button></p></div>\n'
            '<button roost-click="incr">+</button>'
        ),
        on_it='<button roost-target="tabs" roost-click="select">a</button>',
    )
    with pytest.raises(ViewProblem, match=r"line 3: roost-click='incr'.*did you mean 'inc'"):
        check_view(view_of(folder, "around"))
    check_view(view_of(folder, "on_it"))


def test_what_is_not_a_literal_event_name_is_left_alone(tmp_path):
    folder = write(
        tmp_path,
        free=(
            '<form roost-change="inc" roost-auto-recover="ignore"></form>\n'
            '<button roost-click="{{ action }}">x</button>\n'
            "<button roost-click='{{ JS.push(\"inc\") }}'>y</button>\n"
            '<!-- <button roost-click="old">z</button> -->\n'
            '{% if open %}<div roost-target="{{ id }}">{% else %}<div>{% endif %}'
            '<button roost-click="select">s</button></div>\n'
            '<input roost-blur="inc"><button roost-click="inc">+</button>'
        ),
    )
    check_view(view_of(folder, "free"))


def module(monkeypatch, name: str, folder: str, *classes: type) -> None:
    """Put ``classes`` in a module ``name``, as an app's module defines or imports them."""
    held = types.ModuleType(name)
    for cls in classes:
        cls.__roost_template_dir__ = folder
        setattr(held, cls.__name__, cls)
    monkeypatch.setitem(sys.modules, name, held)


def test_a_component_the_views_module_names_is_checked_with_the_view(tmp_path, monkeypatch):
    folder = write(
        tmp_path,
        page="<main>{{ counter }}</main>",
        counter='<p>{{ count }}</p>\n<button roost-click="incr">+</button>',
    )

    class Counter(LiveComponent):
        __module__ = "app_pages"
        template = "counter.html"

        @event
        def inc(self):
            pass

    class Page(LiveView):
        __module__ = "app_pages"
        template = "page.html"

    module(monkeypatch, "app_pages", folder, Counter, Page)
    with pytest.raises(
        ViewProblem,
        match=r"Counter \(a LiveComponent of app_pages, checked for Page\): "
        r"template 'counter.html', line 2: "
        r"roost-click='incr' names no event handler of Counter \(did you mean 'inc'\?\)",
    ):
        App({"/": Page})


def test_a_component_with_a_broken_or_missing_template_is_refused(tmp_path, monkeypatch):
    folder = write(tmp_path, page="<main>{{ tabs }}</main>", tabs="<p>{% for t in tabs %}</p>")

    class Tabs(LiveComponent):
        __module__ = "app_pages"
        template = "tabs.html"

    class Gone(LiveComponent):
        __module__ = "app_pages"
        template = "gone.html"

    class Page(LiveView):
        __module__ = "app_pages"
        template = "page.html"

    module(monkeypatch, "app_pages", folder, Tabs, Page)
    with pytest.raises(ViewProblem, match=r"Tabs .*template 'tabs.html', line 1: .*endfor"):
        App({"/": Page})
    module(monkeypatch, "app_pages", folder, Gone, Page)
    with pytest.raises(ViewProblem, match=r"Gone .*template 'gone.html' not found"):
        App({"/": Page})


def test_a_component_placed_by_a_component_is_checked_and_a_correct_tree_passes(
    tmp_path, monkeypatch
):
    folder = write(
        tmp_path,
        page="<main>{{ outer }}</main>",
        outer='{{ live_component(Inner, id="in") }}<button roost-click="open">o</button>',
        inner='<input roost-keydown="clse">',
    )

    class Inner(LiveComponent):
        __module__ = "app_widgets"
        template = "inner.html"

        @event
        def close(self, key: str):
            pass

    class Outer(LiveComponent):
        __module__ = "app_widgets"
        template = "outer.html"

        @event
        def open(self):
            pass

    class Page(LiveView):
        __module__ = "app_pages"
        template = "page.html"

    # The page's module imports Outer; Outer's module, where Inner is, is checked too.
    module(monkeypatch, "app_widgets", folder, Inner, Outer)
    module(monkeypatch, "app_pages", folder, Outer, Page)
    with pytest.raises(
        ViewProblem,
        match=r"Inner \(a LiveComponent of app_widgets, checked for Page\).*"
        r"roost-keydown='clse'.*did you mean 'close'",
    ):
        App({"/": Page})
    (tmp_path / "inner.html").write_text('<input roost-keydown="close">')
    App({"/": Page})
