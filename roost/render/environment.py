# The one Jinja2 environment factory: every roost template is loaded, escaped
# and checked for undefined names the same way.
"""The Jinja2 environment roost renders templates with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from .js import JS

__all__ = ["auto_reload", "environment_for", "set_auto_reload", "template_name"]

_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja2's environment, with ``item.name`` on a plain dict (a row, a message)
    looked up as ``item["name"]`` at once: what Jinja2 does too, after trying
    the attribute and catching the ``AttributeError``, which costs several
    times the lookup in every loop over dicts. ``d.items`` and the other
    names of dict's own methods still mean the method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


_environments: dict[str, jinja2.Environment] = {}
_auto_reload = False


def environment_for(directory: str) -> jinja2.Environment:
    """Return the cached Jinja2 environment that loads templates from ``directory``.

    Autoescape is on for every template, whatever its file name: a value is
    only ever inserted as markup when the template says ``|safe``. An
    undefined name raises ``jinja2.UndefinedError`` instead of rendering as
    an empty string. ``JS`` (client-side commands) is a global of every
    template. A loaded template is kept until the process ends,
    unless ``set_auto_reload(True)`` (dev mode) has Jinja2 re-read a
    template whose file changed.
    """
    env = _environments.get(directory)
    if env is None:
        env = _environments.setdefault(
            directory,
            _Environment(
                loader=jinja2.FileSystemLoader(str(Path(directory))),
                autoescape=True,
                auto_reload=_auto_reload,
                enable_async=False,
                keep_trailing_newline=False,
                undefined=jinja2.StrictUndefined,
            ),
        )
        env.globals["JS"] = JS
    return env


def set_auto_reload(on: bool) -> None:
    """Whether the environments of ``environment_for`` (those made already and
    those made later) check a template's file each time it is looked up, and
    re-read it when it changed: on in dev mode, off (the default) in production.

    It is Jinja2's ``auto_reload``: a ``RegionRenderer`` over such an
    environment re-plans a template that changed before its next render.
    """
    global _auto_reload
    _auto_reload = on
    for env in list(_environments.values()):
        env.auto_reload = on


def auto_reload() -> bool:
    """What ``set_auto_reload`` set last (False until it is called)."""
    return _auto_reload


def template_name(filename: str) -> str | None:
    """The name an environment of ``environment_for`` loads the file ``filename``
    by (its path from that environment's folder, the nearest one), or None when
    it is in none."""
    path = Path(filename).resolve()
    for directory in sorted(_environments, key=len, reverse=True):
        folder = Path(directory).resolve()
        if path.is_relative_to(folder):
            return path.relative_to(folder).as_posix()
    return None
