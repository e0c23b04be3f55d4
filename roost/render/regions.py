# The region renderer: a template's top-level parts, each compiled alone,
# re-rendered only when a name they read has changed.
"""Render a Jinja2 template again and again, re-rendering only the parts that changed.

:class:`RegionRenderer` is the entry point; :class:`Region` and
:class:`RenderStats` describe what it split and what a render did. The
Jinja2 internals it needs are reached through :mod:`.jinja_internals`,
which checks them first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from itertools import compress
from operator import and_, is_, not_
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import Context
from markupsafe import Markup

from .jinja_internals import (
    RegionFunc,
    compile_region,
    names_read,
    new_context,
    require_supported_jinja,
    reraise,
)

__all__ = ["Region", "RegionRenderer", "RenderStats"]

# -- what a region may contain ------------------------------------------------

PURE_GLOBALS = frozenset({"range", "dict"})
"""Jinja's own global functions whose result depends only on their arguments."""

PURE_METHODS = frozenset(
    """items keys values get upper lower title capitalize casefold swapcase strip lstrip
    rstrip split rsplit splitlines partition rpartition join replace startswith endswith
    format count index find rfind zfill center ljust rjust isdigit isalpha isalnum isspace
    isupper islower isoformat strftime""".split()
)
"""Method names treated as pure: those of ``str``, ``dict`` and dates, the
ones templates call (``{% for k, v in d.items() %}``, ``{{ s.upper() }}``)."""

_IMPURE_FILTERS = frozenset({"random"})
_BY_NAME_FILTERS = frozenset({"map", "select", "reject", "selectattr", "rejectattr"})
_LOOP_METHODS = frozenset({"cycle", "changed"})

_ALLOWED = (
    nodes.Output,
    nodes.TemplateData,
    nodes.For,
    nodes.If,
    nodes.With,
    nodes.FilterBlock,
    nodes.ScopedEvalContextModifier,
    nodes.Continue,
    nodes.Break,
    nodes.Assign,
    nodes.AssignBlock,
    nodes.Const,
    nodes.Name,
    nodes.Tuple,
    nodes.List,
    nodes.Dict,
    nodes.Pair,
    nodes.Keyword,
    nodes.CondExpr,
    nodes.BinExpr,
    nodes.UnaryExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.Concat,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Slice,
    nodes.Filter,
    nodes.Test,
    nodes.Call,
    nodes.MarkSafe,
    nodes.MarkSafeIfAutoescape,
)
_TAGS = {
    nodes.Extends: "{% extends %}",
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from ... import %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.Block: "{% block %}",
    nodes.NSRef: "{% set namespace.attr %}",
}


_BUILTIN = jinja2.Environment()
"""An environment as Jinja2 makes it: its globals, filters and tests are the built-in ones."""


class _Unsafe(Exception):
    """The template cannot be split soundly; the message says why."""


class _Purity:
    """Walks one region's nodes: raises ``_Unsafe`` for what needs a full
    render, and notes ``volatile`` for calls whose result may change."""

    def __init__(self, env: jinja2.Environment, pure_calls: frozenset[str]) -> None:
        self.env = env
        self.pure_calls = pure_calls | {
            name for name in PURE_GLOBALS if env.globals.get(name) is _BUILTIN.globals[name]
        }
        self.volatile = False

    def walk(self, node: nodes.Node, *, scoped: bool = False, in_loop: bool = False) -> None:
        if not isinstance(node, _ALLOWED):
            tag = _TAGS.get(type(node), f"node {type(node).__name__}")
            raise _Unsafe(f"{tag} in the template")
        if isinstance(node, nodes.Name) and node.name == "self":
            raise _Unsafe("a reference to self")
        if isinstance(node, (nodes.Assign, nodes.AssignBlock)) and not scoped:
            raise _Unsafe("{% set %} outside a for loop or a with block")
        if isinstance(node, nodes.Call) and not self._pure_call(node, in_loop):
            self.volatile = True
        elif isinstance(node, nodes.Filter):
            self._check_filter(node)
        elif isinstance(node, nodes.Test) and not self._builtin(node.name, test=True):
            self.volatile = True
        if isinstance(node, nodes.For):
            for child in (node.target, node.iter, node.test, *node.else_):
                if child is not None:
                    self.walk(child, scoped=scoped, in_loop=in_loop)
            for child in node.body:
                self.walk(child, scoped=True, in_loop=True)
            return
        if isinstance(node, nodes.With):
            for child in (*node.targets, *node.values):
                self.walk(child, scoped=scoped, in_loop=in_loop)
            for child in node.body:
                self.walk(child, scoped=True, in_loop=in_loop)
            return
        for child in node.iter_child_nodes():
            self.walk(child, scoped=scoped, in_loop=in_loop)

    def _pure_call(self, node: nodes.Call, in_loop: bool) -> bool:
        callee = node.node
        if isinstance(callee, nodes.Name):
            return callee.name in self.pure_calls or (in_loop and callee.name == "loop")
        if isinstance(callee, nodes.Getattr):
            if in_loop and isinstance(callee.node, nodes.Name) and callee.node.name == "loop":
                return callee.attr in _LOOP_METHODS
            return callee.attr in PURE_METHODS
        return False

    def _builtin(self, name: str, test: bool = False) -> bool:
        registry, builtins = (
            (self.env.tests, _BUILTIN.tests) if test else (self.env.filters, _BUILTIN.filters)
        )
        func = registry.get(name)
        return func is not None and func is builtins.get(name) and name not in _IMPURE_FILTERS

    def _check_filter(self, node: nodes.Filter) -> None:
        if not self._builtin(node.name):
            self.volatile = True
        elif node.name in _BY_NAME_FILTERS:
            # `map("upper")`, `select("odd")`: their string arguments name filters and tests.
            if node.dyn_args is not None:
                self.volatile = True
            for arg in node.args:
                if not isinstance(arg, nodes.Const):
                    self.volatile = True
                elif isinstance(arg.value, str):
                    for test in (False, True):
                        registry = self.env.tests if test else self.env.filters
                        if arg.value in registry and not self._builtin(arg.value, test):
                            self.volatile = True


# -- the plan: a template split into regions, compiled once ---------------------


@dataclass(frozen=True)
class Region:
    """One top-level part of a template.

    ``names`` are the context names its output depends on; a ``volatile``
    region calls something whose result may change (``now()``, a custom
    filter) and is rendered every time. ``line`` is where it starts.
    """

    names: frozenset[str]
    volatile: bool
    line: int


@dataclass(frozen=True)
class RenderStats:
    """What one ``RegionRenderer.render`` did."""

    rendered: tuple[int, ...] = ()
    """Indexes of the regions rendered."""
    replayed: tuple[int, ...] = ()
    """Indexes of the regions whose last output was re-used."""
    items_rendered: int = 0
    """Items rendered by the loops rendered item by item."""
    items_replayed: int = 0
    """Items whose last output those loops re-used."""


@dataclass(frozen=True)
class _Loop:
    """A top-level ``{% for name in items %}`` whose body may be cached per item."""

    target: str
    items: str
    outer: frozenset[str]
    body: RegionFunc
    position: frozenset[str] = frozenset()
    """The ``loop`` attributes the body reads (``loop.index`` ...): an item's output
    then depends on its position too (and on the length, for ``loop.last`` ...)."""


@dataclass(frozen=True)
class _Compiled:
    region: Region
    slot: int
    render: RegionFunc
    loop: _Loop | None = None


@dataclass(frozen=True)
class _Plan:
    template: jinja2.Template
    fallback: str | None
    regions: tuple[_Compiled, ...] = ()
    static: tuple[str, ...] = ()
    names: tuple[str, ...] = ()


def _build(
    env: jinja2.Environment,
    template: jinja2.Template,
    source: str,
    name: str | None,
    filename: str | None,
    pure_calls: frozenset[str],
) -> _Plan:
    try:
        if env.is_async:
            raise _Unsafe("an async environment")
        if env.finalize is not None:
            raise _Unsafe("an environment with finalize")
        if getattr(env.concat, "__self__", None) != "" or env.concat.__name__ != "join":
            raise _Unsafe("an environment whose concat is not str.join")
        body = env.parse(source, name, filename).body
        pieces: list[nodes.Node | str] = []
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        pieces.append(child.data)
                    else:
                        pieces.append(nodes.Output([child], lineno=child.lineno))
            else:
                pieces.append(node)
        static: list[str] = []
        compiled: list[_Compiled] = []
        for piece in pieces:
            if isinstance(piece, str):
                if static and not isinstance(static[-1], _Slot):
                    static[-1] += piece
                else:
                    static.append(piece)
                continue
            purity = _Purity(env, pure_calls)
            purity.walk(piece)
            tree = nodes.Template([piece], lineno=1)
            tree.set_environment(env)
            region = Region(frozenset(names_read(env, tree)), purity.volatile, piece.lineno)
            loop = None
            if not purity.volatile and isinstance(piece, nodes.For):
                loop = _per_item(env, template, piece, name, filename, pure_calls)
            render = compile_region(env, template, tree, name, filename)
            compiled.append(_Compiled(region, len(static), render, loop))
            static.append(_Slot())
    except _Unsafe as exc:
        return _Plan(template, str(exc))
    except jinja2.TemplateSyntaxError as exc:  # compiles whole but not in parts: unexpected
        return _Plan(template, f"a region did not compile alone ({exc})")
    names = sorted({n for c in compiled for n in c.region.names})
    return _Plan(template, None, tuple(compiled), tuple(static), tuple(names))


def _per_item(
    env: jinja2.Environment,
    template: jinja2.Template,
    node: nodes.For,
    name: str | None,
    filename: str | None,
    pure_calls: frozenset[str],
) -> _Loop | None:
    """The per-item form of a loop, if its body's output is a function of the
    item, of its position (``loop.index`` and the like, see ``_POSITION``) and
    of names outside the loop: no other use of ``loop``, no ``{% set %}``, no
    filter (``if``) or recursion, and no call of a caller-named function
    (``live_component`` has an effect that replaying an item would skip).

    It is used only while the item and every name read outside it are plain
    data (``_item_key``), so rendering an item can have no effect either."""
    if not (
        isinstance(node.target, nodes.Name)
        and isinstance(node.iter, nodes.Name)
        and node.test is None
        and not node.recursive
    ):
        return None
    nested = any(
        isinstance(child, nodes.For) or any(True for _ in child.find_all(nodes.For))
        for child in node.body
    )
    position: set[str] = set()
    allowed: set[int] = set()  # the `loop` Names read as `loop.<position>`
    for child in node.body:
        for attribute in child.find_all(nodes.Getattr):
            loop_name = attribute.node
            if (
                not nested  # an inner loop's `loop` is another object
                and isinstance(loop_name, nodes.Name)
                and loop_name.name == "loop"
                and attribute.attr in _POSITION
            ):
                position.add(attribute.attr)
                allowed.add(id(loop_name))
    for child in node.body:
        for found in (child, *child.find_all(nodes.Node)):
            if isinstance(found, (nodes.Assign, nodes.AssignBlock)):
                return None
            if isinstance(found, nodes.Name) and found.name == "loop" and id(found) not in allowed:
                return None
            if (
                isinstance(found, nodes.Call)
                and isinstance(found.node, nodes.Name)
                and found.node.name in pure_calls
            ):
                return None
    tree = nodes.Template(list(node.body), lineno=1)
    tree.set_environment(env)
    body = compile_region(env, template, tree, name, filename)
    target = node.target.name
    outer = frozenset(names_read(env, tree) - {target, "loop"})
    return _Loop(target, node.iter.name, outer, body, frozenset(position))


_POSITION = frozenset({"index", "index0", "first", "last", "length", "revindex", "revindex0"})
"""The ``loop`` attributes that depend only on an item's position and the length."""
_BY_LENGTH = frozenset({"last", "length", "revindex", "revindex0"})


class _Position:
    """What ``loop`` offers an item rendered alone: the attributes of ``_POSITION``."""

    __slots__ = ("index0", "length")

    def __init__(self, index0: int, length: int) -> None:
        self.index0 = index0
        self.length = length

    @property
    def index(self) -> int:
        return self.index0 + 1

    @property
    def first(self) -> bool:
        return self.index0 == 0

    @property
    def last(self) -> bool:
        return self.index0 == self.length - 1

    @property
    def revindex(self) -> int:
        return self.length - self.index0

    @property
    def revindex0(self) -> int:
        return self.length - self.index0 - 1


_SCALARS = frozenset({str, int, float, bool, type(None), Markup})


def _item_key(item: Any) -> str | None:
    """A key equal for two items only if they render the same: the ``repr``
    of a scalar, or of a dict, list or tuple of scalars (each of which
    ``repr`` spells distinctly, type included); None for anything else."""
    kind = type(item)
    if kind in _SCALARS:
        return repr(item)
    if kind is dict:
        if _SCALARS.issuperset(map(type, item.values())) and _SCALARS.issuperset(map(type, item)):
            return repr(item)
    elif (kind is list or kind is tuple) and _SCALARS.issuperset(map(type, item)):
        return repr(item)
    return None


class _Slot(str):
    """Where a region's output goes among the static text."""

    __slots__ = ()


_MISSING: Any = object()
_EXPIRED: Any = object()  # a value no context holds: the name counts as changed


@functools.lru_cache(maxsize=256)
def _from_string(env: jinja2.Environment, source: str) -> jinja2.Template:
    return env.from_string(source)


@functools.lru_cache(maxsize=512)
def _plan_for(
    env: jinja2.Environment,
    template: jinja2.Template,
    name: str | None,
    source: str | None,
    pure_calls: frozenset[str],
) -> _Plan:
    """The plan for ``template`` (loaded as ``name``, or from ``source``)."""
    filename = template.filename
    if source is None:
        assert env.loader is not None and name is not None
        source, filename, _ = env.loader.get_source(env, name)
    return _build(env, template, source, template.name, filename, pure_calls)


class RegionRenderer:
    """Renders one template again and again, re-rendering only its regions
    that read a name which changed since the last render.

    The template's top-level body is split into **regions**: each ``{{ ... }}``
    between static text, each top-level ``{% for %}``, ``{% if %}``,
    ``{% with %}`` and ``{% filter %}``. Each is
    compiled on its own and knows the context names it reads. A render
    re-renders the regions that read a changed name (and the volatile ones),
    replays the cached output of the others, and returns exactly what
    ``template.render(context)`` would.

    Templates that cannot be split soundly render in full every time (see
    ``fallback``): ``{% extends %}``, ``{% include %}``, ``{% import %}``,
    macros, ``{% call %}``, ``{% block %}``, ``{% autoescape %}``, ``self``,
    ``{% set %}`` outside a for loop or a with block, extension tags, async
    environments and environments with a ``finalize``.

    One instance holds one caller's last render (an actor's, say); the split
    and the compiled regions are shared by every instance for the same
    template.
    """

    def __init__(
        self, env: jinja2.Environment, name: str, *, pure_calls: Collection[str] = ()
    ) -> None:
        """Render template ``name`` of ``env``.

        ``pure_calls`` names more global functions (besides ``range`` and
        ``dict``) whose result depends only on their arguments; a region
        calling any other function is re-rendered every time.

        Raises :class:`~roost.render.UnsupportedJinja` if the installed
        Jinja2 lacks an internal the renderer relies on (checked once per
        process, before the first template is loaded).
        """
        require_supported_jinja()
        self._env = env
        self._name: str | None = name
        self._pure = frozenset(pure_calls)
        self._plan = _plan_for(env, env.get_template(name), name, None, self._pure)
        self._reset()

    @classmethod
    def from_string(
        cls, env: jinja2.Environment, source: str, *, pure_calls: Collection[str] = ()
    ) -> RegionRenderer:
        """A renderer for template source ``source`` (cached per environment and source).

        Raises :class:`~roost.render.UnsupportedJinja` as the constructor does.
        """
        require_supported_jinja()
        self = cls.__new__(cls)
        self._env = env
        self._name = None
        self._pure = frozenset(pure_calls)
        self._plan = _plan_for(env, _from_string(env, source), None, source, self._pure)
        self._reset()
        return self

    def _reset(self) -> None:
        self._parts: list[str] | None = None
        self._values: dict[str, Any] | None = None
        self._items: dict[int, _ItemCache] = {}
        # What the last render did, as bit sets of region indexes and counts:
        # ints, so that an actor's renders leave no object for the collector.
        self._rendered = self._replayed = self._items_rendered = self._items_replayed = 0

    @property
    def last(self) -> RenderStats:
        """What the last ``render`` did."""
        return RenderStats(
            _indexes(self._rendered),
            _indexes(self._replayed),
            self._items_rendered,
            self._items_replayed,
        )

    def expire(self, name: str) -> None:
        """Count context entry ``name`` as changed at the next render, whatever
        its value then, and let go of the value the last render read."""
        if self._values is not None and name in self._values:
            self._values[name] = _EXPIRED

    @property
    def name(self) -> str | None:
        """The template's name (None for one made ``from_string``)."""
        return self._name

    @property
    def template(self) -> jinja2.Template:
        """The compiled template this renderer stands for."""
        return self._plan.template

    @property
    def fallback(self) -> str | None:
        """Why every render is a full one, or None when regions are used."""
        return self._plan.fallback

    @property
    def regions(self) -> tuple[Region, ...]:
        """The regions, in template order (one, the whole template, on a fallback)."""
        plan = self._plan
        if plan.fallback is not None:
            return (Region(frozenset(), True, 1),)
        return tuple(c.region for c in plan.regions)

    def render(
        self,
        context: Mapping[str, Any],
        changed: Collection[str] | None = None,
        on_region: Callable[[int, bool], None] | None = None,
    ) -> str:
        """Render with ``context``; return what ``template.render(context)`` returns.

        ``changed`` names the context entries that may differ from the last
        render's, including values changed in place; ``None`` (and the first
        render) renders every region. A name whose value is not the *same
        object* as at the last render counts as changed too, as does one
        added or removed.

        ``on_region(index, replayed)`` is called before each region: with
        ``replayed=False`` when the region is about to be rendered, with
        ``True`` when its cached output is re-used (so a caller can repeat
        the side effects of its last render, such as placing components).
        A fallback template is one region, index 0, always rendered.

        A render that raises leaves nothing cached: the next one is full.
        """
        plan = self._plan
        if self._name is not None and self._env.auto_reload:
            template = self._env.get_template(self._name)
            if template is not plan.template:
                plan = self._plan = _plan_for(self._env, template, self._name, None, self._pure)
                self._reset()
        if plan.fallback is not None:
            if on_region is not None:
                on_region(0, False)
            self._rendered, self._replayed = 1, 0
            self._items_rendered = self._items_replayed = 0
            return plan.template.render(context)

        values = {n: context.get(n, _MISSING) for n in plan.names}
        if _MISSING in values.values():
            env_globals = plan.template.globals
            for n, value in values.items():
                if value is _MISSING:
                    values[n] = env_globals.get(n, _MISSING)
        old = self._values
        parts = self._parts
        dirty: set[str] | None = None
        if old is not None and parts is not None and changed is not None:
            dirty = set(changed)
            for n, value in values.items():
                if old[n] is not value:
                    dirty.add(n)
        if parts is None:
            parts = list(plan.static)
        items_cache = self._items
        self._parts = self._values = None
        rendered = replayed = 0  # bit sets of region indexes
        items_rendered = items_replayed = 0
        ctx: Context | None = None
        try:
            for index, compiled in enumerate(plan.regions):
                region = compiled.region
                if dirty is None or region.volatile or not dirty.isdisjoint(region.names):
                    if on_region is not None:
                        on_region(index, False)
                    loop = compiled.loop
                    items = values[loop.items] if loop is not None else None
                    cache = items_cache.get(index)
                    if (
                        loop is not None
                        and cache is not None
                        and dirty is not None
                        and type(items) in (list, tuple)
                        and items
                        and dirty.isdisjoint(loop.outer)
                        and all(_item_key(values[name]) is not None for name in loop.outer)
                    ):
                        html, items_cache[index], count = _render_items(
                            new_context(plan.template, context), loop, items, cache
                        )
                        parts[compiled.slot] = html
                        items_rendered += count
                        items_replayed += len(items) - count
                    else:
                        if loop is not None:
                            # Whole, as fast as Jinja goes; item by item from the next change on.
                            items_cache[index] = _ItemCache()
                        if ctx is None:
                            ctx = new_context(plan.template, context)
                        parts[compiled.slot] = "".join(compiled.render(ctx))
                    rendered |= 1 << index
                else:
                    if on_region is not None:
                        on_region(index, True)
                    replayed |= 1 << index
        except Exception:
            items_cache.clear()
            reraise(self._env)
        self._parts = parts
        if old is not None:
            # The same dict kept from render to render: one that lived since
            # the last would be one more object for the collector each time.
            old.update(values)
            values = old
        self._values = values
        self._rendered, self._replayed = rendered, replayed
        self._items_rendered, self._items_replayed = items_rendered, items_replayed
        return "".join(parts)


def _indexes(bits: int) -> tuple[int, ...]:
    # The indexes of a bit set's bits, in order.
    return tuple(i for i in range(bits.bit_length()) if bits >> i & 1)


class _ItemCache:
    """A loop's items, each one's output and key, as last rendered."""

    __slots__ = ("htmls", "items", "keys")

    def __init__(
        self,
        items: list[Any] | None = None,
        htmls: list[str] | None = None,
        keys: list[Any] | None = None,
    ) -> None:
        self.items: list[Any] = items or []
        self.htmls: list[str] = htmls or []
        self.keys: list[Any] = keys or []
        """Each item's key when it was rendered (``_SAME`` for an immutable item: its
        key now), since a dict or list may have changed in place since."""


_IMMUTABLE = frozenset({str, int, float, bool, type(None), Markup})
_SAME: Any = object()


def _render_items(
    ctx: Context, loop: _Loop, items: list[Any] | tuple[Any, ...], cache: _ItemCache
) -> tuple[str, _ItemCache, int]:
    """A loop's output item by item, re-using ``cache`` for items that render
    as one did last time; returns the output, the new cache and how many items
    were rendered.

    An item that is the very object at its position last time (and immutable)
    re-uses that output at once; any other is looked up by ``_item_key``
    (with its position when the body reads ``loop.index`` and the like), so a
    reordered or repeated item is rendered once."""
    body = loop.body
    target = loop.target
    position = loop.position
    by_length = not position.isdisjoint(_BY_LENGTH)
    length = len(items)
    old_items, old_htmls, old_keys = cache.items, cache.htmls, cache.keys
    same_place = min(length, len(old_items))
    if by_length and len(old_items) != length:
        same_place = 0
    # An item that is the very object at its place last time, and immutable,
    # re-uses its output; the others are misses. Found at C speed (map, compress):
    # a 1,000-row list with one row changed is a thousand checks.
    n = same_place
    here, before = items[:n], old_items[:n]
    reused = map(and_, map(is_, here, before), map(_IMMUTABLE.__contains__, map(type, here)))
    misses = list(compress(range(n), map(not_, reused)))
    misses.extend(range(n, length))
    htmls = old_htmls[:n]  # (each miss's is replaced below)
    htmls.extend([""] * (length - n))
    keys: list[Any] = [_SAME] * length
    count = 0
    if misses:
        # Only the old items not re-used in place can be found elsewhere now.
        unmatched = [j for j in misses if j < same_place]
        unmatched.extend(range(same_place, len(old_items)))
        old_length = len(old_items)
        by_key: dict[Any, str] = {}
        for j in unmatched:
            key = old_keys[j]
            if key is _SAME:
                key = _key(j, old_length, old_items[j], position, by_length)
            if key is not None:
                by_key[key] = old_htmls[j]
        for i in misses:
            item = items[i]
            key = _key(i, length, item, position, by_length)
            if type(item) not in _IMMUTABLE:
                keys[i] = key  # a dict may change in place: keep the key it had
            html = by_key.get(key) if key is not None else None
            if html is None:
                if position:
                    ctx.vars["loop"] = _Position(i, length)
                ctx.vars[target] = item
                html = "".join(body(ctx))
                count += 1
                if key is not None:
                    by_key[key] = html
            htmls[i] = html
    return "".join(htmls), _ItemCache(list(items), htmls, keys), count


def _key(index: int, length: int, item: Any, position: frozenset[str], by_length: bool) -> Any:
    # The key of an item's output: `_item_key`, with its place when the body reads it.
    key = _item_key(item)
    if key is None or not position:
        return key
    return (index, length, key) if by_length else (index, key)
