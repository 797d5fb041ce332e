"""On the large council the list pages ask exactly as many queries as on the small one.

Issue 2's quality bar: the query count of every list page must not grow with the number of
rows. The module builds the small demo council (about 3,000 cases and 300 audits), requests
every page as each of the seven demo logins and counts the queries; it rolls that back, builds
the large council (15,000 cases, 7,500 audits, 94,000 answers) and asks for the same pages
again. Any page that asks more questions on the larger council is an N+1 bug.

The pages are every route without parameters that answers GET (so a list page added later is
checked without editing this file), the current cycle's pages and the JSON API's lists.
Only the pages a login's access decision admits are compared, and each must answer that login
200 on both councils: a 403 or a redirect asks as few queries on any council. Whether a page
asks a query per row is tested, one row against a full page, by test_list_query_counts.py and
test_home.py; this module checks that nothing else grows with the council's size (counts by
team or service, the cycle pages).
`make test` runs it with the rest (its module first), `make test-large` alone;
`scripts/benchmark_pages.py` times the same pages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries, DjangoDbBlocker

from auditloop.accounts.models import (
    AccessRequest,
    AccessRequestStatus,
    Role,
    StaffMember,
    User,
)
from auditloop.audits.models import Audit
from auditloop.core.models import AccessLog, Event, FailedSignIn, RefusedRequest
from auditloop.core.planner import planner_statistics_refresh
from auditloop.core.tests.url_walk import all_routes
from auditloop.demo.builder import demo_council_build
from auditloop.demo.council import DEMO_LOGINS
from auditloop.sampling.models import Cycle
from auditloop.tests.test_role_checks import decision_admits

pytestmark = [pytest.mark.large, pytest.mark.django_db]

LOGINS = [username for username, _ in DEMO_LOGINS]

# Routes without parameters that are not pages to count: signing in and out, a POST-only
# action, the API's schema and root, a fixed CSV template, the favicon (a redirect to a
# static file).
NOT_PAGES = {
    "favicon",
    "login",
    "logout",
    "notifications_read_all",
    "api:openapi-json",
    "api:api-root",
    "imports:staff_template",
    # Actions taken by a POST (a GET is refused): making theme suggestions, checking the
    # training rules for a cycle.
    "learning:suggestions_generate",
    "learning:training_needs_check",
    # Sends a team manager to their own team's picture, measured below.
    "learning:team_picture_choose",
    # Single sign-on's start and callback (404 with single sign-on off, as in the tests).
    "sso_start",
    "sso_callback",
    # The second factor's steps at sign-in (a redirect for a session with nothing to give)
    # and actions taken by a POST.
    "second_factor:verify",
    "second_factor:passkey_add",
    "second_factor:passkey_sign_in",
    "second_factor:recovery_codes_renew",
    "sessions:end_others",
    "privacy:retention_run",
}


@dataclass(frozen=True)
class Page:
    label: str
    url: Callable[[], str]
    decision: str  # the route's access decision: who the page answers 200


def _current_cycle() -> Cycle:
    cycle = Cycle.objects.order_by("-starts_on", "-id").first()
    assert cycle is not None, "the demo council has no audit cycle"
    return cycle


def _cycle_page(name: str) -> Callable[[], str]:
    return lambda: reverse(name, kwargs={"public_id": _current_cycle().public_id})


def _decision_of(name: str) -> str:
    route = next(route for route in all_routes() if route.name == name)
    return str(getattr(route.callback, "access_decision", ""))


def _fixed(url: str) -> Callable[[], str]:
    return lambda: url


def _manager_team_picture() -> str:
    manager = StaffMember.objects.select_related("team").get(user__username="manager")
    assert manager.team is not None
    return reverse("learning:team_picture", kwargs={"public_id": manager.team.public_id})


def pages() -> list[Page]:
    """Every page whose query count must not grow with the data."""
    found = [
        Page(route.name, _fixed("/" + route.route), _decision_of(route.name))
        for route in all_routes()
        if not route.has_parameters and route.name not in NOT_PAGES
    ]
    found += [
        Page(
            f"{name} (current cycle)",
            _cycle_page(name),
            _decision_of(name),
        )
        for name in (
            "sampling:cycle_detail",
            "sampling:cycle_overview",
            "assurance:moderation_cycle",
        )
    ]
    found.append(
        Page(
            "learning:team_picture (the demo manager's team)",
            _manager_team_picture,
            _decision_of("learning:team_picture"),
        )
    )
    return found


# Pages open to any member of staff that send a partner agency auditor elsewhere: their home
# is their own audits' list (compared as its own page), and they hold no API token.
NOT_FOR_PARTNERS = {"home", "api_tokens:list"}


def answers(page: Page, role: str) -> bool:
    """Whether the page's access decision lets this role see it: only those pages are
    compared, as a 403 (or a redirect) asks as few queries on any council."""
    if role == Role.PARTNER and page.label in NOT_FOR_PARTNERS:
        return False
    return decision_admits(page.decision, role, route_name=page.label)


PAGES = pages()
# (login, page) for every demo login each page's decision admits.
PAIRS = [
    (username, page) for username, role in DEMO_LOGINS for page in PAGES if answers(page, role)
]


def history_logs_add() -> None:
    """Fill the event and access logs in proportion to the council's size: the demo build
    writes one event for the whole build, which would leave those two lists nearly empty.
    Each audit gets an `audit.submitted` event by its auditor and a read in the access log."""
    audits = Audit.objects.select_related("auditor").only("id", "public_id", "auditor__user_id")
    events: list[Event] = []
    reads: list[AccessLog] = []
    for audit in audits.iterator(chunk_size=2000):
        user_id = audit.auditor.user_id
        if user_id is None:
            continue
        target = {"target_type": "audits.audit", "target_id": str(audit.public_id)}
        events.append(
            Event(
                actor_id=user_id,
                verb="audit.submitted",
                summary="Audit submitted.",
                before={"status": "in_progress"},
                after={"status": "submitted"},
                **target,
            )
        )
        reads.append(AccessLog(user_id=user_id, **target))
    Event.objects.bulk_create(events, batch_size=2000)
    AccessLog.objects.bulk_create(reads, batch_size=2000)


def administrators_trail_shown() -> bool:
    """Whether the council has rows on each of the administrator's trail pages (refused
    requests, failed sign-ins, role changes waiting and decided): an empty page skips the
    queries of its rows, so both councils must have some for their counts to compare."""
    return (
        RefusedRequest.objects.exists()
        and FailedSignIn.objects.exists()
        and AccessRequest.objects.filter(status=AccessRequestStatus.PENDING).exists()
        and AccessRequest.objects.exclude(status=AccessRequestStatus.PENDING).exists()
    )


def database_settle() -> None:
    """Make the open transaction's rows cheap to test against.

    On PostgreSQL the build leaves its foreign-key checks deferred. Each test's teardown checks
    constraints inside a savepoint that is then rolled back, which puts the pending checks back:
    every test would re-check 200,000 rows (about 2.5 s each). Run them once, here, outside any
    savepoint. ANALYZE gives the planner the tables' real sizes (it counts this transaction's
    own rows), as autovacuum would on a live database.
    """
    connection.check_constraints()
    planner_statistics_refresh()


@dataclass(frozen=True)
class Measure:
    status: int
    queries: int


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def measure(client: Client, url: str) -> Measure:
    """The status and query count of the second request: the first fills per-process caches.
    Both are rolled back, so that what one page writes (the reads it logs) never changes what
    a page measured after it shows: the small council's counts do not depend on the order."""
    with transaction.atomic():
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        transaction.set_rollback(True)
    return Measure(response.status_code, len(captured.captured_queries))


# Both councils are built as of one fixed day. The demo's history is drawn relative to the day
# it is built, and on some days of a month the small council's demo manager has no training
# need (or the lead no calibration row) to list: a page with no rows asks fewer queries, and
# the comparison would then measure the calendar, not the page. A day on which every compared
# page has rows on both councils.
BUILD_DAY = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def small_counts(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[dict[tuple[str, str], Measure]]:
    """Counts every page on the small council (rolled back), then leaves the large council
    built for the module's tests, inside a transaction rolled back at the module's end."""
    # As in every other test, no second factor is asked for (the autouse settings fixture
    # does not reach a module's fixture).
    no_second_factor = override_settings(AUDITLOOP_SECOND_FACTOR_ROLES=[])
    with django_db_blocker.unblock(), no_second_factor:
        with transaction.atomic():
            demo_council_build(size="small", seed=1, today=BUILD_DAY)
            history_logs_add()
            assert administrators_trail_shown()
            counts = {}
            clients = {username: client_for(username) for username in LOGINS}
            for username, page in PAIRS:
                counts[username, page.label] = measure(clients[username], page.url())
            transaction.set_rollback(True)
        with transaction.atomic():
            demo_council_build(size="large", seed=1, today=BUILD_DAY)
            history_logs_add()
            database_settle()
            yield counts
            transaction.set_rollback(True)


def test_the_large_council_holds_thousands_of_audits_and_log_rows(
    small_counts: dict[tuple[str, str], Measure],
) -> None:
    # What makes the comparison worth having: far more rows behind every list.
    assert Audit.objects.count() > 7000
    assert Event.objects.count() > 7000
    assert Cycle.objects.count() == 10
    assert administrators_trail_shown()


@pytest.mark.parametrize(
    ("username", "page"), PAIRS, ids=[f"{username}-{page.label}" for username, page in PAIRS]
)
def test_page_asks_as_many_queries_on_the_large_council_as_on_the_small(
    small_counts: dict[tuple[str, str], Measure],
    username: str,
    page: Page,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    small = small_counts[username, page.label]
    assert small.status == 200, (
        f"{page.label} answered {username} {small.status} on the small council; its access "
        f"decision ({page.decision}) admits them, so it must answer 200"
    )
    client = client_for(username)
    url = page.url()
    client.get(url)
    with django_assert_max_num_queries(small.queries) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured) == small.queries, (
        f"{page.label} as {username}: {len(captured)} queries on the large council, "
        f"{small.queries} on the small one"
    )
