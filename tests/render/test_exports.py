"""What `from roost.render import ...` offers: the names other packages and apps use."""

from __future__ import annotations

import roost.render

PUBLIC = {
    "Comment",
    "Differ",
    "Element",
    "JS",
    "PatchError",
    "ProcessingInstruction",
    "RegionRenderer",
    "UnsupportedJinja",
    "apply_ops",
    "below_mount",
    "client_html",
    "diff_html",
    "diff_trees",
    "environment_for",
    "fingerprint",
    "flash_group",
    "ops",
    "parse_client_html",
    "parse_html",
    "served_contents",
    "served_fingerprints",
    "to_html",
}


def test_roost_render_exports_exactly_its_public_names() -> None:
    modules = {  # the submodules, importable but not re-exported
        "apply",
        "diff",
        "differ",
        "environment",
        "incremental",
        "jinja_internals",
        "js",
        "keyed",
        "links",
        "parse",
        "regions",
        "roundtrip",
        "served",
        "skeleton",
        "splice",
        "statics",
        "streams",
        "vdom",
        "wire",
    }
    # "@py_*": pytest's assertion rewriting of the installed plugin's package.
    names = {n for n in vars(roost.render) if not n.startswith(("_", "@"))}
    assert names - modules == PUBLIC


def test_the_template_names_come_from_the_modules_named_for_their_jobs() -> None:
    assert roost.render.RegionRenderer.__module__ == "roost.render.regions"
    assert roost.render.environment_for.__module__ == "roost.render.environment"
    assert roost.render.UnsupportedJinja.__module__ == "roost.render.jinja_internals"
