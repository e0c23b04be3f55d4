# The lines roost prints for the operator, each in one write: the workers of
# --workers share their parent's output, and a line printed in two writes (its
# text, then its newline) could have another worker's line land in between.
from __future__ import annotations

import sys


def say(line: str) -> None:
    """Print ``line`` on standard output in one write, and flush it."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
