"""A cycle with audits in it, and moderations in a given state, for the tests of what is
moderated and by whom. Built straight in the database so each test starts where it needs to."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationStatus,
)
from auditloop.audits.models import Audit, AuditStatus, AuditType, Grade
from auditloop.cases.models import ChildCase
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.sampling.services.cycles import cycle_create
from auditloop.testing import Personas


def north_cycle(p: Personas, *, moderation_percent: int = 15) -> Cycle:
    """North's cycle, April to September 2026, planned by the audit lead."""
    cycle = cycle_create(
        name="North, April to September 2026",
        services=[p.north],
        starts_on=datetime.date(2026, 4, 1),
        tools=[p.compliance_tool, p.quality_tool],
        audit_types=["dip_sample", "deep_dive"],
        auditors=[p.auditor, p.team_manager],
        by=p.moderator,
    )
    cycle.moderation_percent = moderation_percent
    cycle.save(update_fields=["moderation_percent"])
    return cycle


def grade(p: Personas, code: str) -> Grade:
    return Grade.objects.get(scale=p.compliance_tool.grading_scale, code=code)


def cycle_audit(
    p: Personas,
    cycle: Cycle | None,
    *,
    grade_code: str | None = "good",
    status: str = AuditStatus.SUBMITTED,
    auditor: StaffMember | None = None,
    audit_type: str = AuditType.DIP_SAMPLE,
    case: ChildCase | None = None,
) -> Audit:
    """An audit of the practitioner's case (or `case`) by the auditor, graded `grade_code`
    overall, placed in `cycle` (none when `cycle` is None)."""
    case = case or p.case
    shared = status in {AuditStatus.SUBMITTED, AuditStatus.COMPLETED}
    audit = Audit.objects.create(
        case=case,
        tool_version=p.compliance_tool,
        audit_type=audit_type,
        status=status,
        auditor=auditor or p.auditor,
        practitioner=case.allocated_worker,
        team=case.allocated_team,
        overall_grade=grade(p, grade_code) if grade_code else None,
        submitted_at=timezone.now() if shared else None,
    )
    if cycle is not None:
        CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=cycle.starts_on)
    return audit


def moderation_of(
    audit: Audit,
    *,
    status: str = ModerationStatus.UNASSIGNED,
    moderator: StaffMember | None = None,
    reason: str = ModerationReason.RANDOM,
) -> Moderation:
    return Moderation.objects.create(
        audit=audit,
        status=status,
        moderator=moderator,
        reason=reason,
        assigned_at=timezone.now() if moderator else None,
    )


@contextmanager
def asker_words_read() -> Iterator[list[str]]:
    """Every asker's words read from the database while inside: what a page loaded, shown or
    not."""
    read: list[str] = []
    original = ModerationRequest.from_db.__func__  # type: ignore[attr-defined]

    def from_db(cls: type[ModerationRequest], *args: Any, **kwargs: Any) -> ModerationRequest:
        row: ModerationRequest = original(cls, *args, **kwargs)
        if "reason" in row.__dict__:
            read.append(row.reason)
        return row

    with mock.patch.object(ModerationRequest, "from_db", classmethod(from_db)):
        yield read
