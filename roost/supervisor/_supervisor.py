# The static supervisor: a list of child specs started in order, one of OTP's
# three restart strategies, and the operations on a running supervisor.
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import Any

from ._child import Child
from ._core import AutoShutdown, SupervisorBase
from ._errors import AlreadyPresent, AlreadyStarted, ChildRunning, InvalidChildSpec
from ._spec import ChildSpec
from ._strategies import STRATEGIES, Strategy


class Supervisor(SupervisorBase):
    """An OTP supervisor: starts ``children`` in order and keeps them running.

    A child's exit is *normal* when its start function returns or its own
    supervisor stops it, *abnormal* when it raises; its spec's ``restart``
    says which exits are restarted. ``strategy`` decides what a restart takes
    down with it (``one_for_one``, ``one_for_all``, ``rest_for_one``). More than
    ``max_restarts`` restarts within ``max_seconds`` (Elixir's default: 3 in 5 s)
    make it shut down and raise :class:`RestartIntensityExceeded` to its parent.
    ``auto_shutdown`` (``"never"``, ``"any_significant"``, ``"all_significant"``)
    makes it stop by itself when its significant children end.
    Run it with ``await tg.start(sup.run)``; see docs/supervision.md.

    ``children`` are :class:`ChildSpec` s (or mappings of their fields); anything
    else, a duplicate id or a significant child with ``auto_shutdown="never"``
    raises :class:`InvalidChildSpec`. Invalid flags raise TypeError/ValueError.
    """

    def __init__(
        self,
        children: Sequence[ChildSpec | Mapping[str, Any]],
        *,
        strategy: Strategy = "one_for_one",
        max_restarts: int = 3,
        max_seconds: float = 5.0,
        auto_shutdown: AutoShutdown = "never",
        name: str | None = None,
    ) -> None:
        super().__init__(
            max_restarts=max_restarts,
            max_seconds=max_seconds,
            auto_shutdown=auto_shutdown,
            name=name,
        )
        if strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
        if isinstance(children, str | bytes | Mapping) or not isinstance(children, Sequence):
            raise InvalidChildSpec(f"children must be a list of ChildSpec, not {children!r}")
        specs = [self._checked_spec(spec) for spec in children]
        ids = [spec.id for spec in specs]
        duplicates = {i for i in ids if ids.count(i) > 1}
        if duplicates:
            raise InvalidChildSpec(f"duplicate child ids: {sorted(map(repr, duplicates))}")
        self.strategy = strategy
        self._specs = tuple(specs)

    def _initial_specs(self) -> Sequence[ChildSpec]:
        return self._specs

    async def start_child(self, spec: ChildSpec | Mapping[str, Any]) -> Any:
        """Add ``spec`` after the existing children and start it; returns its started
        value, or :data:`IGNORE` if its start function returned that (the spec is then
        kept, not running, unless it is temporary).

        A start failure raises the child's own exception (the spec is not kept).
        :class:`AlreadyStarted` if a child with that id runs or is starting,
        :class:`AlreadyPresent` if it is stopped or restarting (its spec is kept);
        :class:`InvalidChildSpec`; :class:`ChildTerminated` if the child is
        terminated, or this supervisor stops, before it has started. Under
        ``one_for_one`` the start holds no lock; under ``one_for_all`` /
        ``rest_for_one`` operations are serialised.
        """
        spec = self._checked_spec(spec)
        self._check_running()
        async with self._serial():
            self._check_running()
            child = self._children.get(spec.id)
            if child is not None:
                if child.busy and not child.restarting:
                    state = "starting" if child.starting else "running"
                    raise AlreadyStarted(f"child {spec.id!r} is already {state}")
                state = "restarting" if child.restarting else "present but not running"
                raise AlreadyPresent(f"child {spec.id!r} is {state}")
            return await self._add_and_start(spec)

    async def terminate_child(self, id: Hashable) -> None:
        """Shut the child down (a normal exit: not restarted): ask it to stop, cancel
        it at its ``shutdown`` deadline. Its spec is kept unless it is temporary;
        :class:`ChildNotFound` if there is no such child.

        A child that is still starting has its start cancelled, at once under any
        strategy; the caller of the start gets :class:`ChildTerminated` (a child
        that ``start_child`` was adding is not kept). A child whose restart is to
        be tried again is not restarted. Cancelling the caller cancels the child
        at once (and still waits for its end).
        """
        await self._terminate_child(id)

    async def restart_child(self, id: Hashable) -> Any:
        """Start a stopped child again from its kept spec; returns its started value
        (or :data:`IGNORE`).

        :class:`ChildRunning` if it runs (or is starting, or restarting);
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
        """Forget a stopped child's spec; :class:`ChildRunning` if it runs (or is
        starting, or restarting)."""
        self._check_running()
        async with self._serial():
            self._check_running()
            child = self._find(id)
            if child.busy:
                raise ChildRunning(f"child {id!r} is {_state(child)}")
            self._forget(child)


def _state(child: Child) -> str:
    if child.restarting:
        return "restarting"
    if child.starting:
        return "starting"
    return "running" if child.running else "waiting to be restarted"
