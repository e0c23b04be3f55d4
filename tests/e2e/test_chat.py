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


# Posts from the page itself, each awaited until it shows: fast, and through
# the same form binding as a user's Enter.
POST_ALL = """async ([first, last]) => {
    const form = document.querySelector('#post');
    const input = form.querySelector('input[name=text]');
    const list = document.querySelector('#messages');
    for (let i = first; i <= last; i++) {
        const shown = new Promise((resolve) => {
            const done = () => list.lastElementChild?.textContent.endsWith(': m' + i);
            const observer = new MutationObserver(() => {
                if (done()) { observer.disconnect(); resolve(); }
            });
            observer.observe(list, {childList: true, subtree: true, characterData: true});
        });
        input.value = 'm' + i;
        form.requestSubmit();
        await shown;
    }
}"""


def texts(page) -> list[str]:
    return page.eval_on_selector_all("#messages li", "els => els.map(e => e.textContent)")


def test_the_list_keeps_the_last_messages_each_in_its_own_node(chat, page):
    page.goto(chat.url + "/?name=ann")
    wait_joined(page)
    page.evaluate(POST_ALL, [1, 50])
    assert len(texts(page)) == 50
    page.evaluate(
        "window.__m2 = [...document.querySelectorAll('#messages li')]"
        ".find(li => li.textContent === 'ann: m2')"
    )

    page.evaluate(POST_ALL, [51, 52])

    shown = texts(page)
    assert len(shown) == 50
    assert shown[0] == "ann: m3" and shown[-1] == "ann: m52"
    keys = page.eval_on_selector_all("#messages li", "els => els.map(e => e.id)")
    assert all(keys) and len(set(keys)) == 50
    # Streamed: the trimmed messages' nodes were removed (the stream's limit),
    # not rewritten with the next message's text.
    assert page.evaluate("window.__m2.isConnected") is False
    assert page.evaluate("window.__m2.textContent") == "ann: m2"


def test_an_over_long_message_is_refused_in_the_page_and_keeps_the_input(chat, browser):
    ann_ctx, bob_ctx = browser.new_context(), browser.new_context()
    try:
        ann, bob = ann_ctx.new_page(), bob_ctx.new_page()
        ann.goto(chat.url + "/?name=ann")
        bob.goto(chat.url + "/?name=bob")
        wait_joined(ann)
        wait_joined(bob)
        assert ann.get_attribute("input[name=text]", "maxlength") == "500"
        assert ann.get_attribute("input[name=name]", "maxlength") == "40"

        # What a hostile page sends: a value past the maxlength, set by script.
        ann.evaluate("document.querySelector('input[name=text]').value = 'x'.repeat(501)")
        ann.press("input[name=text]", "Enter")
        ann.wait_for_function(
            "() => document.querySelector('#post [role=alert]').textContent.includes('at most 500')"
        )
        # The error's patch came before the reply: the form was not reset.
        assert ann.input_value("input[name=text]") == "x" * 501

        ann.fill("input[name=text]", "short")
        ann.press("input[name=text]", "Enter")
        for page in (ann, bob):
            page.wait_for_function(
                "() => document.querySelector('#messages li:last-child')?.textContent"
                " === 'ann: short'"
            )
        ann.wait_for_function("() => document.querySelector('input[name=text]').value === ''")
        assert ann.text_content("#post [role=alert]") == ""
        assert texts(bob)[-1] == "ann: short"
        assert "x" * 501 not in "".join(texts(bob))
    finally:
        ann_ctx.close()
        bob_ctx.close()
