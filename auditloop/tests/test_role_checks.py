"""Every route guarded by a role check refuses every other role and admits the ones it names.

The roles are read from each view's own access decision ("roles: moderator, administrator"),
so a new `roles_required` route is covered here without anyone writing its test. Each persona
asks for the route's sample URL (parameters name no object): a role the decision leaves out
must get 403; a role it names must get past the check, to the page, a redirect or a "not
found" for the missing object, but never 403.
"""

from __future__ import annotations

import logging

import pytest

from auditloop.accounts.models import AUDITING_ROLES, Role
from auditloop.audits.access.tools import TOOL_READ_ROLES
from auditloop.core.tests.url_walk import Route, all_routes, sample_url
from auditloop.reports.access.reviews import REVIEW_ROLES
from auditloop.reports.access.scopes import DASHBOARD_ROLES
from auditloop.testing import Personas
from auditloop.tests.test_url_access import Visitor, _request

ROLE_PREFIX = "roles: "
# A decision may name a group of roles instead of listing them.
ROLE_GROUPS = {"auditing": AUDITING_ROLES}


def allowed_roles(decision: str) -> frozenset[str]:
    """The roles an access decision such as "roles: administrator, moderator" admits."""
    names = [name.strip() for name in decision.removeprefix(ROLE_PREFIX).split(",")]
    allowed: set[str] = set()
    for name in names:
        if name in ROLE_GROUPS:
            allowed |= ROLE_GROUPS[name]
        elif name in Role.values:
            allowed.add(name)
        else:
            raise ValueError(f"{decision!r} names {name!r}, which is not a role or a group")
    return frozenset(allowed)


# API lists whose roles are decided inside the endpoint (the token admits any staff), by the
# same rule as the matching page.
API_ROLES: dict[str, tuple[str, ...]] = {
    "api:list_tools": TOOL_READ_ROLES,
    "api:list_dashboard_cycles": DASHBOARD_ROLES,
    "api:get_dashboard": DASHBOARD_ROLES,
    "api:list_cycle_reviews": REVIEW_ROLES,
}


def decision_admits(decision: str, role: str, *, route_name: str = "") -> bool:
    """Whether a route's access decision lets this role see the page at all: every login of
    staff is signed in, and a public page admits anyone."""
    if role not in API_ROLES.get(route_name, (role,)):
        return False
    if decision.startswith(ROLE_PREFIX):
        return role in allowed_roles(decision)
    return decision.startswith(("any staff", "api", "signed in", "public"))


def role_checked_routes() -> list[Route]:
    return [
        route
        for route in all_routes()
        if str(getattr(route.callback, "access_decision", "")).startswith(ROLE_PREFIX)
    ]


def role_check_failures(p: Personas, routes: list[Route]) -> list[str]:
    """One line for each persona a route lets past its role check wrongly, or refuses wrongly."""
    visitors = [Visitor(who, staff) for who, staff in p.all_roles().items()]
    failures: list[str] = []
    logging.disable(logging.CRITICAL)  # a 403 or 404 logs a warning for each request
    try:
        for route in routes:
            allowed = allowed_roles(route.callback.access_decision)  # type: ignore[attr-defined]
            url = sample_url(route)
            for visitor in visitors:
                assert visitor.staff is not None
                method, response, crash = _request(visitor.client(), url)
                visitor.after_request()
                role = visitor.staff.role
                if crash or response is None:
                    failures.append(f"{route.label()} {method} as {visitor.who}: {crash}")
                elif role in allowed and response.status_code == 403:
                    failures.append(
                        f"{route.label()} {method} as {visitor.who} ({role}): 403, but the "
                        f"decision admits {', '.join(sorted(allowed))}"
                    )
                elif role not in allowed and response.status_code != 403:
                    failures.append(
                        f"{route.label()} {method} as {visitor.who} ({role}): "
                        f"{response.status_code}, expected 403"
                    )
    finally:
        logging.disable(logging.NOTSET)
    return failures


def test_every_role_has_a_persona_so_every_refusal_and_admission_is_tried(p: Personas) -> None:
    assert {staff.role for staff in p.all_roles().values()} == set(Role.values)


def test_the_walk_finds_the_role_checked_routes_of_every_app() -> None:
    names = {route.name for route in role_checked_routes()}
    assert {"accounts:admin_home", "cases:list", "audits:escalations", "sampling:cycle_list"} <= (
        names
    )


def test_a_decision_names_its_roles_or_the_auditing_group() -> None:
    assert allowed_roles("roles: administrator, moderator") == {"administrator", "moderator"}
    assert allowed_roles("roles: auditing") == AUDITING_ROLES
    with pytest.raises(ValueError, match="'headteacher', which is not a role"):
        allowed_roles("roles: headteacher")


@pytest.mark.parametrize("app", sorted({r.name.split(":")[0] for r in role_checked_routes()}))
def test_every_role_checked_route_refuses_the_roles_it_does_not_name(p: Personas, app: str) -> None:
    routes = [route for route in role_checked_routes() if route.name.split(":")[0] == app]
    failures = role_check_failures(p, routes)
    assert not failures, f"{len(failures)} wrong answers to a role check:\n  " + "\n  ".join(
        failures
    )
