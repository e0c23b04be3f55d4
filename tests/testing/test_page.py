"""The test client's page model: each target's tree changes only by its own
messages, with the browser's rules, and child actors' trees are composed in."""

from roost.render import PatchError, ops
from roost.testing._page import Page


def page_with_child() -> Page:
    page = Page()
    page.render("0", 1, '<p id="p">parent</p><div data-roost-id="c1"></div>')
    page.render("c1", 1, '<b id="b">child</b>')
    return page


def test_a_childs_tree_is_composed_into_its_container():
    page = page_with_child()
    assert page.container().inner_html == (
        '<p id="p">parent</p><div data-roost-id="c1"><b id="b">child</b></div>'
    )
    assert [n.text() for n in page.select("[data-roost-id] b")] == ["child"]
    assert page.unfilled() == []


def test_a_parents_patch_never_touches_the_childs_content():
    page = page_with_child()
    assert page.patch("0", 2, [[ops.SET_ATTR, [1], "class", "box"]])
    assert page.container().inner_html.endswith(
        '<div data-roost-id="c1" class="box"><b id="b">child</b></div>'
    )
    assert page.patch("c1", 2, [[ops.TEXT, [0, 0], "changed"]])
    assert page.select("#p")[0].text() == "parent"
    assert page.select("#b")[0].text() == "changed"


def test_a_version_gap_drops_the_version_and_later_patches_wait_for_a_render():
    page = page_with_child()
    assert page.patch("0", 3, [[ops.TEXT, [0, 0], "skipped one"]]) is False
    assert page.version("0") is None
    assert page.patch("0", 4, [[ops.TEXT, [0, 0], "ignored"]]) is True  # ignored, as the browser
    assert page.select("#p")[0].text() == "parent"
    page.render("0", 1, '<p id="p">again</p><div data-roost-id="c1"></div>')
    assert page.version("0") == 1
    assert page.select("#b")[0].text() == "child"


def test_a_patch_for_a_target_never_rendered_is_ignored():
    page = Page()
    assert page.patch("ghost", 2, [[ops.TEXT, [0], "x"]]) is True
    assert page.version("ghost") is None


def test_ops_that_do_not_fit_raise_patch_error():
    page = page_with_child()
    try:
        page.patch("0", 2, [[ops.TEXT, [9, 9], "x"]])
    except PatchError:
        pass
    else:  # pragma: no cover
        raise AssertionError("a bad op was accepted")


def test_a_crashed_child_shows_an_alert_in_its_marked_container():
    page = page_with_child()
    page.crash("c1", "it broke")
    container = page.select('[data-roost-id="c1"]')[0]
    assert "data-roost-crashed" in container.attributes
    assert page.select('[role="alert"]')[0].text() == "it broke"
    assert page.version("c1") is None


def test_unfilled_names_containers_whose_actor_has_not_rendered():
    page = Page()
    page.render("0", 1, '<div data-roost-id="a"></div><div data-roost-id="b"></div>')
    page.render("a", 1, '<div data-roost-id="a1"></div>')
    assert page.unfilled() == ["a1", "b"]


def test_a_container_that_contains_itself_is_not_composed_twice():
    page = Page()
    page.render("0", 1, '<div data-roost-id="a"></div>')
    page.render("a", 1, '<div data-roost-id="a"><i>x</i></div>')
    assert page.container().inner_html == (
        '<div data-roost-id="a"><div data-roost-id="a"><i>x</i></div></div>'
    )


SERVED = (
    '<!DOCTYPE html><html><body><div data-roost-id="0" data-roost-token="t">'
    '<p id="p">parent</p><div data-roost-id="c1"><b id="b">child</b></div>'
    "</div></body></html>"
)


def loaded() -> Page:
    page = Page()
    page.load(SERVED)
    return page


def test_a_render_without_html_keeps_the_content_the_page_was_served():
    page = loaded()
    assert page.keep("0", 1) and page.keep("c1", 1)
    assert page.container().inner_html == (
        '<p id="p">parent</p><div data-roost-id="c1"><b id="b">child</b></div>'
    )
    assert page.version("c1") == 1
    assert page.patch("c1", 2, [[ops.TEXT, [0, 0], "changed"]])
    assert page.select("#b")[0].text() == "changed"


def test_content_kept_once_or_changed_since_is_not_kept_again():
    page = loaded()
    assert page.keep("0", 1)
    assert page.keep("0", 1) is False  # taken: a second one asks for the content
    assert page.version("0") is None
    page = loaded()
    page.render("c1", 1, "<i>new</i>")
    assert page.keep("c1", 1) is False


def test_a_container_that_left_the_page_is_not_kept_even_if_it_comes_back():
    page = loaded()
    assert page.keep("0", 1)
    assert page.patch("0", 2, [[ops.REMOVE, [1]]])
    assert page.patch("0", 3, [[ops.INSERT, [1], '<div data-roost-id="c1"></div>']])
    assert page.keep("c1", 1) is False  # an empty container came back, not the served one


def test_a_container_a_parents_full_render_places_again_keeps_its_content():
    page = loaded()
    page.render("0", 1, '<h1>new</h1><div data-roost-id="c1"></div>')  # the browser moves it
    assert page.keep("c1", 1)
    assert page.select("#b")[0].text() == "child"
