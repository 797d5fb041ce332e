"""No page's <title> carries a child's LA child ID: titles are kept in the browser's history,
its tabs and bookmarks, where anyone using the machine later can read them.

Each demo login walks a small demo council as a person would: every page of the URL walk that
needs no parameter, then every link those pages offer (a few of each kind), and a few pages
that answer a form (errors included). Every title is checked against every case's ID.
"""

from __future__ import annotations

import datetime
import html
import re
from collections import Counter, deque
from collections.abc import Iterator

import pytest
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Audit, AuditStatus
from auditloop.cases.models import ChildCase
from auditloop.core.tests.url_walk import all_routes
from auditloop.demo.builder import demo_council_build
from auditloop.demo.council import DEMO_LOGINS
from auditloop.reports import documents

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 26)
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
LINK = re.compile(r'href="(/[^"#?]*)')
# Pages of one kind (one route) each login opens at most: enough to meet every status.
PER_ROUTE = 4
NOT_PAGES = ("/static/", "/api/")


@pytest.fixture(scope="module")
def council(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """A small demo council, built once for this module and rolled back at its end. Its cycle
    review's PDF is not laid out (seconds of a twentieth of the council): a download has no
    title, and the PDF's own tests check it."""
    with (
        pytest.MonkeyPatch.context() as patch,
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        patch.setattr(documents, "review_pdf", lambda review: b"%PDF-1.7\n")
        demo_council_build(size="small", seed=3, scale=0.05, today=TODAY)
        yield
        transaction.set_rollback(True)


def _client(username: str) -> Client:
    client = Client()
    client.force_login(StaffMember.objects.get(user__username=username).user)  # type: ignore[arg-type]
    return client


def _child_ids() -> set[str]:
    return set(ChildCase.objects.values_list("la_child_id", flat=True))


def _titled_with_a_child_id(page: str, child_ids: set[str]) -> str | None:
    found = TITLE.search(page)
    assert found, "a page without a <title>"
    title = html.unescape(found.group(1))
    return title if any(child_id in title for child_id in child_ids) else None


def _start_pages() -> list[str]:
    """Every page of the URL walk that takes no parameter."""
    return [
        "/" + route.route
        for route in all_routes()
        if not route.has_parameters and not route.is_regex and "/" + route.route != "/logout/"
    ]


def walk(client: Client, child_ids: set[str]) -> tuple[Counter[str], list[str]]:
    """Follow links from the start pages. Returns the routes opened (by name) and each page
    whose title carries a child's ID."""
    queue = deque(_start_pages())
    seen: set[str] = set()
    opened: Counter[str] = Counter()
    fetched: Counter[str] = Counter()
    offending: list[str] = []
    while queue:
        url = queue.popleft()
        if url in seen or url.startswith(NOT_PAGES):
            continue
        seen.add(url)
        try:
            name = resolve(url).view_name
        except Resolver404:
            continue
        if name == "logout" or opened[name] >= PER_ROUTE or fetched[name] >= 2 * PER_ROUTE:
            continue
        response = client.get(url)
        # A download (a dashboard's CSV and spreadsheet for each of its filters) has no title
        # and a refusal has nothing to follow, but both count, or the walk fetched every
        # download link the pages offer (46 as the lead, half its time).
        fetched[name] += 1
        if response.status_code != 200:
            continue
        opened[name] += 1
        if "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        title = _titled_with_a_child_id(page, child_ids)
        if title is not None:
            offending.append(f"{url} ({name}): {title!r}")
        queue.extend(LINK.findall(page))
    return opened, offending


# The pages each login must reach, so that the walk cannot pass by seeing nothing.
MUST_OPEN = {
    "practitioner": {"home", "audits:list", "audits:detail", "audits:action"},
    "manager": {"audits:detail", "cases:detail", "audits:escalation", "audits:team_actions"},
    "auditor": {"audits:detail", "audits:edit", "audits:tool_version"},
    "moderator": {
        "audits:detail",
        "audits:create",
        "cases:detail",
        "sampling:cycle_detail",
        "sampling:cycle_overview",
    },
    "leader": {"audits:detail", "cases:detail", "audits:escalation"},
    "board": {"home"},
    "admin": {"cases:detail", "accounts:staff_detail", "audits:tool_version"},
    "dpo": {
        "home",
        "privacy:index",
        "privacy:access_review",
        "privacy:unusual_reading",
        "privacy:retention_schedule",
        "privacy:legal_holds",
        "privacy:retention_dry_run",
        "privacy:subject_access",
    },
    # The demo's partner agency auditor has one multi-agency audit, not yet started.
    "partner": {"audits:partner_list", "audits:partner_audit", "audits:partner_answer"},
}


def test_every_demo_login_is_walked() -> None:
    assert {username for username, _ in DEMO_LOGINS} == set(MUST_OPEN)


@pytest.mark.parametrize("username", sorted(MUST_OPEN))
def test_no_page_title_carries_a_childs_id(council: None, username: str) -> None:
    child_ids = _child_ids()
    assert len(child_ids) >= 60
    opened, offending = walk(_client(username), child_ids)
    assert not offending, "These pages' titles carry a child's ID:\n  " + "\n  ".join(offending)
    missing = MUST_OPEN[username] - set(opened)
    assert not missing, f"the walk as {username} never opened {sorted(missing)}"


def _title(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse)
    page = response.content.decode()
    found = TITLE.search(page)
    assert found
    return html.unescape(found.group(1))


def test_pages_answering_a_form_carry_no_childs_id_in_their_title(council: None) -> None:
    child_ids = _child_ids()
    titles: list[str] = []
    # Planning an audit: step 2 names the case found by its ID, and step 1 refuses a bad one.
    lead = _client("moderator")
    overseen = services_overseen(StaffMember.objects.get(user__username="moderator"))
    case = ChildCase.objects.filter(is_open=True, allocated_team__service_id__in=overseen).first()
    assert case is not None
    response = lead.post(reverse("audits:create"), {"la_child_id": case.la_child_id})
    assert b"Plan the audit of this case" in response.content
    titles.append(_title(response))
    titles.append(_title(lead.post(reverse("audits:create"), {"la_child_id": "no such child"})))
    # Answering an audit: a refused submission re-renders the answer page with its errors.
    audit = Audit.objects.filter(
        auditor__user__username="auditor", status=AuditStatus.IN_PROGRESS
    ).first()
    assert audit is not None
    url = reverse("audits:edit", args=[audit.public_id])
    response = _client("auditor").post(url, {"action": "submit"})
    assert response.status_code == 200
    titles.append(_title(response))
    assert titles[-1].startswith("Error: ")
    offending = [t for t in titles if any(child_id in t for child_id in child_ids)]
    assert not offending
