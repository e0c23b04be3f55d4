"""Every protocol constant the browser client uses exists in the generated protocol.js,
and no client module spells a shared wire name itself.

An undefined one (``SERVER.PUSHEVENT``) is no error in JavaScript: the comparison
is silently false and the message is dropped, so the check has to be here. A
retyped one (``"data-roost-id"``) goes stale without a sound when protocol.py
changes the name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from roost import protocol

CLIENT_DIR = Path(protocol.__file__).parent / "client"
SOURCES = sorted(p for p in CLIENT_DIR.glob("*.js") if p.name != "protocol.js")
GROUPS = ("CLIENT", "SERVER", "FIELDS", "OP", "ATTR", "VALUE", "ERROR")
SCALARS = ("VERSION", "VIEW_TARGET", "CRASH_CLASS")
_EXPORT = re.compile(r"^export const (\w+) = (.+);$", re.MULTILINE)
# Not after a dot: FIELDS.ERROR.CODE is a field position, not ERROR.CODE.
_USE = re.compile(rf"(?<![\w.])({'|'.join(GROUPS)})\.(\w+)")
# A message's field position: FIELDS.PATCH.ACKS.
_FIELD_USE = re.compile(r"(?<![\w.])FIELDS\.(\w+)\.(\w+)")
_SCALAR_USE = re.compile(rf"\b({'|'.join(SCALARS)})\b")
_IMPORT = re.compile(r"import \{([^}]*)\} from \"\./protocol\.js\"")
# A string literal (group 1) or a comment. Good enough for these modules: a
# quote inside a regex literal (/"/g) only makes a string that never closes on
# its line, which matches nothing.
_LITERAL_OR_COMMENT = re.compile(
    r"""("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|//[^\n]*|/\*.*?\*/""",
    re.DOTALL,
)


def exports(text: str) -> dict[str, Any]:
    return {name: json.loads(value) for name, value in _EXPORT.findall(text)}


GENERATED = {
    "on disk": exports((CLIENT_DIR / "protocol.js").read_text()),
    "regenerated": exports(protocol.js_module()),
}


def literals(text: str) -> list[str]:
    """The string literals of a module, quotes stripped (template literals raw)."""
    return [m.group(1)[1:-1] for m in _LITERAL_OR_COMMENT.finditer(text) if m.group(1)]


def without_comments(text: str) -> str:
    return _LITERAL_OR_COMMENT.sub(lambda m: m.group(1) or " ", text)


def wire_literals(text: str) -> list[str]:
    """The shared wire names a module writes out instead of importing them."""
    defined = GENERATED["regenerated"]
    found = []
    for literal in literals(text):
        # Attribute names are distinctive: caught anywhere in a literal, also in
        # a selector (`[data-roost-id="…"]`) or a derived name.
        found += [
            v for v in defined["ATTR"].values() if re.search(rf"(?<![\w-]){re.escape(v)}", literal)
        ]
        # Error codes and attribute values are plain words ("crashed", "stream"):
        # caught as a whole literal, and values also in a selector (`[a="stream"]`).
        found += [v for v in defined["ERROR"].values() if literal == v]
        found += [
            v
            for v in defined["VALUE"].values()
            if literal == v or re.search(rf"=\s*[\"']?{re.escape(v)}[\"']?\s*\]", literal)
        ]
        crash = defined["CRASH_CLASS"]
        found += [crash] * len(re.findall(rf"(?<![\w-]){re.escape(crash)}(?![\w-])", literal))
    code = without_comments(text)
    for value in defined["ATTR"].values():
        if value.startswith("data-"):
            camel = re.sub(r"-(\w)", lambda m: m.group(1).upper(), value.removeprefix("data-"))
            found += [f"dataset.{camel}"] * len(re.findall(rf"\bdataset\.{camel}\b", code))
    target = re.escape(defined["VIEW_TARGET"])
    compared = rf"[!=]==?\s*([\"'`]){target}\1|([\"'`]){target}\2\s*[!=]==?"
    found += [f'"{defined["VIEW_TARGET"]}" in a comparison'] * len(re.findall(compared, code))
    return found


def test_the_client_sources_are_found_and_use_the_constants():
    names = {p.name for p in SOURCES}
    assert {"roost.js", "socket.js", "view.js", "bindings.js", "patch.js"} <= names
    texts = [p.read_text() for p in SOURCES]
    uses = {use for text in texts for use in _USE.findall(text)}
    assert ("SERVER", "PUSH_EVENT") in uses
    assert ("SERVER", "JOINED") in uses
    assert ("OP", "SPLICE") in uses
    assert ("ATTR", "ID") in uses
    assert ("ERROR", "BAD_TOKEN") in uses
    assert ("FIELDS", "PATCH") in uses
    assert {("VALUE", "IGNORE"), ("VALUE", "STREAM")} <= uses
    assert {"VERSION", "VIEW_TARGET", "CRASH_CLASS"} <= {
        use for text in texts for use in _SCALAR_USE.findall(text)
    }


@pytest.mark.parametrize("which", GENERATED)
def test_the_groups_checked_are_the_ones_generated(which):
    defined = GENERATED[which]
    assert {name for name, value in defined.items() if isinstance(value, dict)} == set(GROUPS)
    assert set(SCALARS) <= defined.keys()


@pytest.mark.parametrize("which", GENERATED)
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_constant_used_is_defined(source, which):
    defined = GENERATED[which]
    missing = [
        f"{group}.{name}"
        for group, name in _USE.findall(source.read_text())
        if name not in defined[group]
    ]
    assert not missing, f"{source.name} uses undefined {missing} ({which} protocol.js)"
    fields = defined["FIELDS"]
    missing = [
        f"FIELDS.{message}.{field}"
        for message, field in _FIELD_USE.findall(source.read_text())
        if field not in fields.get(message, {})
    ]
    assert not missing, f"{source.name} uses undefined {missing} ({which} protocol.js)"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_name_imported_from_protocol_js_is_exported(source):
    for imported in _IMPORT.findall(source.read_text()):
        names = {n.strip() for n in imported.split(",") if n.strip()}
        assert names <= GENERATED["on disk"].keys(), source.name


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_no_wire_name_is_written_out(source):
    found = wire_literals(source.read_text())
    assert not found, (
        f"{source.name} spells {found}: import it (ATTR, VALUE, ERROR, …) from ./protocol.js"
    )


@pytest.mark.parametrize(
    "snippet",
    [
        'el.closest("[roost-click]")',
        'querySelector(`[data-roost-id="${t}"]`)',
        "const P = 'roost-value-';",
        'if (code === "bad_token") {',
        "root.dataset.roostToken",
        'if (target === "0") stop();',
        'if ("0" !== target) go();',
        'notice.className = "roost-error";',
        "el.className = 'big roost-error';",
        'querySelectorAll(`[${ATTR.UPDATE}="stream"][id]`)',
        "if (how === 'ignore') return;",
        'const IGNORE = "ignore";',
    ],
)
def test_a_written_out_wire_name_is_found(snippet):
    assert wire_literals(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        "el.closest(`[${ATTR.CLICK}]`)",
        "const loading = `${binding}-loading`;",
        '// the roost-click attribute, a "bad_token" reply',
        'console.warn("roost: view crashed", n === "0.5")',
        'console.warn("roost: ignore this stream of errors")',
        'const kind = "upstream", state = "roost-errors";',
        "notice.className = CRASH_CLASS;",
        'querySelectorAll(`[${ATTR.UPDATE}="${VALUE.STREAM}"]`)',
    ],
)
def test_names_from_protocol_js_comments_and_other_strings_pass(snippet):
    assert not wire_literals(snippet)


def test_an_undefined_field_position_is_found():
    assert _FIELD_USE.findall("message[FIELDS.PATCH.ACK]") == [("PATCH", "ACK")]
    assert "ACK" not in GENERATED["regenerated"]["FIELDS"]["PATCH"]
    assert _USE.findall("message[FIELDS.ERROR.CODE]") == [("FIELDS", "ERROR")]
