from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest
from django.db.models import F, Q

from auditloop.accounts.models import (
    AccessRequest,
    AccessRequestStatus,
    Role,
    Service,
    StaffMember,
)
from auditloop.audits.access.actions import can_sign_off_action
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    Escalation,
    FeedbackReply,
)
from auditloop.audits.rules import auditor_is_independent
from auditloop.audits.selectors.actions import actions_awaiting_sign_off_by, answers_needing_action
from auditloop.cases.models import ChildCase
from auditloop.core.models import Event, FailedSignIn, Notification, RefusedRequest
from auditloop.demo.council import DEMO_LOGINS
from auditloop.demo.tests.small_council import TODAY
from auditloop.sampling.models import Cycle, CycleAudit

pytestmark = pytest.mark.django_db


def staff(username: str) -> StaffMember:
    return StaffMember.objects.select_related("team__service").get(user__username=username)


def test_small_council_has_the_size_the_readme_promises(small: None) -> None:
    assert Service.objects.count() == 4  # three practice services and the QA unit
    assert StaffMember.objects.filter(team__isnull=False).values("team").distinct().count() == 13
    assert 140 <= StaffMember.objects.count() <= 160
    assert ChildCase.objects.filter(is_open=True).count() == 3000
    assert 250 <= Audit.objects.count() <= 450
    roles = Counter(StaffMember.objects.values_list("role", flat=True))
    assert roles[Role.TEAM_MANAGER] == 12
    assert roles[Role.AUDITOR] == 6
    assert roles[Role.MODERATOR] == 3
    assert roles[Role.BOARD_MEMBER] == 4
    assert roles[Role.ADMINISTRATOR] == 2
    assert 100 <= roles[Role.PRACTITIONER] <= 125


def test_cohorts_come_in_plausible_proportions(small: None) -> None:
    share = Counter(ChildCase.objects.values_list("cohort", flat=True))
    assert 0.40 <= share["CIN"] / 3000 <= 0.50
    assert 0.11 <= share["CP"] / 3000 <= 0.20
    assert 0.25 <= share["CLA"] / 3000 <= 0.35
    assert 0.06 <= share["CL"] / 3000 <= 0.14


def test_every_case_sits_with_a_practitioner_in_its_team(small: None) -> None:
    assert not ChildCase.objects.exclude(allocated_worker__team=F("allocated_team")).exists()
    assert not ChildCase.objects.exclude(allocated_worker__role=Role.PRACTITIONER).exists()


def test_child_ids_are_text_with_leading_zeros_and_letters_kept(small: None) -> None:
    ids = list(ChildCase.objects.values_list("la_child_id", flat=True))
    assert any(i.startswith("0") for i in ids)
    assert any(not i.isdigit() for i in ids)
    assert len(set(ids)) == len(ids)


def test_grades_spread_as_in_a_real_council_and_improve_cycle_on_cycle(small: None) -> None:
    graded = Audit.objects.filter(overall_grade__isnull=False).exclude(audit_type=AuditType.REVISIT)
    codes = Counter(graded.values_list("overall_grade__code", flat=True))
    total = sum(codes.values())
    assert 0.04 <= codes["outstanding"] / total <= 0.18
    assert 0.35 <= codes["good"] / total <= 0.55
    assert 0.25 <= codes["requires_improvement"] / total <= 0.45
    assert 0.04 <= codes["inadequate"] / total <= 0.18
    middle = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)

    def good_share(q: Q) -> float:
        rows = list(graded.filter(q).values_list("overall_grade__value", flat=True))
        return sum(1 for v in rows if v >= 3) / len(rows)

    # Random noise on ~150 audits a cycle: allow a small dip, but not a collapse.
    assert good_share(Q(created_at__gte=middle)) >= good_share(Q(created_at__lt=middle)) - 0.08


def test_two_past_cycles_of_audits_are_spread_over_the_last_year(small: None) -> None:
    first = Audit.objects.order_by("created_at").values_list("created_at", flat=True)[0]
    assert first.date() <= datetime.date(2026, 1, 1)
    assert not Audit.objects.filter(created_at__date__gt=TODAY).exists()
    assert set(Audit.objects.values_list("audit_type", flat=True)) == set(AuditType.values)


def test_every_no_has_an_evidence_note_and_compliance_is_mostly_met(small: None) -> None:
    answers = Answer.objects.exclude(compliance="")
    assert not answers.filter(compliance=ComplianceAnswer.NO, evidence="").exists()
    yes = answers.filter(compliance=ComplianceAnswer.YES).count()
    no = answers.filter(compliance=ComplianceAnswer.NO).count()
    assert answers.filter(compliance=ComplianceAnswer.NOT_APPLICABLE).exists()
    assert 0.7 <= yes / (yes + no) <= 0.95


def test_submitted_audits_carry_findings_and_deep_dives_their_participants(small: None) -> None:
    shared = Audit.objects.filter(status__in=[AuditStatus.SUBMITTED, AuditStatus.COMPLETED])
    assert not shared.filter(Q(overall_grade__isnull=True) | Q(strengths="")).exists()
    assert not shared.filter(Q(areas_for_development="") | Q(impact_on_child="")).exists()
    dives = shared.filter(audit_type=AuditType.DEEP_DIVE)
    assert dives.exists()
    assert not dives.filter(participants__isnull=True).exists()
    assert not dives.filter(practitioner_reflection="").exists()


def test_revisits_follow_earlier_audits_of_the_same_case_and_tool_with_a_reason(
    small: None,
) -> None:
    revisits = Audit.objects.filter(audit_type=AuditType.REVISIT).select_related(
        "revisit_of__overall_grade"
    )
    assert revisits.exists()
    for revisit in revisits:
        earlier = revisit.revisit_of
        assert earlier is not None and earlier.submitted_at is not None
        assert earlier.overall_grade is not None
        assert revisit.case_id == earlier.case_id
        assert revisit.tool_version_id == earlier.tool_version_id
        assert revisit.created_at > earlier.submitted_at
        assert revisit.revisit_reason
    after_agreement = revisits.filter(revisit_reason__startswith="The overall grade agreed")
    assert after_agreement.count() > revisits.count() / 2
    assert not after_agreement.exclude(revisit_of__overall_grade__is_inadequate=True).exists()


def test_actions_flags_and_replies_are_in_every_state(small: None) -> None:
    statuses = set(Action.objects.values_list("status", flat=True))
    assert statuses == set(ActionStatus)
    assert Action.objects.filter(status=ActionStatus.OPEN, due_date__lt=TODAY).exists()
    sent_back = Action.objects.filter(status=ActionStatus.OPEN, sent_back_at__isnull=False)
    assert sent_back.exists()
    assert not sent_back.filter(sent_back_reason="").exists()
    done = Action.objects.filter(status__in=[ActionStatus.COMPLETED, ActionStatus.CLOSED])
    assert not done.filter(Q(completion_evidence="") | Q(completed_at__isnull=True)).exists()
    closed = Action.objects.filter(status=ActionStatus.CLOSED)
    assert not closed.filter(Q(signed_off_by__isnull=True) | Q(signed_off_at__lt=F("completed_at")))
    assert not Action.objects.filter(status=ActionStatus.CANCELLED, cancel_reason="").exists()
    assert 1 <= Escalation.objects.filter(acknowledged_at__isnull=True).count() <= 2
    assert Escalation.objects.filter(acknowledged_at__isnull=False).exists()
    assert FeedbackReply.objects.exists()


def test_every_submitted_demo_audit_has_an_action_or_a_reason_for_each_weakness(
    small: None,
) -> None:
    """By the product's own submission rule."""
    shared = Audit.objects.filter(status__in=[AuditStatus.SUBMITTED, AuditStatus.COMPLETED])
    assert shared.count() > 100
    for audit in shared:
        assert answers_needing_action(audit) == [], audit.pk
    assert Answer.objects.exclude(no_action_reason="").exists()
    assert Action.objects.filter(answer__compliance=ComplianceAnswer.NO).exists()
    assert Action.objects.filter(answer__grade__needs_action=True).exists()


def test_every_signed_off_demo_action_was_signed_off_by_whom_the_rule_names(small: None) -> None:
    closed = Action.objects.filter(status=ActionStatus.CLOSED).select_related(
        "signed_off_by", "owner", "audit__team__service"
    )
    assert closed.exists()
    for action in closed:
        assert action.signed_off_by is not None
        assert can_sign_off_action(action.signed_off_by, action), action.pk


def test_no_auditor_audits_a_case_they_hold_or_manage(small: None) -> None:
    """By the product's own rule, as the audit pages and the draws apply it."""
    audits = Audit.objects.select_related("auditor", "case__allocated_worker")
    for audit in audits:
        assert auditor_is_independent(auditor=audit.auditor, case=audit.case), audit.pk


def test_each_demo_login_finds_something_to_do(small: None) -> None:
    practitioner, manager = staff("practitioner"), staff("manager")
    auditor, moderator, leader = staff("auditor"), staff("moderator"), staff("leader")
    assert [staff(u).role for u, _ in DEMO_LOGINS] == [role for _, role in DEMO_LOGINS]

    assert practitioner.manager == manager and manager.team == practitioner.team
    awaiting = Audit.objects.filter(
        practitioner=practitioner, status=AuditStatus.SUBMITTED, replies__isnull=True
    )
    assert awaiting.count() >= 2
    mine = Action.objects.filter(owner=practitioner, status=ActionStatus.OPEN)
    assert mine.filter(due_date__lt=TODAY).exists() and mine.filter(due_date__gte=TODAY).exists()
    assert mine.filter(sent_back_at__isnull=False).exists()
    assert actions_awaiting_sign_off_by(manager).filter(owner=practitioner).exists()
    assert actions_awaiting_sign_off_by(leader).filter(owner=manager).exists()

    open_flags = Escalation.objects.filter(acknowledged_at__isnull=True, audit__team=manager.team)
    assert open_flags.exists()
    assert Notification.objects.filter(recipient=manager.user, is_urgent=True).exists()

    assert auditor.team != practitioner.team
    work = Audit.objects.filter(auditor=auditor)
    assert work.filter(status=AuditStatus.PLANNED).exists()
    assert work.filter(status=AuditStatus.IN_PROGRESS, return_reason="").exists()
    assert work.filter(status=AuditStatus.IN_PROGRESS).exclude(return_reason="").exists()

    overseen = set(moderator.services.values_list("pk", flat=True))
    practice = set(Service.objects.filter(teams__cases__isnull=False).values_list("pk", flat=True))
    assert practice <= overseen
    assert Audit.objects.filter(status=AuditStatus.SUBMITTED, team__service__in=overseen).exists()

    assert practitioner.team is not None
    assert practitioner.team.service.head_of_service == leader


def test_no_child_id_reaches_a_message_url_or_event(small: None) -> None:
    ids = set(ChildCase.objects.values_list("la_child_id", flat=True))
    texts = list(Notification.objects.values_list("message", "url")) + list(
        Event.objects.values_list("summary", "target_id")
    )
    for text in (t for row in texts for t in row):
        assert not any(word in ids for word in text.replace("/", " ").split())


def test_one_summary_event_stands_for_the_whole_build(small: None) -> None:
    event = Event.objects.get(verb="demo.seeded")
    assert event.after["open cases"] == 3000
    assert event.after["seed"] == 1
    # The day its history was drawn from, so that a benchmark can build another council as of
    # the same day.
    assert event.after["day"] == "2026-11-26"


def test_audits_not_yet_submitted_carry_no_findings(small: None) -> None:
    unsubmitted = Audit.objects.filter(status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
    fresh = unsubmitted.filter(return_reason="")
    assert not fresh.filter(overall_grade__isnull=False).exists()
    assert not fresh.exclude(strengths="").exists()
    assert not unsubmitted.filter(status=AuditStatus.PLANNED, answers__isnull=False).exists()


def test_each_past_cycle_is_planned_and_holds_its_audits(small: None) -> None:
    cycles = list(Cycle.objects.order_by("starts_on"))
    assert len(cycles) == 2
    assert [(c.starts_on, c.ends_on) for c in cycles] == [
        (datetime.date(2025, 12, 1), datetime.date(2026, 5, 31)),
        (datetime.date(2026, 6, 1), datetime.date(2026, 11, 30)),
    ]
    for cycle in cycles:
        assert cycle.quotas.count() == 2
        assert cycle.services.count() == 3
        assert cycle.cycle_audits.count() >= 100
    # A revisit is placed in the cycle of the audit it revisits.
    revisits = CycleAudit.objects.filter(audit__audit_type=AuditType.REVISIT)
    assert revisits.exists()
    assert not revisits.exclude(cycle=F("audit__revisit_of__cycle_link__cycle")).exists()
    assert staff("moderator").audits_as_auditor.filter(status=AuditStatus.IN_PROGRESS).exists()


def test_the_administrators_trail_has_something_to_show_from_the_last_weeks(small: None) -> None:
    month_ago = datetime.datetime.combine(
        TODAY - datetime.timedelta(days=31), datetime.time(), datetime.UTC
    )
    refused = list(RefusedRequest.objects.all())
    assert {r.status for r in refused} == {403, 404}
    assert all(r.at >= month_ago and r.user.staff.role != Role.ADMINISTRATOR for r in refused)
    # A path names records by opaque id alone, never a child's ID or a query string.
    child_ids = set(ChildCase.objects.values_list("la_child_id", flat=True))
    assert not any("?" in r.path or set(re.findall(r"[\w-]+", r.path)) & child_ids for r in refused)
    failed = list(FailedSignIn.objects.all())
    assert any(f.user is not None for f in failed)
    assert any(f.user is None and f.locked_out for f in failed)
    assert all(f.at >= month_ago for f in failed)


def test_a_role_change_waits_for_the_demo_administrator_and_leader(small: None) -> None:
    waiting = AccessRequest.objects.get(status=AccessRequestStatus.PENDING)
    assert waiting.staff.role == Role.PRACTITIONER
    assert waiting.requested_by is not None
    assert waiting.requested_by != staff("admin").user
    told = set(
        Notification.objects.filter(url__endswith=f"{waiting.public_id}/").values_list(
            "recipient__username", flat=True
        )
    )
    assert {"admin", "leader"} <= told
    assert waiting.requested_by.username not in told
    decided = AccessRequest.objects.exclude(status=AccessRequestStatus.PENDING)
    assert {r.status for r in decided} == {
        AccessRequestStatus.APPROVED,
        AccessRequestStatus.REJECTED,
    }
    approved = decided.get(status=AccessRequestStatus.APPROVED)
    assert (approved.staff.role, approved.staff.team) == (approved.role, approved.team)
