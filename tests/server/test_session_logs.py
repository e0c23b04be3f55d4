"""A tab opening and closing is no news in the log; its actor's crash is."""

from __future__ import annotations

import logging

from roost import App, LiveView, event
from roost.testing import LiveClient


class Fragile(LiveView):
    def mount(self, params, session):
        self.n = 0

    @event
    def boom(self):
        raise RuntimeError("boom")

    def render(self) -> str:
        return f"<button roost-click='boom'>{self.n}</button>"


def session_records(caplog) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "roost.supervisor" and str(getattr(r, "path", "")).startswith("sessions/")
    ]


async def test_sessions_log_their_starts_and_stops_at_debug_and_their_crashes_as_warnings(
    caplog,
):
    caplog.set_level(logging.DEBUG, logger="roost.supervisor")
    app = App({"/": Fragile}, secret="s")
    async with LiveClient.mount(app, allow_crashes=True) as view:
        await view.click("button", expect_error=True)
        await view.wait_for("button", text="0")  # restarted
    records = session_records(caplog)
    assert {r.event for r in records} >= {"started", "exited", "restarted", "shutdown"}
    for record in records:
        if record.event == "exited":
            assert record.levelno == logging.WARNING
        elif record.event == "restarted":
            assert record.levelno == logging.INFO
        else:
            assert record.levelno == logging.DEBUG, (record.event, record.getMessage())
