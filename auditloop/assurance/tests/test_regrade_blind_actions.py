"""The blind regrade and the action rule. Every grade that needs one (Requires improvement or
Inadequate) has an action or a reason why none is needed, so showing which graded question has
a reason or an action would tell the moderator regrading blind which domains were graded weak.
Until they have regraded, the audit page leaves out the reasons on graded questions and says
only that an action comes from a graded question, not which one; so does the action's page. A
compliance check is not blind: its answer, its reason and its actions stay."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.tests.regrade_factories import (
    grade,
    regraded,
    regrading,
    submitted_deep_dive,
)
from auditloop.audits.models import Action, Answer, Audit, AuditType, ComplianceAnswer
from auditloop.audits.services.audits import audit_submit
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit, second_lead
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

QUESTION_D2 = re.compile(r"\bD2\b")

D1_REASON = "The plan was rewritten at the review last week."
HIDDEN_FROM = "A graded question"
ROW = re.compile(r'<tr class="govuk-table__row">(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="govuk-table__cell">(.*?)</td>', re.S)


def _get(p: Personas, staff: StaffMember, name: str, target: Audit | Action) -> str:
    response = p.client_for(staff).get(reverse(name, args=[target.public_id]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _action_on(audit: Audit, code: str) -> Action:
    return Action.objects.create(
        audit=audit,
        answer=Answer.objects.get(audit=audit, question__code=code),
        description="Bring the plan up to date with the family.",
        owner=audit.practitioner or audit.auditor,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        created_by=audit.auditor.user,
    )


def _weak_deep_dive(p: Personas) -> tuple[Audit, Action]:
    """A submitted deep dive with D1 graded Requires improvement and a reason why no action is
    needed, and D2 Inadequate with an action; the other domains Good."""
    audit = submitted_deep_dive(p)
    Answer.objects.filter(audit=audit, question__code="D1").update(
        grade=grade(audit, "requires_improvement"), no_action_reason=D1_REASON
    )
    Answer.objects.filter(audit=audit, question__code="D2").update(grade=grade(audit, "inadequate"))
    return audit, _action_on(audit, "D2")


def _from_cells(html: str) -> list[str]:
    """The "From" column of the audit page's actions."""
    table = html.split('id="actions-title"')[1]
    rows = [CELL.findall(row) for row in ROW.findall(table)]
    return [r[1] for r in rows if len(r) > 1]


def test_the_moderator_regrading_blind_sees_neither_reasons_nor_which_domain_has_an_action(
    p: Personas,
) -> None:
    audit, _ = _weak_deep_dive(p)
    moderation = regrading(p, audit=audit)
    html = _get(p, p.moderator, "audits:detail", audit)
    assert D1_REASON not in html
    assert "No action needed" not in html
    (cell,) = _from_cells(html)
    assert "D2" not in cell
    assert HIDDEN_FROM in cell
    # The action itself stays: it is work for the child, not a grade.
    assert "Bring the plan up to date with the family." in html

    other = _get(p, second_lead(p), "audits:detail", audit)
    assert D1_REASON in other
    assert _from_cells(other) == ["D2"]
    regraded(p, moderation=moderation)
    after = _get(p, p.moderator, "audits:detail", audit)
    assert D1_REASON in after
    assert _from_cells(after) == ["D2"]


def test_the_actions_page_does_not_name_the_domain_to_the_moderator_regrading_blind(
    p: Personas,
) -> None:
    audit, action = _weak_deep_dive(p)
    moderation = regrading(p, audit=audit)
    html = _get(p, p.moderator, "audits:action", action)
    assert "D2:" not in html
    assert "A graded question of the audit: which one is hidden until you have regraded" in html

    assert "D2:" in _get(p, second_lead(p), "audits:action", action)
    regraded(p, moderation=moderation)
    assert "D2:" in _get(p, p.moderator, "audits:action", action)


def test_the_action_lists_and_the_api_name_no_question_to_anyone(p: Personas) -> None:
    audit, action = _weak_deep_dive(p)
    regrading(p, audit=audit)
    client = p.client_for(p.moderator)
    team = client.get(reverse("audits:team_actions"))
    assert action.description in team.content.decode()
    # As a word: a page's random CSRF token can hold the letters "D2".
    assert not QUESTION_D2.search(team.content.decode())
    items = client.get("/api/v1/actions").json()
    assert [i["id"] for i in items] == [str(action.public_id)]
    assert not QUESTION_D2.search(str(items))
    assert "no_action_reason" not in str(client.get(f"/api/v1/audits/{audit.public_id}").json())


def test_a_compliance_checks_reason_and_actions_stay_shown_while_its_grade_is_blind(
    p: Personas,
) -> None:
    audit = planned_audit(p, tool=p.compliance_tool, audit_type=AuditType.DIP_SAMPLE)
    audit = audit_submit(audit=answer_fully(audit, compliance=ComplianceAnswer.NO), by=p.auditor)
    _action_on(audit, "A1")
    regrading(p, audit=audit)
    html = _get(p, p.moderator, "audits:detail", audit)
    assert "Hidden while you moderate this audit" in html
    assert html.count("No action needed: Put right while the audit was done.") == 15
    assert _from_cells(html) == ["A1"]
