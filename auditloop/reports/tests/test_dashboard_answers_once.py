"""A dashboard reads its audits' answers once, for every figure drawn from them (compliance by
check and by team, grades by domain, quality against compliance), and each figure counts what
its own query over the answers counted before: on councils drawn at random, the one pass's
counts, summed as each figure sums them, are those queries' counts."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditloop.audits.models import Answer, AuditStatus, ComplianceAnswer, QuestionKind
from auditloop.audits.selectors.audits import answer_grade_counted
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of, grade
from auditloop.reports.access.scopes import dashboard_scope, review_scope
from auditloop.reports.models import Audience
from auditloop.reports.selectors.figures import dashboard_sections
from auditloop.reports.selectors.figures.parts import (
    compliance_by_team_counts,
    compliance_counts,
    counted_audits,
    grade_counts,
    quality_counts,
    recent_cycles,
)
from auditloop.reports.selectors.scope import ReportScope, audits_in_scope
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

SPRING = datetime.date(2026, 1, 1)
EARLIER = datetime.date(2025, 7, 1)
GRADES = ["outstanding", "good", "requires_improvement", "inadequate"]
SCOPES: dict[str, Callable[[Personas, Cycle], ReportScope | None]] = {
    "audit lead": lambda p, cycle: dashboard_scope(p.moderator, cycle),
    "team manager": lambda p, cycle: dashboard_scope(p.team_manager, cycle),
    "committee": lambda p, cycle: review_scope(cycle, Audience.COMMITTEE),
}

audits = st.lists(
    st.fixed_dictionaries(
        {
            "earlier": st.booleans(),
            "team": st.integers(0, 2),
            "quality": st.booleans(),
            "domains": st.sampled_from(GRADES),
            "compliance": st.sampled_from(list(ComplianceAnswer.values)),
            "submitted": st.integers(0, 3).map(bool),
            # The first graded answer given an agreed grade; the last answer left blank.
            "agreed": st.none() | st.sampled_from(GRADES),
            "blank": st.booleans(),
        }
    ),
    max_size=6,
)


def council_build(p: Personas, drawn: list[dict[str, Any]]) -> Cycle:
    earlier = cycle_of(p, "Autumn 2025", EARLIER)
    cycle = cycle_of(p, "Spring", SPRING)
    for a in drawn:
        audit = counted_audit(
            p,
            earlier if a["earlier"] else cycle,
            team=[p.north_a, p.north_b, p.south_a][a["team"]],
            tool=p.quality_tool if a["quality"] else p.compliance_tool,
            domains=a["domains"],
            compliance=a["compliance"],
            status=AuditStatus.SUBMITTED if a["submitted"] else AuditStatus.IN_PROGRESS,
        )
        answers = list(audit.answers.order_by("pk"))
        graded = [x for x in answers if x.question.kind == QuestionKind.GRADED]
        if a["agreed"] and graded:
            graded[0].agreed_grade = grade(audit.tool_version, a["agreed"])
            graded[0].save(update_fields=["agreed_grade"])
        if a["blank"] and answers:
            Answer.objects.filter(pk=answers[-1].pk).update(grade=None, compliance="")
    return cycle


def by_the_figures_own_queries(scope: ReportScope) -> dict[str, Any]:
    """What each figure counted with its own query over the answers, before they shared one."""
    ids = counted_audits(scope).ids
    checks = Answer.objects.filter(
        audit_id__in=ids, question__kind=QuestionKind.COMPLIANCE
    ).exclude(compliance="")
    by_team: dict[int, dict[str, int]] = {}
    for team, answer, n in (
        checks.values_list("audit__team_id", "compliance").annotate(n=Count("pk")).order_by()
    ):
        by_team.setdefault(team, {})[answer] = n
    cycles = [c.pk for c in recent_cycles(scope)]
    quality = {
        cycle: (q, c)
        for cycle, q, c in Answer.objects.filter(
            audit_id__in=audits_in_scope(scope, cycle_ids=cycles).values("pk")
        )
        .values_list("audit__cycle_link__cycle_id")
        .annotate(
            quality=Count("pk", filter=Q(question__kind=QuestionKind.GRADED, grade__isnull=False)),
            checks=Count(
                "pk", filter=Q(question__kind=QuestionKind.COMPLIANCE) & ~Q(compliance="")
            ),
        )
        .order_by()
        if q or c
    }
    return {
        "compliance": sorted(
            checks.values_list("audit__tool_version__tool_id", "question__code", "compliance")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        "by team": by_team,
        "grades": sorted(
            Answer.objects.filter(audit_id__in=ids, question__kind=QuestionKind.GRADED)
            .annotate(counted=answer_grade_counted("id"))
            .exclude(counted=None)
            .values_list(
                "audit__tool_version__tool_id",
                "audit__tool_version__grading_scale_id",
                "question__code",
                "counted",
            )
            .annotate(n=Count("pk"))
            .order_by()
        ),
        "quality": quality,
    }


def by_the_one_pass(scope: ReportScope) -> dict[str, Any]:
    return {
        "compliance": sorted(compliance_counts(scope)),
        "by team": compliance_by_team_counts(scope),
        "grades": sorted(grade_counts(scope)),
        "quality": {c: qc for c, qc in quality_counts(scope).items() if any(qc)},
    }


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=audits, who=st.sampled_from(list(SCOPES)))
def test_the_one_pass_counts_what_each_figures_own_query_counted(
    p: Personas, drawn: list[dict[str, Any]], who: str
) -> None:
    with transaction.atomic():
        cycle = council_build(p, drawn)
        scope = SCOPES[who](p, cycle)
        assert scope is not None

        assert by_the_one_pass(scope) == by_the_figures_own_queries(scope)
        transaction.set_rollback(True)


@pytest.mark.parametrize("who", list(SCOPES))
def test_a_dashboard_reads_its_answers_in_one_query(p: Personas, who: str) -> None:
    # A national council's four cycles hold millions of answers: four figures each reading
    # them took seconds apiece.
    cycle = council_build(
        p,
        [
            {
                "earlier": earlier,
                "team": team,
                "quality": quality,
                "domains": "good",
                "compliance": ComplianceAnswer.YES,
                "submitted": True,
                "agreed": None,
                "blank": False,
            }
            for earlier in (False, True)
            for team in range(3)
            for quality in (False, True)
            for _ in range(2)
        ],
    )
    scope = SCOPES[who](p, cycle)
    assert scope is not None
    with CaptureQueriesContext(connection) as queries:
        sections = dashboard_sections(scope)

    assert sections
    of_answers = [q["sql"] for q in queries if 'FROM "audits_answer"' in q["sql"]]
    # Beside the one pass, moderation's agreement reads the moderated answers alone, against
    # the moderator's grades (`assurance.selectors.agreement`).
    every_answer = [sql for sql in of_answers if "assurance_moderatorgrade" not in sql]
    assert len(every_answer) == 1
