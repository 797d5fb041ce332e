"""Reads for retention: the schedule, the legal holds, and the records each rule finds due
(never those of a case on hold). Counting what is due asks a fixed number of queries, however
many records there are."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from auditloop.assurance.models import ExperienceAsked, ExperienceResponse
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    Escalation,
    FamilyLinkUse,
    FeedbackReply,
)
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.imports.models import FINISHED_STATUSES, ImportRun
from auditloop.privacy.models import LegalHold, RetentionRule
from auditloop.privacy.rules.retention import (
    KIND_LABELS,
    OUTCOME_DONE,
    REMOVED_TEXT,
    Anchor,
    Outcome,
    RecordKind,
    latest_due_start,
)


def retention_rules() -> QuerySet[RetentionRule]:
    return RetentionRule.objects.select_related("changed_by").order_by("id")


def legal_holds_active() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(removed_at__isnull=True).select_related("case", "set_by")


def legal_holds_removed() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(removed_at__isnull=False).select_related(
        "case", "set_by", "removed_by"
    )


@dataclass(frozen=True)
class Held:
    """What the active legal holds protect: their cases, and the opaque ids of every record
    about them that a log row or a notification may point at."""

    case_ids: frozenset[int]
    public_ids: frozenset[str]


def held_records() -> Held:
    """Five queries at most, however many holds there are."""
    case_ids = frozenset(legal_holds_active().values_list("case_id", flat=True))
    if not case_ids:
        return Held(case_ids=frozenset(), public_ids=frozenset())
    ids: set[str] = {
        str(public_id)
        for public_id in LegalHold.objects.filter(removed_at__isnull=True).values_list(
            "case__public_id", flat=True
        )
    }
    ids.update(
        str(public_id)
        for public_id in Audit.objects.filter(case_id__in=case_ids).values_list(
            "public_id", flat=True
        )
    )
    for model in (Action, Escalation):
        ids.update(
            str(public_id)
            for public_id in model.objects.filter(audit__case_id__in=case_ids).values_list(
                "public_id", flat=True
            )
        )
    return Held(case_ids=case_ids, public_ids=frozenset(ids))


def _day_after(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the council's time: a timestamp before it fell on or
    before `day`."""
    return timezone.make_aware(
        datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    )


def _anchored(prefix: str, anchor: Anchor, last: datetime.date, created: str) -> Q:
    """The records whose period, counted from `anchor`, has ended: the event happened on or
    before `last`. A record whose event has not happened (an audit not completed, a case still
    open, a child with no date of birth) is not due."""
    if anchor == Anchor.AUDIT_COMPLETED:
        return Q(**{f"{prefix}completed_at__lt": _day_after(last)})
    # An anonymised audit's case names no date: its stand-in's record keeps the two counted from.
    if anchor == Anchor.CASE_CLOSED:
        return Q(**{f"{prefix}case__is_open": False, f"{prefix}case__closed_on__lte": last}) | Q(
            **{f"{prefix}case__retention_stand_in__closed_on__lte": last}
        )
    if anchor == Anchor.CYCLE_ENDED:
        return Q(**{f"{prefix}cycle__ends_on__lte": last})
    if anchor == Anchor.CHILD_BORN:
        return Q(**{f"{prefix}case__date_of_birth__lte": last}) | Q(
            **{f"{prefix}case__retention_stand_in__born_on__lte": last}
        )
    return Q(**{f"{created}__lt": _day_after(last)})


def records_due(
    rule: RetentionRule, *, today: datetime.date | None = None, held: Held | None = None
) -> QuerySet[Any]:
    """The records `rule` finds due today, not yet dealt with, and about no case on hold."""
    today = today or timezone.localdate()
    held = held or held_records()
    last = latest_due_start(today, years=rule.years, months=rule.months)
    kind = RecordKind(rule.kind)
    anchor = Anchor(rule.anchor)
    anonymising = rule.outcome == Outcome.ANONYMISE
    qs: QuerySet[Any]
    if kind == RecordKind.AUDITS:
        qs = Audit.objects.filter(
            _anchored("", anchor, last, "created_at"), case__retention_stand_in__isnull=True
        ).exclude(case_id__in=held.case_ids)
    elif kind == RecordKind.ANSWERS:
        qs = (
            Answer.objects.filter(_anchored("audit__", anchor, last, "audit__created_at"))
            .filter(
                ~Q(evidence="")
                | ~Q(working_well="")
                | ~Q(worried_about="")
                | ~Q(no_action_reason="")
            )
            .exclude(audit__case_id__in=held.case_ids)
        )
    elif kind == RecordKind.ACTIONS:
        qs = Action.objects.filter(
            _anchored("audit__", anchor, last, "created_at"),
            status__in=[ActionStatus.CLOSED, ActionStatus.CANCELLED],
        ).exclude(audit__case_id__in=held.case_ids)
        if anonymising:
            qs = qs.exclude(description=REMOVED_TEXT)
    elif kind == RecordKind.FLAGS:
        qs = Escalation.objects.filter(
            _anchored("audit__", anchor, last, "raised_at"), acknowledged_at__isnull=False
        ).exclude(audit__case_id__in=held.case_ids)
        if anonymising:
            qs = qs.exclude(reason=REMOVED_TEXT)
    elif kind == RecordKind.REPLIES:
        qs = FeedbackReply.objects.filter(_anchored("audit__", anchor, last, "created_at")).exclude(
            audit__case_id__in=held.case_ids
        )
        if anonymising:
            qs = qs.exclude(text=REMOVED_TEXT)
    elif kind == RecordKind.NOTIFICATIONS:
        qs = Notification.objects.filter(created_at__lt=_day_after(last))
        if held.public_ids:
            pointing = Q()
            for public_id in held.public_ids:
                pointing |= Q(url__contains=public_id)
            qs = qs.exclude(pointing)
    elif kind == RecordKind.EVENT_LOG:
        qs = Event.objects.filter(at__lt=_day_after(last)).exclude(target_id__in=held.public_ids)
    elif kind == RecordKind.ACCESS_LOG:
        qs = AccessLog.objects.filter(at__lt=_day_after(last)).exclude(
            target_id__in=held.public_ids
        )
    elif kind == RecordKind.FAMILY_FORM_USES:
        # A guessed link's uses name no link, and so no case: they are never held.
        qs = FamilyLinkUse.objects.filter(at__lt=_day_after(last)).exclude(
            link__audit__case_id__in=held.case_ids
        )
    elif kind == RecordKind.EXPERIENCE_ASKED:
        asked = (
            Q(on__lte=last) if anchor == Anchor.CREATED else _anchored("audit__", anchor, last, "")
        )
        qs = ExperienceAsked.objects.filter(asked).exclude(audit__case_id__in=held.case_ids)
    elif kind == RecordKind.EXPERIENCE_ANSWERS:
        # Answers name no audit, so no case: a legal hold cannot reach them.
        qs = ExperienceResponse.objects.filter(_anchored("", anchor, last, ""))
        if anonymising:
            qs = qs.exclude(do_differently="")
    else:
        qs = ImportRun.objects.filter(at__lt=_day_after(last), status__in=FINISHED_STATUSES)
        if anonymising:
            qs = qs.exclude(file_name=REMOVED_TEXT)
    return qs.order_by("pk")


def records_held(rule: RetentionRule, *, today: datetime.date | None = None, held: Held) -> int:
    """How many records the rule would find due but for the legal holds."""
    if not held.case_ids:
        return 0
    return (
        records_due(
            rule, today=today, held=Held(case_ids=frozenset(), public_ids=frozenset())
        ).count()
        - records_due(rule, today=today, held=held).count()
    )


@dataclass(frozen=True)
class DueLine:
    rule: RetentionRule
    label: str
    count: int
    held: int
    done_word: str


def retention_due(*, today: datetime.date | None = None) -> list[DueLine]:
    """What a run would do today, kind by kind: counts only, never which records."""
    held = held_records()
    lines = []
    for rule in retention_rules():
        lines.append(
            DueLine(
                rule=rule,
                label=KIND_LABELS[RecordKind(rule.kind)],
                count=records_due(rule, today=today, held=held).count(),
                held=records_held(rule, today=today, held=held),
                done_word=OUTCOME_DONE[Outcome(rule.outcome)],
            )
        )
    return lines


def model_of(kind: RecordKind) -> type[Model]:
    return {
        RecordKind.AUDITS: Audit,
        RecordKind.ANSWERS: Answer,
        RecordKind.ACTIONS: Action,
        RecordKind.FLAGS: Escalation,
        RecordKind.REPLIES: FeedbackReply,
        RecordKind.NOTIFICATIONS: Notification,
        RecordKind.EVENT_LOG: Event,
        RecordKind.ACCESS_LOG: AccessLog,
        RecordKind.IMPORT_FILES: ImportRun,
        RecordKind.FAMILY_FORM_USES: FamilyLinkUse,
        RecordKind.EXPERIENCE_ASKED: ExperienceAsked,
        RecordKind.EXPERIENCE_ANSWERS: ExperienceResponse,
    }[kind]
