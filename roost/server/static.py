# The browser client's files, served from the roost/client package folder.
from __future__ import annotations

import functools
import importlib.resources
import re

_NAME = re.compile(r"^[a-z_]+\.js$")


@functools.cache
def client_file(name: str) -> bytes | None:
    """The bytes of ``roost/client/<name>``, or None for anything else."""
    if not _NAME.match(name):
        return None
    resource = importlib.resources.files("roost.client").joinpath(name)
    if not resource.is_file():
        return None
    return resource.read_bytes()
