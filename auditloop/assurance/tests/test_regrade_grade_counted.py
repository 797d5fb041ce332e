"""Three grades, all kept, and the one that counts shown everywhere: once moderation settles an
audit's grades, every page, list, API field and planning page shows the agreed grade, and the
audit's page says where it differs from the auditor's."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.assurance.services.regrade import moderation_agreement_confirm
from auditloop.assurance.tests.regrade_factories import agreement_recorded, regraded
from auditloop.audits.models import Audit
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

NOTE = "Agreed at moderation: Requires improvement; the auditor gave Good."


def _agreed(p: Personas, *, first: str = "requires_improvement") -> Audit:
    """A deep dive the auditor graded Good throughout, agreed at moderation as Requires
    improvement overall and `first` on D1 (Good elsewhere)."""
    moderation = agreement_recorded(p, first=first)
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    audit = moderation.audit
    audit.refresh_from_db()
    return audit


def _page(client: Client, audit: Audit) -> str:
    response = client.get(reverse("audits:detail", args=[audit.public_id]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("who", ["auditor", "practitioner", "team_manager", "senior_leader"])
def test_the_audit_page_says_where_the_agreed_grade_differs_from_the_auditors(
    p: Personas, who: str
) -> None:
    audit = _agreed(p)
    html = _page(p.client_for(getattr(p, who)), audit)
    # Overall, and on D1; not on the domains agreed Good, as the auditor gave them.
    assert html.count(NOTE) == 2
    assert "the auditor gave Good" in html.split("D2 ")[0]
    assert ">Requires improvement</strong>" in html


def test_the_audit_page_shows_the_agreed_grades_descriptor_not_the_auditors(
    p: Personas,
) -> None:
    audit = _agreed(p, first="inadequate")
    d1 = audit.tool_version.sections.first().questions.first()  # type: ignore[union-attr]
    assert d1 is not None
    html = _page(p.client_for(p.auditor), audit)
    assert d1.descriptors["inadequate"] in html
    assert d1.descriptors["good"] not in html


def test_an_audit_agreed_as_the_auditor_graded_it_says_nothing_more(p: Personas) -> None:
    moderation = regraded(p, first="good", overall="good")
    moderation = agreement_recorded(p, moderation=moderation, first="good")
    # The factory agrees overall Requires improvement; agree it as Good instead.
    good = moderation.audit.overall_grade
    moderation.proposed_overall_grade = good
    moderation.save()
    moderation_agreement_confirm(moderation=moderation, by=p.auditor)
    html = _page(p.client_for(p.auditor), moderation.audit)
    assert "Agreed at moderation" not in html
    assert "Grade history" in html


def test_lists_the_case_file_and_planning_show_the_agreed_grade(p: Personas) -> None:
    audit = _agreed(p)
    client = p.client_for(p.moderator)
    listed = client.get(reverse("audits:list")).content.decode()
    assert "Requires improvement" in listed
    case_file = client.get(reverse("cases:detail", args=[audit.case.public_id])).content.decode()
    assert "Requires improvement" in case_file
    planning = client.post(reverse("audits:create"), {"la_child_id": audit.case.la_child_id})
    assert "requires improvement" in planning.content.decode()
    assert "graded Requires improvement" in planning.content.decode()


def test_the_api_gives_the_agreed_grade_overall_and_per_question(p: Personas) -> None:
    audit = _agreed(p, first="inadequate")
    client = p.client_for(p.senior_leader)
    (item,) = [
        i for i in client.get("/api/v1/audits").json()["items"] if i["id"] == str(audit.public_id)
    ]
    assert (item["overall_grade"], item["overall_grade_value"]) == ("requires_improvement", 2)
    detail = client.get(f"/api/v1/audits/{audit.public_id}").json()
    grades = {a["question"]: (a["grade"], a["grade_value"]) for a in detail["answers"]}
    assert grades["D1"] == ("inadequate", 1)
    assert grades["D2"] == ("good", 3)


def test_before_the_auditor_confirms_the_auditors_grade_still_counts(p: Personas) -> None:
    moderation = agreement_recorded(p)
    html = _page(p.client_for(p.practitioner), moderation.audit)
    assert "Agreed at moderation" not in html
    assert ">Good</strong>" in html
