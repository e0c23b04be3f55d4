"""The search example in process: the query narrows the list and the count,
ignoring case; an empty query lists the first results of all; Escape clears."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from examples.search import INCIDENTS, LIMIT, app
from roost.testing import LiveClient


def titles(view: LiveClient) -> list[str]:
    """The incidents the list shows, in order."""
    return [li.text().strip() for li in LexborHTMLParser(view.html("#results")).css("li")]


def shown(view: LiveClient) -> int:
    return len(titles(view))


async def test_the_page_opens_on_the_first_results_of_all_incidents():
    async with LiveClient.mount(app, "/") as view:
        assert view.text("#count") == f"{len(INCIDENTS)} of {len(INCIDENTS)}"
        assert f"showing the first {LIMIT}" in view.text(".meta")
        assert shown(view) == LIMIT
        assert view.text("#results li:first-child") == INCIDENTS[0]


async def test_a_search_narrows_the_list_and_counts_the_matches():
    async with LiveClient.mount(app, "/") as view:
        await view.event("search", q="billing timeout")
        assert view.text("#count") == f"10 of {len(INCIDENTS)}"
        assert "showing the first" not in view.text(".meta")
        assert shown(view) == 10
        assert all(title.startswith("Billing timeout in ") for title in titles(view))
        assert view.text("#searches") == "1"
        assert view.attr("#results", "data-q") == "billing timeout"


async def test_the_search_ignores_case_and_surrounding_spaces():
    async with LiveClient.mount(app, "/") as view:
        await view.event("search", q="  EU-West ")
        upper = titles(view)
        assert view.text("#count") == f"100 of {len(INCIDENTS)}"
        assert all("eu-west" in title for title in upper)
        await view.event("search", q="eu-west")
        assert titles(view) == upper
        assert view.attr("#results", "data-q") == "eu-west"


async def test_a_query_nothing_matches_says_so():
    async with LiveClient.mount(app, "/") as view:
        await view.event("search", q="volcano")
        assert view.text("#count") == f"0 of {len(INCIDENTS)}"
        assert shown(view) == 0
        assert view.text("#none") == "No incident matches “volcano”."


async def test_escape_clears_the_box_and_lists_everything_again():
    async with LiveClient.mount(app, "/") as view:
        await view.event("search", q="disk full")
        assert view.attr("#q", "value") == "disk full"
        assert view.text("#count") == f"100 of {len(INCIDENTS)}"
        assert await view.keydown("#q", "a") is None  # only Escape clears
        await view.keydown("#q", "Escape")
        assert view.attr("#q", "value") == ""
        assert view.text("#count") == f"{len(INCIDENTS)} of {len(INCIDENTS)}"
        assert shown(view) == LIMIT
        assert not view.exists("#none")
