"""patch.js in headless Chromium: patching old content gives the new content's DOM.

For every pair in the corpus the page sets a container's innerHTML to the old
content, applies ``diff_html(old, new)`` with ``applyPatches`` and compares a
walk of the result (names, namespaces, attributes, text, comments, template
content) with the new content loaded fresh into another container. The same
walk checks the server's VDOM against the browser's own parse.

A full render goes through view.js (``Targets.render``: a ``<template>``'s
innerHTML, scripting disabled) with ``client_html`` of the content, and must
build the DOM of the content loaded fresh (scripting enabled), before and
after the patches.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from roost.protocol import OP
from roost.render import client_html, diff_html, parse_client_html, parse_html
from roost.render.vdom import MATH_NS, SVG_NS, Comment, ProcessingInstruction

from .patch_corpus import CORPUS, PARSE_ONLY, RAW_TEXT_ALIKE, RENDER_ONLY, SHARED_ROWS

CLIENT = Path(__file__).resolve().parents[2] / "roost" / "client"
ORIGIN = "http://roost.test"

NS_URI = {
    "html": "http://www.w3.org/1999/xhtml",
    SVG_NS: "http://www.w3.org/2000/svg",
    MATH_NS: "http://www.w3.org/1998/Math/MathML",
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>patch</title></head><body>
<div id="a" data-roost-id="a"></div><div id="b" data-roost-id="b"></div>
<script type="module">
import { applyPatches } from "/patch.js";
import { Targets } from "/view.js";
const walk = (node) => {
  const kids = node.localName === "template" ? node.content.childNodes : node.childNodes;
  return Array.from(kids, (n) => {
    if (n.nodeType === Node.TEXT_NODE) return ["#text", n.data];
    if (n.nodeType === Node.COMMENT_NODE) return ["#comment", n.data];
    if (n.nodeType === Node.PROCESSING_INSTRUCTION_NODE) return ["#pi", n.target, n.data];
    if (n.nodeType !== Node.ELEMENT_NODE) return ["#node", n.nodeType, n.nodeName];
    const attrs = Array.from(n.attributes, (a) => [a.name, a.value]).sort();
    return [n.localName, n.namespaceURI, attrs, walk(n)];
  });
};
const container = (id, html) => {
  const el = document.getElementById(id);
  el.innerHTML = html;
  return el;
};
window.fresh = (html) => walk(container("b", html));
window.patched = (oldHtml, ops) => {
  const el = container("a", oldHtml);
  applyPatches(el, ops);
  return walk(el);
};
// A Render message's HTML, applied by the client's own code (view.js).
const targets = new Targets(document, null);
const rendered = (html) => {
  const el = container("a", "");
  targets.render("a", 1, html);
  return el;
};
window.rendered = (html) => walk(rendered(html));
window.renderedThenPatched = (html, ops) => {
  const el = rendered(html);
  applyPatches(el, ops);
  return walk(el);
};
window.templateParse = (html) => {
  const template = document.createElement("template");
  template.innerHTML = html;
  return walk(template);
};
window.applyPatches = applyPatches;
window.patchReady = true;
</script></body></html>"""


@pytest.fixture(scope="module")
def patch_page(browser) -> Iterator[object]:
    """One Chromium page with patch.js loaded from roost/client (no server)."""

    def serve(route) -> None:
        path = route.request.url[len(ORIGIN) :].split("?")[0]
        if path == "/":
            route.fulfill(status=200, content_type="text/html", body=PAGE)
        elif path.endswith(".js") and (CLIENT / path.lstrip("/")).is_file():
            body = (CLIENT / path.lstrip("/")).read_text()
            route.fulfill(status=200, content_type="application/javascript", body=body)
        else:
            route.fulfill(status=404, body="")

    context = browser.new_context()
    try:
        page = context.new_page()
        page.route(f"{ORIGIN}/**", serve)
        page.goto(f"{ORIGIN}/")
        page.wait_for_function("window.patchReady === true")
        yield page
    finally:
        context.close()


def _walk(nodes: tuple) -> list:
    """The page's walk, computed from a server-side VDOM tree."""
    out: list = []
    for node in nodes:
        if isinstance(node, str):
            out.append(["#text", node])
        elif isinstance(node, Comment):
            out.append(["#comment", node.data])
        elif isinstance(node, ProcessingInstruction):
            out.append(["#pi", node.target, node.data])
        else:
            attrs = sorted([name, value] for name, value in node.attrs.items())
            out.append([node.tag, NS_URI[node.ns], attrs, _walk(node.children)])
    return out


@pytest.mark.browser
@pytest.mark.parametrize(("old", "new"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_patched_dom_equals_fresh_dom(patch_page, old: str, new: str) -> None:
    ops = diff_html(old, new)
    patched = patch_page.evaluate("([o, ops]) => window.patched(o, ops)", [old, ops])
    fresh = patch_page.evaluate("(n) => window.fresh(n)", new)
    assert patched == fresh


@pytest.mark.parametrize(
    ("old", "new"), [c[1:] for c in SHARED_ROWS], ids=[c[0] for c in SHARED_ROWS]
)
def test_inserted_runs_of_similar_rows_send_their_markup_once(old: str, new: str) -> None:
    inserts = [op[2] for op in diff_html(old, new) if op[0] == OP.INSERT]
    assert any(isinstance(html, dict) for html in inserts)


CONTENTS = sorted({h for c in CORPUS for h in c[1:]}) + PARSE_ONLY + RENDER_ONLY + RAW_TEXT_ALIKE


@pytest.mark.browser
@pytest.mark.parametrize("html", CONTENTS)
def test_server_vdom_equals_browser_dom(patch_page, html: str) -> None:
    assert _walk(parse_html(html)) == patch_page.evaluate("(h) => window.fresh(h)", html)


@pytest.mark.browser
@pytest.mark.parametrize("html", CONTENTS)
def test_rendered_dom_equals_fresh_dom(patch_page, html: str) -> None:
    """A full render of ``client_html(html)`` by view.js builds the page-load DOM."""
    rendered = patch_page.evaluate("(h) => window.rendered(h)", client_html(html))
    assert rendered == patch_page.evaluate("(h) => window.fresh(h)", html)


@pytest.mark.browser
@pytest.mark.parametrize(("old", "new"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_rendered_then_patched_dom_equals_fresh_dom(patch_page, old: str, new: str) -> None:
    """Patches apply to the DOM a full render built (no path into a <noscript>
    that the client parsed differently)."""
    patched = patch_page.evaluate(
        "([h, ops]) => window.renderedThenPatched(h, ops)", [client_html(old), diff_html(old, new)]
    )
    assert patched == patch_page.evaluate("(n) => window.fresh(n)", new)


@pytest.mark.browser
@pytest.mark.parametrize("html", CONTENTS)
def test_parse_client_html_is_the_browsers_template_parse(patch_page, html: str) -> None:
    """The Python model of the client's parse of a Render message (the test client's)."""
    sent = client_html(html)
    template = patch_page.evaluate("(h) => window.templateParse(h)", sent)
    assert _walk(parse_client_html(sent)) == template


@pytest.mark.browser
@pytest.mark.parametrize("html", RAW_TEXT_ALIKE)
def test_other_raw_text_elements_render_alike_without_rewriting(patch_page, html: str) -> None:
    assert client_html(html) == html
    rendered = patch_page.evaluate("(h) => window.rendered(h)", html)
    assert rendered == patch_page.evaluate("(h) => window.fresh(h)", html)


@pytest.mark.browser
@pytest.mark.parametrize("html", RENDER_ONLY)
def test_render_only_content_renders_differently_without_client_html(patch_page, html: str) -> None:
    """Each RENDER_ONLY entry needs the rewrite (else the list proves nothing)."""
    rendered = patch_page.evaluate("(h) => window.rendered(h)", html)
    assert rendered != patch_page.evaluate("(h) => window.fresh(h)", html)


@pytest.mark.browser
def test_unfocused_controls_show_the_new_value_checked_and_selected(patch_page) -> None:
    old = (
        '<input id=t value="1"><input id=c type=checkbox checked><select id=s>'
        "<option value=1 selected>1<option value=2>2</select>"
    )
    new = (
        '<input id=t value="2"><input id=c type=checkbox><select id=s><option value=1>'
        "1<option value=2 selected>2</select>"
    )
    state = patch_page.evaluate(
        """([o, ops]) => {
          const el = document.getElementById("a");
          el.innerHTML = o;
          el.querySelector("#t").value = "typed";          // the user edited, unfocused
          el.querySelector("#c").checked = true;
          window.applyPatches(el, ops);
          return [el.querySelector("#t").value, el.querySelector("#c").checked,
                  el.querySelector("#s").value];
        }""",
        [old, diff_html(old, new)],
    )
    assert state == ["2", False, "2"]


@pytest.mark.browser
def test_focused_input_keeps_what_the_user_typed(patch_page) -> None:
    old = '<input id=t value="1"><p>1</p><textarea id=x>a</textarea>'
    new = '<input id=t value="2"><p>2</p><textarea id=x>b</textarea>'
    state = patch_page.evaluate(
        """([o, ops]) => {
          const el = document.getElementById("a");
          el.innerHTML = o;
          const input = el.querySelector("#t");
          input.focus();
          input.value = "typing";
          input.setSelectionRange(2, 3);
          window.applyPatches(el, ops);
          return [input.value, document.activeElement === input, input.selectionStart,
                  input.getAttribute("value"), el.querySelector("p").textContent,
                  el.querySelector("#x").value];
        }""",
        [old, diff_html(old, new)],
    )
    assert state == ["typing", True, 2, "2", "2", "b"]


@pytest.mark.browser
def test_focused_keyed_item_keeps_focus_when_moved(patch_page) -> None:
    old = "<ul><li data-key=a><input id=fa></li><li data-key=b>b</li><li data-key=c>c</li></ul>"
    new = "<ul><li data-key=c>c</li><li data-key=b>b</li><li data-key=a><input id=fa></li></ul>"
    state = patch_page.evaluate(
        """([o, ops]) => {
          const el = document.getElementById("a");
          el.innerHTML = o;
          const input = el.querySelector("#fa");
          input.focus();
          input.value = "kept";
          window.applyPatches(el, ops);
          return [document.activeElement === input, input.value,
                  Array.from(el.querySelectorAll("li"), (li) => li.dataset.key).join("")];
        }""",
        [old, diff_html(old, new)],
    )
    assert state == [True, "kept", "cba"]
