# Restart strategies: which siblings a child's exit takes down and restarts with it.
from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, TypeAlias, TypeVar

Strategy: TypeAlias = Literal["one_for_one", "one_for_all", "rest_for_one"]
STRATEGIES: tuple[Strategy, ...] = ("one_for_one", "one_for_all", "rest_for_one")

C = TypeVar("C")


def siblings_to_restart(strategy: Strategy, children: Sequence[C], failed: C) -> list[C]:
    """The siblings to shut down and start again with ``failed``, in start order.

    one_for_one: none; one_for_all: every other child; rest_for_one: the
    children after ``failed``. As in OTP this includes siblings that were not
    running (a transient child that had exited normally, a terminated child):
    they are started again too.
    """
    if strategy == "one_for_one":
        return []
    if strategy == "one_for_all":
        return [c for c in children if c is not failed]
    if strategy == "rest_for_one":
        index = next(i for i, c in enumerate(children) if c is failed)
        return list(children[index + 1 :])
    raise ValueError(f"unknown strategy {strategy!r}")  # pragma: no cover
