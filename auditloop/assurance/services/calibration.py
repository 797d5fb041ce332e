"""Setting a calibration exercise: one case, audited independently by several auditors, each
through an ordinary audit of type calibration planned by the audits' own service."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.access.calibration import calibration_set_refusal
from auditloop.assurance.models import CalibrationEntry, CalibrationExercise
from auditloop.audits.models import AuditType, ToolVersion
from auditloop.audits.services.planning import audit_create
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send

# Fewer than this and there is nothing to compare.
LEAST_AUDITORS = 2


@transaction.atomic
def calibration_set(
    *,
    by: StaffMember,
    case: ChildCase,
    tool_version: ToolVersion,
    title: str,
    due_date: datetime.date,
    auditors: Sequence[StaffMember],
) -> CalibrationExercise:
    """An audit lead sets `case` for `auditors` (two or more, each able to audit, active and
    independent of the case) to audit with `tool_version` by `due_date`. Each gets an audit of
    type calibration, and is told; none sees another's answers until all have submitted."""
    if refusal := calibration_set_refusal(by):
        raise Refused(refusal)
    team = case.allocated_team
    if team is None or team.service_id not in services_overseen(by):
        raise Refused("Choose a case in one of the services you oversee.")
    title = _checked_title(title, case)
    if due_date < timezone.localdate():
        raise Refused("The due date must be today or in the future.", field="due_date")
    chosen = list({a.pk: a for a in auditors}.values())
    if len(chosen) < LEAST_AUDITORS:
        raise Refused(
            "Choose two or more auditors: a calibration exercise compares their judgements.",
            field="auditors",
        )
    exercise = CalibrationExercise.objects.create(
        title=title, case=case, tool_version=tool_version, set_by=by, due_date=due_date
    )
    for auditor in chosen:
        try:
            audit = audit_create(
                case=case,
                tool_version=tool_version,
                audit_type=AuditType.CALIBRATION,
                auditor=auditor,
                by=by,
                due_date=due_date,
            )
        except Refused as refused:
            # The planning service's refusals name its one auditor; here they choose several.
            field = "auditors" if refused.field == "auditor" else refused.field
            raise Refused(refused.message, field=field) from refused
        CalibrationEntry.objects.create(exercise=exercise, audit=audit)
    event_record(
        actor=actor_login(by),
        verb="calibration.set",
        target=exercise,
        summary=f"Calibration exercise set for {len(chosen)} auditors",
        after={
            "tool_version": str(tool_version.public_id),
            "due_date": due_date.isoformat(),
            "auditors": [str(a.public_id) for a in chosen],
        },
        content_changed=["title"],
    )
    _auditors_notify(exercise, [a for a in chosen if a.pk != by.pk])
    return exercise


def _checked_title(title: str, case: ChildCase) -> str:
    title = title.strip()
    if not title:
        raise Refused("Enter a title for the exercise.", field="title")
    # The title is a page title and a list's link text, which never carry a child's ID.
    child_id = re.escape(case.la_child_id.strip())
    if re.search(rf"(?<!\w){child_id}(?!\w)", title, re.IGNORECASE):
        raise Refused(
            "Leave the child's ID out of the title: titles are shown in page titles, lists and "
            "emails, where a child's ID must never be.",
            field="title",
        )
    return title


def _auditors_notify(exercise: CalibrationExercise, auditors: list[StaffMember]) -> None:
    """Each auditor is told (never the child's ID: this is emailed)."""
    due = formats.date_format(exercise.due_date, "j F Y")
    notification_send(
        recipients=auditors,
        message=(
            f"{exercise.set_by.name} set you a calibration audit, due {due}. Audit the case on "
            "your own: you will see the other auditors' answers once everyone has submitted."
        ),
        url=reverse("assurance:calibration_detail", args=[exercise.public_id]),
        email_subject="You have a calibration audit to do",
    )
