"""Two views linked live: a list with sortable columns (push_patch) and links to
each note (push_navigate), and a note page that links back."""

from roost import App, LiveView, event


class NoteList(LiveView):
    def mount(self, params, session):
        self.sort = "title"

    def handle_params(self, params, url):
        self.sort = params.get("sort", "title")

    def render(self) -> str:
        links = "".join(
            f'<li><a id="note-{n}" href="/notes/{n}" roost-link="navigate">Note {n}</a></li>'
            for n in (1, 2, 3)
        )
        return (
            f'<h1>Notes</h1><p id="sort">{self.sort}</p>'
            '<button id="by-date" roost-click="sort_by" roost-value-column="date">date</button>'
            '<a id="by-author" href="/?sort=author" roost-link="patch">author</a>'
            '<button id="save" roost-click="save">save</button>'
            f"<ul>{links}</ul>"
        )

    @event
    def sort_by(self, column: str):
        self.push_patch(f"/?sort={column}")

    @event
    def save(self):
        self.put_flash("info", "Saved")
        self.redirect("/notes/1")  # a page load: the flash rides in a cookie


class NotePage(LiveView):
    def mount(self, params, session):
        self.number = params["id"]

    def render(self) -> str:
        flash = "".join(f'<p class="flash">{text}</p>' for text in self.flash.values())
        return (
            f'<h1 id="title">Note {self.number}</h1>{flash}'
            '<a id="back" href="/" roost-link="navigate">all notes</a>'
            '<button id="crash" roost-click="crash">crash</button>'
        )

    @event
    def crash(self):
        raise RuntimeError("boom")


app = App({"/": NoteList, "/notes/{id:int}": NotePage})
