"""No page shows a child's ID without logging the read: a crawl of the site as each role.

A small council with audits in every state, flags, actions and a planned cycle; each role
starts from the home page and every list page, and follows the links it is shown (a few of
each kind of page). Wherever a page shows a child's LA child ID, that request must have
logged a read, by that person, of the child's case file or of an audit of it. A page added
later is checked without editing this file, as soon as something links to it.

Pages that show audit content without the child's ID (actions, flags) are checked one by one
in each app's test_access_log_pages.py.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, deque

import pytest
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit, AuditStatus, AuditType, Escalation
from auditloop.audits.tests.followup_factories import make_action, make_audit, make_escalation
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog
from auditloop.core.tests.url_walk import all_routes
from auditloop.sampling.models import QuotaKind
from auditloop.sampling.services.cycles import cycle_create, quota_add
from auditloop.sampling.services.months import month_plan
from auditloop.sampling.services.picks import pick_add
from auditloop.testing import Personas

# Pages of one kind (one route) visited at most this many times per role.
PER_ROUTE = 4
HREF = re.compile(r'href="(/[^"#]*)')
NOT_FOLLOWED = ("/static/", "/sign-out/", "/api/")
# Routes without parameters that are not pages a reader lands on.
NOT_SEEDS = {"logout", "notifications_read_all", "imports:staff_template"}


def _council(p: Personas) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_audit(p, status=AuditStatus.PLANNED, due_date=yesterday)
    make_audit(p, return_reason="Add the chronology.")
    submitted = make_audit(p, status=AuditStatus.SUBMITTED)
    make_audit(p, status=AuditStatus.COMPLETED)
    make_escalation(p, submitted)
    make_action(p, audit=submitted)
    make_action(p, owner=p.team_manager, due_date=yesterday)
    Escalation.objects.create(
        audit=make_audit(p, status=AuditStatus.SUBMITTED, auditor=p.team_manager),
        raised_by=p.team_manager,
        reason="Not seen.",
        acknowledged_by=p.senior_leader,
        acknowledged_at=timezone.now(),
        response="Visited.",
    )
    north_b = ChildCase.objects.bulk_create(
        ChildCase(la_child_id=f"CRAWL-B{i}", cohort=Cohort.CIN, allocated_team=p.north_b)
        for i in range(6)
    )
    Audit.objects.create(
        case=north_b[0],
        tool_version=p.quality_tool,
        audit_type=AuditType.DEEP_DIVE,
        status=AuditStatus.SUBMITTED,
        auditor=p.team_manager,
        team=p.north_b,
        submitted_at=timezone.now(),
    )
    Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.IN_PROGRESS,
        auditor=p.outsider_manager,
        team=p.south_a,
    )
    lead = p.moderator
    cycle = cycle_create(
        name="North, this year",
        services=[p.north],
        starts_on=timezone.localdate().replace(day=1),
        tools=[p.compliance_tool, p.quality_tool],
        audit_types=["dip_sample", "deep_dive"],
        auditors=[p.auditor, p.team_manager],
        by=lead,
    )
    quota_add(cycle=cycle, kind=QuotaKind.PER_TEAM, audit_type="dip_sample", per_month=3, by=lead)
    month_plan(
        cycle=cycle,
        month=cycle.starts_on,
        tools={"dip_sample": p.compliance_tool},
        seed=3,
        by=lead,
        today=cycle.starts_on,
    )
    pick_add(cycle=cycle, case=north_b[5], reason="Three referrals", by=lead)


def _seeds() -> list[str]:
    return ["/"] + [
        "/" + route.route
        for route in all_routes()
        if not route.has_parameters
        and not route.is_api
        and not route.is_public
        and route.name not in NOT_SEEDS
    ]


def _route_of(url: str) -> str | None:
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return None
    return match.view_name


def _child_ids_in(html: str, cases: dict[str, ChildCase]) -> set[str]:
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(i) for i in cases) + r")(?![\w-])")
    return set(pattern.findall(html))


def _crawl(p: Personas, staff: StaffMember) -> tuple[list[str], int]:
    """Visit what `staff` can reach; the problems found, and how many pages were read."""
    cases = {c.la_child_id: c for c in ChildCase.objects.all()}
    audits_of: dict[int, set[str]] = {}
    for audit in Audit.objects.all():
        audits_of.setdefault(audit.case_id, set()).add(str(audit.public_id))
    client: Client = p.client_for(staff)
    queue = deque(_seeds())
    seen: set[str] = set(queue)
    per_route: Counter[str] = Counter()
    problems: list[str] = []
    pages = 0
    while queue:
        url = queue.popleft()
        route = _route_of(url)
        if route is None or per_route[route] >= PER_ROUTE:
            continue
        per_route[route] += 1
        last = AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        html = response.content.decode()
        logged = set(
            AccessLog.objects.filter(id__gt=last, user=staff.user).values_list(
                "target_id", flat=True
            )
        )
        for child_id in sorted(_child_ids_in(html, cases)):
            case = cases[child_id]
            if not logged & ({str(case.public_id)} | audits_of.get(case.pk, set())):
                problems.append(f"{route} ({url}) shows a child's ID but logged no read of it")
        for link in HREF.findall(html):
            link = link.replace("&amp;", "&")
            if link not in seen and not link.startswith(NOT_FOLLOWED):
                seen.add(link)
                queue.append(link)
    return problems, pages


@pytest.mark.parametrize(
    "who",
    ["practitioner", "team_manager", "auditor", "moderator", "senior_leader", "administrator"],
)
def test_every_page_that_shows_a_childs_id_logs_a_read_of_it(p: Personas, who: str) -> None:
    _council(p)
    staff = getattr(p, who)
    problems, pages = _crawl(p, staff)
    assert pages > 5
    assert problems == []
    # The crawl did meet children's IDs: the check above was not empty.
    assert AccessLog.objects.filter(user=staff.user).exists()


def test_a_board_member_reads_no_child_anywhere_and_nothing_is_logged(p: Personas) -> None:
    _council(p)
    problems, pages = _crawl(p, p.board_member)
    assert pages > 0
    assert problems == []
    assert not AccessLog.objects.exists()
