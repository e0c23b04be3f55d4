"""reactpy's side of the peer benchmark, on Starlette under uvicorn.

    cd benchmarks/peers/apps/reactpy && uvicorn app:app --port 8000

reactpy serves one root component for every path; the root picks the
scenario by the page's path (/counter, /tabs, /rows). The tab bar is a
component that gets the active tab and a callback as props (state lifted
into the page, the React idiom).
"""

from reactpy import component, html, use_location, use_state
from reactpy.backend.starlette import Options, configure
from starlette.applications import Starlette

ROWS = 1000
TABS = ["Profile", "Settings", "Billing"]
PANELS = {
    "Profile": ["Name: Ada Lovelace", "Email: ada@example.com", "Joined: 1843"],
    "Settings": ["Theme: dark", "Language: English", "Notifications: on"],
    "Billing": ["Plan: free", "Card: none", "Invoices: 0"],
}


@component
def Counter():
    count, set_count = use_state(0)
    return html.main(
        html.h1("Count: ", html.span({"id": "count"}, count)),
        html.button({"id": "inc", "on_click": lambda event: set_count(lambda c: c + 1)}, "+"),
    )


@component
def TabBar(tabs, active, on_select):
    return html.nav(
        {"class_name": "tabs"},
        [
            html.button(
                {
                    "key": tab,
                    "class_name": "active" if tab == active else "",
                    "on_click": lambda event, tab=tab: on_select(tab),
                },
                tab,
            )
            for tab in tabs
        ],
    )


@component
def Dashboard():
    tab, set_tab = use_state(TABS[0])
    return html.section(
        {"class_name": "dashboard"},
        html.h1("Dashboard"),
        TabBar(TABS, tab, set_tab),
        html.div(
            {"id": "panel"},
            html.h2(tab),
            html.ul([html.li({"key": line}, line) for line in PANELS[tab]]),
        ),
    )


@component
def Rows():
    state, set_state = use_state(lambda: (0, tuple(f"row {i}" for i in range(ROWS))))
    hits, rows = state

    def bump(event):
        def next_state(current):
            hits, rows = current
            hits += 1
            index = (hits - 1) % ROWS
            changed = list(rows)
            changed[index] = f"row {index} bumped {hits}"
            return hits, tuple(changed)

        set_state(next_state)

    return html.main(
        html.button({"id": "bump", "on_click": bump}, "bump"),
        " ",
        html.span({"id": "hits"}, hits),
        html.ul(
            {"id": "rows"},
            [html.li({"key": i, "id": f"r{i}"}, text) for i, text in enumerate(rows)],
        ),
    )


PAGES = {"/counter": Counter, "/tabs": Dashboard, "/rows": Rows}


@component
def Root():
    page = PAGES.get(use_location().pathname)
    return page() if page else html.p("not found")


app = Starlette()
configure(app, Root, Options(head=html.title("reactpy peers benchmark")))
