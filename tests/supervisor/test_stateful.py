"""Random start / crash / exit / terminate / restart / delete sequences against a model.

Hypothesis drives a supervisor running in one Trio run (on its own thread, with a
MockClock moved only by the `advance` rule) and checks it after every step
against a plain-Python model of OTP's rules. Under one_for_one, starts can also
be held half-way (`begin_slow_start`) while any other step runs, then let
finish or terminated.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import hypothesis.strategies as st
import pytest
import trio
import trio.testing
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sup_helpers import Boom, Children

from roost.supervisor import (
    AlreadyPresent,
    AlreadyStarted,
    ChildNotFound,
    ChildRunning,
    ChildTerminated,
    NotRunning,
    RestartIntensityExceeded,
    Supervisor,
)
from roost.testing._leaks import assert_no_leaked_tasks, running_tasks

T = TypeVar("T")
IDS = st.sampled_from(["a", "b", "c", "d", "e"])
RESTARTS = st.sampled_from(["permanent", "transient", "temporary"])


class TrioThread:
    """One trio.run on a helper thread; ``call`` runs an async function inside it."""

    def __init__(self) -> None:
        self.clock = trio.testing.MockClock()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait()

    def _run(self) -> None:
        try:
            trio.run(self._main, clock=self.clock)
        except BaseException as exc:  # reported by close()
            self._error = exc

    async def _main(self) -> None:
        self.token = trio.lowlevel.current_trio_token()
        self._done = trio.Event()
        async with trio.open_nursery() as nursery:
            self.nursery = nursery
            self._ready.set()
            await self._done.wait()
            nursery.cancel_scope.cancel()

    def call(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        return trio.from_thread.run(fn, *args, trio_token=self.token)

    def close(self) -> None:
        trio.from_thread.run_sync(self._done.set, trio_token=self.token)
        self._thread.join()
        if self._error is not None:
            raise self._error


@dataclass
class ModelChild:
    id: str
    restart: str
    running: bool = True
    pending: bool = False
    starting: bool = False  # start_child under way, held before started()


class SupervisorMachine(RuleBasedStateMachine):
    """The supervisor under test and a model of what OTP says it should hold."""

    @initialize(
        strategy=st.sampled_from(["one_for_one", "one_for_all", "rest_for_one"]),
        max_restarts=st.integers(0, 4),
        max_seconds=st.sampled_from([1.0, 5.0]),
        initial=st.lists(st.tuples(IDS, RESTARTS), max_size=4, unique_by=lambda c: c[0]),
    )
    def start(self, strategy, max_restarts, max_seconds, initial) -> None:
        self.trio = TrioThread()
        self.kids = Children()
        self.starts: Counter[str] = Counter()
        self.children = [ModelChild(id, restart) for id, restart in initial]
        self.strategy, self.max_restarts, self.max_seconds = strategy, max_restarts, max_seconds
        self.restart_times: list[float] = []
        self.failure: BaseException | None = None
        self.failing: dict[str, bool] = {}
        self.alive = True
        self.gates: dict[str, Any] = {}  # id -> the event its held start waits for
        self.outcomes: dict[str, Any] = {}  # id -> what its slow start_child returned/raised
        self.sup = Supervisor(
            [self.kids.spec(id, restart=restart) for id, restart in initial],
            strategy=strategy,
            max_restarts=max_restarts,
            max_seconds=max_seconds,
            name="model",
        )
        self.baseline = self.trio.call(self._baseline)
        self.trio.call(self._start_supervisor)
        for child in self.children:
            self.starts[child.id] += 1

    async def _baseline(self) -> Any:
        return running_tasks()

    async def _start_supervisor(self) -> None:
        async def runner(*, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
            try:
                await self.sup.run(task_status=task_status)
            except RestartIntensityExceeded as exc:
                self.failure = exc

        await self.trio.nursery.start(runner)

    # -- the model -----------------------------------------------------------

    def find(self, id: str) -> ModelChild | None:
        return next((c for c in self.children if c.id == id), None)

    def model_start(self, child: ModelChild) -> bool:
        """Start ``child`` unless a start failure was injected for it; says which."""
        if self.failing.pop(child.id, False):
            return False
        child.running = True
        child.pending = False
        self.starts[child.id] += 1
        return True

    def model_exit(self, child: ModelChild, abnormal: bool) -> None:
        child.running = False
        restart = child.restart == "permanent" or (child.restart == "transient" and abnormal)
        if not restart:
            if child.restart == "temporary":
                self.children.remove(child)
            return
        while True:  # OTP's restart, retried while a start fails ("try_again")
            now = self.trio.clock.current_time()
            self.restart_times = [
                t for t in [*self.restart_times, now] if t >= now - self.max_seconds
            ]
            if len(self.restart_times) > self.max_restarts:
                self.alive = False
                # Starts under way are cancelled: start_child's children are not kept.
                self.children = [
                    c for c in self.children if c.restart != "temporary" and not c.starting
                ]
                self.gates.clear()
                for c in self.children:
                    c.running = False
                return
            index = self.children.index(child)
            if self.strategy == "one_for_one":
                siblings: list[ModelChild] = []
            elif self.strategy == "one_for_all":
                siblings = [c for c in self.children if c is not child]
            else:
                siblings = self.children[index + 1 :]
            for sibling in siblings:
                sibling.running = False
                sibling.pending = sibling.restart != "temporary"
                if sibling.restart == "temporary":
                    self.children.remove(sibling)
            child.pending = True
            failed = next((c for c in self.children if c.pending and not self.model_start(c)), None)
            if failed is None:
                return
            child = failed

    # -- driving the real supervisor ----------------------------------------------

    def settle(self) -> None:
        self.trio.call(trio.testing.wait_all_tasks_blocked)

    def expect(self, error: type[Exception] | None, operation: str, *args: Any) -> Any:
        async def call() -> Any:
            return await getattr(self.sup, operation)(*args)

        if error is None:
            result = self.trio.call(call)
            self.settle()
            return result
        with pytest.raises(error):
            self.trio.call(call)
        return None

    @precondition(lambda self: self.alive)
    @rule(id=IDS, restart=RESTARTS)
    def start_child(self, id: str, restart: str) -> None:
        existing = self.find(id)
        if existing is not None:
            error = AlreadyStarted if existing.running or existing.starting else AlreadyPresent
            self.expect(error, "start_child", self.kids.spec(id, restart=restart))
            return
        child = ModelChild(id, restart, running=False)
        if not self.model_start(child):
            self.expect(Boom, "start_child", self.kids.spec(id, restart=restart))
            return
        value = self.expect(None, "start_child", self.kids.spec(id, restart=restart))
        self.children.append(child)
        assert value == f"{id}#{self.starts[id]}"

    @precondition(lambda self: self.alive and self.strategy == "one_for_one")
    @rule(id=IDS, restart=RESTARTS)
    def begin_slow_start(self, id: str, restart: str) -> None:
        """start_child in the background, its child held before it reports started."""
        if self.find(id) is not None or self.failing.get(id):
            return  # the start_child rule covers taken ids and failing starts

        async def begin() -> None:
            self.gates[id] = self.kids.hold(id)
            self.trio.nursery.start_soon(self._record, id, self.kids.spec(id, restart=restart))

        self.trio.call(begin)
        self.settle()
        assert id in self.kids.waiting
        self.children.append(ModelChild(id, restart, running=False, starting=True))

    async def _record(self, id: str, spec: Any) -> None:
        self.outcomes.pop(id, None)
        try:
            self.outcomes[id] = await self.sup.start_child(spec)
        except Exception as exc:
            self.outcomes[id] = exc

    @precondition(lambda self: self.alive and self.gates)
    @rule(which=st.integers(0, 4))
    def finish_slow_start(self, which: int) -> None:
        id = sorted(self.gates)[which % len(self.gates)]
        self.trio.call(self._async_sync, self.gates.pop(id).set)
        self.settle()
        child = self.find(id)
        assert child is not None and child.starting
        child.starting, child.running = False, True
        self.starts[id] += 1
        assert self.outcomes[id] == f"{id}#{self.starts[id]}"

    def _end(self, id: str, abnormal: bool) -> None:
        child = self.find(id)
        if child is None or not child.running:
            return
        if abnormal:
            self.trio.call(self._async_sync, self.kids.crash, id)
        else:
            self.trio.call(self._async_sync, self.kids.exit, id)
        self.settle()
        self.model_exit(child, abnormal)

    async def _async_sync(self, fn: Callable[..., object], *args: Any) -> None:
        fn(*args)

    @precondition(lambda self: self.alive)
    @rule(id=IDS)
    def crash(self, id: str) -> None:
        self._end(id, abnormal=True)

    @precondition(lambda self: self.alive)
    @rule(id=IDS)
    def exit_normally(self, id: str) -> None:
        self._end(id, abnormal=False)

    @precondition(lambda self: self.alive)
    @rule(id=IDS)
    def terminate_child(self, id: str) -> None:
        child = self.find(id)
        if child is None:
            self.expect(ChildNotFound, "terminate_child", id)
            return
        self.expect(None, "terminate_child", id)
        if child.starting:  # its start is cancelled; start_child's child is not kept
            del self.gates[id]
            self.children.remove(child)
            assert isinstance(self.outcomes[id], ChildTerminated)
            return
        child.running = False
        if child.restart == "temporary":
            self.children.remove(child)

    @precondition(lambda self: self.alive)
    @rule(id=IDS)
    def restart_child(self, id: str) -> None:
        child = self.find(id)
        if child is None:
            self.expect(ChildNotFound, "restart_child", id)
        elif child.running or child.starting:
            self.expect(ChildRunning, "restart_child", id)
        elif not self.model_start(child):
            self.expect(Boom, "restart_child", id)
        else:
            value = self.expect(None, "restart_child", id)
            assert value == f"{id}#{self.starts[id]}"

    @precondition(lambda self: self.alive)
    @rule(id=IDS)
    def delete_child(self, id: str) -> None:
        child = self.find(id)
        if child is None:
            self.expect(ChildNotFound, "delete_child", id)
        elif child.running or child.starting:
            self.expect(ChildRunning, "delete_child", id)
        else:
            self.expect(None, "delete_child", id)
            self.children.remove(child)

    @rule(id=IDS)
    def fail_next_start(self, id: str) -> None:
        self.failing[id] = True
        self.kids.fail_start[id] = Boom(f"{id} cannot start")

    @rule(seconds=st.sampled_from([0.5, 1.0, 2.5, 5.0]))
    def advance(self, seconds: float) -> None:
        async def jump() -> None:
            self.trio.clock.jump(seconds)

        self.trio.call(jump)
        self.settle()

    # -- checks ------------------------------------------------------------------

    @invariant()
    def tree_matches_the_model(self) -> None:
        assert self.kids.running() == {c.id for c in self.children if c.running}
        assert self.kids.waiting == {c.id for c in self.children if c.starting}
        assert self.sup.running == self.alive
        assert (self.failure is None) == self.alive
        if not self.alive:  # it gave up: it answers no question any more
            with pytest.raises(NotRunning):
                self.sup.which_children()
            with pytest.raises(NotRunning):
                self.sup.count_children()
            return
        expected = [
            (c.id, f"{c.id}#{self.starts[c.id]}" if c.running else None, "worker")
            for c in self.children
        ]
        assert self.sup.which_children() == expected
        counts = self.sup.count_children()
        assert counts["specs"] == len(self.children) == counts["workers"] == self.sup.count()
        assert counts["active"] == sum(c.running for c in self.children)

    def teardown(self) -> None:
        if not hasattr(self, "trio"):
            return
        try:
            if self.alive:
                self.trio.call(self.sup.stop)
                assert self.kids.running() == set() and self.kids.waiting == set()
            for id in self.gates:  # cancelled by the stop or the escalation
                assert isinstance(self.outcomes[id], ChildTerminated)
            self.trio.call(self._check_leaks)
        finally:
            self.trio.close()

    async def _check_leaks(self) -> None:
        assert_no_leaked_tasks(self.baseline)


SupervisorMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_supervisor_matches_the_otp_model = SupervisorMachine.TestCase
