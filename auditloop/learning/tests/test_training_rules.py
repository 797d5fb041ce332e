"""Training rules: when they fire, for whom, and that raising needs twice changes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import AuditStatus, AuditType
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.learning.models import Theme, TrainingNeed, TrainingNeedStatus, TrainingRuleKind
from auditloop.learning.rules.training import (
    DOMAIN_SHARE,
    THEME_COUNT,
    RuleTerms,
    TeamFigures,
    rule_evaluate,
    share_fires,
)
from auditloop.learning.selectors.training import grade_words
from auditloop.learning.services.training import (
    RuleDetails,
    training_need_decide,
    training_needs_raise,
    training_rule_activate,
    training_rule_create,
)
from auditloop.learning.tests.training_factories import (
    a_cycle,
    graded_audit,
    quality_questions,
    same_question_in_a_new_version,
)
from auditloop.testing import Personas

V1, V2 = (1, "V1"), (1, "V2")
SHARE = RuleTerms(kind=DOMAIN_SHARE, domain=V1, grade_value=2, percent=30)


def team(audits: int, low: int, *, graded: int | None = None) -> dict[int, TeamFigures]:
    graded = audits if graded is None else graded
    return {1: TeamFigures(team_id=1, audits=audits, grades={V1: {2: low, 3: graded - low}})}


def test_a_share_exactly_at_the_threshold_does_not_fire_and_one_more_audit_does() -> None:
    assert not share_fires(3, 10, 30)
    assert share_fires(4, 10, 30)
    at = rule_evaluate(SHARE, team(10, 3), minimum=5, graded_domains=[])
    past = rule_evaluate(SHARE, team(10, 4), minimum=5, graded_domains=[])
    assert at.findings == []
    assert [f.evidence["low"] for f in past.findings] == [4]
    assert past.findings[0].evidence["share"] == 40.0


def test_grades_below_the_rules_grade_count_as_low_too() -> None:
    figures = {1: TeamFigures(team_id=1, audits=10, grades={V1: {1: 2, 2: 2, 4: 6}})}
    found = rule_evaluate(SHARE, figures, minimum=5, graded_domains=[]).findings
    assert found[0].evidence["low"] == 4


def test_a_team_with_fewer_audits_than_the_small_group_minimum_never_fires() -> None:
    evaluation = rule_evaluate(SHARE, team(4, 4), minimum=5, graded_domains=[])
    assert evaluation.findings == []
    assert evaluation.too_few == [1]


def test_an_any_domain_rule_looks_at_each_domain_on_its_own() -> None:
    terms = RuleTerms(kind=DOMAIN_SHARE, grade_value=2, percent=30)
    figures = {1: TeamFigures(team_id=1, audits=10, grades={V1: {2: 5, 3: 5}, V2: {2: 1, 3: 9}})}
    found = rule_evaluate(terms, figures, minimum=5, graded_domains=[V1, V2]).findings
    assert [f.domain for f in found] == [V1]


def test_a_theme_rule_fires_past_its_count_for_each_theme() -> None:
    terms = RuleTerms(kind=THEME_COUNT, count=3)
    figures = {1: TeamFigures(team_id=1, audits=8, themes={5: 3, 6: 4})}
    found = rule_evaluate(terms, figures, minimum=5, graded_domains=[]).findings
    assert [(f.theme_id, f.evidence["with_theme"]) for f in found] == [(6, 4)]


# Raising needs from the database ---------------------------------------------------------------


def _domain_rule(p: Personas, **kwargs: object) -> object:
    question = quality_questions(p)[0]
    return training_rule_create(
        details=RuleDetails(
            name="Voice of the child",
            kind=TrainingRuleKind.DOMAIN_SHARE,
            question=question,
            grade_value=2,
            percent=30,
            **kwargs,  # type: ignore[arg-type]
        ),
        by=p.moderator,
    )


@pytest.mark.django_db
def test_checking_the_rules_raises_a_need_with_its_evidence_and_twice_changes_nothing(
    p: Personas,
) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    _domain_rule(p)
    for value in (2, 2, 1, 3, 3, 4):
        graded_audit(p, cycle=cycle, question=question, value=value)
    first = training_needs_raise(cycle=cycle, by=p.moderator)
    need = TrainingNeed.objects.get()
    assert [n.pk for n in first.raised] == [need.pk]
    assert need.team == p.north_a and need.question == question
    expected = {"audits": 6, "graded": 6, "low": 3, "share": 50.0, "percent": 30}
    assert {k: need.evidence[k] for k in expected} == expected
    # Counts, thresholds and names of the rule and cycle: nothing about a child or a worker.
    assert set(need.evidence) == {
        *expected,
        "kind",
        "grade_value",
        "rule",
        "cycle",
        "grade_words",
        "minimum",
    }
    assert "Requires improvement or worse in 50% of audits" in need.title
    events = Event.objects.filter(verb="training_need.raised").count()
    second = training_needs_raise(cycle=cycle, by=p.moderator)
    assert second.raised == [] and second.already == 1
    assert TrainingNeed.objects.count() == 1
    assert Event.objects.filter(verb="training_need.raised").count() == events == 1


@pytest.mark.django_db
def test_a_domain_rule_goes_on_counting_its_domain_in_a_new_version_of_the_tool(
    p: Personas,
) -> None:
    cycle = a_cycle(p)
    _domain_rule(p)  # on the first version's question
    newer = same_question_in_a_new_version(p, quality_questions(p)[0])
    for value in (2, 2, 1, 3, 3, 4):
        graded_audit(p, cycle=cycle, question=newer, value=value)
    raised = training_needs_raise(cycle=cycle, by=p.moderator).raised
    assert [n.team for n in raised] == [p.north_a]
    again = training_needs_raise(cycle=cycle, by=p.moderator)
    assert again.raised == [] and again.already == 1


@pytest.mark.django_db
def test_an_any_domain_rule_raises_one_need_per_domain_across_versions(p: Personas) -> None:
    cycle = a_cycle(p)
    training_rule_create(
        details=RuleDetails(
            name="Any domain", kind=TrainingRuleKind.DOMAIN_SHARE, grade_value=2, percent=50
        ),
        by=p.moderator,
    )
    first = quality_questions(p)[0]
    newer = same_question_in_a_new_version(p, first)
    for value in (2, 2, 1):
        graded_audit(p, cycle=cycle, question=first, value=value)
    for value in (2, 3, 4):
        graded_audit(p, cycle=cycle, question=newer, value=value)
    raised = training_needs_raise(cycle=cycle, by=p.moderator).raised
    # One need for the domain, named by its question in the newest published version.
    assert [(n.question, n.evidence["graded"], n.evidence["low"]) for n in raised] == [
        (newer, 6, 4)
    ]


@pytest.mark.django_db
def test_only_submitted_non_calibration_audits_count_at_the_agreed_grade(p: Personas) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    _domain_rule(p)
    for _ in range(5):
        graded_audit(p, cycle=cycle, question=question, value=3)
    # Low, but not counted: a draft, a calibration audit, and one moderated up to Good.
    graded_audit(p, cycle=cycle, question=question, value=1, status=AuditStatus.IN_PROGRESS)
    graded_audit(p, cycle=cycle, question=question, value=1, audit_type=AuditType.CALIBRATION)
    graded_audit(p, cycle=cycle, question=question, value=2, agreed=3)
    assert training_needs_raise(cycle=cycle, by=p.moderator).raised == []
    # Two moderated down to Requires improvement: 2 of 8 is 25%, still under 30%.
    graded_audit(p, cycle=cycle, question=question, value=3, agreed=2)
    graded_audit(p, cycle=cycle, question=question, value=3, agreed=2)
    assert training_needs_raise(cycle=cycle, by=p.moderator).raised == []
    graded_audit(p, cycle=cycle, question=question, value=3, agreed=2)
    raised = training_needs_raise(cycle=cycle, by=p.moderator).raised
    assert [n.evidence["low"] for n in raised] == [3]
    assert raised[0].evidence["graded"] == 9


@pytest.mark.django_db
@override_settings(AUDITLOOP_SMALL_GROUP_MIN=5)
def test_a_small_team_raises_nothing_and_is_reported_as_too_few_to_say(p: Personas) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    _domain_rule(p)
    for _ in range(4):
        graded_audit(p, cycle=cycle, question=question, value=1)
    outcome = training_needs_raise(cycle=cycle, by=p.moderator)
    assert outcome.raised == []
    assert outcome.too_few == {"Voice of the child": ["North A"]}


@pytest.mark.django_db
def test_a_theme_in_more_audits_than_the_rule_allows_raises_a_need(p: Personas) -> None:
    cycle = a_cycle(p)
    drift = Theme.objects.create(name="Drift")
    training_rule_create(
        details=RuleDetails(name="Drift", kind=TrainingRuleKind.THEME_COUNT, theme=drift, count=3),
        by=p.moderator,
    )
    for _ in range(3):
        graded_audit(p, cycle=cycle, themes=[drift])
    graded_audit(p, cycle=cycle)
    graded_audit(p, cycle=cycle)
    assert training_needs_raise(cycle=cycle, by=p.moderator).raised == []
    graded_audit(p, cycle=cycle, themes=[drift])
    need = training_needs_raise(cycle=cycle, by=p.moderator).raised[0]
    assert need.theme == drift and need.evidence["with_theme"] == 4


@pytest.mark.django_db
def test_a_switched_off_rule_raises_nothing(p: Personas) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    rule = _domain_rule(p)
    training_rule_activate(rule=rule, active=False, by=p.moderator)  # type: ignore[arg-type]
    for _ in range(6):
        graded_audit(p, cycle=cycle, question=question, value=1)
    assert training_needs_raise(cycle=cycle, by=p.moderator).raised == []


@pytest.mark.django_db
def test_only_an_audit_lead_sets_a_rule_or_checks_the_rules(p: Personas) -> None:
    with pytest.raises(Refused):
        training_rule_create(
            details=RuleDetails(name="x", kind=TrainingRuleKind.THEME_COUNT, count=1),
            by=p.senior_leader,
        )
    with pytest.raises(Refused):
        training_needs_raise(cycle=a_cycle(p), by=p.team_manager)


@pytest.mark.django_db
def test_a_domain_rule_without_its_percentage_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="percentage"):
        training_rule_create(
            details=RuleDetails(name="x", kind=TrainingRuleKind.DOMAIN_SHARE, grade_value=2),
            by=p.moderator,
        )


@pytest.mark.django_db
def test_a_lead_raises_needs_for_the_teams_of_their_own_services_only(p: Personas) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    _domain_rule(p)
    for _ in range(5):
        graded_audit(p, cycle=cycle, question=question, value=1)
        graded_audit(p, cycle=cycle, question=question, value=1, team=p.south_a)
    raised = training_needs_raise(cycle=cycle, by=p.moderator).raised
    assert [n.team for n in raised] == [p.north_a]
    # The nightly run (nobody) covers every team.
    assert [n.team for n in training_needs_raise(cycle=cycle, by=None).raised] == [p.south_a]


@pytest.mark.django_db
def test_the_service_refuses_a_decision_by_someone_not_leading_the_teams_service(
    p: Personas,
) -> None:
    cycle = a_cycle(p)
    need = TrainingNeed.objects.create(cycle=cycle, team=p.south_a, title="South's need")
    with pytest.raises(Refused, match="Only an audit lead over this team"):
        training_need_decide(need=need, status=TrainingNeedStatus.MET, by=p.moderator)


@pytest.mark.django_db
def test_the_lowest_grade_is_named_alone_and_others_or_worse(p: Personas) -> None:
    question = quality_questions(p)[0]
    assert grade_words(question, 1) == "Inadequate"
    assert grade_words(question, 2) == "Requires improvement or worse"
    assert grade_words(None, 2) == "Requires improvement or worse"


@pytest.mark.django_db
def test_counting_a_cycle_asks_as_many_queries_for_many_audits_and_teams_as_for_few(
    p: Personas,
) -> None:
    cycle = a_cycle(p)
    question = quality_questions(p)[0]
    _domain_rule(p)
    graded_audit(p, cycle=cycle, question=question, value=3)

    def queries() -> int:
        # A fresh record each time, as each request has: the services someone oversees are
        # worked out once per record.
        by = StaffMember.objects.get(pk=p.moderator.pk)
        with CaptureQueriesContext(connection) as captured:
            training_needs_raise(cycle=cycle, by=by)
        return len(captured.captured_queries)

    few = queries()
    for team in (p.north_a, p.north_b):
        for _ in range(12):
            graded_audit(p, cycle=cycle, question=question, value=3, team=team)
    assert queries() == few
