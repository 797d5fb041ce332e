"""Writes for retention: seeding and changing the schedule, legal holds, and the run that
deletes or anonymises what the schedule finds due, in batches, one event per batch (counts,
never content)."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import (
    ExperienceResponse,
    MeetingItem,
    Moderation,
    ModerationRequest,
    ModeratorGrade,
)
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    Escalation,
    FamilyAnswer,
    FamilyContact,
    FeedbackReply,
    Participant,
)
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.imports.models import ImportIssue, ImportRun
from auditloop.learning.models import LearningPoint
from auditloop.privacy.models import AnonymousCase, LegalHold, RetentionRule
from auditloop.privacy.rules.retention import (
    ANONYMOUS_CASE_PREFIX,
    DEFAULTS,
    KIND_LABELS,
    OUTCOME_DONE,
    REMOVED_TEXT,
    Outcome,
    RecordKind,
    RetentionRefused,
    rule_check,
)
from auditloop.privacy.selectors.retention import held_records, model_of, records_due

BATCH_SIZE = 500


@transaction.atomic
def retention_schedule_seed() -> int:
    """Add the default rule for each kind of record the schedule has no rule for yet (on first
    read of the schedule, and before a run). Returns how many were added."""
    have = set(RetentionRule.objects.values_list("kind", flat=True))
    added = 0
    for kind, default in DEFAULTS.items():
        if kind in have:
            continue
        rule = RetentionRule.objects.create(
            kind=kind,
            years=default.years,
            months=default.months,
            anchor=default.anchor,
            outcome=default.outcome,
            basis=default.guidance,
        )
        event_record(
            actor=None,
            verb="retention_rule.seeded",
            target=rule,
            summary=f"Default retention rule for {KIND_LABELS[kind].lower()}",
            after=_rule_facts(rule),
        )
        added += 1
    return added


def _rule_facts(rule: RetentionRule) -> dict[str, object]:
    return {
        "kind": rule.kind,
        "years": rule.years,
        "months": rule.months,
        "anchor": rule.anchor,
        "outcome": rule.outcome,
    }


@transaction.atomic
def retention_rule_change(
    *,
    rule: RetentionRule,
    by: StaffMember,
    years: int,
    months: int,
    anchor: str,
    outcome: str,
    basis: str,
) -> RetentionRule:
    """Change one rule of the schedule; RetentionRefused names the field the rules refuse."""
    rule_check(
        kind=RecordKind(rule.kind), years=years, months=months, anchor=anchor, outcome=outcome
    )
    before = _rule_facts(rule)
    rule.years, rule.months, rule.anchor, rule.outcome = years, months, anchor, outcome
    rule.basis = basis
    rule.changed_by = by
    rule.save()
    event_record(
        actor=by.user,
        verb="retention_rule.changed",
        target=rule,
        summary=f"Retention rule for {rule.kind_label.lower()} changed",
        before=before,
        after=_rule_facts(rule),
        content_changed=["basis"] if basis else [],
    )
    return rule


@transaction.atomic
def legal_hold_set(*, case: ChildCase, by: StaffMember, reason: str) -> LegalHold:
    if not reason.strip():
        raise RetentionRefused("Enter why the case is on hold.", field="reason")
    if LegalHold.objects.select_for_update().filter(case=case, removed_at__isnull=True).exists():
        raise RetentionRefused("This case is already on hold.", field="la_child_id")
    hold = LegalHold.objects.create(case=case, set_by=by, reason=reason.strip())
    event_record(
        actor=by.user,
        verb="legal_hold.set",
        target=hold,
        summary="Legal hold put on a case",
        after={"case": str(case.public_id)},
        content_changed=["reason"],
    )
    return hold


@transaction.atomic
def legal_hold_remove(*, hold: LegalHold, by: StaffMember, reason: str) -> LegalHold:
    if not hold.is_active:
        raise RetentionRefused("This hold has already been removed.")
    if not reason.strip():
        raise RetentionRefused("Enter why the hold is removed.", field="reason")
    hold.removed_at = timezone.now()
    hold.removed_by = by
    hold.removed_reason = reason.strip()
    hold.save(update_fields=["removed_at", "removed_by", "removed_reason"])
    event_record(
        actor=by.user,
        verb="legal_hold.removed",
        target=hold,
        summary="Legal hold taken off a case",
        after={"case": str(hold.case.public_id)},
        content_changed=["removed_reason"],
    )
    return hold


def _anonymise_audits(ids: list[int]) -> None:
    """Each audit moves to a case file naming no child (one per child in the batch, keeping
    the cohort and team), and every free text about it goes: its findings, its deep-dive
    participants' contributions, its answers', its moderation's, its learning points'. The
    links to members of staff stay: the figures withhold a group by how many workers' cases it
    holds (`auditloop.reports.selectors.figures.parts.counted_audits`), and a worker's own
    record of audits is the council's, as their employer, to keep or not."""
    by_case: dict[int, list[int]] = defaultdict(list)
    for audit_id, case_id in Audit.objects.filter(pk__in=ids).values_list("pk", "case_id"):
        by_case[case_id].append(audit_id)
    cases = ChildCase.objects.filter(pk__in=by_case).only(
        "pk", "cohort", "allocated_team", "date_of_birth", "closed_on", "is_open"
    )
    for case in cases:
        stand_in = ChildCase.objects.create(
            la_child_id=f"{ANONYMOUS_CASE_PREFIX}{uuid.uuid4().hex}",
            cohort=case.cohort,
            allocated_team_id=case.allocated_team_id,
            is_open=False,
        )
        AnonymousCase.objects.create(
            case=stand_in,
            born_on=case.date_of_birth,
            closed_on=None if case.is_open else case.closed_on,
        )
        Audit.objects.filter(pk__in=by_case[case.pk]).update(case=stand_in)
    Audit.objects.filter(pk__in=ids).update(
        revisit_reason="",
        strengths="",
        areas_for_development="",
        impact_on_child="",
        practitioner_reflection="",
        return_reason="",
    )
    Participant.objects.filter(audit_id__in=ids).update(contribution="")
    Answer.objects.filter(audit_id__in=ids).update(
        evidence="", working_well="", worried_about="", no_action_reason=""
    )
    Moderation.objects.filter(audit_id__in=ids).update(
        moderator_notes="", agreed_reason="", escalation_reason="", decided_reason=""
    )
    ModeratorGrade.objects.filter(moderation__audit_id__in=ids).update(
        notes="", agreed_reason="", decided_reason=""
    )
    ModerationRequest.objects.filter(audit_id__in=ids).update(reason=REMOVED_TEXT)
    MeetingItem.objects.filter(audit_id__in=ids).update(notes="")
    LearningPoint.objects.filter(audit_id__in=ids).update(text=REMOVED_TEXT)
    # The child's and the family's own words, and the auditor's note of why none were heard.
    FamilyContact.objects.filter(audit_id__in=ids).update(own_words="", not_made_reason="")
    FamilyAnswer.objects.filter(contact__audit_id__in=ids).update(text="")


def _apply(kind: RecordKind, outcome: Outcome, ids: list[int]) -> None:
    if outcome == Outcome.DELETE:
        if kind == RecordKind.IMPORT_FILES:
            ImportIssue.objects.filter(run_id__in=ids).delete()
        model_of(kind)._default_manager.filter(pk__in=ids).delete()
        return
    if kind == RecordKind.AUDITS:
        _anonymise_audits(ids)
    elif kind == RecordKind.ANSWERS:
        Answer.objects.filter(pk__in=ids).update(
            evidence="", working_well="", worried_about="", no_action_reason=""
        )
    elif kind == RecordKind.ACTIONS:
        Action.objects.filter(pk__in=ids).update(
            description=REMOVED_TEXT, completion_evidence="", sent_back_reason="", cancel_reason=""
        )
    elif kind == RecordKind.FLAGS:
        Escalation.objects.filter(pk__in=ids).update(reason=REMOVED_TEXT, response="")
    elif kind == RecordKind.REPLIES:
        FeedbackReply.objects.filter(pk__in=ids).update(text=REMOVED_TEXT)
    elif kind == RecordKind.EXPERIENCE_ANSWERS:
        ExperienceResponse.objects.filter(pk__in=ids).update(do_differently="")
    elif kind == RecordKind.IMPORT_FILES:
        ImportIssue.objects.filter(run_id__in=ids).delete()
        ImportRun.objects.filter(pk__in=ids).update(
            file_name=REMOVED_TEXT, message="", content=None
        )
    else:  # the rules offer logs and notifications no anonymising
        raise RetentionRefused(f"{KIND_LABELS[kind]} can only be deleted.")


@dataclass(frozen=True)
class RunLine:
    label: str
    count: int
    batches: int
    done_word: str


@transaction.atomic
def _batch_apply(
    *,
    rule: RetentionRule,
    by: StaffMember | None,
    today: datetime.date,
    number: int,
    batch_size: int,
) -> int:
    """One batch, in one transaction: the next records due under `rule`, dealt with, and one
    event saying how many (never which)."""
    kind, outcome = RecordKind(rule.kind), Outcome(rule.outcome)
    ids = list(
        records_due(rule, today=today, held=held_records()).values_list("pk", flat=True)[
            :batch_size
        ]
    )
    if not ids:
        return 0
    _apply(kind, outcome, ids)
    event_record(
        actor=by.user if by is not None else None,
        verb="retention.applied",
        target=rule,
        summary=f"Retention: {len(ids)} {KIND_LABELS[kind].lower()} {OUTCOME_DONE[outcome]}",
        after={"kind": kind.value, "outcome": outcome.value, "count": len(ids), "batch": number},
    )
    return len(ids)


def retention_run(
    *, by: StaffMember | None, today: datetime.date | None = None, batch_size: int = BATCH_SIZE
) -> list[RunLine]:
    """Delete or anonymise everything the schedule finds due today, rule by rule, in batches
    of `batch_size`, each batch its own transaction (a run stopped half way leaves whole
    batches done and the rest for the next run). Records about a case on hold are left."""
    retention_schedule_seed()
    today = today or timezone.localdate()
    lines = []
    for rule in RetentionRule.objects.order_by("id"):
        total = batches = 0
        while True:
            done = _batch_apply(
                rule=rule, by=by, today=today, number=batches + 1, batch_size=batch_size
            )
            if not done:
                break
            total += done
            batches += 1
        lines.append(
            RunLine(
                label=rule.kind_label,
                count=total,
                batches=batches,
                done_word=OUTCOME_DONE[Outcome(rule.outcome)],
            )
        )
    return lines
