"""The Jinja2 environment every roost template is rendered with."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from roost.render import environment_for


def test_environment_for_is_cached_and_autoescapes(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("<b>{{ x }}</b>")
    env = environment_for(str(tmp_path))
    assert environment_for(str(tmp_path)) is env
    assert env.get_template("t.html").render(x="<i>") == "<b>&lt;i&gt;</b>"


def test_an_undefined_name_raises(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("<b>{{ missing }}</b>")
    with pytest.raises(jinja2.UndefinedError):
        environment_for(str(tmp_path)).get_template("t.html").render()
