"""The lines roost prints reach the output in one write each, so the lines of
several workers sharing one output never interleave mid-line (as print, which
writes a line's text and its newline apart, let them under PYTHONUNBUFFERED)."""

from __future__ import annotations

import io
import sys

from roost.cli._say import say


class Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


def test_a_line_is_one_write_with_its_newline(monkeypatch):
    out = Writes()
    monkeypatch.setattr(sys, "stdout", out)
    say("roost: worker 1 (pid 7) serving http://127.0.0.1:8000")
    assert out.writes == ["roost: worker 1 (pid 7) serving http://127.0.0.1:8000\n"]
