"""roost's own code is anyio: the supervisor also runs on asyncio (an app mounted in uvicorn)."""

import asyncio

import anyio
import anyio.lowlevel
import pytest
from sup_helpers import Children

from roost.supervisor import (
    ChildSpec,
    ChildTerminated,
    DynamicSupervisor,
    NotRunning,
    Supervisor,
    events,
    stop_requested,
)


async def scenario() -> None:
    kids = Children()
    with events.listen() as recorder:
        sup = Supervisor([kids.spec("a"), kids.spec("b")], strategy="one_for_all", name="s")
        async with anyio.create_task_group() as tg:
            await tg.start(sup.run)
            kids.crash("a")
            await recorder.wait_for("restarted", child="b")
            dyn = DynamicSupervisor(name="d")
            await sup.start_child(dyn.child_spec())
            assert await dyn.start_child(kids.spec("x")) == "x#1"
            assert sup.which_children() == [
                ("a", "a#2", "worker"),
                ("b", "b#2", "worker"),
                ("d", dyn, "supervisor"),
            ]
            await sup.stop()
    assert kids.stops() == ["a", "b", "x", "b", "a"]
    with pytest.raises(NotRunning):
        sup.which_children()

    async def stubborn(*, task_status):
        task_status.started()
        try:
            await anyio.sleep_forever()
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.sleep(0.05)

    with events.listen() as recorder:
        sup = Supervisor([ChildSpec("st", stubborn, shutdown=0)], name="s2")
        async with anyio.create_task_group() as tg:
            await tg.start(sup.run)
            await sup.stop()
    (overdue,) = recorder.of("shutdown_overdue")
    assert "in stubborn" in overdue.detail["stack"]
    assert asyncio.all_tasks() == {asyncio.current_task()}  # nothing left behind


def test_the_supervisor_runs_on_asyncio_too():
    anyio.run(scenario, backend="asyncio")


async def concurrent_starts() -> None:
    kids = Children()
    begun, finished = anyio.Event(), anyio.Event()
    errors: list[BaseException] = []

    async def slow(*, task_status):
        begun.set()
        await anyio.sleep_forever()  # its start never ends by itself

    async def start_slow() -> None:
        try:
            await sup.start_child(ChildSpec("slow", slow))
        except Exception as exc:
            errors.append(exc)
        finished.set()

    sup = DynamicSupervisor(name="d")
    async with anyio.create_task_group() as tg:
        await tg.start(sup.run)
        tg.start_soon(start_slow)
        await begun.wait()
        with anyio.fail_after(5):  # a real clock here; nothing waits on it unless broken
            assert await sup.start_child(kids.spec("quick")) == "quick#1"
            await sup.terminate_child("slow")
            await finished.wait()
        assert [type(e) for e in errors] == [ChildTerminated]
        assert sup.which_children() == [("quick", "quick#1", "worker")]
        await sup.stop()
    assert asyncio.all_tasks() == {asyncio.current_task()}


def test_a_start_can_be_terminated_on_asyncio_while_others_go_on():
    anyio.run(concurrent_starts, backend="asyncio")


async def two_phase() -> None:
    log: list[str] = []

    async def graceful(name, *, task_status):
        task_status.started()
        try:
            await stop_requested()
            log.append(f"{name} asked")
            await anyio.lowlevel.checkpoint()  # its cleanup, one await long
            log.append(f"{name} done")
        except anyio.get_cancelled_exc_class():
            log.append(f"{name} cancelled")
            raise

    def spec(name, shutdown):
        return ChildSpec(name, graceful, args=(name,), shutdown=shutdown)

    with events.listen() as recorder:
        sup = Supervisor(
            [spec("a", "infinity"), spec("b", 5), spec("c", "brutal_kill")], name="graceful"
        )
        async with anyio.create_task_group() as tg:
            await tg.start(sup.run)
            await sup.stop()
        assert log == ["c cancelled", "b asked", "b done", "a asked", "a done"]
        assert [e.detail["stopped_by"] for e in recorder.of("shutdown")] == [
            "cancellation",
            "request",
            "request",
        ]

        log.clear()
        sup = Supervisor([spec("a", "infinity"), spec("b", 5)], name="cancelled")
        async with anyio.create_task_group() as tg:
            await tg.start(sup.run)
            tg.cancel_scope.cancel()
        assert log == ["b cancelled", "a cancelled"]  # cancelled at once, not asked

        log.clear()
        dyn = DynamicSupervisor(name="dynamic")
        async with anyio.create_task_group() as tg:
            await tg.start(dyn.run)
            for name in "xyz":
                await dyn.start_child(spec(name, 5))
            await dyn.stop()
        assert sorted(log) == sorted(f"{n} {what}" for n in "xyz" for what in ("asked", "done"))
        assert log[:3] == ["z asked", "y asked", "x asked"]  # all asked before any ends

        log.clear()
        inner = Supervisor([spec("worker", 5)], name="inner")
        root = Supervisor([inner.child_spec()], name="root")
        async with anyio.create_task_group() as tg:
            await tg.start(root.run)
            await root.stop()
        assert log == ["worker asked", "worker done"]  # the request went down the tree
    assert asyncio.all_tasks() == {asyncio.current_task()}


def test_two_phase_shutdown_on_asyncio_too():
    anyio.run(two_phase, backend="asyncio")
