"""Every protocol constant the browser client uses exists in the generated protocol.js.

An undefined one (``SERVER.PUSHEVENT``) is no error in JavaScript: the comparison
is silently false and the message is dropped, so the check has to be here.
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
_EXPORT = re.compile(r"^export const (\w+) = (.+);$", re.MULTILINE)
_USE = re.compile(r"\b(CLIENT|SERVER|OP)\.(\w+)")
_IMPORT = re.compile(r"import \{([^}]*)\} from \"\./protocol\.js\"")


def exports(text: str) -> dict[str, Any]:
    return {name: json.loads(value) for name, value in _EXPORT.findall(text)}


GENERATED = {
    "on disk": exports((CLIENT_DIR / "protocol.js").read_text()),
    "regenerated": exports(protocol.js_module()),
}


def test_the_client_sources_are_found_and_use_the_constants():
    names = {p.name for p in SOURCES}
    assert {"roost.js", "socket.js", "view.js", "bindings.js", "patch.js"} <= names
    uses = {use for p in SOURCES for use in _USE.findall(p.read_text())}
    assert ("SERVER", "PUSH_EVENT") in uses
    assert ("SERVER", "JOINED") in uses


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


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_name_imported_from_protocol_js_is_exported(source):
    for imported in _IMPORT.findall(source.read_text()):
        names = {n.strip() for n in imported.split(",") if n.strip()}
        assert names <= GENERATED["on disk"].keys(), source.name
