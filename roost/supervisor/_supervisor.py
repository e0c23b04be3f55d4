# The static supervisor: a list of child specs started in order, one of OTP's
# three restart strategies, and the operations on a running supervisor.
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from ._core import SupervisorBase
from ._errors import AlreadyPresent, AlreadyStarted, ChildRunning
from ._spec import ChildSpec
from ._strategies import STRATEGIES, Strategy


class Supervisor(SupervisorBase):
    """An OTP supervisor: starts ``children`` in order and keeps them running.

    A child's exit is *normal* when its start function returns or its own
    supervisor cancels it, *abnormal* when it raises; its spec's ``restart``
    says which exits are restarted. ``strategy`` decides what a restart takes
    down with it (``one_for_one``, ``one_for_all``, ``rest_for_one``). More than
    ``max_restarts`` restarts within ``max_seconds`` (Elixir's default: 3 in 5 s)
    make it shut down and raise :class:`RestartIntensityExceeded` to its parent.
    Run it with ``await tg.start(sup.run)``; see docs/supervision.md.
    """

    def __init__(
        self,
        children: Sequence[ChildSpec],
        *,
        strategy: Strategy = "one_for_one",
        max_restarts: int = 3,
        max_seconds: float = 5.0,
        name: str | None = None,
    ) -> None:
        super().__init__(max_restarts=max_restarts, max_seconds=max_seconds, name=name)
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        ids = [spec.id for spec in children]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise ValueError(f"duplicate child ids: {sorted(map(repr, duplicates))}")
        self.strategy = strategy
        self._specs = tuple(children)

    def _initial_specs(self) -> Sequence[ChildSpec]:
        return self._specs

    async def start_child(self, spec: ChildSpec) -> Any:
        """Add ``spec`` after the existing children and start it; returns its started value.

        A start failure raises the child's own exception (the spec is not kept).
        :class:`AlreadyStarted` / :class:`AlreadyPresent` if the id is taken.
        """
        self._check_running()
        assert self._lock is not None
        async with self._lock:
            self._check_running()
            for child in self._children:
                if child.id == spec.id:
                    if child.running:
                        raise AlreadyStarted(f"child {spec.id!r} is already running")
                    raise AlreadyPresent(f"child {spec.id!r} is present but not running")
            return await self._add_and_start(spec)

    async def terminate_child(self, id: Hashable) -> None:
        """Shut the child down (a normal exit: not restarted). Its spec is kept unless
        it is temporary; :class:`ChildNotFound` if there is no such child."""
        self._check_running()
        assert self._lock is not None
        async with self._lock:
            child = self._find(id)
            await self._shut_down_shielded([child])

    async def restart_child(self, id: Hashable) -> Any:
        """Start a stopped child again from its kept spec; returns its started value.

        :class:`ChildRunning` if it runs; a start failure raises the child's error.
        Does not count towards the restart intensity (as in OTP).
        """
        self._check_running()
        assert self._lock is not None
        async with self._lock:
            child = self._find(id)
            if child.running:
                raise ChildRunning(f"child {id!r} is running")
            return await self._start_existing(child)

    async def delete_child(self, id: Hashable) -> None:
        """Forget a stopped child's spec; :class:`ChildRunning` if it runs."""
        self._check_running()
        assert self._lock is not None
        async with self._lock:
            child = self._find(id)
            if child.running:
                raise ChildRunning(f"child {id!r} is running")
            self._children.remove(child)
