"""The README's code keeps working."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


async def test_the_testing_example_in_the_readme_passes():
    (block,) = [b for b in python_blocks() if "LiveClient" in b]
    namespace: dict = {}
    exec(compile(block, str(README), "exec"), namespace)
    await namespace["test_plus_counts"]()


def test_the_readme_opens_with_the_two_commands():
    commands = re.findall(r"```sh\n(.*?)```", README.read_text(), re.S)
    assert commands[0].strip().endswith("roost run examples.counter:app")
    assert commands[1].strip() == "./scripts/test"
    assert (README.parent / ".ci" / "run").read_text().rstrip().endswith("exec ./scripts/test")
