# The dynamic supervisor: no initial children, children added at runtime,
# one_for_one, an optional cap on their number (Elixir's DynamicSupervisor).
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import anyio

from ._core import SupervisorBase
from ._errors import AlreadyStarted, MaxChildrenReached
from ._spec import ChildSpec


class DynamicSupervisor(SupervisorBase):
    """Starts children on demand (``start_child``) and restarts them one_for_one.

    A child that ends for good (temporary, transient after a normal exit, or
    terminated) is removed, as in Elixir. More than ``max_children`` children
    makes ``start_child`` raise :class:`MaxChildrenReached`. When it stops,
    its children are shut down concurrently, each within its own ``shutdown``.
    """

    def __init__(
        self,
        *,
        max_children: int | None = None,
        max_restarts: int = 3,
        max_seconds: float = 5.0,
        name: str | None = None,
    ) -> None:
        super().__init__(max_restarts=max_restarts, max_seconds=max_seconds, name=name)
        if max_children is not None and max_children < 0:
            raise ValueError("max_children must be >= 0 or None")
        self.max_children = max_children

    def _keeps_stopped_children(self) -> bool:
        return False

    async def start_child(self, spec: ChildSpec) -> Any:
        """Start a new child; returns its started value.

        A start failure raises the child's own exception. :class:`MaxChildrenReached`
        when ``max_children`` children (starting ones included) are already there;
        :class:`AlreadyStarted` when a child with that id is (or is starting).
        :class:`ChildTerminated` if the child is terminated, or this supervisor
        stops, before it has started. The start holds no lock: other children
        start, stop and are counted meanwhile.
        """
        self._check_running()
        if self.max_children is not None and len(self._children) >= self.max_children:
            raise MaxChildrenReached(
                f"supervisor {self.name!r} already has max_children={self.max_children}"
            )
        child = self._children.get(spec.id)
        if child is not None:
            state = "starting" if child.starting else "running"
            raise AlreadyStarted(f"child {spec.id!r} is already {state}")
        return await self._add_and_start(spec)

    async def _shut_down_all(self) -> None:
        """Shut every child down at once, each within its own ``shutdown`` time.

        As OTP does for a ``simple_one_for_one`` supervisor and Elixir for a
        DynamicSupervisor: the children are independent, so none waits for
        another's end before it is cancelled, and stopping ten thousand of
        them takes about as long as stopping the slowest one.
        """
        children = list(self._children.values())
        if len(children) < 2:
            await self._shut_down(children)
            return
        async with anyio.create_task_group() as tg:
            for child in reversed(children):  # cancelled last started first
                tg.start_soon(self._shut_down_one, child)

    async def terminate_child(self, id: Hashable) -> None:
        """Shut the child down (a normal exit) and remove it; :class:`ChildNotFound`
        if there is no such child.

        A child that is still starting has its start cancelled: the caller of
        ``start_child`` gets :class:`ChildTerminated`.
        """
        await self._terminate_child(id)
