"""Async work off the mailbox: start_async / assign_async run in tasks the actor
owns, the actor keeps handling events meanwhile, results come back as
messages (a failure is a failed result, not a crash), and the work is
cancelled with its actor."""

from __future__ import annotations

import trio

from roost import App, AsyncResult, LiveView, event
from roost.testing import LiveClient, no_leaked_tasks

finished: list[str] = []


async def slow_user(name: str) -> dict:
    await trio.sleep(2)
    finished.append(name)
    return {"user": {"name": name}, "plan": "pro"}


async def failing() -> dict:
    await trio.sleep(1)
    raise RuntimeError("the service is down")


def blocking_sum(n: int) -> int:  # a plain function: it runs in a worker thread
    return sum(range(n))


class Profile(LiveView):
    def mount(self, params, session):
        self.count = 0
        self.total = None
        self.report = ""
        if self.connected:
            self.assign_async(["user", "plan"], slow_user, params.get("name", "ann"))
        else:
            self.user = self.plan = AsyncResult.pending()

    @event
    def inc(self):
        self.count += 1

    @event
    def fail(self):
        self.assign_async("user", failing)

    @event
    def cancel(self):
        self.cancel_async(["user", "plan"])

    @event
    def crunch(self):
        self.start_async("sum", blocking_sum, 1000)

    def handle_async(self, name, result):
        self.report = f"{name}: {result.result if result.ok else result.failed!r}"

    def render(self):
        user = self.user
        if user.loading:
            shown = "loading"
        elif user.ok:
            shown = user.result["name"]
        else:
            shown = f"failed: {user.failed}"
        return (
            f'<p id="user">{shown}</p><p id="count">{self.count}</p>'
            f'<p id="report">{self.report}</p><button id="inc" roost-click="inc">+</button>'
        )


app = App({"/": Profile})


async def test_events_are_handled_while_the_work_runs(autojump_clock):
    async with LiveClient.mount(app, "/?name=ann") as view:
        began = trio.current_time()
        assert view.text("#user") == "loading"
        await view.click("#inc")
        await view.click("#inc")
        assert view.text("#count") == "2"
        assert trio.current_time() - began < 2  # not behind the 2 s of work
        await view.wait_for("#user", "ann")
        assert trio.current_time() - began >= 2


async def test_a_failing_piece_of_work_is_a_failed_result_not_a_crash(autojump_clock):
    async with LiveClient.mount(app) as view:
        await view.wait_for("#user", "ann")
        await view.event("fail")
        await view.wait_for("#user", "failed: the service is down")
        assert view.crashes == []
        await view.click("#inc")
        assert view.text("#count") == "1"


async def test_cancel_async_fails_its_assigns_and_no_result_comes(autojump_clock):
    finished.clear()
    async with LiveClient.mount(app, "/?name=cat") as view:
        await view.event("cancel")
        assert view.text("#user") == "failed: cancelled"
        await trio.sleep(5)
        await view.click("#inc")
        assert view.text("#user") == "failed: cancelled"
    assert finished == []


async def test_the_work_is_cancelled_when_its_actor_crashes_and_when_the_tab_leaves(
    autojump_clock,
):
    finished.clear()
    async with no_leaked_tasks():
        async with LiveClient.mount(app, "/?name=dan") as view:
            await view.kill()  # the work of the killed incarnation goes with it
            await trio.sleep(1)
        # ... and the restarted one's with the tab.
        await trio.sleep(5)
    assert finished == []


async def test_a_plain_function_runs_in_a_thread_and_reaches_handle_async():
    async with LiveClient.mount(app) as view:
        await view.event("crunch")
        await view.wait_for("#report", f"sum: {sum(range(1000))}")
