# What can be known wrong about a view before any request: its template is
# found and compiles, the events it binds are ones it handles, every
# live_component call names an id. Checked when the app is made.
from __future__ import annotations

import difflib
import re

import jinja2
from jinja2 import nodes

from ..protocol import ATTR
from ..render import environment_for
from .stateful import Stateful

__all__ = ["ViewProblem", "check_view"]


class ViewProblem(ValueError):
    """A view (or a component it names) that cannot work as written."""


_BINDINGS = (ATTR.CLICK, ATTR.SUBMIT, ATTR.CHANGE)
_TAG = re.compile(r"<[A-Za-z][^<>]*>")
_NAMES = "|".join(re.escape(b) for b in _BINDINGS)
_BOUND = re.compile(
    rf"""(?:^|\s)({_NAMES})\s*=\s*(?:"([A-Za-z_][A-Za-z0-9_]*)"|'([A-Za-z_][A-Za-z0-9_]*)')"""
)


def check_view(cls: type[Stateful]) -> None:
    """Raise :class:`ViewProblem` saying what is wrong with ``cls``'s template, if
    anything can be seen before it runs: a template file that is missing or
    does not compile, an event bound in it (``ATTR.CLICK``, ``ATTR.SUBMIT`` or
    ``ATTR.CHANGE`` with a literal name) that ``cls`` has no handler for, or a
    ``live_component(...)`` call without an ``id``.

    A view that renders with its own ``render()`` has nothing to check here.
    A template that sends events elsewhere (``ATTR.TARGET``) is not checked
    for handlers: their actor is known only once it runs.
    """
    name = cls.template
    if name is None or cls.render is not Stateful.render:
        return
    env = environment_for(cls.__roost_template_dir__)
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        raise ViewProblem(
            f"{cls.__qualname__}: template {name!r} not found in {cls.__roost_template_dir__}"
        ) from None
    try:
        tree = env.parse(source, name, filename)
    except jinja2.TemplateSyntaxError as exc:
        raise ViewProblem(
            f"{cls.__qualname__}: template {name!r}, line {exc.lineno}: {exc.message}"
        ) from None
    _check_components(cls, name, tree)
    if ATTR.TARGET not in source:
        _check_handlers(cls, name, tree)


def _check_components(cls: type[Stateful], name: str, tree: nodes.Template) -> None:
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "live_component"):
            continue
        if call.dyn_args is not None or call.dyn_kwargs is not None:
            continue  # ids may come through *args or **kwargs
        if len(call.args) < 2 and not any(k.key == "id" for k in call.kwargs):
            raise ViewProblem(
                f"{cls.__qualname__}: template {name!r}, line {call.lineno}: "
                'live_component(...) needs an id (live_component(Tabs, id="tabs", ...))'
            )


def _check_handlers(cls: type[Stateful], name: str, tree: nodes.Template) -> None:
    handlers = cls.__roost_handlers__
    for data in tree.find_all(nodes.TemplateData):
        for tag in _TAG.finditer(data.data):
            for found in _BOUND.finditer(tag[0]):
                event = found[2] or found[3]
                if event in handlers:
                    continue
                close = difflib.get_close_matches(event, list(handlers), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                known = ", ".join(sorted(handlers)) or "none"
                line = data.lineno + data.data.count("\n", 0, tag.start())
                raise ViewProblem(
                    f"{cls.__qualname__}: template {name!r}, line {line}: "
                    f"{found[1]}={event!r} names no event handler of {cls.__qualname__}"
                    f"{hint}; its handlers: {known}"
                )
