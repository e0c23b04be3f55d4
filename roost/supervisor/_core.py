# What Supervisor and DynamicSupervisor share: the run loop, starting a child
# in its own shielded task, stopping children in reverse order, and restarting
# them within the restart intensity.
from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import anyio
import anyio.abc
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from . import events
from ._child import Child, ChildStatus
from ._errors import (
    ChildNeverStarted,
    ChildNotFound,
    ChildStartError,
    NotRunning,
    RestartIntensityExceeded,
)
from ._intensity import RestartIntensity
from ._shutdown import Instance, current_task_handle, shut_down
from ._spec import ChildSpec, Shutdown, restarts_after
from ._strategies import Strategy, siblings_to_restart
from .events import SupervisorEvent

_names = itertools.count(1)


_Exit = tuple[Child, Instance, BaseException | None]


class _StartFailed(Exception):
    def __init__(self, child: Child, error: BaseException) -> None:
        self.child = child
        self.error = error


class _Escalate(Exception):
    def __init__(self, child: Child, error: BaseException | None) -> None:
        self.child = child
        self.error = error


class SupervisorBase:
    """Shared machinery; use :class:`Supervisor` or :class:`DynamicSupervisor`."""

    strategy: Strategy = "one_for_one"

    def __init__(self, *, max_restarts: int, max_seconds: float, name: str | None) -> None:
        if max_restarts < 0:
            raise ValueError("max_restarts must be >= 0")
        if max_seconds <= 0:
            raise ValueError("max_seconds must be > 0")
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self.name = name if name is not None else f"{type(self).__name__.lower()}-{next(_names)}"
        self._children: list[Child] = []
        self._tg: anyio.abc.TaskGroup | None = None
        self._lock: anyio.Lock | None = None
        self._exits: MemoryObjectSendStream[_Exit] | None = None
        self._run_scope: anyio.CancelScope | None = None
        self._stopped: anyio.Event | None = None
        self._accepting = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} children={len(self._children)}>"

    # -- subclass hooks ---------------------------------------------------------

    def _initial_specs(self) -> Sequence[ChildSpec]:
        return ()

    def _keeps_stopped_children(self) -> bool:
        """Whether a child that ends without restart keeps its spec (static: yes)."""
        return True

    # -- public, shared ---------------------------------------------------------

    def child_spec(
        self,
        id: Hashable | None = None,
        restart: str = "permanent",
        shutdown: Shutdown = "infinity",
    ) -> ChildSpec:
        """A spec that runs this supervisor as a child (``type="supervisor"``) of another."""
        return ChildSpec(
            self.name if id is None else id,
            self.run,
            restart=restart,  # type: ignore[arg-type]
            shutdown=shutdown,
            type="supervisor",
        )

    def which_children(self) -> list[tuple[Hashable, Any, str]]:
        """``(id, value or None when not running, type)`` per child, in start order."""
        return [(c.id, c.value, c.spec.type) for c in self._children]

    def count_children(self) -> dict[str, int]:
        """OTP's counts: ``specs``, ``active`` (running), ``supervisors``, ``workers``."""
        return {
            "specs": len(self._children),
            "active": sum(c.running for c in self._children),
            "supervisors": sum(c.spec.type == "supervisor" for c in self._children),
            "workers": sum(c.spec.type == "worker" for c in self._children),
        }

    @property
    def running(self) -> bool:
        """True between ``run`` reporting started and its shutdown beginning."""
        return self._accepting

    async def stop(self) -> None:
        """Shut every child down in reverse start order; ``run`` then returns normally."""
        if self._run_scope is None or self._stopped is None:
            return
        self._run_scope.cancel()
        await self._stopped.wait()

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Start the children in order, report ``started(self)``, then supervise until
        cancelled or stopped (returns normally) or until the restart intensity is
        exceeded (raises :class:`RestartIntensityExceeded` after shutting down).

        A child failing to start raises :class:`ChildStartError` (cause: the
        child's error) after the children already started were shut down.
        A supervisor can run again after it ended; it starts from its initial specs.
        """
        if self._run_scope is not None:
            raise RuntimeError(f"supervisor {self.name!r} is already running")
        send, receive = anyio.create_memory_object_stream[_Exit](math.inf)
        self._exits = send
        self._lock = anyio.Lock()
        self._stopped = anyio.Event()
        self._run_scope = anyio.CancelScope()
        self._children = [Child(spec) for spec in self._initial_specs()]
        intensity = RestartIntensity(self.max_restarts, self.max_seconds)
        failure: BaseException | None = None
        outcome = "normal"
        try:
            async with send, receive, anyio.create_task_group() as tg:
                self._tg = tg
                try:
                    with self._run_scope:
                        failure = await self._run_until_done(receive, intensity, task_status)
                finally:
                    self._accepting = False
                    with anyio.CancelScope(shield=True):
                        async with self._lock:
                            await self._shut_down(self._children)
        except anyio.get_cancelled_exc_class():
            raise  # cancelled by its parent: a normal exit
        except BaseException as exc:
            outcome = repr(exc)
            raise
        finally:
            self._tg = self._exits = self._run_scope = None
            if failure is not None:
                outcome = "escalated"
                self._emit("escalated", None, reason=repr(failure), exception=failure)
            self._emit("supervisor_stopped", None, reason=outcome)
            self._stopped.set()
        if failure is not None:
            raise failure

    async def _run_until_done(
        self,
        receive: MemoryObjectReceiveStream[_Exit],
        intensity: RestartIntensity,
        task_status: anyio.abc.TaskStatus[Any],
    ) -> BaseException | None:
        assert self._lock is not None
        started: list[Child] = []
        for child in list(self._children):
            try:
                await self._start(child)
            except _StartFailed as failed:
                with anyio.CancelScope(shield=True):
                    await self._shut_down(started)
                start_error = ChildStartError(self.name, child.id)
                start_error.__cause__ = failed.error
                return start_error
            self._emit("started", child)
            started.append(child)
        self._accepting = True
        self._emit("supervisor_started", None, detail={"children": len(self._children)})
        task_status.started(self)
        async for child, instance, error in receive:
            async with self._lock:
                if child.instance is not instance or child not in self._children:
                    continue  # already stopped by its supervisor, or replaced
                child.instance = None
                try:
                    await self._on_exit(child, error, intensity)
                except _Escalate as escalate:
                    failure = RestartIntensityExceeded(
                        self.name, escalate.child.id, self.max_restarts, self.max_seconds
                    )
                    failure.__cause__ = escalate.error
                    return failure
        return None  # pragma: no cover - the stream is never closed while we read

    # -- starting and stopping children ------------------------------------------

    async def _child_main(
        self,
        child: Child,
        instance: Instance,
        *,
        task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        instance.task = current_task_handle()
        status = ChildStatus(instance, task_status)
        try:
            with instance.scope:
                await child.spec.start(*child.spec.args, task_status=status)
        except Exception as exc:
            instance.error = exc
        finally:
            instance.done.set()
        if not instance.started:
            instance.start_error = instance.error or ChildNeverStarted(
                f"child {child.id!r} of supervisor {self.name!r}: start function returned "
                "without calling task_status.started()"
            )
            task_status.started(None)
            return
        if not instance.stopping and self._exits is not None:
            self._exits.send_nowait((child, instance, instance.error))

    async def _start(self, child: Child) -> Any:
        """Start one child in the supervisor's task group; ``_StartFailed`` on failure."""
        if self._tg is None:
            raise NotRunning(f"supervisor {self.name!r} is not running")
        instance = Instance()
        await self._tg.start(self._child_main, child, instance, name=f"{self.name}/{child.id}")
        if instance.start_error is not None:
            self._emit(
                "start_failed",
                child,
                reason=repr(instance.start_error),
                exception=instance.start_error,
            )
            raise _StartFailed(child, instance.start_error)
        child.instance = instance
        child.pending_restart = False
        return instance.value

    async def _shut_down(self, children: Iterable[Child]) -> None:
        """Stop the running ones among ``children``, last started first. Call shielded."""
        for child in reversed(list(children)):
            await self._shut_down_one(child)

    async def _shut_down_one(self, child: Child) -> None:
        instance = child.instance
        if instance is None:
            return

        def overdue(stack: str) -> None:
            self._emit(
                "shutdown_overdue",
                child,
                reason="shutdown",
                detail={"timeout": child.spec.shutdown_timeout, "stack": stack},
            )

        await shut_down(instance, child.spec.shutdown_timeout, overdue)
        child.instance = None
        error = instance.error
        self._emit(
            "shutdown",
            child,
            reason="shutdown" if error is None else repr(error),
            exception=error,
        )
        if child.spec.restart == "temporary" and child in self._children:
            self._children.remove(child)

    # -- exits and restarts ------------------------------------------------------

    async def _on_exit(
        self, child: Child, error: BaseException | None, intensity: RestartIntensity
    ) -> None:
        restart = restarts_after(child.spec, abnormal=error is not None)
        reason = "normal" if error is None else repr(error)
        if restart:
            then = f"restarting ({self.strategy})"
        elif child.spec.restart == "temporary" or not self._keeps_stopped_children():
            then = f"not restarted ({child.spec.restart}); removed"
        else:
            then = f"not restarted ({child.spec.restart})"
        self._emit("exited", child, reason=reason, exception=error, detail={"then": then})
        if not restart:
            if child.spec.restart == "temporary" or not self._keeps_stopped_children():
                self._children.remove(child)
            return
        await self._restart(child, error, intensity)

    async def _restart(
        self, child: Child, error: BaseException | None, intensity: RestartIntensity
    ) -> None:
        """Apply the strategy for ``child``'s exit; retry failed starts (each counts)."""
        while True:
            if not intensity.add(anyio.current_time()):
                self._emit(
                    "intensity_reached",
                    child,
                    reason="normal" if error is None else repr(error),
                    exception=error,
                    detail={"max_restarts": self.max_restarts, "max_seconds": self.max_seconds},
                )
                raise _Escalate(child, error)
            victims = siblings_to_restart(self.strategy, self._children, child)
            for victim in victims:
                victim.pending_restart = victim.spec.restart != "temporary"
            child.pending_restart = True
            with anyio.CancelScope(shield=True):
                await self._shut_down(victims)
            try:
                for pending in [c for c in self._children if c.pending_restart]:
                    await self._start(pending)
                    self._emit("restarted", pending, detail={"strategy": self.strategy})
                return
            except _StartFailed as failed:
                child, error = failed.child, failed.error

    # -- helpers for the public operations ---------------------------------------

    def _find(self, id: Hashable) -> Child:
        for child in self._children:
            if child.id == id:
                return child
        raise ChildNotFound(f"supervisor {self.name!r} has no child {id!r}")

    def _check_running(self) -> None:
        if not self._accepting:
            raise NotRunning(f"supervisor {self.name!r} is not running")

    async def _shut_down_shielded(self, children: Iterable[Child]) -> None:
        with anyio.CancelScope(shield=True):
            await self._shut_down(children)

    async def _start_existing(self, child: Child) -> Any:
        """Start a child already in the list; raise the child's own error on failure."""
        error: BaseException | None = None
        try:
            value = await self._start(child)
        except _StartFailed as failed:
            error = failed.error
        if error is not None:
            raise error  # outside the except block: the child's error reaches the caller as is
        self._emit("started", child)
        return value

    async def _add_and_start(self, spec: ChildSpec) -> Any:
        """Append and start a child; on failure forget it and raise the child's own error."""
        child = Child(spec)
        self._children.append(child)
        error: BaseException | None = None
        try:
            value = await self._start(child)
        except _StartFailed as failed:
            error = failed.error
        except BaseException:
            self._children.remove(child)
            raise
        if error is not None:
            self._children.remove(child)
            # Raised outside the except block so the child's own traceback,
            # __cause__ and __context__ reach the caller untouched.
            raise error
        self._emit("started", child)
        return value

    def _emit(
        self,
        kind: events.EventKind,
        child: Child | None,
        *,
        reason: str | None = None,
        exception: BaseException | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        events.emit(
            SupervisorEvent(
                kind=kind,
                supervisor=self.name,
                child=None if child is None else child.id,
                reason=reason,
                exception=exception,
                detail=detail or {},
            )
        )
