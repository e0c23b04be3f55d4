# What Supervisor and DynamicSupervisor share: the run loop, starting a child
# in its own shielded task, stopping children (asked first, cancelled at their
# deadline) in reverse order, and restarting them within the restart intensity.
#
# Concurrency. A start runs without the supervisor's lock: the child's id (and
# its max_children slot) is reserved by putting a Child with a starting
# Instance in the list, synchronously, then the caller awaits the start. One
# child's slow start therefore blocks no other operation. The lock only
# serialises the strategies that stop and start several children in order
# (one_for_all, rest_for_one): there every operation and every restart attempt
# holds it, start included, as calls to an OTP supervisor are serialised; a
# restart that fails releases it and is tried again through the run loop, so
# calls are answered between attempts. Whoever stops an instance
# (terminate_child, a strategy, the final shutdown) accounts for its end;
# whoever started it only learns that it was stopped.
#
# Stopping. ``stop()``, a stop request from the supervisor's own parent, an
# escalation and auto_shutdown stop the children gracefully: each is asked and
# given its shutdown time. Cancelling ``run`` from outside cuts that short:
# children still running are cancelled at once, in the same reverse order.
#
# Scale. The children are a dict by id, in start order, so that finding,
# adding and forgetting one costs the same with ten children or ten thousand
# (a DynamicSupervisor of sessions has one per browser tab). Under Trio the
# children are started with Trio's own nursery.start, which costs less memory
# per child than anyio's TaskGroup.start, and what a supervisor holds while it
# waits is kept small (a session is one, per browser tab).
from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Hashable, Iterable, Sequence
from typing import Any, Literal, TypeAlias

import anyio
import anyio.abc

from . import events
from ._child import Child, ChildStatus
from ._errors import (
    ChildNeverStarted,
    ChildNotFound,
    ChildStartError,
    ChildTerminated,
    InvalidChildSpec,
    Killed,
    NotRunning,
    RestartIntensityExceeded,
)
from ._intensity import RestartIntensity, check_intensity
from ._markers import IGNORE
from ._shutdown import (
    CancelScopeLike,
    Instance,
    current_task_handle,
    new_cancel_scope,
    shut_down,
)
from ._spec import ChildSpec, Restart, Shutdown, as_child_spec, restarts_after
from ._stop_request import current_child, enter_child, listen_to_own_stop_request
from ._strategies import Strategy, siblings_to_restart
from ._tasks import Exits, TaskGroup, open_task_group, sole_cancellation
from .events import SupervisorEvent

AutoShutdown: TypeAlias = Literal["never", "any_significant", "all_significant"]
AUTO_SHUTDOWNS: tuple[AutoShutdown, ...] = ("never", "any_significant", "all_significant")

_names = itertools.count(1)


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


class _AutoShutdown(Exception):
    def __init__(self, child: Child) -> None:
        self.child = child


class SupervisorBase:
    """Shared machinery; use :class:`Supervisor` or :class:`DynamicSupervisor`."""

    strategy: Strategy = "one_for_one"
    progress_level: int = logging.INFO
    """The level its progress reports (a child started, a normal stop) are
    logged at; failures and restarts are logged at their own levels."""

    def __init__(
        self,
        *,
        max_restarts: int,
        max_seconds: float,
        auto_shutdown: AutoShutdown,
        name: str | None,
    ) -> None:
        check_intensity(max_restarts, max_seconds)
        if auto_shutdown not in AUTO_SHUTDOWNS:
            raise ValueError(
                f"auto_shutdown must be one of {AUTO_SHUTDOWNS}, not {auto_shutdown!r}"
            )
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str or None, not {name!r}")
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self.auto_shutdown: AutoShutdown = auto_shutdown
        self.name = name if name is not None else f"{type(self).__name__.lower()}-{next(_names)}"
        self._children: dict[Hashable, Child] = {}
        """The children by id, in start order (a dict keeps insertion order)."""
        self._tg: TaskGroup | None = None
        self._lock: anyio.Lock | None = None  # made on first use (serialised strategies)
        self._exits: Exits | None = None
        self._run_scope: CancelScopeLike | None = None
        self._stopped: anyio.Event | None = None  # made when someone waits in stop()
        self._accepting = False
        self._stop_pending = False  # stop() or a stop request: shut down gracefully
        self._holding_stop = 0  # a range of children is being stopped: stop after it
        self._ended_by: Child | None = None  # the significant child that ended it
        self._own: Instance | None = None  # the child of another supervisor it runs in

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
        restart: Restart = "permanent",
        shutdown: Shutdown = "infinity",
        significant: bool = False,
    ) -> ChildSpec:
        """A spec that runs this supervisor as a child (``type="supervisor"``) of another.

        Its default ``shutdown`` is ``"infinity"``: asked to stop, it stops its own
        children, each within its own ``shutdown``, however long that takes.
        """
        return ChildSpec(
            self.name if id is None else id,
            self.run,
            restart=restart,
            shutdown=shutdown,
            type="supervisor",
            significant=significant,
        )

    def which_children(self) -> list[tuple[Hashable, Any, str]]:
        """``(id, value, type)`` per child, in start order; :class:`NotRunning` unless
        the supervisor is running (or starting, or stopping).

        ``value`` is the started value of a running child, :data:`RESTARTING` for a
        child whose restart is under way or to be tried again, and ``None`` for a
        child that is not running (stopped, ignored, or still starting: its id
        and place are taken, and it gets its value once it has called ``started()``).
        """
        self._check_alive()
        return [(c.id, c.value, c.spec.type) for c in self._children.values()]

    def describe(self) -> dict[str, Any]:
        """This supervisor and its children now, for tools (``roost tree``):
        ``name``, ``strategy``, ``intensity`` (``max_restarts``, ``max_seconds``)
        and ``children``, each with ``id``, ``type``, ``state`` (``running``,
        ``starting``, ``restarting``, ``stopping``, ``stopped``), ``restarts``
        and ``value`` (what it started with). Empty children when not running."""
        children = [
            {
                "id": c.id,
                "type": c.spec.type,
                "state": c.state,
                "restarts": c.restarts,
                "value": c.value if c.running else None,
            }
            for c in self._children.values()
        ]
        return {
            "name": self.name,
            "strategy": self.strategy,
            "intensity": {"max_restarts": self.max_restarts, "max_seconds": self.max_seconds},
            "children": children,
        }

    def get_childspec(self, id: Hashable) -> ChildSpec:
        """The spec of child ``id``; :class:`ChildNotFound`, :class:`NotRunning`."""
        self._check_alive()
        return self._find(id).spec

    def count(self) -> int:
        """How many children there are, starting ones included: ``count_children()["specs"]``
        at no cost (it does not look at each child). :class:`NotRunning` as ``which_children``."""
        self._check_alive()
        return len(self._children)

    def count_children(self) -> dict[str, int]:
        """OTP's counts: ``specs``, ``active`` (running), ``supervisors``, ``workers``.

        A child that is still starting counts in ``specs`` and its type, not in ``active``.
        :class:`NotRunning` as ``which_children``.
        """
        self._check_alive()
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
        """Shut every child down gracefully, in reverse start order (each asked to stop
        and given its ``shutdown`` time); ``run`` then returns normally. Returns once it
        has. A supervisor that is not running: nothing to do."""
        if self._run_scope is None:
            return
        if self._stopped is None:
            self._stopped = anyio.Event()
        stopped = self._stopped
        caller = self._child_around_caller()
        if caller is not None:
            caller.skip_request = True  # it waits here: it cannot honour a request
        self._request_stop()
        await stopped.wait()

    def _child_around_caller(self) -> Instance | None:
        """The run of this supervisor's child that the calling task runs inside, if any
        (a child, or a task in a supervisor under it, calling this supervisor)."""
        inner = current_child()
        while inner is not None:
            if inner.owner is self:
                return inner
            owner = inner.owner
            inner = owner._own if isinstance(owner, SupervisorBase) else None
        return None

    def _request_stop(self) -> None:
        """Begin a graceful stop (also the answer to this supervisor's own stop request)."""
        self._stop_pending = True
        if self._run_scope is not None and not self._holding_stop:
            self._run_scope.cancel()

    async def run(
        self, *, task_status: anyio.abc.TaskStatus[Any] = anyio.TASK_STATUS_IGNORED
    ) -> None:
        """Start the children in order, report ``started(self)``, then supervise until
        stopped (``stop()``, a stop request from its parent, ``auto_shutdown``: it
        returns normally once its children have stopped gracefully), cancelled (its
        children are cancelled at once, in reverse order; it returns normally), or
        the restart intensity is exceeded (it stops its children gracefully and
        raises :class:`RestartIntensityExceeded`).

        A child failing to start raises :class:`ChildStartError` (cause: the
        child's error) after the children already started were shut down.
        A supervisor can run again after it ended; it starts from its initial specs.
        """
        if self._run_scope is not None:
            raise RuntimeError(f"supervisor {self.name!r} is already running")
        exits = self._exits = Exits()
        self._lock = self._stopped = None
        self._run_scope = run_scope = new_cancel_scope()
        self._stop_pending = False
        self._holding_stop = 0
        self._ended_by = None
        self._children = {spec.id: Child(spec) for spec in self._initial_specs()}
        intensity = RestartIntensity(self.max_restarts, self.max_seconds)
        failure: BaseException | None = None
        outcome = "normal"
        self._own = current_child()
        listening = listen_to_own_stop_request(self._request_stop)
        try:
            cancelled: BaseException | None = None
            try:
                async with open_task_group() as tg:
                    self._tg = tg
                    try:
                        with run_scope:
                            failure = await self._run_until_done(exits, intensity, task_status)
                    finally:
                        # No lock: operations still under way hold it at most across
                        # one child's start or stop, which this shutdown cancels or
                        # waits for; new ones are refused from here on. Graceful,
                        # unless this task is cancelled: then at once.
                        self._accepting = False
                        await self._shut_down_all()
            except BaseExceptionGroup as group:
                cancelled = sole_cancellation(group)
                if cancelled is None:
                    raise
            if cancelled is not None:
                raise cancelled
        except anyio.get_cancelled_exc_class():
            raise  # cancelled by its parent: a normal exit
        except BaseException as exc:
            outcome = repr(exc)
            raise
        finally:
            if listening is not None:
                listening.remove_listener(self._request_stop)
            self._own = None
            self._tg = self._exits = self._run_scope = None
            if failure is not None:
                outcome = "escalated"
                self._emit("escalated", None, reason=repr(failure), exception=failure)
            elif self._ended_by is not None:
                outcome = "auto_shutdown"
            self._emit("supervisor_stopped", None, reason=outcome)
            if self._stopped is not None:
                self._stopped.set()
        if failure is not None:
            raise failure

    async def _run_until_done(
        self,
        exits: Exits,
        intensity: RestartIntensity,
        task_status: anyio.abc.TaskStatus[Any],
    ) -> BaseException | None:
        started: list[Child] = []
        for child in list(self._children.values()):
            try:
                await self._start(child, self._begin(child))
            except _StartFailed as failed:
                await self._shut_down_range(started)
                start_error = ChildStartError(self.name, child.id)
                start_error.__cause__ = failed.error
                return start_error
            started.append(child)
        del started
        self._accepting = True
        self._emit("supervisor_started", None, detail={"children": len(self._children)})
        task_status.started(self)
        while True:
            for child, instance, error in await exits.receive_all():
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
                    except _AutoShutdown as auto:
                        self._ended_by = auto.child
                        return None

    async def _on_message(
        self,
        child: Child,
        instance: Instance | None,
        error: BaseException | None,
        intensity: RestartIntensity,
    ) -> None:
        if not self._has(child):
            return  # forgotten meanwhile
        if instance is None:  # a restart failed to start: try again
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
        if self._lock is None:
            self._lock = anyio.Lock()
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
        enter_child(instance)
        status = ChildStatus(self, child, instance, task_status, kind, detail)
        del detail, task_status  # the status holds them only until the child starts
        result: Any = None
        try:
            with instance.scope:
                result = await child.spec.start(*child.spec.args, task_status=status)
        except Exception as exc:
            instance.error = exc
        finally:
            if instance.killed is not None and instance.error is None:
                instance.error = instance.killed
            instance.mark_done()
        if not instance.started:
            if result is IGNORE and instance.error is None:
                instance.ignored = True
            else:
                instance.start_error = instance.error or ChildNeverStarted(
                    f"child {child.id!r} of supervisor {self.name!r}: start function returned "
                    "without calling task_status.started() (or returning IGNORE)"
                )
            status.never_started()
            return
        if not instance.stopping and self._exits is not None:
            self._exits.send_nowait((child, instance, instance.error))

    def _child_started(
        self, child: Child, kind: events.EventKind, detail: dict[str, Any] | None
    ) -> None:
        """In the child's task, as it reports started (and is not being stopped)."""
        child.adding = False
        child.restarting = False
        if kind == "restarted":
            child.restarts += 1
        self._emit(kind, child, detail=detail)

    def _begin(self, child: Child) -> Instance:
        """Make ``child`` starting (synchronously: this reserves it); then :meth:`_start`."""
        instance = Instance(self)
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
        when the child reports started. A start function that returns IGNORE
        leaves the child not running (kept if its supervisor keeps stopped
        children and it is not temporary), emits ``ignored`` and returns IGNORE.
        On a start failure the child is left not running (one added by
        ``start_child`` is forgotten), ``start_failed`` is emitted and
        ``_StartFailed`` raised. If its supervisor stopped it while it was
        starting, ``_StartAborted`` once that stop is accounted for.
        Cancelling the caller cancels the start (the child is then not running).
        """
        try:
            if self._tg is None:
                raise NotRunning(f"supervisor {self.name!r} is not running")
            if instance.stopping:
                instance.mark_done()  # stopped before its task began: it never will
            else:
                await self._tg.start(
                    self._child_main, child, instance, kind, detail, name=f"{self.name}/{child.id}"
                )
        except BaseException:
            # The start was cancelled (or never began); either way its task has ended.
            instance.mark_done()
            if not instance.stopping:
                self._abandon(child, instance)
            raise
        if instance.stopping:
            # Whoever is stopping it accounts for it; wait for that, so the caller
            # sees the id free again. (A child that reported started just as it
            # was stopped may still be finishing: the stopper waits for it.)
            await instance.wait_accounted()
            raise _StartAborted(child, instance)
        if instance.ignored:
            if child.instance is instance:
                child.instance = None
            child.restarting = False
            if self._keeps_stopped_children() and child.spec.restart != "temporary":
                child.adding = False
            else:
                self._forget(child)
            self._emit("ignored", child)
            return IGNORE
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
        """Stop the running ones among ``children``, last started first.

        If the caller is cancelled, the rest are cancelled at once (still one
        after the other) and the cancellation is raised at the end.
        """
        cancelled: BaseException | None = None
        for child in reversed(list(children)):
            try:
                await self._shut_down_one(child)
            except anyio.get_cancelled_exc_class() as exc:
                cancelled = exc
        if cancelled is not None:
            raise cancelled

    async def _shut_down_range(self, children: Iterable[Child]) -> None:
        """:meth:`_shut_down` from inside the run (a strategy's range, the children
        started before one that failed): a ``stop()`` meanwhile lets it finish
        gracefully and takes effect after it."""
        self._holding_stop += 1
        try:
            await self._shut_down(children)
        finally:
            self._holding_stop -= 1
            if self._stop_pending and not self._holding_stop:
                self._request_stop()

    async def _shut_down_all(self) -> None:
        """The supervisor's own shutdown: every child, last started first."""
        await self._shut_down(self._children.values())

    async def _shut_down_one(self, child: Child) -> None:
        """Stop ``child``'s run, starting or started; wait for it, then account for it.

        A run some other operation is already stopping is only waited for (and
        cancelled at once if the caller is cancelled meanwhile).
        """
        instance = child.instance
        if instance is None:
            return
        if instance.stopping:
            try:
                await instance.wait_accounted()
            except anyio.get_cancelled_exc_class():
                instance.scope.cancel()
                with anyio.CancelScope(shield=True):
                    await instance.wait_accounted()
                raise
            return

        def overdue(stack: str) -> None:
            self._emit(
                "shutdown_overdue",
                child,
                reason="shutdown",
                detail={"timeout": child.spec.shutdown_timeout, "stack": stack},
            )

        cancelled = True
        try:
            cancelled = await shut_down(instance, child.spec.shutdown, overdue)
        finally:
            self._account_for_stop(child, instance, cancelled)

    def _account_for_stop(self, child: Child, instance: Instance, cancelled: bool) -> None:
        if child.instance is instance:
            child.instance = None
        child.restarting = False
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
            detail={"stopped_by": "cancellation" if cancelled else "request"},
        )
        instance.mark_accounted()

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
            if self._ends_with(child):
                self._emit("auto_shutdown", child, detail={"auto_shutdown": self.auto_shutdown})
                raise _AutoShutdown(child)
            return
        await self._restart(child, error, intensity)

    def _ends_with(self, child: Child) -> bool:
        """Whether the end of significant ``child`` ends the supervisor (auto_shutdown)."""
        if not child.spec.significant or self.auto_shutdown == "never":
            return False
        if self.auto_shutdown == "any_significant":
            return True
        return not any(c.spec.significant and c.busy for c in self._children.values())

    async def _restart(
        self, child: Child, error: BaseException | None, intensity: RestartIntensity
    ) -> None:
        """Apply the strategy for ``child``'s exit, counting towards the intensity.

        one_for_one: the start runs in a task of its own, so the run loop and
        every operation go on meanwhile. The other strategies stop and start
        their range in order, under the lock, here. Either way a failed start
        comes back through the run loop to be tried again, and counted again
        (OTP's ``try_again``), with the lock released in between: calls are
        answered between attempts, and the child shows as RESTARTING.
        """
        if not intensity.add(anyio.current_time()):
            self._emit(
                "intensity_reached",
                child,
                reason="normal" if error is None else repr(error),
                exception=error,
                detail={"max_restarts": self.max_restarts, "max_seconds": self.max_seconds},
            )
            raise _Escalate(child, error)
        child.restarting = True
        if self.strategy == "one_for_one":
            assert self._tg is not None
            self._tg.start_soon(
                self._restart_one,
                child,
                self._begin(child),
                name=f"{self.name}/{child.id} (restarting)",
            )
            return
        detail = {"strategy": self.strategy}
        victims = siblings_to_restart(self.strategy, list(self._children.values()), child)
        for victim in victims:
            victim.pending_restart = victim.spec.restart != "temporary"
        child.pending_restart = True
        await self._shut_down_range(victims)
        for pending in [c for c in self._children.values() if c.pending_restart]:
            try:
                await self._start(pending, self._begin(pending), "restarted", detail)
            except _StartAborted:
                continue  # terminated while starting: it stays stopped
            except _StartFailed as failed:
                # Try again from the child that failed, as OTP does: the others
                # not started yet are not running meanwhile.
                for other in self._children.values():
                    other.pending_restart = other.restarting = False
                self._retry_later(failed.child, failed.error)
                return

    async def _restart_one(self, child: Child, instance: Instance) -> None:
        """A one_for_one restart, in its own task; a failed start goes back to the run loop."""
        try:
            await self._start(child, instance, "restarted", {"strategy": self.strategy})
        except _StartFailed as failed:
            self._retry_later(child, failed.error)
        except _StartAborted:
            pass  # terminated (or the supervisor stopped) while it was starting

    def _retry_later(self, child: Child, error: BaseException) -> None:
        child.pending_restart = child.restarting = True
        if self._exits is not None:
            self._exits.send_nowait((child, None, error))

    def kill_child(self, id: Hashable, reason: BaseException | None = None) -> None:
        """Stop the running child ``id`` at once, as OTP's ``exit(Child, kill)``.

        Its task is cancelled now, with no stop request whatever its
        ``shutdown``, and its exit is abnormal, with ``reason`` (default
        :class:`Killed`): the strategy restarts it and it counts toward the
        restart intensity, as a crash does. A task that shields itself ends
        when it stops shielding. ``ChildNotFound`` for an unknown id;
        ``NotRunning`` when the child is not running (not started, starting,
        restarting, or being stopped).
        """
        child = self._find(id)
        instance = child.instance
        if instance is None or not instance.started or instance.stopping or instance.ended:
            raise NotRunning(f"child {id!r} of supervisor {self.name!r} is not running")
        instance.killed = reason if reason is not None else Killed(f"{id!r} killed")
        instance.scope.cancel()

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

    def _check_alive(self) -> None:
        """For the questions: the supervisor has a run (starting, running or stopping)."""
        if self._run_scope is None:
            raise NotRunning(f"supervisor {self.name!r} is not running")

    def _checked_spec(self, spec: object) -> ChildSpec:
        """``spec`` as a ChildSpec this supervisor can run, or :class:`InvalidChildSpec`."""
        checked = as_child_spec(spec)
        if checked.significant and self.auto_shutdown == "never":
            raise InvalidChildSpec(
                f"ChildSpec {checked.id!r} is significant, but supervisor {self.name!r} "
                "has auto_shutdown='never': significant children need "
                "'any_significant' or 'all_significant'"
            )
        return checked

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
        instance = child.instance
        if instance is not None and self._child_around_caller() is instance:
            # Called from inside the child: it cannot honour a request, and its own
            # task cannot wait for its end. Stop it from the supervisor's task group;
            # the cancellation then reaches this caller too.
            instance.skip_request = True
            if not instance.stopping:
                assert self._tg is not None
                self._tg.start_soon(self._shut_down_one, child)
            await instance.wait_accounted()
            return
        if child.instance is None:
            # A restart waiting to be tried again is called off.
            child.pending_restart = child.restarting = False
            if not self._keeps_stopped_children():
                self._forget(child)
            return
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
                progress_level=self.progress_level,
            )
        )
