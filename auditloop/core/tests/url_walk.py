"""The URLconf, walked: every route with its joined pattern, name, view and parameters, and a
URL for it whose parameters name no object. Django only, so any app's tests may use it; the
walk of every route as every role is `auditloop/tests/test_url_access.py`."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponseBase
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RegexPattern, RoutePattern

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str  # the joined pattern, e.g. "audits/<uuid:public_id>/"
    name: str  # "namespace:name", or "(unnamed)"
    callback: Callable[..., HttpResponseBase]
    converters: dict[str, Any]  # parameter name -> converter (regex groups map to None)
    is_regex: bool

    @property
    def has_parameters(self) -> bool:
        return bool(self.converters)

    @property
    def is_public(self) -> bool:
        return getattr(self.callback, "access_decision", None) == "public"

    @property
    def is_api(self) -> bool:
        """The JSON API authenticates each call itself: it answers 401, never a redirect."""
        return str(getattr(self.callback, "access_decision", "")).startswith("api")

    def label(self) -> str:
        return f"{self.name} (/{self.route})"


def _pattern_parts(pattern: RoutePattern | RegexPattern) -> tuple[str, dict[str, Any], bool]:
    if isinstance(pattern, RoutePattern):
        return str(pattern), dict(pattern.converters), False
    regex = pattern.regex
    return str(pattern), dict.fromkeys(regex.groupindex), True


def _walk(
    patterns: list[URLPattern | URLResolver],
    prefix: str = "",
    namespace: str = "",
    converters: dict[str, Any] | None = None,
    is_regex: bool = False,
) -> Iterator[Route]:
    for entry in patterns:
        text, found, regex = _pattern_parts(entry.pattern)  # type: ignore[arg-type]
        joined = {**(converters or {}), **found}
        if isinstance(entry, URLResolver):
            child_namespace = namespace
            if entry.namespace:
                child_namespace = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(
                entry.url_patterns, prefix + text, child_namespace, joined, is_regex or regex
            )
        else:
            name = entry.name or "(unnamed)"
            if entry.name and namespace:
                name = f"{namespace}:{entry.name}"
            yield Route(prefix + text, name, entry.callback, joined, is_regex or regex)


def all_routes() -> list[Route]:
    return list(_walk(get_resolver().url_patterns))


def _sample_value(converter: Any) -> str:
    """A value the converter accepts that names no object."""
    if converter is None or isinstance(converter, UUIDConverter):
        return str(uuid.uuid4())
    if isinstance(converter, IntConverter):
        return "987654321"
    # A UUID is also a valid slug, string or path, and is what most views look objects up by.
    if isinstance(converter, SlugConverter | StringConverter | PathConverter):
        return str(uuid.uuid4())
    # A project converter: the first candidate its regex and to_python accept.
    candidates = [str(uuid.uuid4()), f"no-such-{uuid.uuid4().hex[:8]}", "987654321", "0"]
    for candidate in candidates:
        if re.fullmatch(converter.regex, candidate):
            try:
                converter.to_python(candidate)
            except ValueError:
                continue
            return candidate
    raise LookupError(f"no sample value for converter {type(converter).__name__}")


def sample_url(route: Route) -> str:
    """The route's path with each parameter replaced by a value that names no object."""
    if route.is_regex:
        if route.name == "(unnamed)":
            raise LookupError("an unnamed re_path() route: use path() with converters")
        kwargs = {name: _sample_value(None) for name in route.converters}
        try:
            return reverse(route.name, kwargs=kwargs)
        except NoReverseMatch as exc:
            raise LookupError("a re_path() route: use path() with converters") from exc

    def replace(match: re.Match[str]) -> str:
        return _sample_value(route.converters[match.group("name")])

    return "/" + ROUTE_PARAMETER.sub(replace, route.route)
