"""examples/gallery: image uploads checked before a byte is sent, consumed into
the gallery's folder, and served from /photos."""

from __future__ import annotations

import base64

from examples.gallery import FOLDER, app
from roost.testing import LiveClient

# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def test_an_image_uploads_and_joins_the_gallery():
    async with LiveClient.mount(app) as view:
        [ref] = await view.upload("#photos", ("cat.png", PNG))
        assert ref is not None
        await view.wait_for(f"#entry-{ref} progress")
        assert view.attr(f"#entry-{ref} progress", "value") == "100"
        await view.submit("#upload")
        src = view.attr("#photos-list img", "src")
        assert src is not None and src.startswith("/photos/") and src.endswith("-cat.png")
        assert (FOLDER / src.removeprefix("/photos/")).read_bytes() == PNG
        assert not view.exists(".entry")  # consumed


async def test_a_file_that_is_not_an_image_is_refused_before_any_byte():
    async with LiveClient.mount(app) as view:
        [ref] = await view.upload("#photos", ("notes.txt", b"hello"))
        assert ref is None
        assert view.exists('.error[role="alert"]')
