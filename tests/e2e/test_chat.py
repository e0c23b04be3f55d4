"""Two browser contexts in one chat room see each other's messages (pubsub)."""

from __future__ import annotations

import pytest

from tests.serve import roost_run

from .conftest import wait_joined


@pytest.fixture(scope="module")
def chat():
    with roost_run("examples.chat:app") as served:
        yield served


def test_a_message_posted_in_one_tab_appears_in_the_other(chat, browser):
    alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
    try:
        alice, bob = alice_ctx.new_page(), bob_ctx.new_page()
        alice.goto(chat.url + "/?name=alice")
        bob.goto(chat.url + "/?name=bob")
        wait_joined(alice)
        wait_joined(bob)

        alice.fill("input[name=text]", "hello bob")
        alice.press("input[name=text]", "Enter")
        for page in (alice, bob):
            page.wait_for_function(
                "() => document.querySelector('#messages').textContent.includes('alice: hello bob')"
            )
        # roost-reset cleared the sender's input once the post was acknowledged.
        alice.wait_for_function("() => document.querySelector('input[name=text]').value === ''")

        bob.fill("input[name=text]", "hi alice")
        bob.click("button[type=submit]")
        alice.wait_for_function("() => document.querySelectorAll('#messages li').length === 2")
        assert alice.text_content("#messages li:last-child") == "bob: hi alice"
    finally:
        alice_ctx.close()
        bob_ctx.close()
