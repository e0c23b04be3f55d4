"""The next page shows a redirect's flash (from its cookie) or a plain endpoint's
(from the session) once: the cookie is cleared with the page that showed it, and
the connected view shows the same flash."""

from __future__ import annotations

from roost import App, LiveView, protocol


class Page(LiveView):
    def render(self) -> str:
        return "".join(f"<p class='flash {k}'>{t}</p>" for k, t in self.flash.items()) or "<p>-</p>"


async def get(app: App, cookie: str = "", session: dict | None = None) -> tuple[int, dict, str]:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    headers = [(b"host", b"localhost")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"", "headers": headers}
    if session is not None:
        scope["session"] = session
    await app(scope, receive, send)
    head = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], head, sent[1]["body"].decode()


async def test_a_redirects_flash_cookie_shows_once_and_is_cleared():
    app = App({"/": Page}, secret="s")
    token = app.sign_flash({"info": "Saved"})
    status, headers, page = await get(app, f"other=1; {protocol.FLASH_COOKIE}={token}")
    assert status == 200 and "<p class='flash info'>Saved</p>" in page
    assert headers["set-cookie"].startswith(f"{protocol.FLASH_COOKIE}=; Max-Age=0")
    claims = app.signer.verify(page.split('data-roost-token="', 1)[1].split('"', 1)[0])
    assert claims["f"] == {"info": "Saved"}  # the connected view shows it too


async def test_a_forged_flash_cookie_shows_nothing():
    app = App({"/": Page}, secret="s")
    forged = App({"/": Page}, secret="other").sign_flash({"error": "<b>gotcha</b>"})
    _, _, page = await get(app, f"{protocol.FLASH_COOKIE}={forged}")
    assert "flash" not in page and "gotcha" not in page


async def test_a_flash_an_endpoint_put_in_the_session_shows_once():
    app = App({"/": Page}, secret="s")
    session = {"user": "demo", "_flash": {"info": "Welcome back"}}
    _, _, page = await get(app, session=session)
    assert "<p class='flash info'>Welcome back</p>" in page
    assert session == {"user": "demo"}  # taken from the session: the next page has none
    _, _, again = await get(app, session=session)
    assert "flash" not in again


async def test_a_redirects_flash_shows_in_a_template_view_that_does_not_show_it_itself(
    tmp_path,
):
    (tmp_path / "plain.html").write_text("<h1>Notes</h1>")

    class Plain(LiveView):
        template = "plain.html"

    Plain.__roost_template_dir__ = str(tmp_path)
    app = App({"/": Plain}, secret="s")
    token = app.sign_flash({"info": "Saved"})
    _, _, page = await get(app, f"{protocol.FLASH_COOKIE}={token}")
    container = page.split('data-roost-token="', 1)[1].split(">", 1)[1]
    assert container.startswith(
        '<div id="roost-flash" class="roost-flash" aria-live="polite">'
        '<p class="flash info" role="alert"'
    )
    assert "Saved</p></div><h1>Notes</h1>" in container
