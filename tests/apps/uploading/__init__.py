"""A form with a file input bound to an upload: progress, errors, cancel, and a
save that consumes the finished files (their size and sha256 are shown).

A drop target inside the form feeds the same upload; ``?auto=0`` sends the
files' bytes only on submit. Upload "note" has a drop target and no input:
dropped files go to it straight away, and ``keep`` consumes them."""

import hashlib
from pathlib import Path

from roost import App, LiveView, event


def digest(path: str) -> tuple[int, str]:
    sha, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while piece := f.read(1 << 16):
            sha.update(piece)
            size += len(piece)
    return size, sha.hexdigest()


class Uploading(LiveView):
    template = "uploading.html"

    def mount(self, params, session):
        self.saved = []
        self.progressed = 0
        self.allow_upload(
            "doc",
            accept=(".bin", ".txt", "image/png"),
            max_entries=2,
            max_file_size=int(params.get("max", 25_000_000)),
            chunk_size=int(params.get("chunk", 45_000)),
            auto_upload=params.get("auto") != "0",
        )
        self.allow_upload("note", max_entries=3, max_file_size=10_000)
        self.notes = []

    def handle_upload_progress(self, name, entry):
        self.progressed += 1

    @event
    def cancel(self, ref: str):
        self.cancel_upload("doc", ref)

    @event
    def save(self):
        for name, (size, sha) in self.consume_uploaded_entries(
            "doc", lambda path, entry: (entry.name, digest(path))
        ):
            self.saved.append({"name": name, "size": size, "sha256": sha})

    @event
    def keep(self):
        self.notes += self.consume_uploaded_entries(
            "note", lambda path, entry: f"{entry.name}: {Path(path).read_text()}"
        )


app = App({"/": Uploading})
