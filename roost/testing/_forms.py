# A form's fields as the browser client sends them (roost/client/bindings.js
# formParams), read from the page the test client holds.
from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborNode

from ._errors import SelectorError
from ._page import attribute

_FIELDS = "input, select, textarea"
_UNSENT = {"submit", "button", "reset", "image", "file"}
_SINGLE_OR_UNSENT = _UNSENT | {"radio"}


def _type(field: LexborNode) -> str:
    if field.tag == "select":
        return "select-multiple" if attribute(field, "multiple") is not None else "select-one"
    if field.tag == "textarea":
        return "textarea"
    return (attribute(field, "type") or "text").lower()


def _fields(form: LexborNode) -> list[LexborNode]:
    return [
        f for f in form.css(_FIELDS) if attribute(f, "name") and attribute(f, "disabled") is None
    ]


def _options(select: LexborNode) -> list[tuple[str, bool]]:
    options = select.css("option")
    out = [
        (attribute(o, "value") if attribute(o, "value") is not None else o.text(deep=True), False)
        for o in options
    ]
    chosen = [i for i, o in enumerate(options) if attribute(o, "selected") is not None]
    if not chosen and out and attribute(select, "multiple") is None:
        chosen = [0]  # a single select shows (and sends) its first option
    for i in chosen:
        out[i] = (out[i][0] or "", True)
    return [(v or "", on) for v, on in out]


def entries(form: LexborNode) -> list[tuple[str, str]]:
    """What ``new FormData(form)`` holds: (name, value) in document order, files left out."""
    out: list[tuple[str, str]] = []
    for field in _fields(form):
        name, kind = attribute(field, "name") or "", _type(field)
        if kind in _UNSENT:
            continue
        if kind in ("checkbox", "radio"):
            if attribute(field, "checked") is not None:
                out.append((name, attribute(field, "value") or "on"))
        elif kind.startswith("select"):
            out.extend((name, value) for value, on in _options(field) if on)
        elif kind == "textarea":
            out.append((name, field.text(deep=True)))
        else:
            out.append((name, attribute(field, "value") or ""))
    return out


def kinds(form: LexborNode) -> tuple[set[str], set[str], set[str]]:
    """The form's names that carry lists, those sent as booleans (a lone checkbox
    without a value attribute), and every name a field of it has."""
    counts: dict[str, list[Any]] = {}
    multiple: set[str] = set()
    names: set[str] = set()
    for field in _fields(form):
        name, kind = attribute(field, "name") or "", _type(field)
        names.add(name)
        if kind in _SINGLE_OR_UNSENT:
            continue
        if kind == "select-multiple":
            multiple.add(name)
        c = counts.setdefault(name, [0, 0, False])
        if kind == "hidden":
            c[1] += 1
        else:
            c[0] += 1
        c[2] = kind == "checkbox" and attribute(field, "value") is None
    booleans = set()
    for name, (shown, hidden, lone_checkbox) in counts.items():
        if shown > 1 or (shown == 0 and hidden > 1):
            multiple.add(name)
        elif shown == 1 and hidden == 0 and lone_checkbox:
            booleans.add(name)
    return multiple, booleans, names


def form_params(form: LexborNode, typed: dict[str, Any]) -> dict[str, Any]:
    """The params of ``form`` as the page holds it, with ``typed`` (what the
    user typed or chose, by field name) in place of those fields' values.

    As the browser sends them: a list for a multi-select or a name several
    fields share, a boolean for a lone checkbox without a value attribute,
    else a string. A name in ``typed`` that no field of the form has is a
    :class:`SelectorError`: the browser could not send it.
    """
    multiple, booleans, names = kinds(form)
    unknown = sorted(set(typed) - names)
    if unknown:
        raise SelectorError(f"the form has no field named {', '.join(map(repr, unknown))}")
    out: dict[str, Any] = {name: [] for name in multiple}
    for name in booleans:
        out[name] = False
    for name, value in entries(form):
        if name in booleans:
            out[name] = True
        elif name in multiple:
            out[name].append(value)
        else:
            out[name] = value
    for name, value in typed.items():
        if isinstance(value, tuple) or (name in multiple and not isinstance(value, list)):
            out[name] = list(value) if isinstance(value, tuple) else [value]
        else:
            out[name] = value
    return out
