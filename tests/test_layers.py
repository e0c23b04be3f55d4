"""The layering rules of docs/architecture.md, read from roost's own source with ``ast``.

No import cycle among roost's modules (imports under ``TYPE_CHECKING`` aside; an
import inside a function counts), imports run one way between the layers,
``server`` and ``testing`` take the actors layer only through ``roost.actors``,
and no Python module but protocol.py spells a wire name the browser shares
(tests/test_client_constants.py checks the JavaScript side).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from roost import protocol

ROOT = Path(protocol.__file__).parent


@dataclass(frozen=True)
class Import:
    """One roost module imported by another, as the import statement names it."""

    source: str
    target: str
    line: int
    type_only: bool  # under `if TYPE_CHECKING:`: no dependency at run time

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name (a package by its face)."""
    names = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _statements(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.stmt, bool]]:
    """Every import statement under ``node``, in functions too, and whether it is type-only."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for stmt in child.body:
                yield from _statements_of(stmt, True)
            for stmt in child.orelse:
                yield from _statements_of(stmt, type_only)
        else:
            yield from _statements_of(child, type_only)


def _statements_of(node: ast.AST, type_only: bool) -> Iterator[tuple[ast.stmt, bool]]:
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        yield node, type_only
    yield from _statements(node, type_only)


def imports(modules: dict[str, Path]) -> list[Import]:
    """Each roost module that each module imports: ``from P import n`` names the
    module ``P.n`` when there is one, else ``P``."""
    found = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for stmt, type_only in _statements(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(stmt, ast.Import):
                targets = [alias.name for alias in stmt.names]
            else:
                assert isinstance(stmt, ast.ImportFrom)
                base = package.split(".")
                if stmt.level:
                    base = base[: len(base) - (stmt.level - 1)]
                    prefix = ".".join(base + ([stmt.module] if stmt.module else []))
                else:
                    prefix = stmt.module or ""
                targets = [
                    f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix
                    for alias in stmt.names
                ]
            for target in targets:
                while target and target not in modules:  # `import roost.x.y`: the module named
                    target = target.rpartition(".")[0]
                if target and target != name:
                    found.append(Import(name, target, stmt.lineno, type_only))
    return found


def run_time_graph(modules: dict[str, Path]) -> dict[str, dict[str, Import]]:
    """Who imports whom when the code runs: the imports as written, and for each
    import of ``a.b.c`` from outside package ``a.b`` the package's face
    ``a.b``, which Python runs first (and which runs what it re-exports)."""
    graph: dict[str, dict[str, Import]] = {name: {} for name in modules}
    for imp in imports(modules):
        if imp.type_only:
            continue
        graph[imp.source].setdefault(imp.target, imp)
        package = imp.target.rpartition(".")[0]
        while package:
            if package in modules and not (imp.source + ".").startswith(package + "."):
                graph[imp.source].setdefault(package, imp)
            package = package.rpartition(".")[0]
    return graph


def cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """The strongly connected sets of more than one module, each sorted."""

    def reachable(start: str) -> set[str]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    reach = {name: reachable(name) for name in graph}
    found: list[list[str]] = []
    done: set[str] = set()
    for name in graph:
        if name in done:
            continue
        group = sorted(other for other in reach[name] if name in reach[other])
        done.update(group)
        if len(group) > 1:
            found.append(group)
    return found


def describe(group: list[str], graph: dict[str, dict[str, Import]]) -> str:
    edges = [
        f"  {source} -> {target}, by {imp.target} at line {imp.line}"
        for source in group
        for target, imp in sorted(graph[source].items())
        if target in group
    ]
    return "\n".join([" <-> ".join(group), *edges])


MODULES = module_names(ROOT)
IMPORTS = imports(MODULES)


def test_the_modules_and_their_imports_are_found():
    assert {"roost", "roost.actors", "roost.actors.session", "roost.protocol"} <= MODULES.keys()
    found = {(imp.source, imp.target, imp.type_only) for imp in IMPORTS}
    assert ("roost.server.app", "roost.actors", False) in found
    assert ("roost", "roost.server", False) in found  # a package face's re-exports
    assert any(imp.type_only for imp in IMPORTS)


def test_no_import_cycle_among_roost_modules():
    graph = run_time_graph(MODULES)
    found = cycles(graph)
    assert not found, "import cycles among roost modules:\n" + "\n".join(
        describe(group, graph) for group in found
    )


def test_server_and_testing_take_the_actors_layer_only_through_its_face():
    deep = [
        str(imp)
        for imp in IMPORTS
        if imp.source.startswith(("roost.server", "roost.testing"))
        and imp.target.startswith("roost.actors.")
    ]
    assert not deep, "import roost.actors (its __init__), not a module inside it:\n" + "\n".join(
        deep
    )


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


# What each layer may import of roost's other layers; imports within a layer,
# and those of the private helpers (roost._*, telemetry), are not ranked.
RANK = {"cli": 3, "server": 2, "actors": 1, "supervisor": 0, "render": 0, "pubsub": 0, "store": 0}
ONLY = {"protocol": set(), "supervisor": set(), "render": {"protocol"}}


def test_imports_run_one_way_between_the_layers():
    wrong = []
    for imp in IMPORTS:
        if imp.type_only:
            continue
        source, target = _layer(imp.source), _layer(imp.target)
        if source == target:
            continue
        if source in ONLY and target not in ONLY[source]:
            wrong.append(f"{imp}: {source} imports only {sorted(ONLY[source]) or 'nothing'}")
        elif RANK.get(target, -1) > RANK.get(source, 99):
            wrong.append(f"{imp}: {source} is below {target}")
        elif target == "testing":
            wrong.append(f"{imp}: nothing in the runtime imports roost.testing")
    assert not wrong, "\n".join(wrong)


BACKENDS = ("roost.pubsub", "roost.store")
IMPLEMENTATIONS = {"MemoryPubSub", "MemoryStore", "RedisPubSub", "RedisStore"}


def _names(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.lineno, node.id
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((node.lineno, alias.name) for alias in node.names)


def test_only_the_backends_name_their_implementations():
    # The rest of roost holds a PubSub or a Store, made by `backend(url)`, and
    # imports the backend packages through their faces.
    outside = {name: path for name, path in MODULES.items() if not name.startswith(BACKENDS)}
    named = [
        f"{name} line {line}: {found}"
        for name, path in outside.items()
        for line, found in _names(ast.parse(path.read_text()))
        if found in IMPLEMENTATIONS
    ]
    named += [
        str(imp)
        for imp in IMPORTS
        if imp.source in outside and imp.target.startswith(BACKENDS) and imp.target.count(".") > 1
    ]
    assert not named, "outside roost.pubsub and roost.store:\n" + "\n".join(named)


def wire_names() -> tuple[list[str], list[str]]:
    """protocol.py's shared names: attributes (distinctive: caught anywhere in a
    literal) and codes and names that are plain words (caught as a whole literal)."""
    attrs = [v for k, v in vars(protocol.ATTR).items() if not k.startswith("_")]
    return attrs, [*protocol.ERROR_CODES, protocol.FLASH_COOKIE, protocol.TARGET_PARAM]


def _whole(name: str) -> str:
    # Not inside a longer name ("roost-upload-" in a temp dir's prefix), but a
    # prefix (roost-value-) is the start of one.
    end = "" if name.endswith("-") else r"(?![\w-])"
    return rf"(?<![\w-]){re.escape(name)}{end}"


def written_wire_names(source: str) -> list[str]:
    """The wire names ``source`` writes in a string literal; docstrings and other
    bare strings (documentation) aside."""
    attrs, words = wire_names()
    tree = ast.parse(source)
    prose = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in prose:
            continue
        found += [a for a in attrs if re.search(_whole(a), node.value)]
        found += [w for w in words if node.value == w]
    return found


def test_no_python_module_but_protocol_spells_a_wire_name():
    spelled = {
        name: found
        for name, path in MODULES.items()
        if name != "roost.protocol" and (found := written_wire_names(path.read_text()))
    }
    assert not spelled, f"use roost.protocol's constants instead: {spelled}"


@pytest.mark.parametrize(
    "snippet",
    [
        "html = f'<div data-roost-id=\"{target}\">'",
        'selector = "[roost-click]"',
        'PARAM = "roost-value-"',
        'if code == "bad_token": pass',
        'reply(code="crashed")',
        'cookie = "roost_flash"',
    ],
)
def test_a_written_out_wire_name_is_found(snippet):
    assert written_wire_names(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '"""The roost-click attribute; a "bad_token" reply."""',
        'html = f"<div {protocol.ATTR.ID}={target!r}>"',
        'log.warning("%s crashed", name)',
        "# data-roost-id",
        'tempfile.mkdtemp(prefix="roost-upload-")',
    ],
)
def test_docstrings_comments_and_other_strings_pass(snippet):
    assert not written_wire_names(snippet)


def test_a_cycle_through_a_function_import_or_a_package_face_is_found(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .b import B as B\n")
    (package / "sub" / "b.py").write_text("def f():\n    from ..a import A\nB = 1\n")
    (package / "a.py").write_text(
        "from typing import TYPE_CHECKING\nfrom .sub.c import C\n"
        "if TYPE_CHECKING:\n    from .d import D\nA = 1\n"
    )
    (package / "sub" / "c.py").write_text("C = 1\n")
    (package / "d.py").write_text("from .a import A\n")
    graph = run_time_graph(module_names(package))
    # pkg.a -> pkg.sub.c runs the face pkg.sub, which runs pkg.sub.b, which imports pkg.a;
    # pkg.a -> pkg.d is type-only, so pkg.d -> pkg.a is no cycle.
    assert cycles(graph) == [["pkg.a", "pkg.sub", "pkg.sub.b"]]
