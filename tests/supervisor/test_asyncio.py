"""roost's own code is anyio: the supervisor also runs on asyncio (an app mounted in uvicorn)."""

import asyncio

import anyio
from sup_helpers import Children

from roost.supervisor import ChildSpec, DynamicSupervisor, Supervisor, events


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
