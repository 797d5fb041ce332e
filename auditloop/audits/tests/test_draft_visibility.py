"""A draft audit (planned, in progress, or returned to its auditor), its draft grades and a lead's
reasons for returning it are for the auditor and the audit leads only; everyone else who may
read the audit reads it once it is submitted, and no list shows a grade before then."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.audits import audit_visibility_filter
from auditloop.audits.models import Audit, AuditType, Grade, ParticipantRole
from auditloop.audits.services.audits import (
    AuditIncomplete,
    audit_answers_save,
    audit_return,
    audit_submit,
    participant_add,
)
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas

REASON = "The evidence for D3 does not support the grade."


def _detail(audit: Audit) -> str:
    return reverse("audits:detail", args=[audit.public_id])


def _returned_deep_dive(p: Personas) -> Audit:
    """A deep dive the practitioner and their manager took part in, submitted and returned."""
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    participant_add(audit=audit, by=p.auditor, staff=p.team_manager, role=ParticipantRole.MANAGER)
    audit = audit_submit(audit=answer_fully(audit), by=p.auditor)
    return audit_return(audit=audit, by=p.moderator, reason=REASON)


def _reads(client: Client, audit: Audit) -> dict[str, Any]:
    """What a reader gets of the audit: its page, the list, and the API's list and detail."""
    listed = client.get(reverse("audits:list")).content.decode()
    api_list = client.get("/api/v1/audits").json()["items"]
    return {
        "page": client.get(_detail(audit)).status_code,
        "listed": _detail(audit) in listed,
        "api_listed": str(audit.public_id) in {item["id"] for item in api_list},
        "api_detail": client.get(f"/api/v1/audits/{audit.public_id}").status_code,
    }


HIDDEN = {"page": 404, "listed": False, "api_listed": False, "api_detail": 404}
SHOWN = {"page": 200, "listed": True, "api_listed": True, "api_detail": 200}


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "senior_leader"])
def test_a_returned_audit_is_not_read_by_those_who_took_part_or_oversee_it(
    p: Personas, who: str
) -> None:
    audit = _returned_deep_dive(p)
    client = p.client_for(getattr(p, who))
    assert _reads(client, audit) == HIDDEN


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "senior_leader"])
def test_an_audit_in_progress_is_not_read_by_those_who_took_part_or_oversee_it(
    p: Personas, who: str
) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    answer_fully(audit)
    client = p.client_for(getattr(p, who))
    assert _reads(client, audit) == HIDDEN


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "senior_leader"])
def test_the_returned_audit_is_read_again_once_resubmitted_without_the_reason(
    p: Personas, who: str
) -> None:
    audit = audit_submit(audit=_returned_deep_dive(p), by=p.auditor)
    client = p.client_for(getattr(p, who))
    assert _reads(client, audit) == SHOWN
    page = client.get(_detail(audit)).content.decode()
    assert REASON not in page
    assert "Returned to the auditor" not in page


@pytest.mark.parametrize("who", ["auditor", "moderator"])
def test_the_auditor_and_the_audit_lead_read_a_returned_audit_and_its_reason(
    p: Personas, who: str
) -> None:
    audit = _returned_deep_dive(p)
    client = p.client_for(getattr(p, who))
    assert _reads(client, audit) == SHOWN
    page = client.get(_detail(audit)).content.decode()
    assert "Returned to the auditor" in page
    assert REASON in page


def test_an_audit_lead_of_another_service_taking_part_waits_for_submission(
    p: Personas,
) -> None:
    south_lead = StaffMember.objects.create(name="Sol South", role=Role.MODERATOR, team=p.south_a)
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    participant_add(audit=audit, by=p.auditor, staff=south_lead, role="other")
    visible = Audit.objects.filter(pk=audit.pk)
    assert not visible.filter(audit_visibility_filter(south_lead)).exists()
    audit_submit(audit=answer_fully(audit), by=p.auditor)
    assert visible.filter(audit_visibility_filter(south_lead)).exists()


def _grade_cells(html: str) -> list[str]:
    """The Overall grade column of the audit list."""
    rows = re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", html, re.S)
    cells = [re.findall(r"<td class=\"govuk-table__cell\">(.*?)</td>", r, re.S) for r in rows]
    return [c[7].strip() for c in cells if c]


def test_lists_show_no_grade_for_an_audit_whose_submission_failed(p: Personas) -> None:
    audit = planned_audit(p)
    good = Grade.objects.get(scale=p.compliance_tool.grading_scale, code="good")
    # The auditor chose "Good" and pressed Submit with checks unanswered: the draft is kept.
    audit_answers_save(audit=audit, by=p.auditor, answers={}, overall_grade=good)
    with pytest.raises(AuditIncomplete):
        audit_submit(audit=audit, by=p.auditor)
    audit.refresh_from_db()
    assert audit.overall_grade == good
    assert audit.grade_shown is None
    for staff in (p.auditor, p.moderator):
        client = p.client_for(staff)
        assert _grade_cells(client.get(reverse("audits:list")).content.decode()) == ["Not graded"]
        case_page = client.get(reverse("cases:detail", args=[p.case.public_id]))
        assert case_page.status_code == 200
        assert "Good" not in case_page.content.decode()
        (item,) = client.get("/api/v1/audits").json()["items"]
        assert item["overall_grade"] is None
        assert item["overall_grade_value"] is None


def test_lists_show_the_grade_once_the_audit_is_submitted(p: Personas) -> None:
    audit = audit_submit(audit=answer_fully(planned_audit(p)), by=p.auditor)
    assert audit.grade_shown is not None
    client = p.client_for(p.practitioner)
    assert _grade_cells(client.get(reverse("audits:list")).content.decode()) == ["Good"]
    (item,) = client.get("/api/v1/audits").json()["items"]
    assert item["overall_grade"] == "good"


def test_a_returned_audit_is_not_among_the_team_managers_audits_submitted_this_month(
    p: Personas,
) -> None:
    audit = _returned_deep_dive(p)
    home = p.client_for(p.team_manager).get(reverse("home")).content.decode()
    assert _detail(audit) not in home
    audit_submit(audit=audit, by=p.auditor)
    home = p.client_for(p.team_manager).get(reverse("home")).content.decode()
    assert _detail(audit) in home
