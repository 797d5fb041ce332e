"""The compliance score: yes ÷ (yes + no), not applicable left out, on the audit page, in the
lists and in the API, once the audit is submitted."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from auditloop.audits.models import Audit, AuditType, ComplianceAnswer, Grade, Question
from auditloop.audits.selectors.audits import ComplianceScore, compliance_scores
from auditloop.audits.services.audits import AnswerInput, audit_answers_save, audit_submit
from auditloop.audits.tests.audit_factories import (
    answer_fully,
    full_answers,
    planned_audit,
)
from auditloop.testing import Personas


def _answered(p: Personas, *, no: int, na: int) -> Audit:
    """A dip sample answered in full: the first `no` checks No, the next `na` not applicable,
    the rest Yes."""
    audit = planned_audit(p)
    answers = full_answers(audit)
    checks = Question.objects.filter(section__version=audit.tool_version).order_by(
        "section__order", "order"
    )
    for n, q in enumerate(checks):
        if n < no:
            answers[q.pk] = AnswerInput(
                compliance=ComplianceAnswer.NO,
                evidence="Not on file.",
                no_action_reason="Put right while the audit was done.",
            )
        elif n < no + na:
            answers[q.pk] = AnswerInput(compliance=ComplianceAnswer.NOT_APPLICABLE)
    return audit_answers_save(
        audit=audit,
        by=p.auditor,
        answers=answers,
        overall_grade=Grade.objects.get(scale=audit.tool_version.grading_scale, code="good"),
        strengths="Visits are regular.",
        areas_for_development="The chronology is a list.",
        impact_on_child="The child is safer at home.",
    )


def test_the_score_is_yes_over_yes_and_no_leaving_out_not_applicable() -> None:
    score = ComplianceScore.of(["yes"] * 11 + ["no"] * 2 + ["na"] * 2 + [""])
    assert score == ComplianceScore(yes=11, no=2, not_applicable=2)
    assert score.fraction == pytest.approx(11 / 13)
    assert score.percent == 85


def test_no_answers_give_no_score_and_all_not_applicable_gives_no_percentage() -> None:
    assert ComplianceScore.of(["", ""]) is None
    all_na = ComplianceScore.of(["na", "na"])
    assert all_na is not None
    assert all_na.fraction is None
    assert all_na.percent is None


@given(yes=st.integers(0, 200), no=st.integers(0, 200))
def test_the_percentage_is_the_score_rounded_halves_up(yes: int, no: int) -> None:
    score = ComplianceScore(yes=yes, no=no, not_applicable=0)
    if yes + no == 0:
        assert score.percent is None
        return
    assert score.percent == math.floor(Fraction(100 * yes, yes + no) + Fraction(1, 2))


def test_scores_of_many_audits_come_in_one_query(
    p: Personas, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    first = _answered(p, no=2, na=0)
    second = _answered(p, no=0, na=3)
    with django_assert_num_queries(1):
        scores = compliance_scores([first.pk, second.pk])
    assert scores[first.pk] == ComplianceScore(yes=13, no=2, not_applicable=0)
    assert scores[second.pk] == ComplianceScore(yes=12, no=0, not_applicable=3)


def test_the_audit_page_shows_the_score_with_its_counts(p: Personas) -> None:
    audit = audit_submit(audit=_answered(p, no=2, na=1), by=p.auditor)
    page = p.client_for(p.practitioner).get(reverse("audits:detail", args=[audit.public_id]))
    text = page.content.decode()
    assert "Compliance score" in text
    assert "<strong>86%</strong>: 12 yes, 2 no, 1 not applicable" in text
    assert "Score = yes ÷ (yes + no); not applicable is left out." in text


def test_the_auditor_sees_a_draft_score_marked_as_a_draft(p: Personas) -> None:
    audit = _answered(p, no=2, na=0)
    text = (
        p.client_for(p.auditor)
        .get(reverse("audits:detail", args=[audit.public_id]))
        .content.decode()
    )
    assert "<strong>87%</strong>: 13 yes, 2 no" in text
    assert "Draft: not a score until the audit is submitted." in text


def test_a_quality_audit_has_no_compliance_score(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    audit = audit_submit(audit=answer_fully(audit), by=p.auditor)
    text = (
        p.client_for(p.moderator)
        .get(reverse("audits:detail", args=[audit.public_id]))
        .content.decode()
    )
    assert "Compliance score" not in text


def test_lists_show_the_score_once_the_audit_is_submitted(p: Personas) -> None:
    audit = _answered(p, no=2, na=0)
    client = p.client_for(p.moderator)
    case_url = reverse("cases:detail", args=[p.case.public_id])
    for url in (reverse("audits:list"), case_url):
        text = client.get(url).content.decode()
        assert "87%" not in text
        assert "Not scored" in text
    audit_submit(audit=audit, by=p.auditor)
    for url in (reverse("audits:list"), case_url):
        text = client.get(url).content.decode()
        assert '<td class="govuk-table__cell">87%</td>' in text


def test_the_api_gives_the_score_as_a_fraction_once_submitted(p: Personas) -> None:
    audit = _answered(p, no=2, na=0)
    client = p.client_for(p.moderator)
    detail = f"/api/v1/audits/{audit.public_id}"
    assert client.get("/api/v1/audits").json()["items"][0]["compliance_score"] is None
    assert client.get(detail).json()["compliance_score"] is None
    audit_submit(audit=audit, by=p.auditor)
    assert client.get("/api/v1/audits").json()["items"][0]["compliance_score"] == pytest.approx(
        13 / 15
    )
    assert client.get(detail).json()["compliance_score"] == pytest.approx(13 / 15)
