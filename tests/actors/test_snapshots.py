"""Actors that opt in (`persist`) keep their assigns across restarts: saved
after each batch before its acks leave, signed, size-limited; a restored state
that crashes at once is dropped for a fresh mount; a session's snapshots go
with it, unless the server is shutting down (the tab may resume elsewhere)."""

from __future__ import annotations

import logging

import pytest
import trio

from roost import App, LiveComponent, LiveView, event
from roost.actors import Snapshots
from roost.actors.snapshots import DEBOUNCE, STORE_TIMEOUT
from roost.store import MemoryStore
from roost.testing import FaultyStore, LiveClient

SECRET = "snapshot-test-secret"


class Counter(LiveComponent):
    persist = True

    def mount(self, **props):
        self.count = 0

    @event
    def inc(self):
        self.count += 1

    def render(self):
        return f'<b id="c">{self.count}</b><button id="c-inc" roost-click="inc">+</button>'


class Page(LiveView):
    persist = ("count", "label")

    def mount(self, params, session):
        self.count = 0
        self.label = "ok"
        self.scratch = "fresh"
        self.counter = Counter()

    @event
    def inc(self):
        self.count += 1
        self.scratch = "touched"

    @event
    def poison(self):
        self.label = None  # rendering it crashes: the label must be a str

    @event
    def grow(self, size: int):
        self.label = "x" * size

    @event
    def later(self):
        self.send_after(0.5, "bump")

    def handle_info(self, message):
        if message == "bump":  # no reply waits on this change: its save is debounced
            self.count += 10

    def render(self):
        return (
            f'<p id="n">{self.count}</p><i id="label">{self.label.upper()}</i>'
            f'<s id="scratch">{self.scratch}</s><button id="inc" roost-click="inc">+</button>'
            f"{self.counter}"
        )


def make_app(store: MemoryStore | FaultyStore | None = None) -> App:
    return App({"/": Page}, secret=SECRET, store=store or MemoryStore(), snapshot_limit=4096)


async def test_a_component_crashed_three_times_keeps_its_own_count():
    async with LiveClient.mount(make_app()) as view:
        for _ in range(3):
            await view.click("#c-inc")
        for _ in range(3):
            await view.crash("counter")
            assert view.text("#c") == "3"
        await view.click("#c-inc")
        assert view.text("#c") == "4"


async def test_a_new_session_reads_the_store_only_for_what_it_saved():
    # Its id is new, so the store holds nothing of it: mounting asks for nothing
    # (with a Redis store, a round trip fewer per join), and a restart reads
    # only an actor that saved.
    store = FaultyStore()
    async with LiveClient.mount(make_app(store)) as view:
        assert store.calls["get"] == 0
        await view.crash("counter")  # it saved nothing yet: mounted afresh, no read
        assert store.calls["get"] == 0
        await view.click("#c-inc")
        await view.crash("counter")
        assert store.calls["get"] == 1
        assert view.text("#c") == "1"


async def test_a_view_keeps_the_assigns_it_names_and_remounts_the_rest():
    async with LiveClient.mount(make_app()) as view:
        await view.click("#inc")
        await view.click("#inc")
        await view.kill()
        assert view.text("#n") == "2"  # kept
        assert view.text("#scratch") == "fresh"  # not named: mounted afresh


async def test_a_restored_state_that_crashes_at_once_gives_way_to_a_fresh_mount(caplog):
    async with LiveClient.mount(make_app(), allow_crashes={"0"}) as view:
        await view.click("#inc")
        await view.event("poison", expect_error=True)  # saved, then its render crashes
        # Restored with the poisoned label, it crashes again at once; then mounts afresh.
        await view.wait_for("#n", "0")
        assert view.text("#label") == "OK"
    assert "its restored state crashed at once; mounting afresh" in caplog.text


async def test_a_snapshot_past_the_limit_is_not_saved_and_says_so(caplog):
    caplog.set_level(logging.ERROR, "roost.snapshots")
    async with LiveClient.mount(make_app()) as view:
        await view.click("#inc")
        await view.event("grow", size=10_000)
        await view.kill()
        assert view.text("#n") == "1"  # the last snapshot that fitted
    assert "over the limit of 4096" in caplog.text


async def test_a_snapshot_the_store_failed_to_take_is_tried_again_until_it_does(
    autojump_clock, caplog
):
    store = FaultyStore()
    async with LiveClient.mount(make_app(store)) as view:
        await view.click("#inc")
        store.fail(calls="put")
        await view.click("#inc")  # acknowledged, but the store is away
        await trio.sleep(10)  # still away: the tries go on, each failing
        store.heal()
        await trio.sleep(60)  # the next try, once the store is back
        await view.kill()
        assert view.text("#n") == "2"
    assert "was not saved (the store failed" in caplog.text


async def test_a_store_that_hangs_holds_the_view_no_longer_than_its_timeout(autojump_clock, caplog):
    store = FaultyStore()
    async with LiveClient.mount(make_app(store)) as view:
        store.hang(calls="put")
        await view.click("#inc")  # answered once the save gives up
        assert view.text("#n") == "1"
        await view.click("#inc")
        store.heal()
        await trio.sleep(60)  # a retry, once the store answers again
        await view.kill()
        assert view.text("#n") == "2"
    assert f"no answer in {STORE_TIMEOUT:g} s" in caplog.text


async def test_a_change_no_reply_waits_for_is_saved_within_the_debounce(autojump_clock):
    # A timer's change has no ack to hold: its save is put off up to DEBOUNCE.
    store = FaultyStore()
    async with LiveClient.mount(make_app(store)) as view:
        await view.event("later")
        await view.wait_for("#n", "10")
        await trio.sleep(DEBOUNCE + 0.1)
        await view.kill()
        assert view.text("#n") == "10"


async def test_a_snapshot_this_app_did_not_sign_is_ignored():
    store = MemoryStore()
    app = make_app(store)
    async with LiveClient.mount(app) as view:
        await view.click("#inc")
        key = f"session:{view.session.id}:0"
        forged = Snapshots(store, view.session.id, "another secret").encode("0", {"count": 99})
        await store.put(key, forged)
        await view.kill()
        assert view.text("#n") == "0"


async def test_a_session_that_ends_forgets_its_snapshots():
    store = MemoryStore()
    async with LiveClient.mount(make_app(store)) as view:
        await view.click("#inc")
        sid = view.session.id
        assert await store.get(f"session:{sid}:0") is not None
    assert await store.get(f"session:{sid}:0") is None
    assert await store.get(f"session:{sid}:session") is None


@pytest.mark.parametrize("resumed", [True, False])
async def test_another_process_resumes_a_session_from_the_shared_store(resumed):
    # Two servers (runtimes) with one store and one secret: the first is gone
    # as a killed process is (nothing of it runs, its snapshots stay); the tab's
    # rejoin reaches the second, which carries the session on with its state.
    # A resume token that does not match the record mounts afresh.
    store = MemoryStore()
    first, second = make_app(store), make_app(store)
    async with LiveClient.mount(first) as view:
        for _ in range(3):
            await view.click("#inc")
        view.session.keep_snapshots = True  # as when its process dies
        resume = view.session.resume_token
        claims = dict(view._link._claims or {})
    sid = resume.partition(".")[0]
    token = resume if resumed else f"{sid}.not-its-key"
    async with LiveClient.mount(second) as other:
        runtime = second.runtime
        assert runtime is not None
        session = await runtime.start_session(claims, lambda text: None, resume=token)
        try:
            page = session.tab.actor("0").state
            if resumed:
                assert (session.id, session.resume_token, page.count) == (sid, resume, 3)
            else:
                assert session.id != sid and page.count == 0
        finally:
            await runtime.end_session(session)
        assert other.text("#n") == "0"  # a tab of its own is not touched
