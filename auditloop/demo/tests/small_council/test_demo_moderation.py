"""The demo council's moderation history: samples that check out, moderations in every state,
independent moderators, and disagreement as a real audit group's."""

from __future__ import annotations

from collections import Counter

import pytest

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.regrade import moderation_deciders
from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationSample,
    ModerationStatus,
    ModeratorGrade,
)
from auditloop.assurance.rules.moderation_samples import random_share_draw
from auditloop.assurance.services.moderation_samples import moderation_url
from auditloop.assurance.services.regrade import escalated_message
from auditloop.audits.models import Answer
from auditloop.audits.rules import independent_of_audit
from auditloop.core.models import Notification
from auditloop.sampling.models import Cycle

pytestmark = pytest.mark.django_db
SETTLED = {ModerationStatus.AGREED, ModerationStatus.DECIDED}
GRADED = {ModerationStatus.AGREEING, ModerationStatus.ESCALATED, *SETTLED}


def _staff(username: str) -> StaffMember:
    return StaffMember.objects.get(user__username=username)


def test_every_cycle_has_a_drawn_sample_that_draws_again_the_same(small: None) -> None:
    for cycle in Cycle.objects.all():
        samples = list(ModerationSample.objects.filter(cycle=cycle))
        assert samples, cycle.name
        for sample in samples:
            moderations = list(sample.moderations.all())
            reasons = Counter(m.reason for m in moderations)
            assert reasons[ModerationReason.INADEQUATE] and reasons[ModerationReason.RANDOM]
            graded = {
                m.audit_id
                for m in moderations
                if m.reason in {ModerationReason.INADEQUATE, ModerationReason.OUTSTANDING}
            }
            rest = [a for a in sample.population_ids if a not in graded]
            again = random_share_draw(rest=rest, percent=sample.percent, seed=sample.seed)
            assert set(again) == {
                m.audit_id for m in moderations if m.reason == ModerationReason.RANDOM
            }
            assert sample.population_size == len(sample.population_ids)


def test_no_audit_is_considered_by_two_samples_of_its_cycle(small: None) -> None:
    for cycle in Cycle.objects.all():
        seen: list[int] = []
        for sample in ModerationSample.objects.filter(cycle=cycle):
            seen += sample.population_ids
        assert len(seen) == len(set(seen))


def test_moderations_are_in_every_state(small: None) -> None:
    statuses = set(Moderation.objects.values_list("status", flat=True))
    assert statuses == set(ModerationStatus.values)


def test_every_moderator_is_independent_of_the_audit_and_the_head_decides(small: None) -> None:
    moderations = Moderation.objects.exclude(moderator=None).select_related(
        "moderator",
        "audit__case__allocated_worker",
        "audit__practitioner",
        "audit__team__service",
    )
    assert moderations.exists()
    for m in moderations:
        assert m.moderator is not None
        assert m.moderator_id != m.audit.auditor_id
        assert independent_of_audit(staff=m.moderator, audit=m.audit)
        assert m.audit.team is not None
        head = m.audit.team.service.head_of_service_id
        assert m.moderator_id != head
        if m.status == ModerationStatus.DECIDED:
            assert m.decided_by_id == head
            assert head != m.audit.auditor_id
            assert m.escalation_reason and m.agreed_reason
        if m.status == ModerationStatus.ESCALATED:
            assert m.escalation_reason and m.decided_by_id is None


def test_only_a_disagreement_goes_to_the_head_and_the_decision_names_whose_grade_stood(
    small: None,
) -> None:
    escalated = Moderation.objects.filter(
        status__in=[ModerationStatus.ESCALATED, ModerationStatus.DECIDED]
    ).select_related(
        "audit__overall_grade", "audit__agreed_overall_grade", "moderator_overall_grade"
    )
    assert escalated.exists()
    for m in escalated:
        audit, theirs = m.audit, m.moderator_overall_grade
        assert audit.overall_grade is not None and theirs is not None
        questions_differ = any(
            g.grade_id != given
            for g, given in (
                (g, Answer.objects.get(audit=audit, question=g.question).grade_id)
                for g in m.grades.all()
            )
        )
        overall_differs = theirs != audit.overall_grade
        assert overall_differs or questions_differ, audit.reference
        if overall_differs:
            assert audit.overall_grade.label in m.escalation_reason
            assert theirs.label in m.escalation_reason
        if m.status != ModerationStatus.DECIDED:
            continue
        decided = audit.agreed_overall_grade
        assert decided is not None
        reason = m.agreed_reason
        names_moderator, names_auditor = "moderator's grade" in reason, "auditor's grade" in reason
        assert names_moderator == (overall_differs and decided == theirs), reason
        assert names_auditor == (overall_differs and decided == audit.overall_grade), reason
        if "between" in reason:
            assert decided not in {theirs, audit.overall_grade}


def test_an_agreed_reason_names_the_grade_that_was_agreed(small: None) -> None:
    agreed = Moderation.objects.filter(status=ModerationStatus.AGREED).select_related(
        "audit__overall_grade", "audit__agreed_overall_grade", "moderator_overall_grade"
    )
    assert agreed.exists()
    for m in agreed:
        given, theirs = m.audit.overall_grade, m.moderator_overall_grade
        settled = m.audit.agreed_overall_grade
        differ = given != theirs
        reason = m.agreed_reason
        assert ("moderator's grade" in reason) == (differ and settled == theirs), reason
        assert ("auditor's grade" in reason) == (differ and settled == given), reason
        assert ("between ours" in reason) == (settled not in {given, theirs}), reason


def test_blind_grades_mostly_agree_often_one_apart_rarely_two(small: None) -> None:
    auditor = {
        (audit_id, question_id): value
        for audit_id, question_id, value in Answer.objects.filter(
            audit__moderation__isnull=False, grade__isnull=False
        ).values_list("audit_id", "question_id", "grade__value")
    }
    gaps = Counter(
        abs(value - auditor[audit_id, question_id])
        for audit_id, question_id, value in ModeratorGrade.objects.values_list(
            "moderation__audit_id", "question_id", "grade__value"
        )
    )
    total = sum(gaps.values())
    assert total >= 40
    assert gaps[0] / total > 0.5
    assert 0.15 < gaps[1] / total < 0.45
    assert gaps[2] / total < 0.12
    assert not set(gaps) - {0, 1, 2}


def test_grades_are_given_once_regraded_and_agreed_ones_written_to_the_audit(
    small: None,
) -> None:
    for m in Moderation.objects.select_related("audit").prefetch_related("grades"):
        if m.status in GRADED:
            assert m.moderator_overall_grade_id is not None and m.regraded_at is not None
        else:
            assert m.moderator_overall_grade_id is None and not m.grades.all()
        if m.status in SETTLED:
            assert m.audit.agreed_overall_grade_id is not None
            assert m.agreed_reason and m.agreed_at is not None
            graded = m.audit.answers.filter(grade__isnull=False)
            assert not graded.filter(agreed_grade__isnull=True).exists()
            for grade in m.grades.all():
                answer = graded.get(question=grade.question)
                if grade.grade_id != answer.grade_id:
                    assert grade.agreed_reason
        else:
            assert m.audit.agreed_overall_grade_id is None
        # The auditor's grade is never overwritten: it is still there beside the agreed one.
        assert m.audit.overall_grade_id is not None


def test_requests_are_taken_waiting_and_withdrawn_with_the_askers_reasons(small: None) -> None:
    requests = list(ModerationRequest.objects.select_related("audit", "requested_by"))
    assert {r.status for r in requests} == set(ModerationRequestStatus.values)
    added = set(Moderation.objects.filter(sample=None).values_list("request_id", flat=True))
    for r in requests:
        assert r.reason
        if r.pk in added:
            # Added directly by an audit lead over the audit's service, not its auditor.
            assert r.requested_by.role == "moderator"
            assert r.audit.team is not None
            assert r.requested_by.services.filter(pk=r.audit.team.service_id).exists()
            assert r.requested_by_id != r.audit.auditor_id
            continue
        is_manager = r.requested_by.role == "team_manager" and (
            r.requested_by.team_id == r.audit.team_id
        )
        assert r.requested_by_id == r.audit.auditor_id or is_manager
    waiting = [r for r in requests if r.status == ModerationRequestStatus.WAITING]
    assert not Moderation.objects.filter(audit__in=[r.audit for r in waiting]).exists()
    assert any(r.requested_by == _staff("manager") for r in waiting)


def test_the_demo_logins_have_moderation_to_do(small: None) -> None:
    moderator, auditor = _staff("moderator"), _staff("auditor")
    # Added by another lead, so that the sample the demo moderator drew is not hidden from them.
    regrading = Moderation.objects.filter(moderator=moderator, status="regrading")
    assert regrading.count() >= 2
    assert not regrading.exclude(sample=None).exists()
    assert Moderation.objects.filter(moderator=moderator, status="agreeing").exists()
    assert Moderation.objects.filter(moderator=auditor, status="regrading").exists()
    assert Moderation.objects.filter(
        status="escalated", audit__team__service__head_of_service=_staff("leader")
    ).exists()
    assert Moderation.objects.filter(status="unassigned").exists()


def test_whoever_decides_each_waiting_disagreement_was_told_of_it(small: None) -> None:
    """As `moderation_escalate` tells them: the demo leader finds theirs in their notices."""
    leader = _staff("leader")
    for m in Moderation.objects.filter(status="escalated"):
        for decider in moderation_deciders(m).staff:
            if decider.user_id is None:
                continue
            assert Notification.objects.filter(
                recipient_id=decider.user_id,
                url=moderation_url(m),
                message=escalated_message(m.audit),
            ).exists(), m
    assert Notification.objects.filter(
        recipient=leader.user, message__contains="cannot agree its grades"
    ).exists()
