"""roost.testing's public names, pinned; everything else in it is private."""

import ast
import pathlib

import roost.testing


def test_the_public_names_of_roost_testing():
    assert sorted(roost.testing.__all__) == [
        "Chaos",
        "CrashReport",
        "DEFAULT_TIMEOUT",
        "Disconnected",
        "EventError",
        "FaultyPubSub",
        "FaultyStore",
        "Frame",
        "InjectedCrash",
        "LeakedTasksError",
        "LiveClient",
        "MountError",
        "NetworkFaults",
        "SelectorError",
        "UnexpectedCrash",
        "WaitTimeout",
        "chaos",
        "held_bytes",
        "no_leaked_tasks",
    ]
    for name in roost.testing.__all__:
        assert getattr(roost.testing, name) is not None


def test_nothing_in_the_runtime_imports_roost_testing():
    root = pathlib.Path(roost.testing.__file__).parent.parent
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if parts[0] == "testing":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
                names += [f"{names[0]}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert not name.startswith("roost.testing"), (path, name)
                resolved = name.lstrip(".").split(".")
                if node.__class__ is ast.ImportFrom and node.level:
                    # relative: ".testing" from roost/x.py, "..testing" from roost/a/x.py
                    assert not (node.level == len(parts) and resolved[0] == "testing"), path
