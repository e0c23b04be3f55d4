"""The op codes: one table in ops.py, the same numbers in patch.js."""

from __future__ import annotations

import re
from pathlib import Path

from roost.render import ops

PATCH_JS = Path(__file__).resolve().parents[2] / "roost" / "client" / "patch.js"


def python_codes() -> dict[str, int]:
    return {name: value for name, value in vars(ops).items() if name.isupper()}


def test_op_codes_are_small_distinct_ints() -> None:
    codes = python_codes()
    assert sorted(codes.values()) == list(range(len(codes)))


def test_patch_js_exports_the_same_op_codes() -> None:
    exported = {
        name: int(value)
        for name, value in re.findall(
            r"^export const ([A-Z_]+) = (\d+);$", PATCH_JS.read_text(), re.M
        )
    }
    assert exported == python_codes()


def test_every_op_is_in_the_documented_table() -> None:
    for name, code in python_codes().items():
        assert re.search(rf"^{code}\s+{name}\s", ops.__doc__ or "", re.M), name
