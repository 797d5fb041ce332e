"""The inspection pack's contents: every audit its maker may read in the services they look
across, submitted or completed in the period (calibration audits never: they are exercises,
not judgements on anyone's practice), with its grades, moderation, actions and revisit
outcome; each action's status; and the summary figures.

Seven queries however many audits the period holds (and the visibility rule's own): the audits
(one row each, as values, no model built per row), the grades (every scale's, a small table),
their actions counted, the actions listed, their unsafe-child flags counted, their revisits,
the services' names. Lists of ids are passed, never a subquery of audits (see the note on
PostgreSQL in issue 9).

The moderation blind holds: an audit its maker is still regrading blind is listed without any
of its grades, and left out of every grade figure and revisit outcome (with it in and out, the
totals would give its grade away); the summary says how many were.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils import timezone

from auditloop.accounts.models import Role, Service, StaffMember
from auditloop.assurance.models import ModerationStatus
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    grades_hidden_filter,
    with_grades_hidden,
)
from auditloop.audits.models import (
    SHARED_STATUSES,
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    AuditType,
    Escalation,
    Grade,
)
from auditloop.audits.rules import grades_apart
from auditloop.audits.selectors.audits import audits_matching
from auditloop.reports.rules.inspection_pack import RevisitOutcome, revisit_outcome, share

# Moderation that has reached its end: a grade agreed, or decided by the head of service.
MODERATION_FINISHED = (ModerationStatus.AGREED, ModerationStatus.DECIDED)
NOT_SHOWN = "Hidden: you are regrading it blind"
WHOLE_AUDIT = "Overall findings"


@dataclass(frozen=True)
class AuditLine:
    """One audit as the pack lists it. Grades are labels ("" where there is none, NOT_SHOWN
    while its maker regrades it blind); dates are the council's local days."""

    pk: int
    public_id: UUID
    reference: str
    case_reference: str
    audit_type: str
    theme: str
    tool: str
    service: str
    team: str
    started_on: datetime.date | None
    meeting_on: datetime.date | None
    submitted_on: datetime.date | None
    completed_on: datetime.date | None
    status: str
    auditor_grade: str
    agreed_grade: str
    grade_counted: str
    moderated: bool
    moderation_status: str
    actions: int
    actions_open: int
    actions_overdue: int
    actions_waiting: int
    actions_done: int
    actions_cancelled: int
    flags: int
    revisit_of: str
    revisit_outcome: str
    revisit_due_on: datetime.date | None


@dataclass(frozen=True)
class ActionLine:
    """One action: which audit and finding it answers, where it stands, and its owner's role
    and team (never their name, nor what the action says: see the module of the page)."""

    audit_reference: str
    finding: str
    status: str
    due_on: datetime.date
    overdue: bool
    marked_done_on: datetime.date | None
    signed_off_on: datetime.date | None
    cancelled_on: datetime.date | None
    owner_role: str
    owner_team: str


@dataclass(frozen=True)
class SummaryLine:
    """A line of the summary: a figure (a count, a share as a fraction, a date or words) under
    its heading. `value` None: nothing to count (e.g. a share of no audits)."""

    section: str
    label: str
    value: int | float | str | datetime.date | datetime.datetime | None
    is_share: bool = False


@dataclass(frozen=True)
class InspectionPack:
    starts_on: datetime.date
    ends_on: datetime.date
    made_by: str
    made_at: datetime.datetime
    services: list[str]
    audits: list[AuditLine]
    actions: list[ActionLine]
    summary: list[SummaryLine] = field(default_factory=list)

    def audits_named(self, *, with_actions_only: bool = False) -> list[Audit]:
        """The audits the pack names (or those with an action), as targets for the access log
        (no query)."""
        return [
            Audit(pk=line.pk, public_id=line.public_id)
            for line in self.audits
            if line.actions or not with_actions_only
        ]


def _local_day(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _day_starts(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def pack_audits(
    staff: StaffMember,
    starts_on: datetime.date,
    ends_on: datetime.date,
    service_ids: tuple[int, ...],
) -> QuerySet[Audit]:
    """The audits of the pack, with `grades_hidden` for `staff`: readable by them in the
    services they look across, submitted or completed (by local day) in the period, never a
    calibration audit."""
    start, end = _day_starts(starts_on), _day_starts(ends_on + datetime.timedelta(days=1))
    in_period = Q(submitted_at__gte=start, submitted_at__lt=end) | Q(
        completed_at__gte=start, completed_at__lt=end
    )
    readable = Audit.objects.filter(
        audit_visibility_filter(staff),
        team__service_id__in=service_ids,
        status__in=SHARED_STATUSES,
    )
    audits = audits_matching(readable)
    return with_grades_hidden(audits.filter(in_period), staff)


_AUDIT_FIELDS = (
    "pk",
    "public_id",
    "case__la_child_id",
    "audit_type",
    "theme",
    "tool_version__tool__name",
    "team__name",
    "team__service__name",
    "started_at",
    "meeting_date",
    "submitted_at",
    "completed_at",
    "status",
    "overall_grade_id",
    "agreed_overall_grade_id",
    "grades_hidden",
    "moderation__status",
    "revisit_of__public_id",
)


@dataclass
class _Revisit:
    done: bool
    steps: int | None
    hidden: bool
    shown: bool
    due_on: datetime.date | None
    at: datetime.datetime | None


def _revisits(
    staff: StaffMember, ids: list[int], counted: dict[int, int | None], grades: dict[int, Grade]
) -> dict[int, _Revisit]:
    """The latest revisit of each audit (the latest done, else the next one due), with the
    change in the overall grade that counts where `staff` may read it. One query."""
    scales: dict[int, list[Grade]] = defaultdict(list)
    for grade in grades.values():
        scales[grade.scale_id].append(grade)
    rows = (
        Audit.objects.filter(revisit_of_id__in=ids)
        .annotate(
            readable=Case(
                When(audit_visibility_filter(staff), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            hidden=Case(
                When(grades_hidden_filter(staff), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values_list(
            "revisit_of_id",
            "status",
            "due_date",
            "submitted_at",
            "agreed_overall_grade_id",
            "overall_grade_id",
            "readable",
            "hidden",
        )
        .order_by("revisit_of_id", "pk")
    )
    latest: dict[int, _Revisit] = {}
    for earlier_id, status, due, submitted, agreed, graded, readable, hidden in rows:
        done = status in SHARED_STATUSES
        steps = None
        if done:
            before_id = counted.get(earlier_id)
            after_id = agreed if agreed is not None else graded
            before = grades.get(before_id) if before_id is not None else None
            after = grades.get(after_id) if after_id is not None else None
            scale = scales[before.scale_id] if before is not None else []
            steps = grades_apart(before, after, scale)
        revisit = _Revisit(done, steps, hidden, readable, due, submitted)
        if _later(revisit, latest.get(earlier_id)):
            latest[earlier_id] = revisit
    return latest


def _later(revisit: _Revisit, known: _Revisit | None) -> bool:
    """Whether `revisit` tells the outcome better than `known`: one done over one still due,
    the latest done of two done, the first scheduled of two still due."""
    if known is None:
        return True
    if revisit.done != known.done:
        return revisit.done
    if not revisit.done or revisit.at is None:
        return False
    return known.at is None or revisit.at >= known.at


def _outcome(revisit: _Revisit | None, *, earlier_hidden: bool, today: datetime.date) -> str:
    if revisit is None:
        return RevisitOutcome.NOT_SCHEDULED
    if revisit.done and not revisit.shown:
        return RevisitOutcome.NOT_SHOWN
    return revisit_outcome(
        done=revisit.done,
        steps=revisit.steps,
        hidden=revisit.hidden or earlier_hidden,
        due_on=revisit.due_on,
        today=today,
    )


def _action_counts(ids: list[int], today: datetime.date) -> dict[int, dict[str, int]]:
    rows = (
        Action.objects.filter(audit_id__in=ids)
        .values("audit_id")
        .annotate(
            n=Count("pk"),
            open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
            overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_date__lt=today)),
            waiting=Count("pk", filter=Q(status=ActionStatus.COMPLETED)),
            done=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
            cancelled=Count("pk", filter=Q(status=ActionStatus.CANCELLED)),
        )
        .order_by()
    )
    return {
        row["audit_id"]: {
            "n": row["n"],
            "open": row["open"],
            "overdue": row["overdue"],
            "waiting": row["waiting"],
            "done": row["done"],
            "cancelled": row["cancelled"],
        }
        for row in rows
    }


def _action_lines(
    ids: list[int], references: dict[int, str], order: dict[int, int], today: datetime.date
) -> list[ActionLine]:
    roles = dict(Role.choices)
    statuses = dict(ActionStatus.choices)
    rows = (
        Action.objects.filter(audit_id__in=ids)
        .values_list(
            "audit_id",
            "answer__question__code",
            "status",
            "due_date",
            "completed_at",
            "signed_off_at",
            "cancelled_at",
            "owner__role",
            "owner__team__name",
        )
        .order_by("due_date", "pk")
    )
    lines = [
        (
            order[audit_id],
            ActionLine(
                audit_reference=references[audit_id],
                finding=f"Question {code}" if code else WHOLE_AUDIT,
                status=str(statuses.get(status, status)),
                due_on=due,
                overdue=status == ActionStatus.OPEN and due < today,
                marked_done_on=_local_day(done_at),
                signed_off_on=_local_day(signed_at),
                cancelled_on=_local_day(cancelled_at),
                owner_role=str(roles.get(role, role)),
                owner_team=team or "",
            ),
        )
        for audit_id, code, status, due, done_at, signed_at, cancelled_at, role, team in (
            rows.iterator(chunk_size=2000)
        )
    ]
    lines.sort(key=lambda pair: pair[0])
    return [line for _, line in lines]


def _flag_counts(ids: list[int]) -> tuple[dict[int, int], int]:
    """Unsafe-child flags by audit, and how many of them are acknowledged."""
    rows = (
        Escalation.objects.filter(audit_id__in=ids)
        .values("audit_id")
        .annotate(n=Count("pk"), acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)))
        .order_by()
    )
    by_audit: dict[int, int] = {}
    acknowledged = 0
    for row in rows:
        by_audit[row["audit_id"]] = row["n"]
        acknowledged += row["acknowledged"]
    return by_audit, acknowledged


def inspection_pack(
    staff: StaffMember,
    *,
    service_ids: tuple[int, ...],
    starts_on: datetime.date,
    ends_on: datetime.date,
) -> InspectionPack:
    """The pack `staff` makes for the period, of `service_ids` (theirs, as
    `auditloop.reports.access.inspection_pack.pack_service_ids` decides): see the module's
    docstring."""
    today = timezone.localdate()
    audit_types = dict(AuditType.choices)
    statuses = dict(AuditStatus.choices)
    moderation_statuses = dict(ModerationStatus.choices)
    raw = list(
        pack_audits(staff, starts_on, ends_on, service_ids)
        .values_list(*_AUDIT_FIELDS)
        .order_by("submitted_at", "pk")
        .iterator(chunk_size=2000)
    )
    ids = [row[0] for row in raw]
    grades = {g.pk: g for g in Grade.objects.select_related("scale")}
    counted = {row[0]: row[14] if row[14] is not None else row[13] for row in raw}
    hidden_ids = {row[0] for row in raw if row[15]}
    revisits = _revisits(staff, ids, counted, grades)
    actions = _action_counts(ids, today)
    flags, acknowledged = _flag_counts(ids)
    no_actions = {"n": 0, "open": 0, "overdue": 0, "waiting": 0, "done": 0, "cancelled": 0}

    def label(grade_id: int | None, hidden: bool) -> str:
        if hidden:
            return NOT_SHOWN
        return grades[grade_id].label if grade_id is not None else ""

    lines = []
    for (
        pk,
        public_id,
        case_reference,
        audit_type,
        theme,
        tool,
        team,
        service,
        started,
        meeting,
        submitted,
        completed,
        status,
        graded,
        agreed,
        hidden,
        moderation_status,
        revisit_of,
    ) in raw:
        counts = actions.get(pk, no_actions)
        revisit = revisits.get(pk)
        lines.append(
            AuditLine(
                pk=pk,
                public_id=public_id,
                reference=public_id.hex[:8].upper(),
                case_reference=case_reference,
                audit_type=str(audit_types.get(audit_type, audit_type)),
                theme=theme,
                tool=tool,
                service=service or "",
                team=team or "",
                started_on=_local_day(started),
                meeting_on=meeting,
                submitted_on=_local_day(submitted),
                completed_on=_local_day(completed),
                status=str(statuses.get(status, status)),
                auditor_grade=label(graded, hidden),
                agreed_grade=label(agreed, hidden),
                grade_counted=label(counted[pk], hidden),
                moderated=moderation_status is not None,
                moderation_status=str(moderation_statuses.get(moderation_status, ""))
                if moderation_status
                else "",
                actions=counts["n"],
                actions_open=counts["open"],
                actions_overdue=counts["overdue"],
                actions_waiting=counts["waiting"],
                actions_done=counts["done"],
                actions_cancelled=counts["cancelled"],
                flags=flags.get(pk, 0),
                revisit_of=revisit_of.hex[:8].upper() if revisit_of is not None else "",
                revisit_outcome=_outcome(revisit, earlier_hidden=hidden, today=today),
                revisit_due_on=revisit.due_on if revisit is not None and not revisit.done else None,
            )
        )
    references = {line.pk: line.reference for line in lines}
    order = {pk: index for index, pk in enumerate(ids)}
    service_names = list(
        Service.objects.filter(pk__in=service_ids).order_by("name").values_list("name", flat=True)
    )
    pack = InspectionPack(
        starts_on=starts_on,
        ends_on=ends_on,
        made_by=f"{staff.name} ({staff.get_role_display()})",
        made_at=timezone.localtime(),
        services=service_names,
        audits=lines,
        actions=_action_lines(ids, references, order, today),
    )
    pack.summary.extend(
        _summary(
            pack,
            counted={pk: g for pk, g in counted.items() if pk not in hidden_ids},
            graded_by_auditor={row[0]: row[13] for row in raw if row[0] not in hidden_ids},
            grades=grades,
            hidden=len(hidden_ids),
            flags_acknowledged=acknowledged,
        )
    )
    return pack


def _summary(
    pack: InspectionPack,
    *,
    counted: dict[int, int | None],
    graded_by_auditor: dict[int, int | None],
    grades: dict[int, Grade],
    hidden: int,
    flags_acknowledged: int,
) -> list[SummaryLine]:
    """The summary's figures, worked out from the pack's own rows (no query): every figure
    can be checked against the Audits and Actions sheets."""
    lines = [
        SummaryLine("Inspection pack", "Period from", pack.starts_on),
        SummaryLine("Inspection pack", "Period to", pack.ends_on),
        SummaryLine("Inspection pack", "Services", ", ".join(pack.services)),
        SummaryLine("Inspection pack", "Made by", pack.made_by),
        SummaryLine("Inspection pack", "Made at", pack.made_at.replace(tzinfo=None)),
        SummaryLine(
            "Inspection pack",
            "What it holds",
            "Every audit of these services submitted or completed in the period that its "
            "maker may read, calibration audits left out. Grades are those that count: the "
            "grade agreed at moderation where there is one, else the auditor's.",
        ),
    ]
    audits = "Audits"
    lines.append(SummaryLine(audits, "Audits in the pack", len(pack.audits)))
    by_type = Counter(line.audit_type for line in pack.audits)
    for value, name in AuditType.choices:
        if value != AuditType.CALIBRATION:
            lines.append(SummaryLine(audits, str(name), by_type.get(str(name), 0)))
    if hidden:
        lines.append(
            SummaryLine(
                audits,
                "Listed without their grades (you are regrading them blind), and left out of "
                "the grade and revisit figures",
                hidden,
            )
        )

    section = "Overall grades that count"
    given = [grades[g] for g in counted.values() if g is not None]
    by_scale: dict[int, Counter[int]] = defaultdict(Counter)
    for grade in given:
        by_scale[grade.scale_id][grade.pk] += 1
    scale_grades: dict[int, list[Grade]] = defaultdict(list)
    for grade in sorted(grades.values(), key=lambda g: -g.value):
        scale_grades[grade.scale_id].append(grade)
    several = len(by_scale) > 1
    for scale_id in sorted(by_scale, key=lambda s: scale_grades[s][0].scale.name):
        total = sum(by_scale[scale_id].values())
        prefix = f"{scale_grades[scale_id][0].scale.name}: " if several else ""
        for grade in scale_grades[scale_id]:
            n = by_scale[scale_id][grade.pk]
            lines.append(SummaryLine(section, f"{prefix}{grade.label}", n))
            lines.append(
                SummaryLine(section, f"{prefix}{grade.label} (share)", n / total, is_share=True)
            )
    lines.append(
        SummaryLine(
            section,
            "Audits without an overall grade",
            sum(1 for g in counted.values() if g is None),
        )
    )
    inadequate = sum(1 for g in given if g.is_inadequate)
    good = sum(1 for g in given if not g.needs_action)
    lines.append(SummaryLine(section, "Audits with an overall grade", len(given)))
    lines.append(
        SummaryLine(section, "Share Inadequate", share(inadequate, len(given)), is_share=True)
    )
    lines.append(
        SummaryLine(section, "Share Good or better", share(good, len(given)), is_share=True)
    )

    section = "Moderation"
    moderated = [line for line in pack.audits if line.moderated]
    finished_labels = {str(ModerationStatus(s).label) for s in MODERATION_FINISHED}
    finished = sum(1 for line in moderated if line.moderation_status in finished_labels)
    changed = sum(
        1
        for pk, g in counted.items()
        if g is not None and graded_by_auditor.get(pk) is not None and g != graded_by_auditor[pk]
    )
    lines += [
        SummaryLine(section, "Audits chosen for moderation", len(moderated)),
        SummaryLine(
            section,
            "Share of the audits chosen for moderation",
            share(len(moderated), len(pack.audits)),
            is_share=True,
        ),
        SummaryLine(section, "Moderation finished (agreed, or decided)", finished),
        SummaryLine(section, "Moderation still under way", len(moderated) - finished),
        SummaryLine(section, "Overall grade changed by moderation", changed),
    ]

    section = "Actions"
    lines += [
        SummaryLine(section, "Actions", len(pack.actions)),
        SummaryLine(section, "Open", sum(line.actions_open for line in pack.audits)),
        SummaryLine(section, "Open and overdue", sum(line.actions_overdue for line in pack.audits)),
        SummaryLine(
            section,
            "Marked done, waiting for sign-off",
            sum(line.actions_waiting for line in pack.audits),
        ),
        SummaryLine(section, "Done (signed off)", sum(line.actions_done for line in pack.audits)),
        SummaryLine(section, "Cancelled", sum(line.actions_cancelled for line in pack.audits)),
    ]

    section = "Revisits of these audits"
    outcomes = Counter(line.revisit_outcome for line in pack.audits)
    done = [
        RevisitOutcome.IMPROVED,
        RevisitOutcome.SAME,
        RevisitOutcome.WORSE,
        RevisitOutcome.NOT_COMPARABLE,
    ]
    lines.append(SummaryLine(section, "Revisits done", sum(outcomes[o] for o in done)))
    for outcome in [*done, RevisitOutcome.DUE, RevisitOutcome.OVERDUE]:
        lines.append(SummaryLine(section, str(outcome), outcomes[outcome]))
    inadequate_ids = {pk for pk, g in counted.items() if g is not None and grades[g].is_inadequate}
    waiting = sum(
        1
        for line in pack.audits
        if line.revisit_outcome == RevisitOutcome.NOT_SCHEDULED and line.pk in inadequate_ids
    )
    lines.append(SummaryLine(section, "Inadequate audits with no revisit scheduled", waiting))

    section = "Unsafe-child flags"
    raised = sum(line.flags for line in pack.audits)
    lines += [
        SummaryLine(section, "Raised on these audits", raised),
        SummaryLine(section, "Acknowledged", flags_acknowledged),
        SummaryLine(section, "Not yet acknowledged", raised - flags_acknowledged),
    ]
    return lines
