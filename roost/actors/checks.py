# What can be known wrong about a view before any request: its template (and
# those of the components it places) is found and compiles, the events it binds
# are ones it handles, every live_component call names an id. Checked when the
# app is made.
from __future__ import annotations

import difflib
import re
import sys
from html.parser import HTMLParser

import jinja2
from jinja2 import nodes

from ..protocol import ATTR, VALUE
from ..render import environment_for
from .component import LiveComponent
from .stateful import Stateful

__all__ = ["ViewProblem", "check_view"]


class ViewProblem(ValueError):
    """A view (or a component it names) that cannot work as written."""


EVENT_BINDINGS = (
    ATTR.CLICK,
    ATTR.SUBMIT,
    ATTR.CHANGE,
    ATTR.KEYDOWN,
    ATTR.KEYUP,
    ATTR.WINDOW_KEYDOWN,
    ATTR.WINDOW_KEYUP,
    ATTR.FOCUS,
    ATTR.BLUR,
    ATTR.WINDOW_FOCUS,
    ATTR.WINDOW_BLUR,
    ATTR.CLICK_AWAY,
    ATTR.AUTO_RECOVER,
)
"""The attributes whose value is the name of an event the element's actor handles."""

_NOT_EVENTS = {ATTR.AUTO_RECOVER: VALUE.IGNORE}
# An element carrying one of these sends its events, and those of the elements
# inside it, to the actor it names: unknown until the page runs.
_ELSEWHERE = (ATTR.TARGET, ATTR.ID)
_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
# What stands for a Jinja tag, expression or comment in the text the HTML parser
# reads: no attribute value holding it is a literal event name.
_MARK = " \x00 "


def check_view(cls: type[Stateful]) -> None:
    """Raise :class:`ViewProblem` saying what is wrong with ``cls``'s template,
    or with that of a LiveComponent it may place, if anything can be seen before
    it runs: a template file that is missing or does not compile, an event bound
    with a literal name (any of ``EVENT_BINDINGS``) that the actor has no handler
    for, or a ``live_component(...)`` call without an ``id``.

    The components checked with ``cls`` are the ``LiveComponent`` classes its
    module defines or imports, and in turn those of their modules. A class that
    renders with its own ``render()`` has nothing to check. An element carrying
    ``ATTR.TARGET`` sends its events, and those of the elements inside it, to
    another actor: that subtree is not checked for handlers.
    """
    _check(cls, _name(cls))
    for component in _components_named_with(cls):
        where = f"{_name(component)} (a LiveComponent of {component.__module__}, "
        _check(component, where + f"checked for {_name(cls)})")


def _name(cls: type) -> str:
    return cls.__qualname__.rpartition("<locals>.")[2]


def _components_named_with(cls: type) -> list[type[LiveComponent]]:
    # Which components a view places is known only once its mount has run;
    # those its module can name are the ones it can place without a detour.
    found: list[type[LiveComponent]] = []
    modules = [cls.__module__]
    for name in modules:
        module = sys.modules.get(name)
        for value in list(vars(module).values()) if module is not None else ():
            if (
                isinstance(value, type)
                and issubclass(value, LiveComponent)
                and value is not LiveComponent
                and value is not cls
                and value not in found
            ):
                found.append(value)
                if value.__module__ not in modules:
                    modules.append(value.__module__)
    return found


def _check(cls: type[Stateful], who: str) -> None:
    name = cls.template
    if name is None or cls.render is not Stateful.render:
        return
    env = environment_for(cls.__roost_template_dir__)
    try:
        source, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
    except jinja2.TemplateNotFound:
        raise ViewProblem(
            f"{who}: template {name!r} not found in {cls.__roost_template_dir__}"
        ) from None
    try:
        tree = env.parse(source, name, filename)
    except jinja2.TemplateSyntaxError as exc:
        raise ViewProblem(f"{who}: template {name!r}, line {exc.lineno}: {exc.message}") from None
    _check_components(who, name, tree)
    bindings = _Bindings()
    bindings.feed(_literal_html(env, source, name, filename))
    bindings.close()
    handlers = cls.__roost_handlers__
    for line, binding, event in bindings.found:
        if event in handlers:
            continue
        close = difflib.get_close_matches(event, list(handlers), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        known = ", ".join(sorted(h for h in handlers if ":" not in h)) or "none"  # not roost's own
        raise ViewProblem(
            f"{who}: template {name!r}, line {line}: "
            f"{binding}={event!r} names no event handler of {_name(cls)}"
            f"{hint}; its handlers: {known}"
        )


def _check_components(who: str, name: str, tree: nodes.Template) -> None:
    for call in tree.find_all(nodes.Call):
        if not (isinstance(call.node, nodes.Name) and call.node.name == "live_component"):
            continue
        if call.dyn_args is not None or call.dyn_kwargs is not None:
            continue  # ids may come through *args or **kwargs
        if len(call.args) < 2 and not any(k.key == "id" for k in call.kwargs):
            raise ViewProblem(
                f"{who}: template {name!r}, line {call.lineno}: "
                'live_component(...) needs an id (live_component(Tabs, id="tabs", ...))'
            )


def _literal_html(env: jinja2.Environment, source: str, name: str, filename: str | None) -> str:
    """The template's text with each Jinja tag, expression and comment replaced
    by ``_MARK``, on the lines where the source has them."""
    out: list[str] = []
    line = 1
    marked = False
    for lineno, kind, value in env.lex(source, name, filename):
        if lineno > line:  # whitespace control dropped newlines, or a tag spanned some
            out.append("\n" * (lineno - line))
            line = lineno
        if kind == "data":
            out.append(value)
            line += value.count("\n")
            marked = False
        elif not marked:
            out.append(_MARK)
            marked = True
    return "".join(out)


class _Bindings(HTMLParser):
    """Collects ``(line, binding, event)`` for each literal event binding outside
    a subtree whose events go to another actor."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str, str]] = []
        self._open: list[tuple[str, bool]] = []  # (tag, its events go elsewhere)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        elsewhere = bool(self._open and self._open[-1][1]) or any(
            key in _ELSEWHERE for key, _ in attrs
        )
        if not elsewhere:
            self._collect(attrs)
        if tag not in _VOID:
            self._open.append((tag, elsewhere))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A browser reads <div/> as an open <div>: what follows is inside it.
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        # Closes the nearest open element of that name, and any left open inside
        # it; a stray end tag (one branch of an {% if %}) closes nothing.
        for at in range(len(self._open) - 1, -1, -1):
            if self._open[at][0] == tag:
                del self._open[at:]
                return

    def _collect(self, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        text = self.get_starttag_text() or ""
        for key, value in attrs:
            if key not in EVENT_BINDINGS or not value or _MARK.strip() in value:
                continue
            if value.startswith("[") or value == _NOT_EVENTS.get(key):
                continue  # client commands (JS), or a value that names no event
            at = re.search(rf"(?:^|\s){re.escape(key)}\s*=", text)
            here = line + (text.count("\n", 0, at.start()) if at else 0)
            self.found.append((here, key, value))
