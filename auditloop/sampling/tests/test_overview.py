"""The cycle overview: who sees which teams and auditors, and how its cells read."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.cases.models import ChildCase
from auditloop.sampling.models import Cycle, CycleAudit, Quota, QuotaKind
from auditloop.sampling.selectors.cycles import OverviewCell
from auditloop.sampling.services.cycles import cycle_create, quota_add
from auditloop.testing import Personas, make_staff

MAY = datetime.date(2026, 5, 1)


@pytest.fixture
def wide_lead(p: Personas) -> StaffMember:
    """An audit lead over both services (the administrator plans and reads no cycle)."""
    return make_staff(
        "widelead", "Wendy Wide", Role.MODERATOR, p.north_b, services=[p.north, p.south]
    )


@pytest.fixture
def wide_cycle(p: Personas, wide_lead: StaffMember) -> Cycle:
    """A council-wide cycle: North and South, April to September 2026."""
    return cycle_create(
        name="Council-wide 2026",
        services=[p.north, p.south],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool],
        audit_types=["dip_sample"],
        auditors=[p.auditor],
        by=wide_lead,
    )


def _cycle_audit(
    p: Personas, cycle: Cycle, *, case: ChildCase, auditor: StaffMember, status: str
) -> Audit:
    audit = Audit.objects.create(
        case=case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=status,
        auditor=auditor,
        practitioner=case.allocated_worker,
        team=case.allocated_team,
        due_date=datetime.date(2026, 5, 28),
    )
    CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=MAY)
    return audit


@pytest.fixture
def south_auditor(p: Personas) -> StaffMember:
    return make_staff("southauditor", "Sunita Southgate", Role.AUDITOR, p.south_a)


@pytest.fixture
def audited(p: Personas, wide_cycle: Cycle, south_auditor: StaffMember) -> Cycle:
    """One submitted North audit by the North auditor; one South audit by a South auditor."""
    _cycle_audit(p, wide_cycle, case=p.case, auditor=p.auditor, status=AuditStatus.SUBMITTED)
    _cycle_audit(
        p,
        wide_cycle,
        case=p.outsider_case,
        auditor=south_auditor,
        status=AuditStatus.IN_PROGRESS,
    )
    return wide_cycle


def _overview(p: Personas, staff: StaffMember, cycle: Cycle) -> str:
    response = p.client_for(staff).get(reverse("sampling:cycle_overview", args=[cycle.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_senior_leader_sees_only_their_services_teams_and_audits(
    p: Personas, audited: Cycle
) -> None:
    body = _overview(p, p.senior_leader, audited)  # head of North only
    assert "North A" in body and "North B" in body
    assert "South A" not in body
    assert "Alex Auditor" in body
    assert "Sunita Southgate" not in body
    assert "This cycle also covers South." in body
    assert "All your teams" in body


def test_an_audit_lead_over_part_of_the_cycle_sees_only_their_part(
    p: Personas, audited: Cycle
) -> None:
    body = _overview(p, p.moderator, audited)  # audit lead for North only
    assert "South A" not in body
    assert "Sunita Southgate" not in body


def test_a_lead_over_every_service_sees_the_whole_cycle(
    p: Personas, audited: Cycle, wide_lead: StaffMember
) -> None:
    p.moderator.services.add(p.south)
    for staff in (wide_lead, p.moderator):
        body = _overview(p, staff, audited)
        assert "South A" in body and "North A" in body
        assert "Sunita Southgate" in body and "Alex Auditor" in body
        assert "also covers" not in body
        assert "All teams" in body


def test_the_overview_totals_count_only_the_viewers_audits(
    p: Personas, audited: Cycle, wide_lead: StaffMember
) -> None:
    leader_body = _overview(p, p.senior_leader, audited)
    wide_body = _overview(p, wide_lead, audited)
    assert "1 of 1 done" in leader_body and "1 of 2 done" not in leader_body
    assert "1 of 2 done" in wide_body


def test_cells_read_as_words_and_never_as_nought_of_nought(
    p: Personas, audited: Cycle, wide_lead: StaffMember
) -> None:
    quota_add(
        cycle=audited,
        kind=QuotaKind.PER_TEAM,
        audit_type="dip_sample",
        per_month=3,
        by=wide_lead,
    )
    body = _overview(p, wide_lead, audited)
    assert not re.search(r"\b0 of 0\b", body)
    assert "None planned" in body
    assert "1 of 1 done" in body  # North A, May
    assert "0 of 1 done" in body  # South A, May: in progress
    assert "3 short of the plan of 3" in body  # North B, May: a begun month, none planned


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        (OverviewCell(), "None planned"),
        (OverviewCell(planned=3, done=1), "1 of 3 done"),
        (OverviewCell(planned=2, done=2), "2 of 2 done"),
    ],
)
def test_a_cell_says_how_many_are_done_of_those_planned(cell: OverviewCell, words: str) -> None:
    assert cell.progress == words


def test_a_shortfall_names_the_plan_it_falls_short_of() -> None:
    assert OverviewCell(planned=1, target=3, started=True).shortfall_words == (
        "2 short of the plan of 3"
    )
    assert OverviewCell(planned=1, target=3, started=False).shortfall_words == ""
    assert OverviewCell(planned=4, target=3, started=True).shortfall_words == ""


@pytest.mark.parametrize(
    ("role", "words"),
    [
        (Role.AUDITOR, "Each auditor or QA officer"),
        (Role.TEAM_MANAGER, "Each team manager"),
        (Role.MODERATOR, "Each moderator or audit lead"),
    ],
)
def test_a_per_auditor_quota_names_the_role_in_its_proper_words(role: Role, words: str) -> None:
    quota = Quota(kind=QuotaKind.PER_AUDITOR, role=role, per_month=2)
    assert quota.who == words


def test_the_cycle_page_lists_a_qa_officer_quota_with_qa_in_capitals(
    p: Personas, wide_cycle: Cycle, wide_lead: StaffMember
) -> None:
    quota_add(
        cycle=wide_cycle,
        kind=QuotaKind.PER_AUDITOR,
        audit_type="dip_sample",
        per_month=2,
        role=Role.AUDITOR,
        by=wide_lead,
    )
    response = p.client_for(wide_lead).get(
        reverse("sampling:cycle_detail", args=[wide_cycle.public_id])
    )
    body = response.content.decode()
    assert "Each auditor or QA officer" in body
    assert "qa officer" not in body
