"""examples/gallery in Chromium: a preview at once, the upload's progress, and
the photo in the gallery, served from /photos."""

from __future__ import annotations

import base64

import pytest

from tests.serve import roost_run

from .conftest import wait_joined

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def served():
    with roost_run("examples.gallery:app") as served:
        yield served


def test_choose_preview_upload_and_add(page, served, tmp_path):
    image = tmp_path / "cat.png"
    image.write_bytes(PNG)
    page.goto(served.url + "/")
    wait_joined(page)
    page.set_input_files("#photos", str(image))
    page.wait_for_selector("#previews img")  # the hook's preview, from the browser's copy
    page.wait_for_function("() => document.querySelector('.entry progress')?.value === 100")
    page.click("#save")
    page.wait_for_function(
        "() => { const img = document.querySelector('#photos-list img');"
        " return img && img.complete && img.naturalWidth === 1; }"
    )
    assert not page.query_selector(".entry")


def test_photos_dropped_on_the_zone_are_previewed_and_uploaded(page, served):
    page.goto(served.url + "/")
    wait_joined(page)
    dropped = page.evaluate_handle(
        """(b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], "dropped.png", { type: "image/png" }));
          return dt;
        }""",
        base64.b64encode(PNG).decode(),
    )
    page.dispatch_event("#dropzone", "dragover", {"dataTransfer": dropped})
    assert "roost-drop-target-active" in (page.get_attribute("#dropzone", "class") or "")
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": dropped})
    page.wait_for_selector("#previews img")
    page.wait_for_function("() => document.querySelector('.entry progress')?.value === 100")
    assert page.text_content(".entry .name") == "dropped.png"
    page.click("#save")
    page.wait_for_selector("#photos-list img[alt$='dropped.png']")
