# URL paths to LiveViews: route patterns with typed parameters, matched in the
# order the app declares them, and the query string as the view sees it.
"""Routes: ``"/incidents/{id:int}"`` patterns and what a request's URL gives a view."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from ..actors import check_view

if TYPE_CHECKING:
    from ..actors import LiveView

__all__ = ["CONVERTERS", "Match", "Route", "Router", "query_params", "signable"]


@dataclass(frozen=True)
class _Converter:
    regex: str
    convert: Callable[[str], Any]


def _to_int(text: str) -> int:
    value = int(text)
    if value.bit_length() >= 64:  # as event params: it must fit in 64 bits, signed
        raise ValueError(f"{text!r} does not fit in 64 bits")
    return value


CONVERTERS: dict[str, _Converter] = {
    "str": _Converter(r"[^/]+", str),
    "int": _Converter(r"-?[0-9]+", _to_int),
    "float": _Converter(r"-?[0-9]+(?:\.[0-9]+)?", float),
    "uuid": _Converter(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
        uuid.UUID,
    ),
    "path": _Converter(r".+", str),
}
"""The parameter types a pattern may name (``{id:int}``); ``str`` when it names none.
``str`` matches one path segment, ``path`` the rest of the path, slashes included."""

_PARAM = re.compile(r"{([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z_]+))?}")


@dataclass(frozen=True)
class Route:
    """One pattern of the app and the view it mounts."""

    pattern: str
    view: type[LiveView]
    params: tuple[tuple[str, str], ...]
    """Each parameter's name and type, in the pattern's order."""
    _regex: re.Pattern[str]

    def match(self, path: str) -> dict[str, Any] | None:
        """The typed parameters of ``path``, or None if it does not match this route."""
        found = self._regex.fullmatch(path)
        if found is None:
            return None
        values: dict[str, Any] = {}
        for name, kind in self.params:
            try:
                values[name] = CONVERTERS[kind].convert(found[name])
            except ValueError:
                return None
        return values


@dataclass(frozen=True)
class Match:
    """What a request's path resolved to."""

    route: Route
    path_params: dict[str, Any]

    @property
    def view(self) -> type[LiveView]:
        return self.route.view


def compile_route(pattern: str, view: type[LiveView]) -> Route:
    """The route for ``pattern``, or ``ValueError`` saying what is wrong with it."""
    if not pattern.startswith("/"):
        raise ValueError(f"route {pattern!r}: a pattern starts with '/'")
    regex: list[str] = []
    params: list[tuple[str, str]] = []
    at = 0
    for found in [*_PARAM.finditer(pattern), None]:
        literal = pattern[at : found.start() if found else len(pattern)]
        if "{" in literal or "}" in literal:
            raise ValueError(f"route {pattern!r}: a parameter is written {{name}} or {{name:type}}")
        regex.append(re.escape(literal))
        if found is None:
            break
        name, kind = found[1], found[2] or "str"
        if kind not in CONVERTERS:
            known = ", ".join(CONVERTERS)
            raise ValueError(f"route {pattern!r}: unknown parameter type {kind!r} (known: {known})")
        if any(name == seen for seen, _ in params):
            raise ValueError(f"route {pattern!r}: parameter {name!r} appears twice")
        regex.append(f"(?P<{name}>{CONVERTERS[kind].regex})")
        params.append((name, kind))
        at = found.end()
    return Route(pattern, view, tuple(params), re.compile("".join(regex)))


class Router:
    """The app's routes, matched in the order they were given (an exact path first).

    Patterns are checked when the router is made: an unknown type, a repeated
    parameter or a malformed ``{...}`` is a ``ValueError`` at start-up, not at
    the first request; so is a view whose template (or that of a LiveComponent
    its module names) is missing, does not compile, binds an event its actor
    has no handler for, or places a component without an id
    (:func:`roost.actors.check_view`).
    """

    def __init__(self, routes: Mapping[str, type[LiveView]]) -> None:
        self._routes = [compile_route(pattern, view) for pattern, view in routes.items()]
        for view in {route.view for route in self._routes}:
            check_view(view)
        self._exact = {r.pattern: r for r in self._routes if not r.params}

    def __iter__(self) -> Iterator[Route]:
        return iter(self._routes)

    def resolve(self, to: str, current: str) -> tuple[type[LiveView], dict[str, Any], str] | None:
        """Where ``to`` (a path, or a URL, relative to the page's URL ``current``)
        leads on this site: the view routed there, its params and the whole URL;
        None for another site's URL or a path no view is routed at."""
        url = urljoin(current, to)
        parts, here = urlsplit(url), urlsplit(current)
        if (parts.scheme, parts.netloc) != (here.scheme, here.netloc):
            return None
        match = self.match(parts.path or "/")
        if match is None:
            return None
        return match.view, {**query_params(parts.query), **match.path_params}, url

    def match(self, path: str) -> Match | None:
        """The route ``path`` resolves to and its typed parameters, or None (a 404)."""
        exact = self._exact.get(path)
        if exact is not None:
            return Match(exact, {})
        for route in self._routes:
            if route.params:
                values = route.match(path)
                if values is not None:
                    return Match(route, values)
        return None


def query_params(query: str) -> dict[str, str | list[str]]:
    """The query string's parameters: one value as a string, a repeated key's values
    as a list of them in order (``?tag=a&tag=b`` is ``{"tag": ["a", "b"]}``)."""
    params: dict[str, str | list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        held = params.get(key)
        if held is None:
            params[key] = value
        elif isinstance(held, list):
            held.append(value)
        else:
            params[key] = [held, value]
    return params


def signable(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as a token can carry them (a ``uuid`` path parameter as its text;
    the join matches the path again for the typed value)."""
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in params.items()}
