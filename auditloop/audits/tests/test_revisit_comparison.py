"""A revisit shows the earlier audit's answer beside each question, to readers who may read
the earlier audit too, and once submitted what changed, question by question and overall."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    ComplianceAnswer,
    Participant,
    ParticipantRole,
)
from auditloop.audits.rules import change_words
from auditloop.audits.tests.revisit_factories import (
    answered,
    earlier_audit,
    grade_of,
    marked_submitted,
    on_gapped_scale,
    revisit_of,
)
from auditloop.core.models import AccessLog
from auditloop.testing import Personas, make_staff

EARLIER_EVIDENCE = "The last recorded visit is outside the required interval."


def _text(p: Personas, staff: StaffMember, name: str, audit: Audit) -> str:
    response = p.client_for(staff).get(reverse(name, args=[audit.public_id]))
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def _compliance_pair(p: Personas) -> tuple[Audit, Audit]:
    earlier = earlier_audit(p)
    return earlier, revisit_of(p, earlier)


def test_the_auditor_answering_a_revisit_sees_the_earlier_answer_above_each_question(
    p: Personas,
) -> None:
    _, revisit = _compliance_pair(p)
    text = _text(p, p.auditor, "audits:edit", revisit)
    assert "A1 at the earlier audit:" in text
    assert "A15 at the earlier audit:" in text
    assert f"Evidence: {EARLIER_EVIDENCE}" in text
    assert "Overall grade at the earlier audit:" in text
    assert "This revisit follows up the dip sample audit submitted" in text


def test_the_earlier_grade_shown_is_the_grade_that_counts(p: Personas) -> None:
    earlier = earlier_audit(p, tool=p.quality_tool)
    # Moderation agreed Requires improvement on D1 and overall, beside the auditor's Inadequate.
    agreed = grade_of(p.quality_tool, "requires_improvement")
    Answer.objects.filter(audit=earlier, question__code="D1").update(agreed_grade=agreed)
    Audit.objects.filter(pk=earlier.pk).update(agreed_overall_grade=agreed)
    revisit = revisit_of(p, earlier)
    text = _text(p, p.auditor, "audits:edit", revisit)
    d1 = text.split("D1 at the earlier audit:")[1].split("</div>")[0]
    assert "Requires improvement" in d1
    assert "Inadequate" not in d1
    d2 = text.split("D2 at the earlier audit:")[1].split("</div>")[0]
    assert "Inadequate" in d2
    overall = text.split("Overall grade at the earlier audit:")[1].split("</div>")[0]
    assert "Requires improvement" in overall


def test_a_revisit_given_to_another_auditor_shows_them_the_earlier_answers(
    p: Personas,
) -> None:
    other = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    earlier = earlier_audit(p)
    revisit = revisit_of(p, earlier, auditor=other)
    text = _text(p, other, "audits:edit", revisit)
    assert "A1 at the earlier audit:" in text
    assert f"Evidence: {EARLIER_EVIDENCE}" in text
    text = _text(p, other, "audits:detail", revisit)
    assert "Overall grade at the earlier audit" in text
    assert "may not read" not in text
    # They read the earlier audit itself too, as the revisit's auditor, and the read is logged.
    _text(p, other, "audits:detail", earlier)
    assert AccessLog.objects.filter(target_id=str(earlier.public_id), user=other.user).exists()


def test_an_auditor_with_no_revisit_of_an_audit_still_may_not_read_it(p: Personas) -> None:
    other = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    earlier = earlier_audit(p)
    revisit_of(p, earlier)
    url = reverse("audits:detail", args=[earlier.public_id])
    assert p.client_for(other).get(url).status_code == 404


def test_the_revisits_auditor_may_not_read_an_earlier_audit_still_in_draft(
    p: Personas,
) -> None:
    other = make_staff("auditor2", "Ari Auditor", Role.AUDITOR, p.north_b)
    earlier = earlier_audit(p)
    revisit_of(p, earlier, auditor=other)
    Audit.objects.filter(pk=earlier.pk).update(status=AuditStatus.IN_PROGRESS)
    url = reverse("audits:detail", args=[earlier.public_id])
    assert p.client_for(other).get(url).status_code == 404


def test_a_reader_who_may_not_read_the_earlier_audit_sees_none_of_its_answers(
    p: Personas,
) -> None:
    # Someone who took part in the revisit's deep dive but not in the earlier audit.
    colleague = make_staff("practitioner2", "Pat Colleague", Role.PRACTITIONER, p.north_b)
    earlier = earlier_audit(p)
    revisit = revisit_of(p, earlier)
    answered(revisit, compliance=ComplianceAnswer.YES)
    Participant.objects.create(audit=revisit, staff=colleague, role=ParticipantRole.OTHER)
    marked_submitted(revisit)
    text = _text(p, colleague, "audits:detail", revisit)
    assert "at the earlier audit:" not in text
    assert EARLIER_EVIDENCE not in text
    assert "may not read" in text
    assert not AccessLog.objects.filter(target_id=str(earlier.public_id)).exists()


def test_showing_the_earlier_answers_is_logged_as_a_read_of_the_earlier_audit(
    p: Personas,
) -> None:
    earlier, revisit = _compliance_pair(p)
    _text(p, p.auditor, "audits:edit", revisit)
    read = AccessLog.objects.get(target_id=str(earlier.public_id))
    assert (read.user, read.purpose) == (p.auditor.user, "revisit")


def test_nothing_is_said_to_have_changed_before_the_revisit_is_submitted(p: Personas) -> None:
    _, revisit = _compliance_pair(p)
    answered(revisit)
    text = _text(p, p.moderator, "audits:detail", revisit)
    assert "At the earlier audit" in text
    assert "Change in the overall grade" not in text
    assert "Better" not in text
    assert "What changed is shown once this revisit is submitted." in text


def test_once_submitted_each_check_shows_how_it_changed(p: Personas) -> None:
    _, revisit = _compliance_pair(p)
    answered(revisit, compliance=ComplianceAnswer.YES, by_code={"A2": "no", "A5": "na"})
    marked_submitted(revisit)
    text = _text(p, p.team_manager, "audits:detail", revisit)
    assert text.count("Better (No, now Yes)") == 13
    assert "The same (No both times)" in text
    assert "Cannot be compared (No, now Not applicable)" in text
    assert "<li>13 better</li><li>1 the same</li><li>0 worse</li>" in text
    assert "Better by 2 grades (Inadequate, now Good)" in text


def test_once_submitted_each_domain_shows_by_how_many_grades_it_changed(p: Personas) -> None:
    earlier = earlier_audit(p, tool=p.quality_tool, grade_code="requires_improvement")
    revisit = revisit_of(p, earlier)
    answered(
        revisit,
        grade_code="requires_improvement",
        overall="requires_improvement",
        by_code={"D1": "outstanding", "D2": "inadequate"},
    )
    marked_submitted(revisit)
    text = _text(p, p.senior_leader, "audits:detail", revisit)
    assert "Better by 2 grades (Requires improvement, now Outstanding)" in text
    assert "Worse by 1 grade (Requires improvement, now Inadequate)" in text
    assert text.count("The same (Requires improvement both times)") == 6
    assert "Better by 1 grade (Inadequate, now Requires improvement)" in text


def test_a_change_is_counted_in_steps_on_the_scale_not_in_grade_values(p: Personas) -> None:
    # Inadequate 0, Requires improvement 5, Good 10, Outstanding 30: a council's own values.
    tool = on_gapped_scale(p.quality_tool)
    earlier = earlier_audit(p, tool=tool, grade_code="inadequate", overall="inadequate")
    revisit = revisit_of(p, earlier)
    answered(
        revisit,
        grade_code="requires_improvement",
        overall="good",
        by_code={"D1": "outstanding", "D2": "inadequate"},
    )
    marked_submitted(revisit)
    text = _text(p, p.senior_leader, "audits:detail", revisit)
    assert "Better by 2 grades (Inadequate, now Good)" in text
    assert "Better by 3 grades (Inadequate, now Outstanding)" in text
    assert text.count("Better by 1 grade (Inadequate, now Requires improvement)") == 6
    assert "The same (Inadequate both times)" in text
    assert not re.search(r"by (5|10|30) grades", text)


def test_an_audit_that_is_not_a_revisit_shows_no_earlier_answers(p: Personas) -> None:
    earlier, _ = _compliance_pair(p)
    text = _text(p, p.moderator, "audits:detail", earlier)
    assert "Compared with the earlier audit" not in text
    assert "At the earlier audit" not in text


@pytest.mark.parametrize(
    ("steps", "before", "after", "graded", "words"),
    [
        (2, "Inadequate", "Good", True, "Better by 2 grades (Inadequate, now Good)"),
        (
            -1,
            "Good",
            "Requires improvement",
            True,
            "Worse by 1 grade (Good, now Requires improvement)",
        ),
        (0, "Good", "Good", True, "The same (Good both times)"),
        (1, "No", "Yes", False, "Better (No, now Yes)"),
        (-1, "Yes", "No", False, "Worse (Yes, now No)"),
        (None, "Not applicable", "Yes", False, "Cannot be compared (Not applicable, now Yes)"),
        (None, "", "Yes", False, "Cannot be compared (not answered, now Yes)"),
        (
            None,
            "Not applicable",
            "Not applicable",
            False,
            "Cannot be compared (Not applicable both times)",
        ),
        (None, "", "", False, "Cannot be compared (not answered both times)"),
    ],
)
def test_a_change_reads_as_a_sentence(
    steps: int | None, before: str, after: str, graded: bool, words: str
) -> None:
    assert change_words(steps=steps, before=before, after=after, graded=graded) == words
