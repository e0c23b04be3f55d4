# The page around every live view: the app's root layout (or roost's own page
# shell), given roost's script, the view's container with its token, and the title.
"""The root layout: the HTML page that wraps every live view.

A layout is a Jinja2 template (autoescaped, undefined names are errors, as
every roost template) rendered once per page, in the dead render. It is given:

- ``inner_content``: the view's container, with the view's HTML and the
  session token the page joins with. Place it exactly once, in ``<body>``.
- ``roost_head``: the ``<script>`` tag of roost's browser client (in dev
  mode also a small inline script that re-fetches a stylesheet of the static
  folder when its file changes). Place it exactly once, in ``<head>``.
- ``page_title``: the view's ``page_title``, else the app's ``title``. Write
  ``<title>{{ page_title }}</title>``: when the view changes its
  ``page_title``, the browser sets ``document.title`` to exactly that.
- ``title``: the app's ``title``.
- ``static_url(name)``: the digested URL of a file of the app's static folder
  (only when the app has one).

The layout is not re-rendered while the page is live; only the title follows
the view. So the layout does not show the flash: the view's container does,
where the view's part of the page is patched live (``put_flash`` shows at
once). A view whose template does not name ``flash`` has it at the top of its
content, as ``flash_group(flash)`` renders it (``<div id="roost-flash"
class="roost-flash">``, a ``<p class="flash KIND" role="alert">`` per
message); the layout's stylesheet styles it.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from .._dev import DEV_STYLESHEET
from ..actors import LiveView, template_classes
from ..protocol import ATTR, VIEW_TARGET
from ..render import environment_for
from ..render.environment import auto_reload

if TYPE_CHECKING:
    import jinja2

    from .static import StaticFiles

__all__ = [
    "DEFAULT_LAYOUT",
    "Layout",
    "calling_folder",
    "page_title",
    "provide_static_url",
]

DEFAULT_LAYOUT = Path(__file__).with_name("page.html")
"""roost's own page shell, the layout of an app that names none."""

_INNER = "<!--roost:inner_content-->"
_HEAD = "<!--roost:roost_head-->"

# Dev mode: a stylesheet of the static folder changed (the TemplateWatcher says
# so): the page's <link> to it takes the file's new digested URL, no reload.
_DEV_SCRIPT = (
    "<script>addEventListener({event}, (e) => {{"
    " for (const link of document.querySelectorAll('link[rel~=stylesheet]')) {{"
    " if (new URL(link.href, location.href).pathname === e.detail.path)"
    " link.href = e.detail.url; }} }});</script>"
)


class Layout:
    """The page shell: ``template`` (a path, relative ones from ``folder``) or
    ``DEFAULT_LAYOUT``, checked here, at start-up.

    Raises ``ValueError`` when the file is missing or does not place
    ``inner_content`` and ``roost_head`` exactly once each, and Jinja2's own
    errors (``TemplateSyntaxError``, ``UndefinedError`` for a name the layout
    is not given, ``ValueError`` from ``static_url`` for a missing file).
    """

    def __init__(
        self,
        template: str | os.PathLike[str] | None,
        *,
        folder: Path,
        prefix: str,
        static: StaticFiles | None = None,
        dev: bool | None = None,
    ) -> None:
        path = DEFAULT_LAYOUT if template is None else folder / template
        if not path.is_file():
            raise ValueError(f"layout {str(template)!r}: no such file {str(path)!r}")
        self.path = path
        """The layout's file; templates it extends or includes are looked up in its folder."""
        self.template: jinja2.Template = environment_for(str(path.parent)).get_template(path.name)
        self.prefix = prefix
        """The path of roost's own files (the client script), below the app's root."""
        self.root_path = ""
        """Where the app is mounted (the ASGI ``root_path``, ``"/live"``; ``""`` at the
        site's root): the client script's URL is below it (``App`` sets it)."""
        self.static = static
        self.dev = auto_reload() if dev is None else dev
        """Dev mode (None: as the templates are, ``set_auto_reload``): the head
        carries the stylesheet reloader."""
        self._check()

    @property
    def head(self) -> Markup:
        """``roost_head``: what the page needs of roost in its ``<head>`` (the client
        script, whose URL also tells the client where its socket is; in dev mode
        also the script that re-fetches a stylesheet whose file changed)."""
        src = self.root_path + self.prefix + "/roost.js"
        head = Markup('<script type="module" src="{}"></script>').format(src)
        if self.dev:
            head += Markup(_DEV_SCRIPT.format(event=json.dumps("roost:" + DEV_STYLESHEET)))
        return head

    def render(self, content: str, token: str, *, page_title: str, title: str) -> str:
        """The whole page: the view's ``content`` in its container, carrying ``token``."""
        inner = Markup('<div {}="{}" {}="{}">{}</div>').format(
            ATTR.ID, VIEW_TARGET, ATTR.TOKEN, token, Markup(content)
        )
        return self._render(inner, self.head, page_title, title)

    def _render(self, inner: Markup, head: Markup, page_title: str, title: str) -> str:
        context: dict[str, Any] = {
            "inner_content": inner,
            "roost_head": head,
            "page_title": page_title,
            "title": title,
        }
        if self.static is not None:
            context["static_url"] = self.static.url
        template = self.template
        if template.environment.auto_reload:
            # Dev mode: the environment reloads the file when it changed.
            template = template.environment.get_template(template.name or "")
        return template.render(context)

    def _check(self) -> None:
        page = self._render(Markup(_INNER), Markup(_HEAD), "roost", "roost")
        for name, marker in (("inner_content", _INNER), ("roost_head", _HEAD)):
            if page.count(marker) != 1:
                raise ValueError(
                    f"layout {str(self.path)!r} must place {{{{ {name} }}}} exactly once "
                    f"(it does {page.count(marker)} times)"
                )


def page_title(view: LiveView, default: str) -> str:
    """The title of the page showing ``view``: its ``page_title``, else ``default``."""
    title = getattr(view, "page_title", None)
    return default if title is None else str(title)


def calling_folder() -> Path:
    """The folder of the module whose code calls into ``roost.server`` (the module that
    creates the ``App``); the working directory when that code has no file (a REPL)."""
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        "roost.server"
    ):
        frame = frame.f_back
    file = frame.f_globals.get("__file__")
    return Path(file).resolve().parent if file else Path.cwd()


def provide_static_url(static: StaticFiles, folder: Path, views: Iterable[object]) -> None:
    """Make ``static_url`` a global of the templates of ``views`` and of every view
    and component class defined so far whose module is in ``folder`` or below it."""
    dirs = {str(getattr(v, "__roost_template_dir__", "")) for v in views}
    for cls in template_classes():
        directory = cls.__roost_template_dir__
        if Path(directory).resolve().is_relative_to(folder):
            dirs.add(directory)
    for directory in dirs - {""}:
        environment_for(directory).globals["static_url"] = static.url
