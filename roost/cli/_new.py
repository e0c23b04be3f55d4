# `roost new NAME`: a project that runs and passes its own tests at once: an
# app with one view and one component, a layout, a static folder, a test.
from __future__ import annotations

import json
import keyword
import re
import shutil
import sys
from importlib import metadata
from pathlib import Path

SCAFFOLD = Path(__file__).with_name("scaffold")

# template -> where it goes ({package}: the Python package's name)
FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "gitignore.tmpl": ".gitignore",
    "__init__.py.tmpl": "{package}/__init__.py",
    "views.py.tmpl": "{package}/views.py",
    "home.html.tmpl": "{package}/home.html",
    "counter.html.tmpl": "{package}/counter.html",
    "layout.html.tmpl": "{package}/layout.html",
    "app.css.tmpl": "{package}/static/app.css",
    "test_home.py.tmpl": "tests/test_home.py",
}

# A project name pip accepts (PEP 508) whose package is a Python identifier.
NAME = re.compile(r"[A-Za-z]([A-Za-z0-9_-]*[A-Za-z0-9])?")
# Packages the new one would shadow, or be shadowed by.
TAKEN = frozenset(sys.stdlib_module_names) | {"roost", "tests"}


class NewError(Exception):
    """Why the project cannot be made, for the command line."""


def package_name(name: str) -> str:
    """The Python package for project ``name`` (``my-app`` -> ``my_app``)."""
    package = name.replace("-", "_").lower()
    unusable = f"{name!r} is not a usable project name"
    if not NAME.fullmatch(name):
        raise NewError(
            f"{unusable}: use letters, digits, - and _, starting with a letter "
            "and ending with a letter or digit"
        )
    if keyword.iskeyword(package):
        raise NewError(f"{unusable}: its package {package!r} is a Python keyword")
    if package in TAKEN:
        raise NewError(
            f"{unusable}: its package {package!r} would clash with the module {package!r}"
        )
    return package


def roost_requirement() -> str:
    """How the new project depends on roost: this roost, where it was installed from."""
    # Every roost on sys.path: an installed one may come after a checkout's
    # roost.egg-info (when the checkout is the current folder).
    dists = list(metadata.distributions(name="roost"))
    if not dists:
        return "roost"
    for dist in dists:
        # PEP 610: a roost installed from a folder, an archive or a VCS says where.
        direct = json.loads(dist.read_text("direct_url.json") or "{}")
        url = direct.get("url")
        if url:
            vcs = direct.get("vcs_info")
            if vcs:
                return f"roost @ {vcs['vcs']}+{url}@{vcs['commit_id']}"
            return f"roost @ {url}"
    return f"roost>={dists[0].version}"


def create(name: str, where: Path) -> Path:
    """Write project ``name`` into a new folder ``where/name``; returns it."""
    package = package_name(name)
    values = {"name": name, "package": package, "roost_requirement": roost_requirement()}
    root = where / name
    try:
        root.mkdir()
    except FileExistsError:
        raise NewError(f"{root} already exists") from None
    try:
        for template, target in FILES.items():
            path = root / target.format(**values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text((SCAFFOLD / template).read_text().format(**values))
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)  # no half-made project left behind
        raise
    return root


def new_command(name: str) -> int:
    """``roost new NAME``; returns the exit status."""
    try:
        root = create(name, Path.cwd())
    except (NewError, OSError) as exc:
        print(f"roost: {exc}", file=sys.stderr)
        return 1
    package = package_name(name)
    print(f"roost: created {root}/ — then:")
    print(f"  cd {name}")
    print("  python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]'")
    print(f"  pytest                      # its tests\n  roost run {package}:app      # serve it")
    return 0
