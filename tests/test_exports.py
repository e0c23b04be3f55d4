"""The public API: what `from roost import ...` offers, and nothing by accident."""

from __future__ import annotations

import roost

PUBLIC = {
    "ActorRef",
    "App",
    "AsyncResult",
    "ChildSpec",
    "Component",
    "Down",
    "DynamicSupervisor",
    "Exit",
    "JS",
    "LinkedExit",
    "LiveComponent",
    "LiveView",
    "Presence",
    "PresenceDiff",
    "Supervisor",
    "UploadConfig",
    "UploadEntry",
    "event",
    "flash_group",
    "live_component",
    "on_component",
}


def test_roost_exports_exactly_the_public_api():
    # "@py_*": pytest's assertion rewriting of the installed plugin's package.
    names = {n for n in vars(roost) if not n.startswith(("_", "@"))}
    subpackages = {
        "actors",
        "cli",
        "client",
        "dashboard",
        "protocol",
        "pubsub",
        "render",
        "server",
        "store",
        "supervisor",
        "telemetry",
        "testing",
    }
    assert names - subpackages == PUBLIC


def test_public_names_come_from_private_modules_or_subpackages():
    for name in PUBLIC:
        module = getattr(roost, name).__module__
        assert module.startswith("roost."), (name, module)
