"""The URL walk: every route carries an access decision, and answers every role safely.

It walks the whole URLconf, so a route added by any app is checked without editing this file.
Parameters are filled with values that name no object (fresh UUIDs), so a signed-in user
must get 404 (or 403 when their role is refused before the lookup), never 200 or 500, and an
anonymous visitor is sent to sign in.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    include,
    path,
    reverse,
)
from django.urls.converters import (
    IntConverter,
    PathConverter,
    SlugConverter,
    StringConverter,
    UUIDConverter,
)
from django.urls.resolvers import RegexPattern, RoutePattern

from auditloop.accounts.access import any_staff
from auditloop.accounts.models import StaffMember
from auditloop.core.access import public
from auditloop.core.testing import Personas

CHILD_ID_PARAMETER = re.compile(r"child_?id|la_?child|child_?ref", re.IGNORECASE)
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


def _request(client: Client, url: str) -> tuple[str, HttpResponseBase | None, str]:
    """GET the URL; a route refusing GET (405) is tried with an empty POST instead."""
    method = "GET"
    try:
        response = client.get(url)
        if response.status_code == 405:
            method = "POST"
            response = client.post(url, {})
    except Exception as exc:  # a crash is what this walk looks for
        return method, None, f"raised {type(exc).__name__}: {exc}"
    return method, response, ""


def _problem(route: Route, who: str, response: HttpResponseBase) -> str | None:
    """Why this answer is wrong for this route and visitor, or None when it is right."""
    status = response.status_code
    if status >= 500:
        return f"answered {status}"
    if who == "anonymous":
        if route.is_api and status in {401, 403}:
            return None
        if status == 302:
            location = response.get("Location", "")
            if route.is_public or location.startswith(reverse("login")):
                return None
            return f"redirected to {location}, not to sign in"
        if route.is_public:
            return None
        return f"answered {status}; a signed-out visitor must be sent to sign in"
    if route.is_public:
        return None
    if route.has_parameters:
        if status in {403, 404}:
            return None
        return f"answered {status} for an object that does not exist; expected 404 (or 403)"
    if status in {200, 302, 403, 405}:
        return None
    return f"answered {status}; expected 200, 302, 403 or 405"


def routes_without_access_decision() -> list[str]:
    return [
        route.label()
        for route in all_routes()
        if not getattr(route.callback, "access_decision", None)
    ]


def routes_with_a_child_id() -> list[str]:
    return [
        f"{route.label()}: parameter {name!r}"
        for route in all_routes()
        for name in route.converters
        if CHILD_ID_PARAMETER.search(name)
    ]


class Visitor:
    """Anonymous, or one persona signed in; signed in again if a route ended the session."""

    def __init__(self, who: str, staff: StaffMember | None) -> None:
        self.who = who
        self.staff = staff
        self._client: Client | None = None

    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
            if self.staff is not None:
                assert self.staff.user is not None
                self._client.force_login(self.staff.user)
        return self._client

    def after_request(self) -> None:
        cookie = self.client().cookies.get(settings.SESSION_COOKIE_NAME)
        if self.staff is not None and (cookie is None or not cookie.value):
            self._client = None  # signed out (or the session was cut): sign in afresh


def walk_as_everyone(p: Personas, routes: list[Route]) -> list[str]:
    """The routes as anonymous and as every persona; one line per wrong answer."""
    visitors = [Visitor("anonymous", None)]
    visitors += [Visitor(role, staff) for role, staff in p.all_roles().items()]
    failures: list[str] = []
    logging.disable(logging.CRITICAL)  # 404s and 403s log warnings by the hundred
    try:
        for route in routes:
            try:
                url = sample_url(route)
            except LookupError as exc:
                failures.append(f"{route.label()}: cannot build a sample URL ({exc})")
                continue
            for visitor in visitors:
                method, response, crash = _request(visitor.client(), url)
                visitor.after_request()
                problem = crash or (response is not None and _problem(route, visitor.who, response))
                if problem:
                    failures.append(f"{route.label()} {method} {url} as {visitor.who}: {problem}")
    finally:
        logging.disable(logging.NOTSET)
    return failures


def route_group(route: Route) -> str:
    """The app a route belongs to (its outermost namespace), so the walk runs in parts."""
    return route.name.split(":", 1)[0] if ":" in route.name else "(root)"


def route_groups() -> list[str]:
    return sorted({route_group(route) for route in all_routes()})


def test_every_view_carries_an_access_decision() -> None:
    missing = routes_without_access_decision()
    assert not missing, (
        "These routes have no access decision; decorate their views with one of "
        "public or signed_in from auditloop.core.access, or any_staff, roles_required or "
        "auditing_roles_required from auditloop.accounts.access:\n  " + "\n  ".join(missing)
    )


def test_the_walk_finds_the_routes_of_every_app() -> None:
    names = {route.name for route in all_routes()}
    assert {"home", "login", "logout", "audits:list", "cases:list"} <= names


def test_no_route_carries_a_childs_id() -> None:
    offending = routes_with_a_child_id()
    assert not offending, (
        "Children's IDs never go in URLs; use the case's public_id:\n  " + "\n  ".join(offending)
    )


@pytest.mark.parametrize("group", route_groups())
def test_every_route_answers_every_role_and_anonymous_safely(p: Personas, group: str) -> None:
    failures = walk_as_everyone(p, [r for r in all_routes() if route_group(r) == group])
    assert not failures, f"{len(failures)} unsafe answers in the URL walk:\n  " + "\n  ".join(
        failures
    )


# The walk itself, against a URLconf with one mistake of each kind.


def _undecided(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return HttpResponse("no access decision")


@any_staff
def _shows_anything(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return HttpResponse("an object that does not exist")


@any_staff
def _crashes(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


@public
def _public_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("anyone")


@any_staff
def _by_child_id(request: HttpRequest, la_child_id: str) -> HttpResponse:
    raise Http404


@any_staff
def _found_properly(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    raise Http404


MISTAKES = ModuleType("url_walk_mistakes")
MISTAKES.urlpatterns = [  # type: ignore[attr-defined]
    path("", include("config.urls")),
    path("undecided/<uuid:public_id>/", _undecided, name="undecided"),
    path("anything/<uuid:public_id>/", _shows_anything, name="anything"),
    path("crash/", _crashes, name="crash"),
    path("public/", _public_page, name="public"),
    path("by-child/<str:la_child_id>/", _by_child_id, name="by_child"),
    path("fine/<uuid:public_id>/", _found_properly, name="fine"),
]


@pytest.fixture
def mistakes(settings: Any) -> None:
    settings.ROOT_URLCONF = MISTAKES


@pytest.mark.usefixtures("mistakes")
def test_the_walk_catches_a_view_without_an_access_decision() -> None:
    assert routes_without_access_decision() == ["undecided (/undecided/<uuid:public_id>/)"]


@pytest.mark.usefixtures("mistakes")
def test_the_walk_catches_a_childs_id_in_a_url() -> None:
    assert routes_with_a_child_id() == [
        "by_child (/by-child/<str:la_child_id>/): parameter 'la_child_id'"
    ]


@pytest.mark.usefixtures("mistakes")
def test_the_walk_catches_unsafe_answers(p: Personas) -> None:
    names = {"undecided", "anything", "crash", "public", "fine"}
    failures = walk_as_everyone(p, [r for r in all_routes() if r.name in names])
    flagged = {line.split(" ", 1)[0] for line in failures}
    assert flagged == {"undecided", "anything", "crash"}
    assert any("anything" in line and "as auditor: answered 200" in line for line in failures)
    assert any("crash" in line and "raised RuntimeError: boom" in line for line in failures)
    assert any("undecided" in line and "as anonymous: answered 200" in line for line in failures)


def test_reading_a_case_file_never_logs_the_childs_id(
    p: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        url = reverse("cases:detail", kwargs={"public_id": p.case.public_id})
    except NoReverseMatch:
        pytest.skip("cases:detail is not routed yet")
    caplog.set_level(logging.DEBUG)
    statuses = {
        role: p.client_for(staff).get(url).status_code for role, staff in p.all_roles().items()
    }
    assert 200 in statuses.values(), f"nobody could read the case file: {statuses}"
    assert p.case.la_child_id not in url
    assert p.case.la_child_id not in caplog.text
