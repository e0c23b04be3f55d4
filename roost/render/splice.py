# String splices for long text and attribute values: send what changed in a
# value, not the whole value, when that is shorter on the wire.
"""Splicing text and attribute values (offsets in UTF-16 code units, as in JS)."""

from __future__ import annotations

__all__ = ["apply_splice", "splice_args"]

# A splice costs its insert plus two offsets and some punctuation; below this
# many characters a whole value is never longer.
_MIN_LENGTH = 24


def splice_args(old: str, new: str) -> tuple[int, int, str] | None:
    """``(start, delete, insert)`` turning ``old`` into ``new``, if shorter than ``new``.

    ``start`` and ``delete`` count UTF-16 code units (JavaScript string
    indexes), so the browser applies the splice with ``slice``.
    """
    if len(new) < _MIN_LENGTH:
        return None
    n = min(len(old), len(new))
    p = 0
    while p < n and old[p] == new[p]:
        p += 1
    q = 0
    while q < n - p and old[-1 - q] == new[-1 - q]:
        q += 1
    insert = new[p : len(new) - q]
    start = _u16(old[:p])
    delete = _u16(old[p : len(old) - q])
    if len(insert) + len(str(start)) + len(str(delete)) + 4 >= len(new):
        return None
    return start, delete, insert


def apply_splice(value: str, start: int, delete: int, insert: str) -> str:
    """``value`` with ``delete`` UTF-16 code units at ``start`` replaced by ``insert``."""
    if value.isascii():
        return value[:start] + insert + value[start + delete :]
    units = value.encode("utf-16-le")
    head = units[: 2 * start].decode("utf-16-le")
    tail = units[2 * (start + delete) :].decode("utf-16-le")
    return head + insert + tail


def _u16(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2
