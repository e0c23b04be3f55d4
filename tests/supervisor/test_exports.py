"""The public names of roost.supervisor, and its independence from the rest of roost."""

import ast
from pathlib import Path

import roost.supervisor

PACKAGE = Path(roost.supervisor.__file__).parent


def test_the_public_names_are_pinned():
    assert sorted(roost.supervisor.__all__) == [
        "AlreadyPresent",
        "AlreadyStarted",
        "AutoShutdown",
        "ChildNeverStarted",
        "ChildNotFound",
        "ChildRunning",
        "ChildSpec",
        "ChildStartError",
        "ChildTerminated",
        "DynamicSupervisor",
        "IGNORE",
        "InvalidChildSpec",
        "Killed",
        "MaxChildrenReached",
        "NotRunning",
        "RESTARTING",
        "RestartIntensityExceeded",
        "Supervisor",
        "SupervisorError",
        "SupervisorEvent",
        "TaskGroup",
        "events",
        "on_stop_request",
        "open_task_group",
        "stop_requested",
    ]
    for name in roost.supervisor.__all__:
        assert getattr(roost.supervisor, name) is not None


def test_the_event_hook_is_public():
    from roost.supervisor.events import Recorder, listen, subscribe

    assert callable(subscribe) and callable(listen) and Recorder


def test_roost_supervisor_imports_nothing_else_from_roost():
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level <= 1, f"{module.name} imports from outside roost.supervisor"
                if node.level == 0 and node.module:
                    assert not node.module.startswith("roost"), module.name
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("roost") for a in node.names), module.name
