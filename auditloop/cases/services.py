"""Writes for children's case files, by an administrator's form (the importers come later and
call these too). Each writes one event; no event carries a child's ID."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember, Team, actor_login
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.events import event_record
from auditloop.core.models import snapshot

KEY_DATES = [
    "referral_date",
    "assessment_completed",
    "cp_plan_start",
    "cla_start",
    "last_statutory_visit",
    "last_seen_alone",
    "latest_review",
    "last_health_assessment",
    "latest_pathway_plan_review",
    "opened_on",
]
# The LA child ID is left out on purpose: the event log must not carry it.
CASE_FIELDS = ["cohort", "allocated_team", "allocated_worker", *KEY_DATES, "is_open", "closed_on"]


@dataclass(frozen=True)
class CaseDetails:
    """What an administrator writes on a case file, the same for a new one and a change: the
    ID, cohort, allocation and every key date (None when not known)."""

    la_child_id: str
    cohort: str
    allocated_team: Team | None = None
    allocated_worker: StaffMember | None = None
    referral_date: datetime.date | None = None
    assessment_completed: datetime.date | None = None
    cp_plan_start: datetime.date | None = None
    cla_start: datetime.date | None = None
    last_statutory_visit: datetime.date | None = None
    last_seen_alone: datetime.date | None = None
    latest_review: datetime.date | None = None
    last_health_assessment: datetime.date | None = None
    latest_pathway_plan_review: datetime.date | None = None
    opened_on: datetime.date | None = None

    def key_dates(self) -> dict[str, datetime.date | None]:
        return {name: getattr(self, name) for name in KEY_DATES}


def _check_case(case: ChildCase | None, details: CaseDetails) -> tuple[str, Team | None]:
    """Refuse what must not be saved; return the trimmed ID and the team (the worker's team
    when only a worker is given)."""
    errors: dict[str, str] = {}
    la_child_id = details.la_child_id.strip()
    allocated_team, allocated_worker = details.allocated_team, details.allocated_worker
    if not la_child_id:
        errors["la_child_id"] = "Enter the LA child ID."
    else:
        clash = ChildCase.objects.filter(la_child_id=la_child_id)
        if case is not None:
            clash = clash.exclude(pk=case.pk)
        if clash.exists():
            errors["la_child_id"] = "There is already a case file with this LA child ID."
    if details.cohort not in Cohort.values:
        errors["cohort"] = "Choose the cohort."
    if allocated_worker is not None:
        if not allocated_worker.is_active:
            errors["allocated_worker"] = f"{allocated_worker.name} has left: choose someone else."
        elif allocated_team is None:
            allocated_team = allocated_worker.team
        elif allocated_worker.team_id not in (None, allocated_team.pk):
            errors["allocated_worker"] = (
                f"{allocated_worker.name} is not in {allocated_team.name}: "
                "choose a worker in the allocated team, or change the team."
            )
    if errors:
        raise ValidationError(errors)
    return la_child_id, allocated_team


@transaction.atomic
def case_create(*, by: StaffMember | None, details: CaseDetails) -> ChildCase:
    """A new, open case file."""
    la_child_id, allocated_team = _check_case(None, details)
    case = ChildCase.objects.create(
        la_child_id=la_child_id,
        cohort=details.cohort,
        allocated_team=allocated_team,
        allocated_worker=details.allocated_worker,
        **details.key_dates(),
    )
    event_record(
        actor=actor_login(by),
        verb="case.created",
        target=case,
        summary=f"Case file created ({case.get_cohort_display()})",
        after=snapshot(case, CASE_FIELDS),
    )
    return case


@transaction.atomic
def case_update(*, case: ChildCase, by: StaffMember | None, details: CaseDetails) -> ChildCase:
    """Change a case file's ID, cohort, allocation or key dates."""
    la_child_id, allocated_team = _check_case(case, details)
    before: dict[str, Any] = snapshot(case, CASE_FIELDS)
    id_changed = la_child_id != case.la_child_id
    case.la_child_id = la_child_id
    case.cohort = details.cohort
    case.allocated_team = allocated_team
    case.allocated_worker = details.allocated_worker
    for name, value in details.key_dates().items():
        setattr(case, name, value)
    case.save()
    after: dict[str, Any] = snapshot(case, CASE_FIELDS)
    if id_changed:
        # Recorded as a fact, never as the values.
        before["la_child_id"], after["la_child_id"] = "(earlier ID)", "(corrected)"
    event_record(
        actor=actor_login(by),
        verb="case.updated",
        target=case,
        summary="Case file changed" + (", including its LA child ID" if id_changed else ""),
        before=before,
        after=after,
    )
    return case


@transaction.atomic
def case_close(
    *, case: ChildCase, by: StaffMember | None, closed_on: datetime.date | None = None
) -> ChildCase:
    """Close an open case file. Its audits stay; it leaves the open case list and samples."""
    if not case.is_open:
        raise ValidationError("This case file is already closed.")
    closed_on = closed_on or timezone.localdate()
    if case.opened_on is not None and closed_on < case.opened_on:
        raise ValidationError({"closed_on": "The closing date cannot be before the case opened."})
    before = snapshot(case, ["is_open", "closed_on"])
    case.is_open = False
    case.closed_on = closed_on
    case.save(update_fields=["is_open", "closed_on", "updated_at"])
    event_record(
        actor=actor_login(by),
        verb="case.closed",
        target=case,
        summary="Case file closed",
        before=before,
        after=snapshot(case, ["is_open", "closed_on"]),
    )
    return case


@transaction.atomic
def case_reopen(*, case: ChildCase, by: StaffMember | None) -> ChildCase:
    """Reopen a closed case file (for example, closed by mistake or re-referred)."""
    if case.is_open:
        raise ValidationError("This case file is already open.")
    before = snapshot(case, ["is_open", "closed_on"])
    case.is_open = True
    case.closed_on = None
    case.save(update_fields=["is_open", "closed_on", "updated_at"])
    event_record(
        actor=actor_login(by),
        verb="case.reopened",
        target=case,
        summary="Case file reopened",
        before=before,
        after=snapshot(case, ["is_open", "closed_on"]),
    )
    return case
