# The page a failed dead render answers with in dev mode: the exception, its
# traceback and, for a template's error, the template's lines around it.
"""The dev error page, and the dev crash notice.

In dev mode (``App(debug=True)``, ``ROOST_ENV=dev``, ``roost run --reload``)
a page whose dead render raises answers 500 with :func:`dev_error_page`:
the exception's type and message, its traceback, and, when the error is in
a Jinja2 template, the template and line with the lines around it. Every
piece of it is escaped: an exception message is text, never markup. A view
that fails for good once connected is replaced by :func:`crash_notice`, which
in dev mode says the same in a few lines of text. In production the page and
the notice are generic and the detail goes only to the log.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from html import escape
from pathlib import Path
from types import TracebackType

import jinja2

from ..render.environment import template_name

__all__ = ["CONTEXT_LINES", "TemplateSpot", "crash_notice", "dev_error_page", "template_spot"]

CONTEXT_LINES = 3
"""How many template lines the page shows before and after the failing one."""


@dataclass(frozen=True)
class TemplateSpot:
    """Where in a template an error happened."""

    template: str
    """The template's name, else its file."""
    lineno: int
    lines: tuple[tuple[int, str], ...]
    """The failing line and up to ``CONTEXT_LINES`` either side, numbered from 1."""


def template_spot(exc: BaseException) -> TemplateSpot | None:
    """Where in a template ``exc`` happened, or None when no template was running.

    A ``jinja2.TemplateSyntaxError`` knows its template and line; any other
    exception raised while a template rendered has, in its traceback, the
    frame Jinja2 made to point at the template's line (the innermost one is
    taken). The lines come from the error's source, else from the file.
    """
    for leaf in _leaves(exc):
        if isinstance(leaf, jinja2.TemplateSyntaxError):
            name = leaf.name or _shown(leaf.filename)
            return _spot(name, leaf.lineno, leaf.source, leaf.filename)
        found = _template_frame(leaf.__traceback__)
        if found is not None:
            filename, lineno = found
            return _spot(template_name(filename) or _shown(filename), lineno, None, filename)
    return None


def dev_error_page(exc: BaseException, *, path: str) -> bytes:
    """The dev mode page for ``exc``, raised while rendering ``path``: an HTML
    document (UTF-8) with everything in it escaped."""
    kind = type(exc).__qualname__
    message = str(exc)
    spot = template_spot(exc)
    trace = "".join(traceback.format_exception(exc))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(kind)} at {escape(path)}</title>",
        f"<style>{_STYLE}</style></head><body>",
        '<header><p class="where">Server error while rendering '
        f"<code>{escape(path)}</code> (dev mode)</p>",
        f'<h1 class="exception">{escape(kind)}</h1>',
        f'<pre class="message">{escape(message)}</pre></header>',
    ]
    if spot is not None:
        numbered = "".join(
            f'<span class="{"line error-line" if n == spot.lineno else "line"}">'
            f'<span class="lineno">{n:>4}</span>  {escape(text)}</span>'
            for n, text in spot.lines
        )
        parts.append(
            f'<section class="template"><h2>Template <code>{escape(spot.template)}</code>, '
            f"line {spot.lineno}</h2><pre>{numbered}</pre></section>"
        )
    parts += [
        '<section class="traceback"><h2>Traceback</h2>',
        f"<pre>{escape(trace)}</pre></section>",
        "<footer><p>This page shows because dev mode is on. In production the page is "
        "generic and the detail goes to the log only.</p></footer>",
        "</body></html>",
    ]
    return "\n".join(parts).encode()


def crash_notice(exc: BaseException, generic: str, *, dev: bool) -> str:
    """The text shown in place of a view (or component) that failed for good with
    ``exc``: ``generic`` in production; in dev mode followed by the exception
    that caused it (through the supervisor's ``RestartIntensityExceeded``), its
    message, and its template and line with that line's text, when a template
    was running. Plain text, one fact a line: the client shows it as text."""
    if not dev:
        return generic
    cause = _first_cause(exc)
    kind, message = type(cause).__qualname__, str(cause)
    lines = [generic, "", f"{kind}: {message}" if message else kind]
    spot = template_spot(cause)
    if spot is not None:
        text = dict(spot.lines).get(spot.lineno, "").strip()
        lines.append(f"Template {spot.template}, line {spot.lineno}:")
        if text:
            lines.append(f"    {text}")
    lines.append("(dev mode: in production this notice is generic and the detail is logged)")
    return "\n".join(lines)


def _first_cause(exc: BaseException) -> BaseException:
    """The exception ``exc`` was raised from (``raise ... from``), all the way down,
    taking a group's sole leaf: what failed, under what reported the failure."""
    seen: set[int] = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        leaves = _leaves(exc)
        if len(leaves) == 1 and leaves[0] is not exc:
            exc = leaves[0]
        elif exc.__cause__ is not None:
            exc = exc.__cause__
        else:
            break
    return exc


def _leaves(exc: BaseException) -> list[BaseException]:
    """``exc``, or the exceptions inside it when it is a group (depth first)."""
    if isinstance(exc, BaseExceptionGroup):
        return [leaf for inner in exc.exceptions for leaf in _leaves(inner)]
    return [exc]


def _template_frame(tb: TracebackType | None) -> tuple[str, int] | None:
    """The file and line of the innermost template frame of ``tb``, if any."""
    found: tuple[str, int] | None = None
    while tb is not None:
        frame = tb.tb_frame
        if "__jinja_exception__" in frame.f_globals:  # a frame Jinja2 made for a template line
            found = (frame.f_code.co_filename, tb.tb_lineno)
        else:
            template = frame.f_globals.get("__jinja_template__")  # compiled, not rewritten
            if isinstance(template, jinja2.Template) and template.filename:
                found = (template.filename, template.get_corresponding_lineno(tb.tb_lineno))
        tb = tb.tb_next
    return found


def _spot(name: str, lineno: int, source: str | None, filename: str | None) -> TemplateSpot:
    if source is None and filename is not None:
        try:
            source = Path(filename).read_text(encoding="utf-8", errors="replace")
        except OSError:
            source = None
    lines = (source or "").splitlines()
    first = max(1, lineno - CONTEXT_LINES)
    last = min(len(lines), lineno + CONTEXT_LINES)
    return TemplateSpot(name, lineno, tuple((n, lines[n - 1]) for n in range(first, last + 1)))


def _shown(filename: str | None) -> str:
    """``filename`` from the working directory when it is under it, else whole."""
    if not filename:
        return "<template>"
    path = Path(filename)
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else filename


_STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
header { background: #8b1d1d; color: #fff; padding: 1.2em 2em; }
header .where { margin: 0; opacity: .85; }
h1 { margin: .2em 0; font-size: 1.6em; }
h2 { font-size: 1.05em; margin: 0 0 .5em; }
section, footer { padding: 1em 2em; }
pre { background: #fff; border: 1px solid #ddd; padding: .8em; overflow-x: auto;
      font: 13px/1.4 ui-monospace, monospace; }
header pre.message { background: transparent; border: 0; color: #fff; padding: 0;
                     font-size: 15px; white-space: pre-wrap; }
.lineno { color: #888; }
.line { display: block; white-space: pre; }
.error-line { background: #fde2e2; font-weight: bold; }
footer { color: #666; font-size: .9em; }
""".strip()
