"""The grade that counts, decided in one place: the agreed grade where moderation set one,
else the auditor's; as a property of an audit or answer, and as one SQL expression for
querysets that count or filter by grade."""

from __future__ import annotations

import pytest

from auditloop.audits.models import Answer, Audit, AuditStatus, Grade
from auditloop.audits.selectors.audits import answer_grade_counted, overall_grade_counted
from auditloop.audits.tests.followup_factories import make_answer, make_audit
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _grade(p: Personas, code: str) -> Grade:
    return Grade.objects.get(scale=p.compliance_tool.grading_scale, code=code)


def test_the_agreed_overall_grade_counts_where_there_is_one(p: Personas) -> None:
    plain = make_audit(p, status=AuditStatus.SUBMITTED)
    agreed = make_audit(p, status=AuditStatus.SUBMITTED)
    Audit.objects.filter(pk__in=[plain.pk, agreed.pk]).update(overall_grade=_grade(p, "good"))
    Audit.objects.filter(pk=agreed.pk).update(agreed_overall_grade=_grade(p, "inadequate"))
    counted = dict(
        Audit.objects.annotate(code=overall_grade_counted("code")).values_list("pk", "code")
    )
    assert counted == {plain.pk: "good", agreed.pk: "inadequate"}
    inadequate = Audit.objects.alias(bad=overall_grade_counted("is_inadequate")).filter(bad=True)
    assert list(inadequate) == [agreed]
    assert Audit.objects.get(pk=agreed.pk).grade_shown == _grade(p, "inadequate")


def test_the_agreed_grade_of_an_answer_counts_where_there_is_one(p: Personas) -> None:
    answer = make_answer(make_audit(p, status=AuditStatus.SUBMITTED))
    Answer.objects.filter(pk=answer.pk).update(grade=_grade(p, "good"))
    values = Answer.objects.annotate(v=answer_grade_counted("value")).values_list("v", flat=True)
    assert list(values) == [3]
    Answer.objects.filter(pk=answer.pk).update(agreed_grade=_grade(p, "requires_improvement"))
    assert list(values.all()) == [2]
    answer.refresh_from_db()
    assert answer.grade_counted == _grade(p, "requires_improvement")
    assert answer.grade == _grade(p, "good")
