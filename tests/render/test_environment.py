"""The Jinja2 environment every roost template is rendered with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest

from roost.render import RegionRenderer, environment_for
from roost.render.environment import auto_reload, set_auto_reload


def test_environment_for_is_cached_and_autoescapes(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("<b>{{ x }}</b>")
    env = environment_for(str(tmp_path))
    assert environment_for(str(tmp_path)) is env
    assert env.get_template("t.html").render(x="<i>") == "<b>&lt;i&gt;</b>"


def test_an_undefined_name_raises(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("<b>{{ missing }}</b>")
    with pytest.raises(jinja2.UndefinedError):
        environment_for(str(tmp_path)).get_template("t.html").render()


@pytest.fixture
def restore_auto_reload() -> Iterator[None]:
    before = auto_reload()
    yield
    set_auto_reload(before)


def _edit(path: Path, text: str) -> None:
    """Rewrite ``path`` as an editor would, a second later by its clock."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def test_templates_are_kept_as_first_loaded_unless_auto_reload_is_on(
    tmp_path: Path, restore_auto_reload: None
) -> None:
    set_auto_reload(False)
    (tmp_path / "t.html").write_text("<b>one</b>")
    env = environment_for(str(tmp_path))
    assert env.get_template("t.html").render() == "<b>one</b>"
    _edit(tmp_path / "t.html", "<b>two</b>")
    assert env.get_template("t.html").render() == "<b>one</b>"
    # Dev mode reaches the environments made already ...
    set_auto_reload(True)
    assert env.auto_reload is True
    assert env.get_template("t.html").render() == "<b>two</b>"
    # ... and those made later.
    other = tmp_path / "other"
    other.mkdir()
    assert environment_for(str(other)).auto_reload is True
    set_auto_reload(False)
    assert env.auto_reload is False
    assert environment_for(str(other)).auto_reload is False


def test_a_region_renderer_re_plans_a_template_edited_in_dev_mode(
    tmp_path: Path, restore_auto_reload: None
) -> None:
    set_auto_reload(True)
    (tmp_path / "t.html").write_text("<p>{{ a }}</p><i>{{ b }}</i>")
    renderer = RegionRenderer(environment_for(str(tmp_path)), "t.html")
    assert renderer.render({"a": 1, "b": 2}) == "<p>1</p><i>2</i>"
    _edit(tmp_path / "t.html", "<p>{{ a }}!</p><u>{{ b }}</u>")
    # Nothing changed in the context, but the template did: all of it renders again.
    assert renderer.render({"a": 1, "b": 2}, changed=()) == "<p>1!</p><u>2</u>"


def test_a_dicts_keys_read_as_attributes_and_its_methods_stay_methods(tmp_path) -> None:
    (tmp_path / "row.html").write_text(
        "{{ m.name }}|{{ m.items()|length }}|{{ m.get('name') }}|{{ o.real }}"
    )
    template = environment_for(str(tmp_path)).get_template("row.html")
    assert template.render(m={"name": "ann", "items": 7}, o=3) == "ann|2|ann|3"


def test_a_missing_dict_key_read_as_an_attribute_is_undefined(tmp_path) -> None:
    (tmp_path / "missing.html").write_text("{{ m.nope }}")
    template = environment_for(str(tmp_path)).get_template("missing.html")
    with pytest.raises(jinja2.UndefinedError, match="has no attribute 'nope'"):
        template.render(m={"name": "ann"})
