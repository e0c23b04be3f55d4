"""The op codes: defined once in roost.protocol, named by render, documented in ops.py."""

from __future__ import annotations

import re

from roost import protocol
from roost.render import ops


def python_codes() -> dict[str, int]:
    return {
        name: value for name, value in vars(ops).items() if name.isupper() and type(value) is int
    }


def test_op_codes_are_small_distinct_ints() -> None:
    codes = python_codes()
    assert sorted(codes.values()) == list(range(len(codes)))


def test_render_names_exactly_the_wire_op_codes() -> None:
    wire = {name: v for name, v in vars(protocol.OP).items() if name.isupper()}
    assert python_codes() == wire


def test_every_op_is_in_the_documented_table() -> None:
    for name, code in python_codes().items():
        assert re.search(rf"^{code}\s+{name}\s", ops.__doc__ or "", re.M), name
