"""JS: client-side commands composed in Python or a template, carried as JSON
in a binding's value."""

from __future__ import annotations

import json
from html import unescape

import markupsafe
import pytest

from roost import JS
from roost.render.environment import environment_for
from roost.render.js import commands


def test_a_chain_starts_on_the_class_and_each_command_appends_one():
    js = JS.show("#menu").add_class("open", to="#menu").push("opened", value={"a": 1})
    assert json.loads(str(js)) == [
        ["show", {"to": "#menu"}],
        ["add_class", {"names": "open", "to": "#menu"}],
        ["push", {"event": "opened", "value": {"a": 1}}],
    ]


def test_chains_are_values_a_longer_one_leaves_the_shorter_as_it_was():
    base = JS.hide("#x")
    longer = base.focus("#y")
    assert len(base.ops) == 1 and len(longer.ops) == 2
    assert JS.hide("#x") == base and hash(JS.hide("#x")) == hash(base)
    assert JS.hide("#x") != longer


def test_options_left_at_their_defaults_are_left_off_the_wire():
    assert str(JS.hide()) == '[["hide",{}]]'
    assert json.loads(str(JS.hide("#m", transition="fade", time=500))) == [
        ["hide", {"to": "#m", "transition": "fade", "time": 500}]
    ]
    assert json.loads(str(JS.transition("pulse", time=200))) == [["transition", {"names": "pulse"}]]


@pytest.mark.parametrize(
    ("js", "kind"),
    [
        (JS.toggle("#m"), "toggle"),
        (JS.remove_class("a", to="#m"), "remove_class"),
        (JS.toggle_class("a b"), "toggle_class"),
        (JS.set_attribute("aria-expanded", "true"), "set_attribute"),
        (JS.remove_attribute("title"), "remove_attribute"),
        (JS.dispatch("x:y", detail={"k": 1}), "dispatch"),
    ],
)
def test_every_command_has_its_name_on_the_wire(js, kind):
    assert json.loads(str(js))[0][0] == kind


def test_a_template_escapes_the_json_so_the_attribute_holds_it_exactly(tmp_path):
    (tmp_path / "t.html").write_text(
        """<button roost-click="{{ JS.push('say', value={'text': '"<b>'}) }}">x</button>"""
    )
    html = environment_for(str(tmp_path)).get_template("t.html").render()
    attribute = html.split('roost-click="', 1)[1].split('">x', 1)[0]
    assert "<" not in attribute and '"' not in attribute
    assert commands(unescape(attribute)) == [("push", {"event": "say", "value": {"text": '"<b>'}})]


def test_commands_reads_a_binding_value_and_an_event_name_is_none():
    assert commands("inc") is None
    assert commands("[not json") is None
    assert commands(str(JS.focus("#q"))) == [("focus", {"to": "#q"})]


def test_js_is_no_markup_a_template_cannot_insert_it_unescaped():
    assert not hasattr(JS.show(), "__html__")
    assert str(markupsafe.escape(JS.show("#a"))) == "[[&#34;show&#34;,{&#34;to&#34;:&#34;#a&#34;}]]"
