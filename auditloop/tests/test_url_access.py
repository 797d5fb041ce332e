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
from types import ModuleType
from typing import Any

import pytest
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import (
    NoReverseMatch,
    include,
    path,
    reverse,
)

from auditloop.accounts.access import any_staff
from auditloop.accounts.models import StaffMember
from auditloop.core.access import public
from auditloop.core.tests.url_walk import Route, all_routes, sample_url
from auditloop.testing import Personas

CHILD_ID_PARAMETER = re.compile(r"child_?id|la_?child|child_?ref", re.IGNORECASE)


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
