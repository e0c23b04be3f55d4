# Change tracking for an actor's public attributes ("assigns"): an actor
# renders only when one of them changed since its last render.
"""Which assigns changed since the last render.

Two ways to change an assign, both seen:

- **Assignment** (``self.count = 2``): ``Stateful.__setattr__`` calls
  ``assigned``, which marks the name when the new value is not the same
  object and is of another type or unequal. An equal value of the same type
  is no change.
- **Mutation in place**, at any depth (``self.items.append(x)``,
  ``self.items[0]["done"] = True``, ``self.user.name = "x"``): after each
  render ``reset`` stores a *fingerprint* of every assign that could change
  in place — an 8-byte digest of its contents, not a copy — and ``changed``,
  after each batch, fingerprints those assigns again and compares.

A fingerprint is the ``hash`` (64-bit SipHash, keyed per process) of the
value's msgpack encoding by msgspec (in C): strings, numbers, ``None``,
bytes, lists, tuples, dicts (in order), sets, enums, dates, UUIDs and
decimals natively, dataclasses, attrs classes and msgspec Structs by their
fields; through a hook, any other object by its class and its instance
attributes (``__dict__`` and ``__slots__``, private ones included, as
properties read them), ``str`` subclasses such as ``Markup`` as themselves,
deques as lists, buffers (``array``, numpy arrays) by their bytes. When
that recurses too deep (a cycle through objects) it is done again with each
object encoded once and referred to after. What the encoder cannot take (a
cycle through lists or dicts alone, nesting deeper than the recursion
limit, an int beyond 64 bits, a lone surrogate) is fingerprinted by a
slower walk in Python.

Cost (``benchmarks/bench_assigns.py``): one encoding per mutable assign per
batch (the render's ``reset`` re-uses what ``changed`` just computed); for a
list of 1,000 five-field rows, about 0.1 ms as dicts or Structs, 0.3 ms as
plain objects. Reading a plain object's (or a dataclass's) ``__dict__``
makes CPython create that dict if the object had none yet: about 64 bytes
per object, kept with the object.

Not seen inside: an object with neither ``__dict__`` nor ``__slots__`` nor
a buffer (a C extension object: a lock, a compiled regex, a socket) is
encoded by its ``hash`` (or identity); functions, classes, modules and other
actors (``Stateful``) by identity. A value with more than ``MAX_OBJECTS``
objects in it (or one whose fingerprint raises) is not fingerprinted at
all: it counts as changed after every batch, and a warning names it once.

Immutable scalars (``str``, ``int``, ``float``, ``bool``, ``None``,
``bytes``, ``Markup``, dates, ``Decimal``, ``UUID``) change only by
assignment: they are never fingerprinted, so a page of scalars pays nothing
per batch. Nor are tuples and frozensets holding only such scalars (and
such tuples and frozensets): they are checked once when assigned, and the
same object is the same contents after any batch. Big data a view only
shows (a list of who is here, read again on each change) costs nothing per
batch as a tuple of tuples, and one encoding per batch as a list of dicts.
Private attributes (``_x``) of an actor are never tracked.
"""

from __future__ import annotations

import datetime
import decimal
import fractions
import functools
import logging
import threading
import uuid
from collections import deque
from types import BuiltinFunctionType, FunctionType, MethodType, ModuleType
from typing import Any, Final, TypeVar

import msgspec
from markupsafe import Markup
from msgspec.msgpack import Ext

log = logging.getLogger("roost.actors")

MAX_OBJECTS: Final = 50_000
"""The most objects (beyond plain lists, dicts and scalars) one assign's
fingerprint visits: past it, the assign counts as changed after every batch."""

_IMMUTABLE: Final = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        complex,
        Markup,
        decimal.Decimal,
        fractions.Fraction,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        uuid.UUID,
        range,
    }
)
"""Exact types whose values cannot change in place: only assignment changes them."""

T = TypeVar("T")
_REPLACED_ONLY: set[type] = set()


def replaced_only(cls: type[T]) -> type[T]:
    """Mark ``cls`` as never changed in place (roost's own ``Streams``: each
    change is a new object assigned): its assign is compared by identity,
    never fingerprinted."""
    _REPLACED_ONLY.add(cls)
    return cls


class ChangeTracker:
    """Remembers which assigns changed since the last ``reset``.

    A plain assignment marks a name changed when the new value is another
    object of another type or unequal to the old one. In-place mutation at
    any depth is seen by comparing a fingerprint of each mutable assign with
    the one taken at the last render (see the module docstring for what a
    fingerprint covers and what it costs).
    """

    __slots__ = ("_changed", "_fresh", "_prints")

    def __init__(self) -> None:
        self._changed: set[str] | None = None  # made with the first change: most rounds have none
        # name -> digest (int), _Untrackable or _Frozen, for the assigns that are not scalars
        self._prints: dict[str, Any] = _NO_PRINTS
        # fingerprints taken by `changed` for the render that follows: name -> (value, digest)
        self._fresh: dict[str, tuple[Any, Any]] | None = None

    def assigned(self, name: str, old: Any, new: Any) -> None:
        changed = self._changed
        if changed is not None and name in changed:
            return
        if old is _MISSING or (
            old is not new and (type(old) is not type(new) or not _equal(old, new))
        ):
            self.mark(name)

    def changed(self, assigns: dict[str, Any]) -> set[str]:
        """The names that changed, including values changed in place at any depth."""
        changed = set(self._changed) if self._changed else set()
        fresh: dict[str, tuple[Any, Any]] | None = None
        for name, before in self._prints.items():
            if name in changed:
                continue
            value = assigns.get(name, _MISSING)
            if value is _MISSING:  # deleted
                changed.add(name)
                continue
            kind = type(before)
            if kind is _Frozen:
                if before.value is value:
                    continue  # cannot change in place: the same object, the same contents
                if type(value) in _REPLACED_ONLY:
                    changed.add(name)  # only ever replaced to change it
                    continue
            if kind is _Untrackable and before.value is value:
                changed.add(name)  # cannot tell: assume it changed
                continue
            now = _digest(name, value)
            if now != before:
                changed.add(name)
            if fresh is None:
                fresh = {}
            fresh[name] = (value, now)
        # Kept only for the render that follows (nothing changed: no render, no reset).
        self._fresh = fresh if changed else None
        return changed

    def mark(self, name: str) -> None:
        """Force ``name`` to count as changed."""
        if self._changed is None:
            self._changed = set()
        self._changed.add(name)

    def reset(self, assigns: dict[str, Any]) -> None:
        """Start a new round: nothing has changed relative to ``assigns``."""
        self._changed = None
        fresh = self._fresh or _NO_PRINTS
        self._fresh = None
        old = self._prints
        prints: dict[str, Any] = {}
        for name, value in assigns.items():
            if name[0] == "_" or type(value) in _IMMUTABLE:
                continue
            # Re-use what `changed` fingerprinted just before this render (a
            # render that mutates an assign shows up as a change next batch).
            known = fresh.get(name)
            if known is not None and known[0] is value:
                prints[name] = known[1]
                continue
            before = old.get(name)
            if (type(before) is _Untrackable or type(before) is _Frozen) and before.value is value:
                prints[name] = before
                continue
            kind = type(value)
            if kind in _REPLACED_ONLY or ((kind is tuple or kind is frozenset) and _frozen(value)):
                prints[name] = _Frozen(value)
                continue
            prints[name] = _digest(name, value)
        # The same fingerprints as before keep the dict they are in: a round
        # (a broadcast's, at each subscriber) leaves no new object behind.
        if prints != old:
            self._prints = prints or _NO_PRINTS


_NO_PRINTS: Final[dict[str, Any]] = {}  # shared, never written to


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING: Any = _Missing()


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except Exception:
        return False


# -- fingerprints ---------------------------------------------------------------


class _TooBig(Exception):
    pass


class _Untrackable:
    """Stands for the fingerprint of a value that could not be fingerprinted."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class _Frozen:
    """Stands for the fingerprint of a tuple or frozenset of immutable values: it
    cannot change in place, so the same object has the same contents."""

    __slots__ = ("value",)

    def __init__(self, value: tuple[Any, ...] | frozenset[Any]) -> None:
        self.value = value


def _frozen(value: tuple[Any, ...] | frozenset[Any]) -> bool:
    """Whether ``value`` holds only immutable scalars and tuples and frozensets of
    them, at any depth (at most ``MAX_OBJECTS`` of them: else it is fingerprinted)."""
    stack: list[Any] = [value]
    count = 0
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _IMMUTABLE:
            continue
        if kind is tuple or kind is frozenset:
            count += len(item)
            if count > MAX_OBJECTS:
                return False
            stack.extend(item)
            continue
        return False
    return True


_warned: set[tuple[str, type]] = set()


def _digest(name: str, value: Any) -> int | _Untrackable:
    try:
        return fingerprint(value)
    except Exception as exc:
        key = (name, type(value))
        if key not in _warned and len(_warned) < 1000:
            _warned.add(key)
            reason = (
                f"more than {MAX_OBJECTS} objects in it"
                if isinstance(exc, _TooBig)
                else f"{type(exc).__name__}: {exc}"
            )
            log.warning(
                "assign %r (a %s) cannot be fingerprinted (%s): it counts as changed "
                "after every batch. Keep it in a private attribute (self._%s) and "
                "assign what the template shows.",
                name,
                type(value).__qualname__,
                reason,
                name,
            )
        return _Untrackable(value)


def fingerprint(value: Any) -> int:
    """A 64-bit digest of ``value``'s contents, equal for equal contents
    within this process. Raises when ``value`` holds more than
    ``MAX_OBJECTS`` objects (or when even the walk in Python fails)."""
    encoding: _Encoding | None = getattr(_local, "encoding", None)
    if encoding is None or encoding.busy:
        encoding = _local.encoding = _Encoding()
    encoding.busy = True
    try:
        try:
            data = encoding.quick(value)
        except (_TooBig, RecursionError):
            # A cycle through objects, or objects shared many times over:
            # again, encoding each object once.
            encoding.alive.clear()
            data = encoding.tracked(value)
    except _TooBig:
        raise
    except Exception:
        # A cycle through lists/dicts, deep nesting, a big int, a lone surrogate...
        data = _walk(value)
    finally:
        encoding.seen.clear()
        encoding.alive.clear()
        encoding.busy = False
    return hash(data)


class _Encoding:
    """One thread's msgpack encoders for fingerprints, re-used. Their hook
    stands in for what msgspec does not encode itself: ``quick`` encodes an
    object each time it meets it; ``tracked``, for cycles through objects,
    encodes it once and then refers to it."""

    __slots__ = ("alive", "busy", "quick", "seen", "tracked")

    def __init__(self) -> None:
        seen: dict[int, int] = {}
        alive: list[Any] = []  # counts the objects met (and keeps their ids alive)
        how_of = _HOW.get

        def quick(obj: Any) -> Any:
            alive.append(obj)
            if len(alive) > MAX_OBJECTS:
                raise _TooBig
            how = how_of(type(obj))
            if how is not None and how.plain:  # the usual object: the fast way
                return (how.tag, obj.__dict__)
            return _encodable(obj)

        def tracked(obj: Any) -> Any:
            key = id(obj)
            n = seen.get(key)
            if n is not None:
                return Ext(_REF, n.to_bytes(4, "little"))
            seen[key] = len(seen)
            return quick(obj)

        self.seen = seen
        self.alive = alive
        self.busy = False
        self.quick = msgspec.msgpack.Encoder(enc_hook=quick).encode
        self.tracked = msgspec.msgpack.Encoder(enc_hook=tracked).encode


_local = threading.local()


# Ext codes in fingerprints (never decoded; they only keep encodings apart).
_REF, _OBJ, _STR, _OPAQUE, _BIG, _MARK = range(1, 7)

# How objects of a type reach the encoder: _OBJECT (attributes), _STRING,
# _ITEMS (iterated), _BUFFER (bytes), _IDENTITY / _HASHED (opaque).
_OBJECT, _STRING, _ITEMS, _BUFFER, _IDENTITY, _HASHED = range(6)
_IDENTITY_TYPES: Final = (
    type,
    FunctionType,
    BuiltinFunctionType,
    MethodType,
    ModuleType,
    functools.partial,
)


class _How:
    __slots__ = ("kind", "plain", "slots", "tag", "type_id")

    def __init__(self, kind: int, cls: type, slots: tuple[str, ...] = ()) -> None:
        self.kind = kind
        self.plain = kind == _OBJECT and not slots
        self.type_id = id(cls).to_bytes(8, "little")
        self.tag = Ext(_OBJ, self.type_id)
        self.slots = slots


_HOW: dict[type, _How] = {}


def _encodable(obj: Any) -> Any:
    """What msgspec encodes in place of ``obj`` (a type it does not support)."""
    cls = type(obj)
    how = _HOW.get(cls)
    if how is None:
        how = _learn(cls, obj)
    kind = how.kind
    if kind == _OBJECT:
        if how.slots:
            attrs = getattr(obj, "__dict__", None)
            return (how.tag, attrs, [getattr(obj, s, _UNSET) for s in how.slots])
        return (how.tag, obj.__dict__)
    if kind == _STRING:
        return (how.tag, str.__str__(obj))
    if kind == _ITEMS:
        return (how.tag, list(obj))
    if kind == _BUFFER:
        return (how.tag, memoryview(obj).tobytes())
    if kind == _HASHED:
        try:
            key = hash(obj)
        except Exception:
            key = id(obj)
    else:
        key = id(obj)
    return Ext(_OPAQUE, how.type_id + (key & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little"))


_UNSET: Final = Ext(_MARK, b"unset")


def _learn(cls: type, obj: Any) -> _How:
    slots = _slot_names(cls)
    if issubclass(cls, str):
        how = _How(_STRING, cls)
    elif issubclass(cls, _IDENTITY_TYPES) or hasattr(cls, "__roost_handlers__"):
        # (A view or component: its own actor tracks it; here it is its identity.)
        how = _How(_IDENTITY, cls)
    elif getattr(cls, "__dictoffset__", 0) or slots:
        how = _How(_OBJECT, cls, slots)
    elif issubclass(cls, deque):
        how = _How(_ITEMS, cls)
    else:
        try:
            memoryview(obj)
            how = _How(_BUFFER, cls)
        except TypeError:
            how = _How(_HASHED, cls)
    if len(_HOW) >= 1000:
        _HOW.clear()  # cleared, never replaced: each thread's hook holds it
    _HOW[cls] = how
    return how


def _slot_names(cls: type) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            if slot.startswith("__") and not slot.endswith("__"):
                slot = f"_{klass.__name__.lstrip('_')}{slot}"  # name-mangled
            names[slot] = None
    return tuple(names)


# -- the slow path: a walk in Python ------------------------------------------

_PLAIN: Final = msgspec.msgpack.Encoder()
_LIST, _TUPLE, _DICT, _SET = (Ext(_MARK, kind) for kind in (b"list", b"tuple", b"dict", b"set"))
_LEAVES: Final = frozenset(
    {
        bytearray,
        decimal.Decimal,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        uuid.UUID,
    }
)


def _walk(value: Any) -> bytes:
    """The fingerprint's encoding, by a walk that needs no recursion and
    handles any cycle: what the encoder could not take in one go."""
    out: list[Any] = []
    seen: dict[int, int] = {}
    alive: list[Any] = []  # objects made during the walk, while their ids are in `seen`
    stack: list[Any] = [value]
    while stack:
        v = stack.pop()
        cls = type(v)
        if cls is str:
            out.append(Ext(_STR, v.encode("utf-8", "surrogatepass")))
        elif v is None or cls is bool or cls is float or cls is bytes:
            out.append(v)
        elif cls is int:
            out.append(v if -(2**63) <= v < 2**64 else Ext(_BIG, str(v).encode()))
        elif cls in _LEAVES:
            try:
                out.append(Ext(_MARK, _PLAIN.encode(v)))
            except Exception:
                out.append(_encodable(v))
        else:
            n = seen.get(id(v))
            if n is not None:
                out.append(Ext(_REF, n.to_bytes(4, "little")))
                continue
            n = len(seen)
            if n >= MAX_OBJECTS:
                raise _TooBig
            seen[id(v)] = n
            alive.append(v)
            if isinstance(v, dict):
                out += (_DICT, len(v))
                for key, item in reversed(v.items()):
                    stack += (item, key)
            elif isinstance(v, list | tuple):
                out += (_LIST if isinstance(v, list) else _TUPLE, len(v))
                stack.extend(reversed(v))
            elif isinstance(v, set | frozenset):
                out += (_SET, len(v))
                stack.extend(v)
            else:
                stand_in = _encodable(v)
                if type(stand_in) is Ext:
                    out.append(stand_in)
                else:
                    stack.append(stand_in)  # a tuple: (tag, attributes...)
    return _PLAIN.encode(out)
