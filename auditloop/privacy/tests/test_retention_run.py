"""The retention run: what it finds due, what it deletes or anonymises, the events it writes,
the legal holds it respects, and the reports' figures it leaves as they were."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from auditloop.audits.models import Action, Answer, Audit, Escalation, FeedbackReply, Participant
from auditloop.cases.models import ChildCase
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun, ImportStatus, Severity
from auditloop.learning.models import LearningPoint
from auditloop.privacy.models import LegalHold, RetentionRule
from auditloop.privacy.rules.retention import REMOVED_TEXT, Outcome, RecordKind
from auditloop.privacy.selectors.retention import records_due, retention_due
from auditloop.privacy.services.retention import (
    legal_hold_remove,
    legal_hold_set,
    retention_run,
    retention_schedule_seed,
)
from auditloop.privacy.tests.retention_factories import SECRET, old_audit, old_cycle, old_logs
from auditloop.reports.access.scopes import dashboard_scope
from auditloop.reports.selectors.figures import dashboard_sections
from auditloop.reports.selectors.scope import ReportScope
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas


def figures(p: Personas, cycle: Cycle) -> object:
    scope = dashboard_scope(p.moderator, cycle)
    assert isinstance(scope, ReportScope)
    return dashboard_sections(scope)


def due(kind: RecordKind) -> int:
    return next(line.count for line in retention_due() if line.rule.kind == kind)


@pytest.fixture
def schedule(db: None) -> None:
    retention_schedule_seed()


def test_the_schedule_is_seeded_once_with_a_rule_for_every_kind(db: None) -> None:
    assert retention_schedule_seed() == len(RecordKind)
    assert retention_schedule_seed() == 0
    assert set(RetentionRule.objects.values_list("kind", flat=True)) == set(RecordKind)
    assert Event.objects.filter(verb="retention_rule.seeded").count() == len(RecordKind)


def test_anonymising_a_cycles_audits_leaves_its_dashboard_figures_as_they_were(
    p: Personas, schedule: None
) -> None:
    # Twelve audits: fewer, and the dashboard suppresses its small groups, hiding any change.
    old = old_cycle(p, audits=12)
    before = figures(p, old.cycle)
    assert "Fewer than" not in str(before)
    assert due(RecordKind.AUDITS) == 12

    retention_run(by=p.data_protection)

    assert due(RecordKind.AUDITS) == 0
    assert figures(p, old.cycle) == before


def test_an_anonymised_audit_names_no_child_and_keeps_no_free_text(
    p: Personas, schedule: None
) -> None:
    p.case.date_of_birth = datetime.date(1990, 5, 1)
    p.case.save()
    audit = old_audit(p, old_cycle(p, audits=0).cycle)
    grades_before = sorted(audit.answers.values_list("question_id", "grade_id", "compliance"))

    retention_run(by=None)

    audit.refresh_from_db()
    assert audit.case_id != p.case.pk
    stand_in = ChildCase.objects.get(pk=audit.case_id)
    assert stand_in.la_child_id.startswith("ANON-")
    assert p.case.la_child_id not in stand_in.la_child_id
    assert stand_in.date_of_birth is None and stand_in.allocated_worker_id is None
    assert (stand_in.cohort, stand_in.allocated_team_id) == (
        p.case.cohort,
        p.case.allocated_team_id,
    )
    assert list(Participant.objects.filter(audit=audit).values_list("contribution", flat=True)) == [
        ""
    ]
    assert SECRET not in (
        audit.strengths
        + audit.areas_for_development
        + audit.impact_on_child
        + audit.practitioner_reflection
    )
    assert not Answer.objects.filter(audit=audit, evidence=SECRET).exists()
    # Sorted: PostgreSQL returns updated rows in another order.
    grades_after = sorted(audit.answers.values_list("question_id", "grade_id", "compliance"))
    assert grades_after == grades_before
    assert LearningPoint.objects.get(audit=audit).text == REMOVED_TEXT
    # The defaults: actions anonymised, flags too (the child was born in 1990), replies deleted.
    assert Action.objects.get(audit=audit).description == REMOVED_TEXT
    assert Escalation.objects.get(audit=audit).reason == REMOVED_TEXT
    assert not FeedbackReply.objects.filter(audit=audit).exists()


def test_a_run_writes_one_event_per_batch_with_counts_and_no_content(
    p: Personas, schedule: None
) -> None:
    old_cycle(p, audits=3)

    retention_run(by=p.data_protection, batch_size=2)

    batches = Event.objects.filter(verb="retention.applied", after__kind="audits").order_by("id")
    assert [e.after["count"] for e in batches] == [2, 1]
    assert [e.after["batch"] for e in batches] == [1, 2]
    assert all(e.actor == p.data_protection.user for e in batches)
    for event in Event.objects.filter(verb="retention.applied"):
        assert SECRET not in str(event.after) + event.summary
        assert p.case.la_child_id not in str(event.after) + event.summary


def test_a_second_run_finds_nothing_more_to_do(p: Personas, schedule: None) -> None:
    old_cycle(p, audits=2)
    retention_run(by=None)
    events = Event.objects.count()

    lines = retention_run(by=None)

    assert all(line.count == 0 for line in lines)
    assert Event.objects.count() == events


def test_a_legal_hold_stops_anything_about_its_case_from_going_until_it_is_taken_off(
    p: Personas, schedule: None
) -> None:
    cycle = old_cycle(p, audits=0).cycle
    held = old_audit(p, cycle)
    other = old_audit(p, cycle, case=p.outsider_case)
    old_logs(p, held)
    hold = legal_hold_set(case=p.case, by=p.data_protection, reason="Claim ref 123")
    assert next(line.held for line in retention_due() if line.rule.kind == "audits") == 1

    retention_run(by=p.data_protection)

    held.refresh_from_db()
    assert held.case_id == p.case.pk and held.strengths == SECRET
    assert Answer.objects.filter(audit=held, evidence=SECRET).exists()
    assert FeedbackReply.objects.filter(audit=held).exists()
    assert Escalation.objects.get(audit=held).reason == SECRET
    assert AccessLog.objects.filter(target_id=str(held.public_id)).exists()
    assert Notification.objects.filter(url__contains=str(held.public_id)).exists()
    assert Event.objects.filter(target_id=str(held.public_id), verb="audit.completed").exists()
    other.refresh_from_db()
    assert other.strengths == ""

    legal_hold_remove(hold=hold, by=p.data_protection, reason="Claim settled")
    retention_run(by=p.data_protection)

    held.refresh_from_db()
    assert held.case_id != p.case.pk and held.strengths == ""
    assert not AccessLog.objects.filter(target_id=str(held.public_id)).exists()


def test_a_hold_is_set_and_taken_off_with_reasons_and_events(p: Personas, db: None) -> None:
    hold = legal_hold_set(case=p.case, by=p.data_protection, reason="Complaint C-9")
    assert Event.objects.filter(verb="legal_hold.set", target_id=str(hold.public_id)).exists()
    with pytest.raises(ValueError, match="already on hold"):
        legal_hold_set(case=p.case, by=p.administrator, reason="Again")

    legal_hold_remove(hold=hold, by=p.administrator, reason="Closed")

    hold.refresh_from_db()
    assert (hold.removed_by, hold.removed_reason) == (p.administrator, "Closed")
    assert Event.objects.filter(verb="legal_hold.removed").count() == 1
    with pytest.raises(ValueError, match="already been removed"):
        legal_hold_remove(hold=hold, by=p.administrator, reason="Twice")
    assert legal_hold_set(case=p.case, by=p.data_protection, reason="Again").is_active
    assert LegalHold.objects.count() == 2


def test_logs_and_notifications_past_their_period_are_deleted_and_recent_ones_kept(
    p: Personas, schedule: None
) -> None:
    audit = old_audit(p, old_cycle(p, audits=0).cycle)
    old_logs(p, audit)
    assert p.moderator.user is not None
    recent = AccessLog.objects.create(
        user=p.moderator.user, target_type="audits.audit", target_id=str(audit.public_id)
    )

    retention_run(by=None)

    assert list(AccessLog.objects.all()) == [recent]
    assert not Notification.objects.exists()
    assert not Event.objects.filter(verb="audit.completed").exists()
    # The run's own events are today's: kept.
    assert Event.objects.filter(verb="retention.applied").exists()


def test_an_import_files_problems_which_quote_childrens_ids_go_after_a_year(
    p: Personas, schedule: None
) -> None:
    run = ImportRun.objects.create(
        kind=ImportKind.ANNEX_A, file_name="annex-a-2024.xlsx", status=ImportStatus.REJECTED
    )
    ImportIssue.objects.create(
        run=run,
        row=3,
        column="Child ID",
        value=p.case.la_child_id,
        message="Duplicate",
        severity=Severity.ERROR,
    )
    waiting = ImportRun.objects.create(kind=ImportKind.ANNEX_A, file_name="queued.xlsx")
    ImportRun.objects.update(at=timezone.now() - datetime.timedelta(days=400))

    retention_run(by=None)

    assert list(ImportRun.objects.all()) == [waiting]
    assert not ImportIssue.objects.exists()


def test_an_audit_not_yet_completed_or_completed_recently_is_not_due(
    p: Personas, schedule: None
) -> None:
    cycle = old_cycle(p, audits=1)
    Audit.objects.filter(pk=cycle.audits[0].pk).update(completed_at=timezone.now())
    assert due(RecordKind.AUDITS) == 0
    Audit.objects.filter(pk=cycle.audits[0].pk).update(completed_at=None)
    assert due(RecordKind.AUDITS) == 0


def test_a_rule_counted_from_the_cases_closure_waits_for_the_case_to_close(
    p: Personas, schedule: None
) -> None:
    old_cycle(p, audits=1)
    RetentionRule.objects.filter(kind="audits").update(anchor="case_closed", years=1)
    assert due(RecordKind.AUDITS) == 0
    ChildCase.objects.filter(pk=p.case.pk).update(
        is_open=False, closed_on=timezone.localdate() - datetime.timedelta(days=366)
    )
    assert due(RecordKind.AUDITS) == 1


def test_replies_anonymised_instead_of_deleted_keep_their_row(p: Personas, schedule: None) -> None:
    audit = old_audit(p, old_cycle(p, audits=0).cycle)
    RetentionRule.objects.filter(kind="replies").update(outcome=Outcome.ANONYMISE)
    retention_run(by=None)
    assert FeedbackReply.objects.get(audit=audit).text == REMOVED_TEXT


def test_the_command_lists_kinds_and_counts_and_never_a_childs_id(
    p: Personas, schedule: None
) -> None:
    p.case.la_child_id = "LA-777123"
    p.case.save()
    old_cycle(p, audits=2)
    out = StringIO()

    call_command("retention", "--dry-run", stdout=out)

    text = out.getvalue()
    assert "Dry run" in text
    assert "Audits: 2 would be anonymised" in text
    assert "LA-777123" not in text and SECRET not in text
    assert Audit.objects.filter(strengths=SECRET).count() == 2

    out = StringIO()
    call_command("retention", "--batch-size", "1", stdout=out)

    assert "Audits: 2 anonymised in 2 batches" in out.getvalue()
    assert "LA-777123" not in out.getvalue()
    assert not Audit.objects.filter(strengths=SECRET).exists()


def test_an_audit_completed_late_in_the_evening_is_due_on_the_day_its_six_years_end(
    p: Personas, schedule: None
) -> None:
    audit = old_cycle(p, audits=1).audits[0]
    late = datetime.datetime(2020, 2, 29, 23, 30, tzinfo=timezone.get_current_timezone())
    Audit.objects.filter(pk=audit.pk).update(completed_at=late)
    rule = RetentionRule.objects.get(kind="audits")

    def due_on(day: datetime.date) -> bool:
        return records_due(rule, today=day).filter(pk=audit.pk).exists()

    # Six years from 29 February end on the 28th, the last day February 2026 has.
    assert not due_on(datetime.date(2026, 2, 27))
    assert due_on(datetime.date(2026, 2, 28))
