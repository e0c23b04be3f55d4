# The static supervisor: a list of child specs started in order, one of OTP's
# three restart strategies, and the operations on a running supervisor.
from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from ._child import Child
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
        :class:`AlreadyStarted` / :class:`AlreadyPresent` if the id is taken;
        :class:`ChildTerminated` if the child is terminated, or this supervisor
        stops, before it has started. Under ``one_for_one`` the start holds no
        lock; under ``one_for_all`` / ``rest_for_one`` operations are serialised.
        """
        self._check_running()
        async with self._serial():
            self._check_running()
            child = self._children.get(spec.id)
            if child is not None:
                if child.busy:
                    state = "starting" if child.starting else "running"
                    raise AlreadyStarted(f"child {spec.id!r} is already {state}")
                raise AlreadyPresent(f"child {spec.id!r} is present but not running")
            return await self._add_and_start(spec)

    async def terminate_child(self, id: Hashable) -> None:
        """Shut the child down (a normal exit: not restarted). Its spec is kept unless
        it is temporary; :class:`ChildNotFound` if there is no such child.

        A child that is still starting has its start cancelled, at once under any
        strategy; the caller of the start gets :class:`ChildTerminated` (a child
        that ``start_child`` was adding is not kept).
        """
        await self._terminate_child(id)

    async def restart_child(self, id: Hashable) -> Any:
        """Start a stopped child again from its kept spec; returns its started value.

        :class:`ChildRunning` if it runs (or is starting, or waits for a restart);
        a start failure raises the child's error. Does not count towards the
        restart intensity (as in OTP).
        """
        self._check_running()
        async with self._serial():
            self._check_running()
            child = self._find(id)
            if child.busy:
                raise ChildRunning(f"child {id!r} is {_state(child)}")
            return await self._start_for_caller(child, self._begin(child))

    async def delete_child(self, id: Hashable) -> None:
        """Forget a stopped child's spec; :class:`ChildRunning` if it runs."""
        self._check_running()
        async with self._serial():
            self._check_running()
            child = self._find(id)
            if child.busy:
                raise ChildRunning(f"child {id!r} is {_state(child)}")
            self._forget(child)


def _state(child: Child) -> str:
    if child.starting:
        return "starting"
    return "running" if child.running else "waiting to be restarted"
