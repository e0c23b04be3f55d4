"""roost.testing._leaks finds tasks that outlived what should have ended them."""

import pytest
import trio
import trio.testing

from roost.testing._leaks import (
    LeakedTasksError,
    assert_no_leaked_tasks,
    leaked_tasks,
    no_leaked_tasks,
    running_tasks,
)


async def sleeper() -> None:
    await trio.sleep_forever()


async def test_running_tasks_sees_other_tasks_but_not_the_caller_or_its_ancestors():
    me = trio.lowlevel.current_task()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(sleeper, name="other")
        tasks = running_tasks()
        assert "other" in {t.name for t in tasks}
        assert me not in tasks
        assert trio.lowlevel.current_root_task() not in tasks
        nursery.cancel_scope.cancel()


async def test_a_block_whose_tasks_all_ended_passes():
    async with no_leaked_tasks():
        async with trio.open_nursery() as nursery:
            nursery.start_soon(trio.sleep, 0)


async def test_a_task_left_running_in_an_outer_nursery_fails_with_its_stack():
    async with trio.open_nursery() as outer:
        with pytest.raises(LeakedTasksError) as info:
            async with no_leaked_tasks():
                outer.start_soon(sleeper, name="the-leak")
        outer.cancel_scope.cancel()
    message = str(info.value)
    assert "1 task(s)" in message and "'the-leak'" in message and "in sleeper" in message


async def test_a_leaked_system_task_is_found_too():
    baseline = running_tasks()
    cancel = trio.CancelScope()

    async def system_sleeper() -> None:
        with cancel:
            await trio.sleep_forever()

    trio.lowlevel.spawn_system_task(system_sleeper, name="system-leak")
    with pytest.raises(LeakedTasksError, match="system-leak"):
        assert_no_leaked_tasks(baseline)
    cancel.cancel()
    await trio.testing.wait_all_tasks_blocked()
    assert_no_leaked_tasks(baseline)


async def test_tasks_running_before_the_baseline_are_not_leaks():
    async with trio.open_nursery() as nursery:
        nursery.start_soon(sleeper, name="older")
        await trio.testing.wait_all_tasks_blocked()
        baseline = running_tasks()
        assert leaked_tasks(baseline) == set()
        nursery.cancel_scope.cancel()


async def test_a_leak_fails_the_block_even_when_the_task_ends_later():
    # The check happens once, at the end of the block, and never waits.
    async with trio.open_nursery() as outer:
        with pytest.raises(LeakedTasksError):
            async with no_leaked_tasks():
                outer.start_soon(trio.sleep, 1)
        outer.cancel_scope.cancel()
