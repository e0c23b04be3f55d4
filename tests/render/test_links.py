"""An app's own root-relative links go below the point a host mounted it at."""

from __future__ import annotations

from roost.render import below_mount


def test_root_relative_links_go_below_the_mount_point_and_nothing_else_moves():
    html = (
        '<a href="/notes/3">n</a><form action="/login"><button formaction="/x">b</button></form>'
        '<img src=\'/img/a.png\'><a href="//cdn.example/x">c</a><a href="?sort=1">s</a>'
        '<a href="https://example.com/">e</a><link href="/live/static/a.css?vsn=1">'
        "<p>href=&#34;/text&#34;</p>"
    )
    assert below_mount(html, "/live") == (
        '<a href="/live/notes/3">n</a><form action="/live/login">'
        '<button formaction="/live/x">b</button></form>'
        '<img src=\'/live/img/a.png\'><a href="//cdn.example/x">c</a><a href="?sort=1">s</a>'
        '<a href="https://example.com/">e</a><link href="/live/static/a.css?vsn=1">'
        "<p>href=&#34;/text&#34;</p>"
    )


def test_an_app_at_the_root_is_left_as_it_is():
    html = '<a href="/notes/3">n</a>'
    assert below_mount(html, "") is html
