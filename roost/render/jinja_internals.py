# The seam between the region renderer and Jinja2's private internals: every
# one it uses is reached through here, and checked before the first use.
"""The Jinja2 internals the region renderer relies on, and the check that they still work.

Jinja2 has no public API for compiling and running part of a template, so
:mod:`roost.render.regions` uses these internals, which any Jinja2 release
may change:

- ``jinja2.compiler.CodeGenerator``, subclassed to learn which names a part
  reads from the context: it overrides ``write`` (to write nothing) and
  ``enter_frame`` (called for every scope), and reads ``Frame.symbols.loads``,
  where ``(jinja2.idtracking.VAR_LOAD_RESOLVE, name)`` is a context lookup;
- ``Environment.compile`` of a ``nodes.Template`` built by hand, then
  ``Template.from_code`` and the template's ``root_render_func``;
- ``Environment.context_class(environment, parent, name, blocks, globals=)``
  and ``Context.vars``, to build a render context faster than
  ``Template.new_context`` and to set a loop's item in it;
- ``Environment.handle_exception()``, to re-raise a render error with the
  template's lines in the traceback;
- the name ``escape`` in a compiled part's module namespace, which its
  ``{{ }}`` outputs call: rebound to :func:`output_escape`, which escapes a
  plain ``str`` with MarkupSafe's own ``_escape_inner`` (a MarkupSafe
  internal, used only if it escapes a sample exactly as ``escape`` does) and
  leaves every other value to ``markupsafe.escape``.

(What extensions use, ``Environment.parse`` and the ``jinja2.nodes`` tree,
is public API; the region renderer uses it directly.)

A Jinja2 that changes them must fail loudly, not render stale regions:
:func:`require_supported_jinja` checks each one (present, callable the way
it is called here) and then compiles and renders a probe template through
them, and raises :class:`UnsupportedJinja` naming the installed version and
what is missing or behaves differently. The region renderer calls it before
it splits its first template.
"""

from __future__ import annotations

import functools
import importlib.metadata
import inspect
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, TypeAlias

import jinja2
import jinja2.compiler
import jinja2.idtracking
import markupsafe
from jinja2 import nodes
from jinja2.runtime import Context

if TYPE_CHECKING:
    from jinja2.compiler import CodeGenerator

__all__ = [
    "SUPPORTED",
    "UnsupportedJinja",
    "check_jinja_internals",
    "compile_region",
    "names_read",
    "new_context",
    "output_escape",
    "require_supported_jinja",
    "reraise",
]

SUPPORTED = ">=3.1,<3.2"
"""The Jinja2 versions the region renderer is tested with (pyproject.toml pins the same)."""


class UnsupportedJinja(RuntimeError):
    """The installed Jinja2 lacks, or has changed, an internal the region renderer relies on."""


# -- the internals, each used only here --------------------------------------------


RegionFunc: TypeAlias = Callable[[Context], Iterator[str]]
"""A compiled part of a template: yields its output for a context."""


def names_read(env: jinja2.Environment, tree: nodes.Template) -> set[str]:
    """Every name the compiled ``tree`` would look up in the context, globals included."""
    names: set[str] = set()
    _name_tracker()(env, names).visit(tree)
    return names


@functools.cache
def _name_tracker() -> Callable[[jinja2.Environment, set[str]], CodeGenerator]:
    # Defined on first use, not at import: on a Jinja2 without these names
    # the module still imports, and require_supported_jinja says what is missing.
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.idtracking import VAR_LOAD_RESOLVE

    class NameTracker(CodeGenerator):
        """Jinja's own code generator, writing nothing: adds to ``names``
        every name the compiled code would look up in the context."""

        def __init__(self, environment: jinja2.Environment, names: set[str]) -> None:
            super().__init__(environment, "<regions>", "<regions>")
            self.names = names

        def write(self, x: str) -> None:
            pass

        def enter_frame(self, frame: Frame) -> None:
            super().enter_frame(frame)
            for action, param in frame.symbols.loads.values():
                if action == VAR_LOAD_RESOLVE:
                    self.names.add(param)

    return NameTracker


def compile_region(
    env: jinja2.Environment,
    template: jinja2.Template,
    tree: nodes.Template,
    name: str | None,
    filename: str | None,
) -> RegionFunc:
    """Compile ``tree`` (a part of ``template``) into a function of a render context."""
    code = env.compile(tree, name, filename)
    func = env.template_class.from_code(env, code, template.globals).root_render_func
    namespace = func.__globals__  # the compiled part's own module namespace
    if _escape_str is not None and namespace.get("escape") is markupsafe.escape:
        namespace["escape"] = output_escape
    return func


_SAMPLE = "<a href='x'>&\"\u00e9"
_SAMPLE_ESCAPED = "&lt;a href=&#39;x&#39;&gt;&amp;&#34;\u00e9"  # as markupsafe.escape has it


def _inner_escape() -> Callable[[str], str] | None:
    """MarkupSafe 3's escaping of a plain ``str`` (C), without the ``Markup``
    around it, if it escapes as ``markupsafe.escape`` does; else None (then
    ``escape`` stays: MarkupSafe 2's is C already)."""
    inner = getattr(markupsafe, "_escape_inner", None)
    try:
        escaped = inner(_SAMPLE) if callable(inner) else None
    except Exception:
        return None
    if type(escaped) is not str or escaped != _SAMPLE_ESCAPED:
        return None
    return inner


_escape_str = _inner_escape()
"""What ``output_escape`` escapes a ``str`` with (None: it is not bound in at all)."""


def output_escape(value: Any) -> str:
    """What a compiled part escapes each ``{{ value }}`` output with: the text
    ``markupsafe.escape(value)`` gives, as a plain ``str`` for a ``str`` or an
    ``int``. Only for output, which Jinja2 joins as text."""
    # MarkupSafe 3's escape is Python and wraps each piece in a Markup (another
    # Python call): for the tab bar's three buttons, over a quarter of its render.
    kind = type(value)
    if kind is str and _escape_str is not None:
        return _escape_str(value)
    if kind is int:
        return str(value)  # digits and "-": nothing to escape
    return markupsafe.escape(value)


def new_context(template: jinja2.Template, vars: Mapping[str, Any]) -> Context:
    """The context ``template.render(vars)`` makes, built faster: the globals'
    ChainMap is flattened with ``dict.update`` instead of being iterated."""
    env_globals = template.globals
    merged: dict[str, Any] = {}
    if isinstance(env_globals, ChainMap):
        for mapping in reversed(env_globals.maps):
            merged.update(mapping)
    else:
        merged.update(env_globals)
    env = template.environment
    parent = {**merged, **vars}
    return env.context_class(env, parent, template.name, template.blocks, globals=merged)


def reraise(env: jinja2.Environment) -> NoReturn:
    """Re-raise the exception being handled, its traceback rewritten to show
    template lines as a full render's would. Call it in an ``except`` block."""
    env.handle_exception()


# -- the check --------------------------------------------------------------------


@functools.cache
def require_supported_jinja() -> None:
    """Run :func:`check_jinja_internals` once per process (again after a failure)."""
    check_jinja_internals()


def check_jinja_internals() -> None:
    """Check that the installed Jinja2 has every internal used above, working as expected.

    Raises :class:`UnsupportedJinja`, naming the installed Jinja2 version and
    each internal that is missing, no longer callable the way it is called
    here, or whose result differs on a probe template.
    """
    problems = _missing()
    if not problems:
        problems = _misbehaving()
    if problems:
        raise UnsupportedJinja(
            f"roost's region renderer does not support the installed jinja2 {jinja_version()} "
            f"(it supports jinja2{SUPPORTED}): " + "; ".join(problems)
        )


def jinja_version() -> str:
    """The installed Jinja2's version, as its package metadata says."""
    try:
        return importlib.metadata.version("jinja2")
    except importlib.metadata.PackageNotFoundError:
        return "(version unknown)"


_CALLED = (
    # (what, the arguments it is called with here); "name=" is a keyword argument.
    ("jinja2.compiler.CodeGenerator", ("environment", "name", "filename")),
    ("jinja2.compiler.CodeGenerator.enter_frame", ("self", "frame")),
    ("jinja2.compiler.CodeGenerator.write", ("self", "x")),
    ("jinja2.compiler.CodeGenerator.visit", ("self", "node")),
    ("jinja2.compiler.Frame", ("eval_ctx",)),
    ("jinja2.Environment.compile", ("self", "source", "name", "filename")),
    ("jinja2.Template.from_code", ("environment", "code", "globals")),
    ("jinja2.Environment.context_class", ("environment", "parent", "name", "blocks", "globals=")),
    ("jinja2.Environment.handle_exception", ("self",)),
)
"""Every internal callable used above, as it is called."""

_CONSTANTS = ("jinja2.idtracking.VAR_LOAD_RESOLVE",)
"""Every internal constant used above (each a string)."""


def _missing() -> list[str]:
    problems = [
        f"{path} is missing or cannot be called with ({', '.join(args)})"
        for path, args in _CALLED
        if not _accepts(_lookup(path), args)
    ]
    problems += [f"{path} is missing" for path in _CONSTANTS if type(_lookup(path)) is not str]
    return problems


def _lookup(path: str) -> object:
    """The object at dotted ``path`` (its modules already imported), or None."""
    first, *rest = path.split(".")
    found: object = importlib.import_module(first)
    for name in rest:
        found = getattr(found, name, None)
    return found


def _accepts(func: object, args: tuple[str, ...]) -> bool:
    """Whether ``func`` can be called with ``args`` (by its signature)."""
    if not callable(func):
        return False
    positional = [a for a in args if not a.endswith("=")]
    keywords = {a[:-1]: None for a in args if a.endswith("=")}
    try:
        inspect.signature(func).bind(*positional, **keywords)
    except (TypeError, ValueError):
        return False
    return True


_PROBE = "{{ a }}{% for x in xs %}<{{ x }}{{ b }}>{% endfor %}{{ 1 // z }}"
_PROBE_CONTEXT = {"a": 1, "xs": [1, 2], "b": "&", "z": 1}


class _Html:
    def __html__(self) -> str:
        return "<i>kept</i>"


_ESCAPED = ["<a href='x'>&\"", 7, -1, True, None, 1.5, markupsafe.Markup("<b>"), _Html()]
"""Values of every kind an output escapes differently."""


def _misbehaving() -> list[str]:
    """Run the probe template through each internal; describe each result that differs."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        template = env.from_string(_PROBE)
        head, loop, tail = env.parse(_PROBE).body
    except Exception as exc:
        return [f"the probe template {_PROBE!r} did not compile: {exc!r}"]
    if not isinstance(loop, nodes.For):
        return [f"the probe template {_PROBE!r} parsed into {loop!r}, not a For node"]
    body = loop.body

    def names(parts: list[nodes.Node]) -> set[str]:
        return names_read(env, _tree(env, parts))

    def render(parts: list[nodes.Node], **vars: Any) -> str:
        ctx = new_context(template, _PROBE_CONTEXT)
        ctx.vars.update(vars)
        return "".join(compile_region(env, template, _tree(env, parts), None, None)(ctx))

    def reraised() -> str:
        try:
            render([tail], z=0)
        except ZeroDivisionError:
            try:
                reraise(env)
            except ZeroDivisionError:
                return "re-raised"
        return "not re-raised"

    probes: list[tuple[str, Callable[[], object], object]] = [
        (
            "the names a template reads (CodeGenerator.enter_frame, Frame.symbols.loads)",
            lambda: names([head, loop, tail]),
            {"a", "xs", "b", "z"},
        ),
        ("the names a loop body reads", lambda: names(body), {"x", "b"}),
        (
            "a part rendered alone (from_code, context_class)",
            lambda: render([loop]),
            "<1&amp;><2&amp;>",
        ),
        (
            "a loop body rendered with its item in Context.vars",
            lambda: render(body, x="<"),
            "<&lt;&amp;>",
        ),
        ("an error re-raised by Environment.handle_exception", reraised, "re-raised"),
        (
            "a part's outputs escaped as markupsafe.escape does (its escape name)",
            lambda: render([loop], xs=_ESCAPED),
            "".join(f"<{markupsafe.escape(x)}&amp;>" for x in _ESCAPED),
        ),
    ]
    problems: list[str] = []
    for what, probe, expected in probes:
        try:
            got = probe()
        except Exception as exc:
            problems.append(f"{what} raised {exc!r}")
            continue
        if got != expected:
            problems.append(f"{what} gave {got!r}, not {expected!r}")
    return problems


def _tree(env: jinja2.Environment, body: list[nodes.Node]) -> nodes.Template:
    tree = nodes.Template(body, lineno=1)
    tree.set_environment(env)
    return tree
