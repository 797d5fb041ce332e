"""Writes for children's case files, by an administrator's form (the importers come later and
call these too). Each writes one event; no event carries a child's ID."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember, Team, User
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


def _check_case(
    *,
    case: ChildCase | None,
    la_child_id: str,
    cohort: str,
    allocated_team: Team | None,
    allocated_worker: StaffMember | None,
    key_dates: Mapping[str, object],
) -> tuple[str, Team | None]:
    """Refuse what must not be saved; return the trimmed ID and the team (the worker's team
    when only a worker is given)."""
    unknown = set(key_dates) - set(KEY_DATES)
    if unknown:
        raise TypeError(f"Unknown key dates: {', '.join(sorted(unknown))}")
    errors: dict[str, str] = {}
    la_child_id = la_child_id.strip()
    if not la_child_id:
        errors["la_child_id"] = "Enter the LA child ID."
    else:
        clash = ChildCase.objects.filter(la_child_id=la_child_id)
        if case is not None:
            clash = clash.exclude(pk=case.pk)
        if clash.exists():
            errors["la_child_id"] = "There is already a case file with this LA child ID."
    if cohort not in Cohort.values:
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
def case_create(
    *,
    by: User | None,
    la_child_id: str,
    cohort: str,
    allocated_team: Team | None = None,
    allocated_worker: StaffMember | None = None,
    **key_dates: datetime.date | None,
) -> ChildCase:
    """A new, open case file. `key_dates` are any of KEY_DATES."""
    la_child_id, allocated_team = _check_case(
        case=None,
        la_child_id=la_child_id,
        cohort=cohort,
        allocated_team=allocated_team,
        allocated_worker=allocated_worker,
        key_dates=key_dates,
    )
    case = ChildCase.objects.create(
        la_child_id=la_child_id,
        cohort=cohort,
        allocated_team=allocated_team,
        allocated_worker=allocated_worker,
        **key_dates,
    )
    event_record(
        actor=by,
        verb="case.created",
        target=case,
        summary=f"Case file created ({case.get_cohort_display()})",
        after=snapshot(case, CASE_FIELDS),
    )
    return case


@transaction.atomic
def case_update(
    *,
    case: ChildCase,
    by: User | None,
    la_child_id: str,
    cohort: str,
    allocated_team: Team | None = None,
    allocated_worker: StaffMember | None = None,
    **key_dates: datetime.date | None,
) -> ChildCase:
    """Change a case file's ID, cohort, allocation or key dates."""
    la_child_id, allocated_team = _check_case(
        case=case,
        la_child_id=la_child_id,
        cohort=cohort,
        allocated_team=allocated_team,
        allocated_worker=allocated_worker,
        key_dates=key_dates,
    )
    before: dict[str, Any] = snapshot(case, CASE_FIELDS)
    id_changed = la_child_id != case.la_child_id
    case.la_child_id = la_child_id
    case.cohort = cohort
    case.allocated_team = allocated_team
    case.allocated_worker = allocated_worker
    for name, value in key_dates.items():
        setattr(case, name, value)
    case.save()
    after: dict[str, Any] = snapshot(case, CASE_FIELDS)
    if id_changed:
        # Recorded as a fact, never as the values.
        before["la_child_id"], after["la_child_id"] = "(earlier ID)", "(corrected)"
    event_record(
        actor=by,
        verb="case.updated",
        target=case,
        summary="Case file changed" + (", including its LA child ID" if id_changed else ""),
        before=before,
        after=after,
    )
    return case


@transaction.atomic
def case_close(
    *, case: ChildCase, by: User | None, closed_on: datetime.date | None = None
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
        actor=by,
        verb="case.closed",
        target=case,
        summary="Case file closed",
        before=before,
        after=snapshot(case, ["is_open", "closed_on"]),
    )
    return case


@transaction.atomic
def case_reopen(*, case: ChildCase, by: User | None) -> ChildCase:
    """Reopen a closed case file (for example, closed by mistake or re-referred)."""
    if case.is_open:
        raise ValidationError("This case file is already open.")
    before = snapshot(case, ["is_open", "closed_on"])
    case.is_open = True
    case.closed_on = None
    case.save(update_fields=["is_open", "closed_on", "updated_at"])
    event_record(
        actor=by,
        verb="case.reopened",
        target=case,
        summary="Case file reopened",
        before=before,
        after=snapshot(case, ["is_open", "closed_on"]),
    )
    return case
