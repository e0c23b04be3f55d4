# The one Jinja2 environment factory: every roost template is loaded, escaped
# and checked for undefined names the same way.
"""The Jinja2 environment roost renders templates with."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

__all__ = ["environment_for"]


@functools.cache
def environment_for(directory: str) -> jinja2.Environment:
    """Return the cached Jinja2 environment that loads templates from ``directory``.

    Autoescape is on for every template, whatever its file name: a value is
    only ever inserted as markup when the template says ``|safe``. An
    undefined name raises ``jinja2.UndefinedError`` instead of rendering as
    an empty string.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(directory))),
        autoescape=True,
        auto_reload=False,
        enable_async=False,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
