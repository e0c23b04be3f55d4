# `roost new NAME`: a project that runs and passes its own tests at once: an
# app with one view and one component, a layout, a static folder, a test.
from __future__ import annotations

import json
import keyword
import re
import sys
from importlib import metadata
from pathlib import Path

SCAFFOLD = Path(__file__).with_name("scaffold")

# template -> where it goes ({package}: the Python package's name)
FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "__init__.py.tmpl": "{package}/__init__.py",
    "views.py.tmpl": "{package}/views.py",
    "home.html.tmpl": "{package}/home.html",
    "counter.html.tmpl": "{package}/counter.html",
    "layout.html.tmpl": "{package}/layout.html",
    "app.css.tmpl": "{package}/static/app.css",
    "test_home.py.tmpl": "tests/test_home.py",
}


class NewError(Exception):
    """Why the project cannot be made, for the command line."""


def package_name(name: str) -> str:
    """The Python package for project ``name`` (``my-app`` -> ``my_app``)."""
    package = name.replace("-", "_").lower()
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", package) or keyword.iskeyword(package):
        raise NewError(
            f"{name!r} is not a usable project name: use letters, digits, - and _, "
            "starting with a letter"
        )
    return package


def roost_requirement() -> str:
    """How the new project depends on roost: this roost, where it was installed from."""
    try:
        dist = metadata.distribution("roost")
    except metadata.PackageNotFoundError:
        return "roost"
    direct = dist.read_text("direct_url.json")
    if direct:
        url = json.loads(direct).get("url", "")
        if url.startswith("file://"):
            return f"roost @ {url}"
    return f"roost>={dist.version}"


def create(name: str, where: Path) -> Path:
    """Write project ``name`` into a new folder ``where/name``; returns it."""
    package = package_name(name)
    root = where / name
    if root.exists():
        raise NewError(f"{root} already exists")
    values = {"name": name, "package": package, "roost_requirement": roost_requirement()}
    for template, target in FILES.items():
        path = root / target.format(**values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((SCAFFOLD / template).read_text().format(**values))
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
