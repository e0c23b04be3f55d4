# The one Jinja2 environment factory: every roost template is loaded, escaped
# and checked for undefined names the same way.
"""The Jinja2 environment roost renders templates with."""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup

from ..protocol import ATTR
from .js import JS

__all__ = [
    "CLEAR_FLASH",
    "FLASH_GROUP_ID",
    "auto_reload",
    "environment_for",
    "environment_of",
    "flash_group",
    "loaded_templates",
    "names_flash",
    "set_auto_reload",
    "template_folders",
    "template_name",
]

FLASH_GROUP_ID = "roost-flash"
"""The ``id`` (and class) of the element ``flash_group`` renders."""

CLEAR_FLASH = "roost:clear-flash"
"""The event a click on a flash message sends its view (with ``kind``): every
LiveView handles it by clearing that message."""

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
    an empty string. ``JS`` (client-side commands) and ``flash_group`` are
    globals of every template. A loaded template is kept until the process
    ends, unless ``set_auto_reload(True)`` (dev mode) has Jinja2 re-read a
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
        env.globals["flash_group"] = flash_group
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
    found = environment_of(filename)
    return found[1] if found is not None else None


def environment_of(filename: str | Path) -> tuple[jinja2.Environment, str] | None:
    """The environment of ``environment_for`` whose folder (the nearest one) holds
    the file ``filename``, and the name it loads the file by; None when none does."""
    path = Path(filename).resolve()
    for directory in sorted(_environments, key=len, reverse=True):
        folder = Path(directory).resolve()
        if path.is_relative_to(folder):
            return _environments[directory], path.relative_to(folder).as_posix()
    return None


def template_folders() -> list[Path]:
    """The folders of the environments ``environment_for`` has made so far."""
    return [Path(directory).resolve() for directory in _environments]


def loaded_templates() -> set[Path]:
    """The files of the templates roost's environments hold now (loaded, and kept)."""
    files: set[Path] = set()
    for env in list(_environments.values()):
        cache = env.cache
        for template in list(cache.values()) if cache is not None else ():
            if template.filename:
                files.add(Path(template.filename).resolve())
    return files


def flash_group(flash: Mapping[str, str] | None) -> Markup:
    """The flash messages ``flash`` (a view's ``flash``, by kind) as HTML: a
    ``<div id="roost-flash" class="roost-flash">`` with a ``<p class="flash KIND"
    role="alert">`` per message, which a click dismisses (``clear_flash(KIND)``).
    The ``<div>`` is there, empty, when there is no message."""
    click, value = ATTR.CLICK, ATTR.VALUE_PREFIX + "kind"
    messages = Markup("").join(
        Markup(
            '<p class="flash {kind}" role="alert" {click}="{event}" {value}="{kind}">{text}</p>'
        ).format(kind=kind, text=text, click=Markup(click), event=CLEAR_FLASH, value=Markup(value))
        for kind, text in (flash or {}).items()
    )
    return Markup('<div id="{0}" class="{0}" aria-live="polite">{1}</div>').format(
        FLASH_GROUP_ID, messages
    )


_names_flash: weakref.WeakKeyDictionary[jinja2.Template, bool] = weakref.WeakKeyDictionary()


def names_flash(env: jinja2.Environment, name: str) -> bool:
    """Whether template ``name`` of ``env`` names ``flash`` (shows the flash itself:
    a loop over it, ``flash_group(flash)``), or one it extends, includes or
    imports by a literal name does. Known per loaded template: an edit that
    dev mode re-reads is looked at anew."""
    template = env.get_template(name)
    known = _names_flash.get(template)
    if known is None:
        known = _names_flash[template] = _reads_flash(env, name, set())
    return known


def _reads_flash(env: jinja2.Environment, name: str, seen: set[str]) -> bool:
    seen.add(name)
    assert env.loader is not None
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:  # an include with "ignore missing"
        return False
    tree = env.parse(source, name, filename)
    if "flash" in jinja2.meta.find_undeclared_variables(tree):
        return True
    return any(
        other is not None and other not in seen and _reads_flash(env, other, seen)
        for other in jinja2.meta.find_referenced_templates(tree)
    )
