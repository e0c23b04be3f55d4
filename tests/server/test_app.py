"""The dead render over HTTP and the client's files."""

from __future__ import annotations


async def test_get_renders_the_view_with_a_signed_token_and_the_client(server):
    status, body = await server.get("/?start=3")
    assert status == 200
    assert '<b id="n">3</b>' in body
    assert 'data-roost-id="0"' in body
    assert server.app.signer.verify(await server.token())["r"] == "/"
    assert '<script type="module" src="/_roost/roost.js">' in body


async def test_the_client_files_are_served_and_nothing_else(server):
    status, body = await server.get("/_roost/roost.js")
    assert status == 200 and "applyPatches" in body
    assert (await server.get("/_roost/protocol.js"))[0] == 200
    assert (await server.get("/_roost/../pyproject.toml"))[0] == 404
    assert (await server.get("/_roost/nope.js"))[0] == 404


async def test_unknown_paths_are_404(server):
    assert (await server.get("/missing"))[0] == 404


async def test_the_dead_render_includes_each_components_content():
    from roost import App
    from tests.actors.test_component import Parent

    html = await App({"/": Parent}).dead_render("/", Parent, {})
    assert '<div data-roost-id="a"><b class="label">first</b><i class="count">0</i>' in html
    assert '<div data-roost-id="seed"><b class="label">seed</b>' in html
