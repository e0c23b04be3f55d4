"""roost's own code is anyio: the supervisor also runs on asyncio (an app mounted in uvicorn)."""

import asyncio

import anyio
from sup_helpers import Children

from roost.supervisor import ChildSpec, ChildTerminated, DynamicSupervisor, Supervisor, events


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
            await sup.stop()
    assert kids.stops() == ["a", "b", "x", "b", "a"]
    assert sup.which_children() == [
        ("a", None, "worker"),
        ("b", None, "worker"),
        ("d", None, "supervisor"),
    ]

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
