# The one Jinja2 environment factory: autoescape always on, templates found
# next to the Python module that declares them.
from __future__ import annotations

import functools
from pathlib import Path

import jinja2


@functools.cache
def environment_for(directory: str) -> jinja2.Environment:
    """Return the cached Jinja2 environment that loads templates from ``directory``.

    Autoescape is on for every template, whatever its file name: a value is
    only ever inserted as markup when the template says ``|safe``.
    """
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(directory))),
        autoescape=True,
        auto_reload=False,
        enable_async=False,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
    )
