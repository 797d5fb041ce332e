"""What each person must do next, for their home page. Every list is capped and counted, so the
page asks the same number of questions however much work there is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from auditloop.accounts.models import AUDITING_ROLES, NO_CASEWORK_ROLES, Role, StaffMember, Team
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import (
    SHARED_STATUSES,
    Action,
    ActionStatus,
    Audit,
    AuditStatus,
    AuditType,
    Escalation,
    FeedbackReply,
)
from auditloop.audits.selectors.actions import (
    actions_awaiting_sign_off_by,
    actions_overdue_managed_by,
)
from auditloop.audits.selectors.escalations import escalations_open_for

LIMIT = 10


@dataclass
class WorkList:
    """The first few rows of a list, and how many there are in all."""

    rows: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _work(qs: QuerySet[Any]) -> WorkList:
    # The total rides on every row (a window count over the whole list, taken before the
    # LIMIT), so a list costs one query whether it is short or long.
    rows = list(qs.annotate(work_total=Window(Count("pk")))[:LIMIT])
    return WorkList(rows=rows, total=rows[0].work_total if rows else 0)


@dataclass
class TeamCounts:
    team: Team
    open_flags: int = 0
    overdue_actions: int = 0
    in_progress: int = 0
    awaiting_completion: int = 0


@dataclass
class HomeWork:
    today: datetime.date
    month_start: datetime.date
    assigned: WorkList | None = None
    returned: WorkList | None = None
    awaiting_reply: WorkList | None = None
    my_actions: WorkList | None = None
    my_overdue: int = 0
    open_flags: WorkList | None = None
    # Overdue actions of the people one line-manages, and a team manager's team's.
    team_overdue: WorkList | None = None
    awaiting_sign_off: WorkList | None = None
    team_submitted: WorkList | None = None
    awaiting_completion: WorkList | None = None
    team_counts: list[TeamCounts] = field(default_factory=list)

    def _rows(self, *lists: WorkList | None) -> list[Any]:
        return [row for work in lists if work is not None for row in work.rows]

    def audits_shown(self) -> list[Audit]:
        """Every audit the home page names, for the access log."""
        return self._rows(
            self.assigned,
            self.returned,
            self.awaiting_reply,
            self.team_submitted,
            self.awaiting_completion,
        )

    def actions_shown(self) -> list[Action]:
        return self._rows(self.my_actions, self.team_overdue, self.awaiting_sign_off)

    def flags_shown(self) -> list[Escalation]:
        return self._rows(self.open_flags)


# The columns a home page's row shows (`home/_audit_rows.html`, `_action_rows.html`,
# `_flag_rows.html`) and the access log names. Each list's total is a window count over the
# whole list, which SQLite builds from every row before the LIMIT: with every column of the
# audit, its case, tool and auditor that cost an audit lead's home page tens of milliseconds.
AUDIT_ROW = (
    "public_id",
    "audit_type",
    "status",
    "due_date",
    "submitted_at",
    "case__la_child_id",
    "team__name",
    "tool_version__tool__name",
)
ACTION_ROW = (
    "public_id",
    "description",
    "status",
    "due_date",
    "sent_back_at",
    "owner__name",
    "owner__team__name",
    "audit__public_id",
    "audit__team__name",
)

FLAG_ROW = (
    "public_id",
    "raised_at",
    "raised_by__name",
    "audit__public_id",
    "audit__team__name",
    "audit__case__la_child_id",
    "audit__case__allocated_team__name",
)


def _audits() -> QuerySet[Audit]:
    return Audit.objects.select_related("case", "team", "tool_version__tool").only(*AUDIT_ROW)


def _actions(qs: QuerySet[Action]) -> QuerySet[Action]:
    """An action list as its rows show it: `ACTION_ROW`, whatever the list joins."""
    return qs.select_related("owner__team", "audit__team").only(*ACTION_ROW)


def _judged() -> QuerySet[Audit]:
    """Audits that judge practice: a calibration audit is an exercise, shown to nobody but its
    auditors and the audit leads, and counted nowhere."""
    return _audits().exclude(audit_type=AuditType.CALIBRATION)


def _by_due_date(qs: QuerySet[Audit]) -> QuerySet[Audit]:
    return qs.order_by(Coalesce("due_date", datetime.date.max), "created_at", "id")


def home_work_for(staff: StaffMember) -> HomeWork:
    today = timezone.localdate()
    work = HomeWork(today=today, month_start=today.replace(day=1))
    role = staff.role
    if role in AUDITING_ROLES:
        mine = _audits().filter(auditor=staff)
        work.assigned = _work(
            _by_due_date(
                mine.filter(
                    Q(status=AuditStatus.PLANNED)
                    | Q(status=AuditStatus.IN_PROGRESS, return_reason="")
                )
            )
        )
        work.returned = _work(
            _by_due_date(mine.filter(status=AuditStatus.IN_PROGRESS).exclude(return_reason=""))
        )
    if role not in NO_CASEWORK_ROLES:
        owned = Action.objects.filter(owner=staff, status=ActionStatus.OPEN)
        work.my_actions = _work(_actions(owned).order_by("due_date", "id"))
        work.my_overdue = owned.filter(due_date__lt=today).count()
        # Anyone may line-manage someone, or be a head of service: both sign off and chase.
        work.awaiting_sign_off = _work(_actions(actions_awaiting_sign_off_by(staff)))
        work.team_overdue = _work(_actions(actions_overdue_managed_by(staff, on=today)))
    if role in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        replied = FeedbackReply.objects.filter(audit=OuterRef("pk"), author=staff)
        work.awaiting_reply = _work(
            _judged()
            .filter(practitioner=staff, status__in=SHARED_STATUSES)
            .filter(~Exists(replied))
            .order_by("-submitted_at", "-id")
        )
    if role in {Role.TEAM_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER}:
        work.open_flags = _work(
            escalations_open_for(staff)
            .select_related(None)
            .select_related("raised_by", "audit__team", "audit__case__allocated_team")
            .only(*FLAG_ROW)
        )
    if role == Role.TEAM_MANAGER and staff.team_id is not None:
        work.team_submitted = _work(
            _judged()
            # A returned audit keeps its submission date, but is a draft again.
            .filter(team_id=staff.team_id, status__in=SHARED_STATUSES)
            .filter(submitted_at__date__gte=work.month_start)
            .order_by("-submitted_at", "-id")
        )
    if role == Role.MODERATOR:
        work.awaiting_completion = _work(
            _judged()
            .filter(status=AuditStatus.SUBMITTED, team__service_id__in=services_overseen(staff))
            # Their own audits wait for another lead: nobody signs off their own work.
            .exclude(auditor=staff)
            .order_by("submitted_at", "id")
        )
    if role == Role.SENIOR_LEADER:
        work.team_counts = team_counts_for(staff, today=today)
    return work


def team_counts_for(staff: StaffMember, *, today: datetime.date) -> list[TeamCounts]:
    """For each team in the services a senior leader looks across: open flags, overdue actions,
    audits in progress and audits awaiting completion. Four queries, whatever the size."""
    services = services_overseen(staff)
    counts = {
        t.pk: TeamCounts(team=t)
        for t in Team.objects.filter(service_id__in=services).select_related("service")
    }

    def add(rows: QuerySet[Any], attr: str) -> None:
        for row in rows:
            if row["team"] in counts:
                setattr(counts[row["team"]], attr, row["n"])

    add(
        Escalation.objects.filter(acknowledged_at__isnull=True)
        .annotate(team=Coalesce("audit__case__allocated_team_id", "audit__team_id"))
        .filter(team__in=list(counts))
        .values("team")
        .annotate(n=Count("id")),
        "open_flags",
    )
    add(
        Action.objects.filter(
            status=ActionStatus.OPEN, due_date__lt=today, audit__team_id__in=list(counts)
        )
        .values(team=F("audit__team_id"))
        .annotate(n=Count("id")),
        "overdue_actions",
    )
    by_status = (
        Audit.objects.filter(
            status__in=[AuditStatus.IN_PROGRESS, AuditStatus.SUBMITTED],
            team_id__in=list(counts),
        )
        .exclude(audit_type=AuditType.CALIBRATION)
        .values("team_id", "status")
        .annotate(n=Count("id"))
    )
    for row in by_status:
        attr = "in_progress" if row["status"] == AuditStatus.IN_PROGRESS else "awaiting_completion"
        setattr(counts[row["team_id"]], attr, row["n"])
    return list(counts.values())
