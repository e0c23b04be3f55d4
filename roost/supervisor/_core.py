# What Supervisor and DynamicSupervisor share: the run loop, starting a child
# in its own shielded task, stopping children in reverse order, and restarting
# them within the restart intensity.
#
# Concurrency. A start runs without the supervisor's lock: the child's id (and
# its max_children slot) is reserved by putting a Child with a starting
# Instance in the list, synchronously, then the caller awaits the start. One
# child's slow start therefore blocks no other operation. The lock only
# serialises the strategies that stop and start several children in order
# (one_for_all, rest_for_one): there every operation and every restart holds
# it, start included, as calls to an OTP supervisor are serialised. Whoever
# stops an instance (terminate_child, a strategy, the final shutdown) accounts
# for its end; whoever started it only learns that it was stopped.
#
# Scale. The children are a dict by id, in start order, so that finding,
# adding and forgetting one costs the same with ten children or ten thousand
# (a DynamicSupervisor of sessions has one per browser tab).
from __future__ import annotations

import contextlib
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
    ChildTerminated,
    NotRunning,
    RestartIntensityExceeded,
)
from ._intensity import RestartIntensity
from ._shutdown import Instance, current_task_handle, shut_down
from ._spec import ChildSpec, Shutdown, restarts_after
from ._strategies import Strategy, siblings_to_restart
from .events import SupervisorEvent

_names = itertools.count(1)


# What the run loop receives: (child, instance, error) when that run of the
# child ended by itself (error None: a normal exit), or (child, None, error)
# when a one_for_one restart failed to start and is to be tried again.
_Exit = tuple[Child, Instance | None, BaseException | None]


class _StartFailed(Exception):
    def __init__(self, child: Child, error: BaseException) -> None:
        self.child = child
        self.error = error


class _StartAborted(Exception):
    """The child's supervisor stopped it while it was starting (and has accounted for it)."""

    def __init__(self, child: Child, instance: Instance) -> None:
        self.child = child
        self.instance = instance


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
        self._children: dict[Hashable, Child] = {}
        """The children by id, in start order (a dict keeps insertion order)."""
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
        """``(id, value or None when not running, type)`` per child, in start order.

        A child that is still starting is listed, with ``None``: its id and place
        are taken. It gets its value once it has called ``started()``.
        """
        return [(c.id, c.value, c.spec.type) for c in self._children.values()]

    def count(self) -> int:
        """How many children there are, starting ones included: ``count_children()["specs"]``
        at no cost (it does not look at each child)."""
        return len(self._children)

    def count_children(self) -> dict[str, int]:
        """OTP's counts: ``specs``, ``active`` (running), ``supervisors``, ``workers``.

        A child that is still starting counts in ``specs`` and its type, not in ``active``.
        """
        children = self._children.values()
        supervisors = sum(c.spec.type == "supervisor" for c in children)
        return {
            "specs": len(children),
            "active": sum(c.running for c in children),
            "supervisors": supervisors,
            "workers": len(children) - supervisors,
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
        self._children = {spec.id: Child(spec) for spec in self._initial_specs()}
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
                    # No lock: operations still under way hold it at most across
                    # one child's start or stop, which this shutdown cancels or
                    # waits for; new ones are refused from here on.
                    self._accepting = False
                    with anyio.CancelScope(shield=True):
                        await self._shut_down_all()
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
        started: list[Child] = []
        for child in list(self._children.values()):
            try:
                await self._start(child, self._begin(child))
            except _StartFailed as failed:
                with anyio.CancelScope(shield=True):
                    await self._shut_down(started)
                start_error = ChildStartError(self.name, child.id)
                start_error.__cause__ = failed.error
                return start_error
            started.append(child)
        self._accepting = True
        self._emit("supervisor_started", None, detail={"children": len(self._children)})
        task_status.started(self)
        async for child, instance, error in receive:
            # one_for_one: nothing here awaits (a restart starts in its own task).
            async with self._serial():
                try:
                    await self._on_message(child, instance, error, intensity)
                except _Escalate as escalate:
                    failure = RestartIntensityExceeded(
                        self.name, escalate.child.id, self.max_restarts, self.max_seconds
                    )
                    failure.__cause__ = escalate.error
                    return failure
        return None  # pragma: no cover - the stream is never closed while we read

    async def _on_message(
        self,
        child: Child,
        instance: Instance | None,
        error: BaseException | None,
        intensity: RestartIntensity,
    ) -> None:
        if not self._has(child):
            return  # forgotten meanwhile
        if instance is None:  # a one_for_one restart failed to start: try again
            if child.pending_restart and child.instance is None:
                await self._restart(child, error, intensity)
            return  # else terminated, restarted by hand or deleted meanwhile
        if child.instance is not instance:
            return  # already stopped by its supervisor, or replaced
        child.instance = None
        await self._on_exit(child, error, intensity)

    def _serial(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """The lock, for strategies that stop and start several children in order.

        one_for_one needs none: each operation touches one child, whose state
        (reserved, starting, running, stopping) is changed synchronously.
        """
        if self.strategy == "one_for_one":
            return contextlib.nullcontext()
        assert self._lock is not None
        return self._lock

    # -- starting and stopping children ------------------------------------------

    async def _child_main(
        self,
        child: Child,
        instance: Instance,
        kind: events.EventKind,
        detail: dict[str, Any] | None,
        *,
        task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED,
    ) -> None:
        instance.task = current_task_handle()

        def on_started() -> None:
            child.adding = False
            self._emit(kind, child, detail=detail)

        status = ChildStatus(instance, task_status, on_started)
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

    def _begin(self, child: Child) -> Instance:
        """Make ``child`` starting (synchronously: this reserves it); then :meth:`_start`."""
        instance = Instance()
        child.instance = instance
        child.pending_restart = False
        return instance

    def _abandon(self, child: Child, instance: Instance) -> None:
        """A start that did not happen: the child is not running; start_child's is forgotten."""
        if child.instance is instance:
            child.instance = None
        if child.adding:
            self._forget(child)

    async def _start(
        self,
        child: Child,
        instance: Instance,
        kind: events.EventKind = "started",
        detail: dict[str, Any] | None = None,
    ) -> Any:
        """Run ``instance`` (from :meth:`_begin`) until the child reports started; its value.

        Runs in the caller's task, holding no lock. The ``kind`` event is emitted
        when the child reports started. On a start failure the child is left not
        running (one added by ``start_child`` is forgotten), ``start_failed`` is
        emitted and ``_StartFailed`` raised. If its supervisor stopped it while it
        was starting, ``_StartAborted`` once that stop is accounted for.
        Cancelling the caller cancels the start (the child is then not running).
        """
        try:
            if self._tg is None:
                raise NotRunning(f"supervisor {self.name!r} is not running")
            if instance.stopping:
                instance.done.set()  # stopped before its task began: it never will
            else:
                await self._tg.start(
                    self._child_main, child, instance, kind, detail, name=f"{self.name}/{child.id}"
                )
        except BaseException:
            # The start was cancelled (or never began); either way its task has ended.
            instance.done.set()
            if not instance.stopping:
                self._abandon(child, instance)
            raise
        if instance.stopping:
            # Whoever is stopping it accounts for it; wait for that, so the caller
            # sees the id free again. (A child that reported started just as it
            # was stopped may still be finishing: the stopper waits for it.)
            await instance.stopped.wait()
            raise _StartAborted(child, instance)
        if instance.start_error is not None:
            self._abandon(child, instance)
            self._emit(
                "start_failed",
                child,
                reason=repr(instance.start_error),
                exception=instance.start_error,
            )
            raise _StartFailed(child, instance.start_error)
        return instance.value

    async def _shut_down(self, children: Iterable[Child]) -> None:
        """Stop the running ones among ``children``, last started first. Call shielded."""
        for child in reversed(list(children)):
            await self._shut_down_one(child)

    async def _shut_down_all(self) -> None:
        """The supervisor's own shutdown: every child, last started first. Called shielded."""
        await self._shut_down(self._children.values())

    async def _shut_down_one(self, child: Child) -> None:
        """Stop ``child``'s run, starting or started; wait for it, then account for it.

        A run some other operation is already stopping is only waited for.
        """
        instance = child.instance
        if instance is None:
            return
        if instance.stopping:
            await instance.stopped.wait()
            return

        def overdue(stack: str) -> None:
            self._emit(
                "shutdown_overdue",
                child,
                reason="shutdown",
                detail={"timeout": child.spec.shutdown_timeout, "stack": stack},
            )

        await shut_down(instance, child.spec.shutdown_timeout, overdue)
        if child.instance is instance:
            child.instance = None
        forget = (
            child.spec.restart == "temporary"
            or child.adding  # stopped while start_child started it: never added
            or not self._keeps_stopped_children()
        )
        if forget:
            self._forget(child)
        error = instance.error
        self._emit(
            "shutdown",
            child,
            reason="shutdown" if error is None else repr(error),
            exception=error,
        )
        instance.stopped.set()

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
                self._forget(child)
            return
        await self._restart(child, error, intensity)

    async def _restart(
        self, child: Child, error: BaseException | None, intensity: RestartIntensity
    ) -> None:
        """Apply the strategy for ``child``'s exit; retry failed starts (each counts).

        one_for_one: the start runs in a task of its own, so the run loop and
        every operation go on meanwhile; a failed start comes back through the
        run loop to be retried (OTP's ``try_again``). The other strategies stop
        and start their range in order, under the lock, here.
        """
        detail = {"strategy": self.strategy}
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
            if self.strategy == "one_for_one":
                assert self._tg is not None
                self._tg.start_soon(
                    self._restart_one,
                    child,
                    self._begin(child),
                    name=f"{self.name}/{child.id} (restarting)",
                )
                return
            victims = siblings_to_restart(self.strategy, list(self._children.values()), child)
            for victim in victims:
                victim.pending_restart = victim.spec.restart != "temporary"
            child.pending_restart = True
            with anyio.CancelScope(shield=True):
                await self._shut_down(victims)
            try:
                for pending in [c for c in self._children.values() if c.pending_restart]:
                    with contextlib.suppress(_StartAborted):  # terminated while starting
                        await self._start(pending, self._begin(pending), "restarted", detail)
                return
            except _StartFailed as failed:
                child, error = failed.child, failed.error

    async def _restart_one(self, child: Child, instance: Instance) -> None:
        """A one_for_one restart, in its own task; a failed start goes back to the run loop."""
        try:
            await self._start(child, instance, "restarted", {"strategy": self.strategy})
        except _StartFailed as failed:
            child.pending_restart = True
            if self._exits is not None:
                self._exits.send_nowait((child, None, failed.error))
        except _StartAborted:
            pass  # terminated (or the supervisor stopped) while it was starting

    # -- helpers for the public operations ---------------------------------------

    def _find(self, id: Hashable) -> Child:
        child = self._children.get(id)
        if child is None:
            raise ChildNotFound(f"supervisor {self.name!r} has no child {id!r}")
        return child

    def _has(self, child: Child) -> bool:
        """Whether ``child`` is still one of the children (not forgotten, not replaced)."""
        return self._children.get(child.id) is child

    def _forget(self, child: Child) -> None:
        """Drop ``child`` from the children, if it is still one of them."""
        if self._children.get(child.id) is child:
            del self._children[child.id]

    def _check_running(self) -> None:
        if not self._accepting:
            raise NotRunning(f"supervisor {self.name!r} is not running")

    async def _start_for_caller(self, child: Child, instance: Instance) -> Any:
        """Start for ``start_child``/``restart_child``: the value, or the error to raise."""
        error: BaseException
        try:
            return await self._start(child, instance)
        except _StartFailed as failed:
            error = failed.error
        except _StartAborted:
            how = "terminated" if self._accepting else "shut down with its supervisor"
            error = ChildTerminated(self.name, child.id, how)
            error.__cause__ = instance.error
        # Raised outside the except block so the child's own traceback,
        # __cause__ and __context__ reach the caller untouched.
        raise error

    async def _add_and_start(self, spec: ChildSpec) -> Any:
        """Append ``spec`` (reserving its id) and start it; raise the child's error on failure.

        Call with the id checked and, for serialised strategies, the lock held.
        """
        child = Child(spec, adding=True)
        self._children[spec.id] = child
        return await self._start_for_caller(child, self._begin(child))

    async def _terminate_child(self, id: Hashable) -> None:
        """Shut a child down: a running one, or a starting one (cancelling its start)."""
        self._check_running()
        child = self._find(id)
        if not child.starting:
            # Stopping a running child is part of a strategy's order: serialised.
            async with self._serial():
                self._check_running()
                child = self._find(id)
                await self._terminate(child)
            return
        # Cancelling a start needs no lock in any strategy: under a serialised one
        # the lock is held by that very start, which this makes end.
        await self._terminate(child)

    async def _terminate(self, child: Child) -> None:
        if child.instance is None:
            child.pending_restart = False  # a restart waiting to be retried is called off
            if not self._keeps_stopped_children():
                self._forget(child)
            return
        with anyio.CancelScope(shield=True):
            await self._shut_down_one(child)

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
