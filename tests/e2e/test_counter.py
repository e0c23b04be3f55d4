"""The counter demo as a user meets it: `roost run`, a real browser, clicks."""

from __future__ import annotations

import json

import pytest

from tests.serve import roost_run

from .conftest import wait_joined


@pytest.fixture(scope="module")
def counter_server():
    with roost_run("examples.counter:app") as served:
        yield served


def test_clicking_plus_three_times_counts_to_three_without_reloading(counter_server, page):
    documents: list[str] = []
    page.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f)))

    page.goto(counter_server.url + "/")
    wait_joined(page)
    assert page.text_content("#count") == "0"
    page.evaluate("window.__not_reloaded = true")
    frames_before_clicks = len(frames)

    plus = page.get_by_role("button", name="increment")
    for expected in ("1", "2", "3"):
        plus.click()
        page.wait_for_function(
            "(n) => document.querySelector('#count').textContent === n", arg=expected
        )

    assert page.text_content("#count") == "3"
    assert page.evaluate("window.__not_reloaded") is True
    assert documents == [counter_server.url + "/"]
    click_frames = [json.loads(f) for f in frames[frames_before_clicks:]]
    patches = [f for f in click_frames if f[0] == 0]
    assert len(patches) == 3
    assert all(f[0] in (0, 3) for f in click_frames), click_frames
    for raw in frames[frames_before_clicks:]:
        assert "<" not in raw, f"HTML was resent: {raw}"


def test_minus_button_decrements(counter_server, page):
    page.goto(counter_server.url + "/?start=5")
    wait_joined(page)
    page.get_by_role("button", name="decrement").click()
    page.wait_for_function("() => document.querySelector('#count').textContent === '4'")


@pytest.mark.parametrize(
    "start", ["%C2%B2", "9" * 5000, "--5"], ids=["superscript-two", "5000-digits", "double-minus"]
)
def test_a_bad_start_parameter_serves_a_working_counter_from_zero(counter_server, page, start):
    response = page.goto(counter_server.url + "/?start=" + start)
    assert response is not None and response.status == 200
    wait_joined(page)
    assert page.text_content("#count") == "0"
    page.get_by_role("button", name="increment").click()
    page.wait_for_function("() => document.querySelector('#count').textContent === '1'")


RESOURCES = "() => performance.getEntriesByType('resource').map((e) => [e.name, e.transferSize])"


def test_a_second_page_load_takes_the_clients_modules_from_the_browser_cache(counter_server, page):
    # transferSize is 0 for a resource the browser had and did not ask the server about.
    page.goto(counter_server.url + "/")
    wait_joined(page)
    first = dict(page.evaluate(RESOURCES))
    modules = [url for url in first if "/_roost/" in url and not url.endswith("/roost.js")]
    assert len(modules) >= 5 and all(first[url] > 0 for url in modules), first

    page.goto(counter_server.url + "/?start=5")
    wait_joined(page)
    second = dict(page.evaluate(RESOURCES))
    assert sorted(u for u in second if "/_roost/" in u and not u.endswith("/roost.js")) == sorted(
        modules
    )
    assert all(second[url] == 0 for url in modules), second
    page.get_by_role("button", name="increment").click()
    page.wait_for_function("() => document.querySelector('#count').textContent === '6'")


def test_a_patch_that_changes_only_text_does_not_search_the_page(counter_server, page):
    # A text or attribute change makes and drops no element: no child actor's
    # boundary to carry over, no new hook to mount. On a page of 1,000 rows
    # those searches cost more than the change itself.
    page.goto(counter_server.url + "/")
    wait_joined(page)
    page.evaluate(
        """() => {
          window.__searches = 0;
          for (const proto of [Element.prototype, Document.prototype]) {
            const all = proto.querySelectorAll;
            proto.querySelectorAll = function (...args) {
              window.__searches++;
              return all.apply(this, args);
            };
          }
          const count = document.querySelector('#count');
          new MutationObserver(() => { window.__at_patch = window.__searches; })
            .observe(count, { childList: true, characterData: true, subtree: true });
          // After roost's own click listeners (registered first): what the
          // click itself searched is not the patch's.
          document.addEventListener('click', () => { window.__before = window.__searches; });
        }"""
    )
    page.get_by_role("button", name="increment").click()
    page.wait_for_function("() => document.querySelector('#count').textContent === '1'")
    # Counted from the end of the click's task to the end of the one that applied the patch.
    assert page.evaluate("window.__at_patch - window.__before") == 0
