"""Form recovery in Chromium: after the server is restarted under an open tab,
the page rejoins a freshly mounted view, keeps what the user had typed (also
while the server was away) and re-sends each form's change binding, so the view
rebuilds its state. roost-auto-recover="ignore" opts a form out."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.ports import free_port
from tests.serve import Served, roost_run

from .conftest import wait_joined, wait_text

APP = "tests.apps.hooked:app"
VIEW = '[data-roost-id="0"]'


@pytest.fixture
def serve(monkeypatch):
    """`roost run` on one port for the whole test, signing with one secret."""
    port = free_port()
    monkeypatch.setenv("ROOST_SECRET", "recovery-test-secret")

    @contextmanager
    def start() -> Iterator[Served]:
        with roost_run(APP, "--port", str(port)) as served:
            yield served

    return start


def wait_class(page, name: str) -> None:
    page.wait_for_function(
        "([v, c]) => document.querySelector(v)?.classList.contains(c)", arg=[VIEW, name]
    )


def test_a_half_typed_form_survives_a_server_restart(serve, page):
    with serve() as first:
        page.goto(first.url + "/")
        wait_joined(page)
        page.evaluate("window.__not_reloaded = true")
        page.fill("#title", "half")
        page.fill("#body", "a body")
        page.fill("#notes", "private")
        wait_text(page, "#draft-echo", "half|a body")
        wait_text(page, "#notes-echo", "private")
        first.stop()

    wait_class(page, "roost-disconnected")
    # Typing goes on while the server is away; nothing can be sent.
    page.press("#title", "End")
    page.keyboard.type(" typed")

    with serve():
        wait_class(page, "roost-connected")
        # The new view mounted empty, then took the form's values.
        wait_text(page, "#draft-echo", "half typed|a body")
        wait_text(page, "#drafts", "1")
        assert page.input_value("#title") == "half typed"
        assert page.input_value("#body") == "a body"
        # The opted-out form keeps its field but was not re-sent.
        assert page.input_value("#notes") == "private"
        assert page.text_content("#notes-echo") == ""
        assert page.evaluate("window.__not_reloaded") is True


def test_a_resumed_session_gets_the_forms_values_again(serve, page):
    with serve() as served:
        page.goto(served.url + "/")
        wait_joined(page)
        page.fill("#title", "kept")
        wait_text(page, "#draft-echo", "kept|")
        drafts = int(page.text_content("#drafts"))
        page.evaluate("window.Roost.socket.ws.close()")  # a lost network: the session resumes
        wait_text(page, "#drafts", str(drafts + 1))
        assert page.text_content("#draft-echo") == "kept|"
        assert page.input_value("#title") == "kept"
