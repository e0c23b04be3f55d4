"""Crash isolation in a session: components alone, then the view, then the user sees an error."""

from __future__ import annotations

from roost import App, LiveComponent, LiveView, event
from roost.testing import LiveClient


class Child(LiveComponent):
    def mount(self, start=0):
        self.n = start

    @event
    def inc(self):
        self.n += 1

    @event
    def boom(self):
        raise RuntimeError("child handler failed")

    def render(self):
        return f'<span class="n">{self.n}</span>'


class Host(LiveView):
    def mount(self, params, session):
        self.count = 0
        self.left = Child(start=10)
        self.right = Child(start=20)

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return f'<b id="count">{self.count}</b>{self.left.__html__()}{self.right.__html__()}'


def n(view: LiveClient, cid: str) -> str:
    return view.text(f'[data-roost-id="{cid}"] .n')


async def test_a_crashing_component_restarts_alone_with_its_last_props(autojump_clock):
    async with LiveClient.mount(App({"/": Host})) as view:
        await view.event("inc")
        await view.event("inc", target="left")
        await view.event("inc", target="right")
        error = await view.event("boom", target="left", expect_error=True)
        assert error.code == "crashed"
        await view.wait_for('[data-roost-id="left"] .n', "10")
        assert view.text("#count") == "1"
        assert n(view, "right") == "21"
        await view.event("inc", target="left")
        assert n(view, "left") == "11"


async def test_components_crashing_past_their_intensity_restart_the_view(autojump_clock):
    async with LiveClient.mount(App({"/": Host})) as view:
        await view.event("inc")
        await view.event("inc", target="right")
        for _ in range(3):
            await view.crash("left")
        assert view.text("#count") == "1", "three restarts are within the limit"
        await view.crash("left")
        await view.wait_for("#count", "0")
        await view.wait_for('[data-roost-id="right"] .n', "20")
        await view.event("inc", target="left")
        assert n(view, "left") == "11"


async def test_past_the_views_limit_the_user_sees_an_error_and_other_sessions_carry_on(
    autojump_clock,
):
    app = App({"/": Host})
    async with LiveClient.mount(app) as victim, LiveClient.mount(app) as bystander:
        await bystander.event("inc")
        for _ in range(4):
            last = await victim.crash("0")
        assert type(last).__name__ == "Crash"
        assert "Something went wrong" in victim.text('[data-roost-id="0"]')
        await bystander.event("inc")
        assert bystander.text("#count") == "2"


async def test_a_tab_starts_its_components_supervisor_and_timers_as_plain_trio_tasks():
    # anyio (4.16) gives every task it starts a handle with a cancel scope and
    # an event of its own: about 2.4 KiB more for each session with components.
    import gc

    import anyio
    import trio
    import trio.testing

    from roost.actors import Session
    from roost.supervisor import DynamicSupervisor

    def scopes() -> int:
        return sum(1 for o in gc.get_objects() if isinstance(o, anyio.CancelScope))

    sessions = DynamicSupervisor(name="sessions")
    async with trio.open_nursery() as nursery:
        await nursery.start(sessions.run)
        before = scopes()
        started = [Session(f"s{i}", Host, {}, {}, None) for i in range(50)]
        for session in started:
            await session.start(sessions)
        await trio.testing.wait_all_tasks_blocked()
        assert all(len(s.components) == 2 for s in started)
        # Each session's own deadline (its grace period) and nothing per task.
        assert scopes() - before <= 50 + 5
        await sessions.stop()
