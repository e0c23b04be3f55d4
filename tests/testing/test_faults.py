"""LiveClient's faults: kill, crash points, message faults; and what a test can
observe (supervision events, restarts, the tab's tree, mailbox depths)."""

from __future__ import annotations

import anyio
import pytest

from roost import App, LiveComponent, LiveView, event, live_component, protocol
from roost.testing import LiveClient, WaitTimeout


class Gauge(LiveComponent):
    def mount(self, **props):
        self.level = props.get("level", 0)
        self.updates = 0

    def update(self, **props):
        self.level = props["level"]
        self.updates += 1

    def render(self):
        return f'<i id="level">{self.level}</i>'


class Board(LiveView):
    def mount(self, params, session):
        self.count = 0
        self.infos = 0
        self.level = 0

    @event
    def inc(self):
        self.count += 1

    @event
    def raise_level(self):
        self.level += 1

    @event
    async def slow(self):
        await anyio.sleep(3600)

    @event
    def ping_me(self):
        self.send_after(0, "tick")

    def handle_info(self, message):
        self.infos += 1

    def render(self):
        return (
            f'<b id="count">{self.count}</b><s id="infos">{self.infos}</s>'
            '<button id="inc" roost-click="inc">+</button>'
            + str(live_component(Gauge, id="gauge", level=self.level))
        )


app = App({"/": Board})


async def test_kill_stops_an_actor_inside_a_long_handler_at_once():
    async with LiveClient.mount(app) as view:
        await view.click("#inc")
        async with anyio.create_task_group() as tg:
            tg.start_soon(lambda: view.event("slow", expect_error=True))
            await view.wait_for(lambda v: v.mailbox_depth("0") == 0)  # taken, in the handler
            render = await view.kill("0")  # a crash() would wait an hour behind it
        assert isinstance(render, protocol.Render) and render.version == 1
        assert view.text("#count") == "0"  # mounted afresh
        assert view.restarts("0") == 1
        assert [c.target for c in view.crashes] == ["0"]


async def test_kill_of_a_component_restarts_only_it():
    async with LiveClient.mount(app) as view:
        await view.click("#inc")
        await view.kill("gauge")
        assert view.text("#count") == "1"
        assert view.restarts("gauge") == 1 and view.restarts("0") == 0


@pytest.mark.parametrize(
    ("point", "act"),
    [
        ("event", lambda v: v.event("inc", expect_error=True)),
        ("render", lambda v: v.event("inc", expect_error=True)),
        ("info", lambda v: v.event("ping_me")),
    ],
)
async def test_a_crash_point_crashes_the_view_there_once(point, act):
    async with LiveClient.mount(app) as view:
        start = len(view.messages)
        view.crash_at("0", point)
        await act(view)
        await view.wait_for(
            lambda v: any(
                isinstance(m, protocol.Render) and m.target == "0" for m in v.messages[start:]
            )
        )
        await view.wait_for("#level")
        assert view.restarts("0") == 1
        assert "InjectedCrash" in repr(view.crashes[0].exception)
        await view.click("#inc")  # disarmed after one crash
        assert view.text("#count") == "1"


async def test_crash_points_at_update_and_mount_of_a_component():
    async with LiveClient.mount(app) as view:
        view.crash_at("gauge", "update")
        view.crash_at("gauge", "mount")
        await view.event("raise_level")  # new props: update crashes, the restart's mount too
        await view.wait_for(lambda v: v.restarts("gauge") >= 1 and v.text("#level") == "1")
        kinds = [e.kind for e in view.supervision if e.child == "gauge"]
        assert "start_failed" in kinds


async def test_crashing_every_time_escalates_and_the_view_remounts_without_it():
    async with LiveClient.mount(app) as view:
        await view.click("#inc")
        view.crash_at("gauge", "render", times=None)
        await view.kill("gauge")  # and every restart fails again
        await view.wait_for('[data-roost-id="gauge"] [role="alert"]')
        assert any(e.kind == "intensity_reached" for e in view.supervision)
        assert view.restarts("0") >= 1  # the components supervisor gave up: the view re-mounted
        await view.click("#inc")
        assert view.text("#count") == "1"  # its state is the fresh mount's


async def test_escalations_count_the_supervisors_that_gave_up_and_who_made_them():
    async with LiveClient.mount(app) as view:
        view.crash_at("gauge", "render", times=None)
        await view.kill("gauge")  # its restarts fail: the components' supervisor gives up
        await view.wait_for('[data-roost-id="gauge"] [role="alert"]')
        assert view.escalations() == 1
        assert view.escalations("gauge") == 1
        assert view.escalations("0") == 0  # the view re-mounted: its supervisor held


async def test_a_view_failing_past_its_limit_is_an_escalation_of_its_own():
    async with LiveClient.mount(app) as view:
        view.crash_at("0", "mount", times=None)
        crash = await view.kill()  # each restart fails: the session gives up
        assert isinstance(crash, protocol.Crash)
        assert view.escalations("0") == 1
        assert view.escalations("gauge") == 0


async def test_delayed_messages_arrive_late_on_trios_clock(autojump_clock):
    async with LiveClient.mount(app) as view:
        view.delay_messages("0", 30)
        before = anyio.current_time()
        await view.click("#inc")
        assert anyio.current_time() - before >= 30
        view.delay_messages("0", 0)
        assert view.text("#count") == "1"


async def test_dropped_messages_are_never_answered():
    async with LiveClient.mount(app, timeout=0.5) as view:
        view.drop_messages("0", 1)
        with pytest.raises(WaitTimeout):
            await view.click("#inc")
        await view.click("#inc")  # only one was lost
        assert view.text("#count") == "1"


async def test_a_full_mailbox_answers_overloaded_then_handles_what_waited():
    async with LiveClient.mount(app) as view:
        async with view.full_mailbox("0") as capacity:
            assert capacity > 0
            assert view.mailbox_depth("0") == capacity
            error = await view.event("inc", expect_error=True)
            assert error.code == protocol.OVERLOADED
        await view.click("#inc")
        assert view.text("#count") == "1"


async def test_the_tree_lists_the_tabs_actors_with_their_state():
    async with LiveClient.mount(app) as view:
        await view.kill("gauge")
        rows = {row["target"]: row for row in view.tree()}
        assert rows["0"]["kind"] == "view" and rows["0"]["parent"] is None
        assert rows["gauge"] == {
            "target": "gauge",
            "kind": "component",
            "state": "running",
            "mailbox": 0,
            "parent": "0",
            "restarts": 1,
        }
