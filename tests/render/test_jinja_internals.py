"""The guard on the Jinja2 internals the region renderer relies on: it passes on the
installed Jinja2 and fails loudly, naming the version and the internal, when one changes."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import jinja2
import jinja2.compiler
import jinja2.idtracking
import markupsafe
import pytest
from markupsafe import Markup

from roost.render import RegionRenderer, UnsupportedJinja, jinja_internals
from roost.render.jinja_internals import (
    _CALLED,
    _CONSTANTS,
    SUPPORTED,
    _lookup,
    check_jinja_internals,
    jinja_version,
    require_supported_jinja,
)

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.fixture(autouse=True)
def _check_again() -> Iterator[None]:
    # The check runs once per process; each test here wants it to run now,
    # and the tests after them on the Jinja2 they restored.
    require_supported_jinja.cache_clear()
    yield
    require_supported_jinja.cache_clear()


def unsupported(internal: str) -> pytest.RaisesExc[UnsupportedJinja]:
    """Expect the guard's error, naming the installed version and ``internal``."""
    version = re.escape(f"jinja2 {jinja_version()}")
    return pytest.raises(UnsupportedJinja, match=f"{version}.*{re.escape(internal)}")


def test_the_installed_jinja_passes() -> None:
    check_jinja_internals()
    require_supported_jinja()
    assert RegionRenderer.from_string(jinja2.Environment(), "<b>{{ a }}</b>").fallback is None


def test_pyproject_pins_the_supported_versions() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    assert [d for d in dependencies if d.startswith("jinja2")] == ["jinja2" + SUPPORTED]


def owner_and_name(path: str) -> tuple[object, str]:
    owner, _, name = path.rpartition(".")
    return _lookup(owner), name


@pytest.mark.parametrize("path", [path for path, _ in _CALLED] + list(_CONSTANTS))
def test_each_internal_missing_is_named(path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, name = owner_and_name(path)
    monkeypatch.setattr(owner, name, None)  # shadows inherited ones too (visit)
    with unsupported(path):
        check_jinja_internals()


def test_a_method_deleted_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(jinja2.compiler.CodeGenerator, "enter_frame")
    with unsupported("jinja2.compiler.CodeGenerator.enter_frame is missing"):
        check_jinja_internals()


def test_an_internal_called_with_other_arguments_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def context_class(environment: object, parent: object) -> None:
        pass

    monkeypatch.setattr(jinja2.Environment, "context_class", context_class)
    with unsupported(
        "jinja2.Environment.context_class is missing or cannot be called with "
        "(environment, parent, name, blocks, globals=)"
    ):
        check_jinja_internals()


def test_an_internal_that_behaves_differently_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every name still there, but a context lookup no longer shows in
    # Frame.symbols.loads: regions would never know what they read.
    def load(self: jinja2.idtracking.Symbols, name: str) -> None:
        if self.find_ref(name) is None:
            self._define_ref(name)

    monkeypatch.setattr(jinja2.idtracking.Symbols, "load", load)
    with unsupported("the names a template reads"):
        check_jinja_internals()


def test_a_renderer_is_refused_before_it_splits_a_template(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(jinja2.compiler.CodeGenerator, "enter_frame")
    env = jinja2.Environment()
    with unsupported("CodeGenerator.enter_frame"):
        RegionRenderer.from_string(env, "<i>{{ refused }}</i>")
    with unsupported("CodeGenerator.enter_frame"):  # every time, not only the first
        RegionRenderer.from_string(env, "<i>{{ refused }}</i>")


# -- a part's outputs: escaped as markupsafe.escape does, without its Markup -------

ODD_VALUES = ["<a href='x'>&\"", "", 0, -12, True, None, 2.5, ["<li>"], Markup("<b>"), ""]


class Html:
    def __html__(self) -> str:
        return "<i>own markup</i>"


@pytest.mark.parametrize("value", [*ODD_VALUES, Html()], ids=repr)
def test_a_region_outputs_each_kind_of_value_as_a_whole_render_does(value: object) -> None:
    env = jinja2.Environment(autoescape=True)
    source = "<p title='{{ v }}'>{{ v }}</p>{% for x in [v, v] %}{{ x }}{% endfor %}"
    renderer = RegionRenderer.from_string(env, source)
    assert renderer.render({"v": value}, None) == env.from_string(source).render(v=value)


def test_a_region_escapes_plain_text_without_a_markup_per_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = []
    real_new = Markup.__new__

    def counted(cls: type[Markup], *args: object, **kwargs: object) -> Markup:
        made.append(args)
        return real_new(cls, *args, **kwargs)

    renderer = RegionRenderer.from_string(
        jinja2.Environment(autoescape=True), "{% for x in xs %}<b>{{ x }}</b>{% endfor %}"
    )
    monkeypatch.setattr(Markup, "__new__", counted)
    html = renderer.render({"xs": ["a&b", "<c>", 3]}, None)
    assert html == "<b>a&amp;b</b><b>&lt;c&gt;</b><b>3</b>"
    assert made == []


def test_without_markupsafes_inner_escape_a_region_uses_its_escape(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # MarkupSafe 2 has no _escape_inner (its escape is C): the part keeps escape.
    monkeypatch.setattr(jinja_internals, "_escape_str", None)
    renderer = RegionRenderer.from_string(jinja2.Environment(autoescape=True), "<b>{{ x }}</b>")
    assert renderer.render({"x": "<&>"}, None) == "<b>&lt;&amp;&gt;</b>"
    check_jinja_internals()


def test_an_inner_escape_that_escapes_differently_is_not_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A MarkupSafe whose private helper changed: regions keep its public escape.
    monkeypatch.setattr(markupsafe, "_escape_inner", lambda text: text.replace("&", "&amp;"))
    assert jinja_internals._inner_escape() is None
    monkeypatch.setattr(markupsafe, "_escape_inner", lambda text: Markup(text))
    assert jinja_internals._inner_escape() is None
    monkeypatch.delattr(markupsafe, "_escape_inner")
    assert jinja_internals._inner_escape() is None


def test_a_part_escaping_differently_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jinja_internals, "_escape_str", lambda text: text.replace("&", "&amp;"))
    with unsupported("escaped as markupsafe.escape does"):
        check_jinja_internals()
