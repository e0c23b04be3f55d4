# The dynamic supervisor: no initial children, children added at runtime,
# one_for_one, an optional cap on their number (Elixir's DynamicSupervisor).
from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import anyio

from ._core import AutoShutdown, SupervisorBase
from ._errors import AlreadyPresent, AlreadyStarted, MaxChildrenReached
from ._spec import ChildSpec


class DynamicSupervisor(SupervisorBase):
    """Starts children on demand (``start_child``) and restarts them one_for_one.

    A child that ends for good (temporary, transient after a normal exit,
    terminated, or whose start returned :data:`IGNORE`) is removed, as in
    Elixir. More than ``max_children`` children makes ``start_child`` raise
    :class:`MaxChildrenReached`. When it stops, its children are shut down
    concurrently, each asked to stop and given its own ``shutdown``.
    ``auto_shutdown`` as for :class:`Supervisor`.
    """

    def __init__(
        self,
        *,
        max_children: int | None = None,
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
        if max_children is not None and (
            isinstance(max_children, bool) or not isinstance(max_children, int)
        ):
            raise TypeError(f"max_children must be an int >= 0 or None, not {max_children!r}")
        if max_children is not None and max_children < 0:
            raise ValueError(f"max_children must be >= 0 or None, not {max_children!r}")
        self.max_children = max_children

    def _keeps_stopped_children(self) -> bool:
        return False

    async def start_child(self, spec: ChildSpec | Mapping[str, Any]) -> Any:
        """Start a new child; returns its started value, or :data:`IGNORE` if its start
        function returned that (the child is then not added).

        A start failure raises the child's own exception. :class:`MaxChildrenReached`
        when ``max_children`` children (starting ones included) are already there;
        :class:`AlreadyStarted` when a child with that id runs or is starting,
        :class:`AlreadyPresent` when it is restarting; :class:`InvalidChildSpec`.
        :class:`ChildTerminated` if the child is terminated, or this supervisor
        stops, before it has started. The start holds no lock: other children
        start, stop and are counted meanwhile.
        """
        spec = self._checked_spec(spec)
        self._check_running()
        if self.max_children is not None and len(self._children) >= self.max_children:
            raise MaxChildrenReached(
                f"supervisor {self.name!r} already has max_children={self.max_children}"
            )
        child = self._children.get(spec.id)
        if child is not None:
            if child.restarting:
                raise AlreadyPresent(f"child {spec.id!r} is restarting")
            state = "starting" if child.starting else "running"
            raise AlreadyStarted(f"child {spec.id!r} is already {state}")
        return await self._add_and_start(spec)

    async def _shut_down_all(self) -> None:
        """Shut every child down at once, each within its own ``shutdown`` time.

        As OTP does for a ``simple_one_for_one`` supervisor and Elixir for a
        DynamicSupervisor: the children are independent, so none waits for
        another's end before it is asked to stop, and stopping ten thousand of
        them takes about as long as stopping the slowest one.
        """
        children = list(self._children.values())
        if len(children) < 2:
            await self._shut_down(children)
            return
        async with anyio.create_task_group() as tg:
            for child in reversed(children):  # asked (or cancelled) last started first
                tg.start_soon(self._shut_down_one, child)

    async def terminate_child(self, id: Hashable) -> None:
        """Shut the child down (a normal exit) and remove it: ask it to stop, cancel
        it at its ``shutdown`` deadline. :class:`ChildNotFound` if there is no such child.

        A child that is still starting has its start cancelled: the caller of
        ``start_child`` gets :class:`ChildTerminated`. A child whose restart is to
        be tried again is removed.
        """
        await self._terminate_child(id)
