"""Which completed audits a member of staff is still to be asked about (their home page)."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import ExperienceAsked, ExperienceRole
from auditloop.assurance.rules.experience import ASK_WITHIN_DAYS
from auditloop.audits.models import Audit, AuditStatus, AuditType, ParticipantRole


def _audits_to_ask(staff: StaffMember, *, now: datetime.datetime) -> QuerySet[Audit]:
    since = now - datetime.timedelta(days=ASK_WITHIN_DAYS)
    done = ExperienceAsked.objects.filter(staff=staff).values("audit_id")
    return (
        Audit.objects.filter(status=AuditStatus.COMPLETED, completed_at__gte=since)
        .filter(
            Q(practitioner=staff)
            | Q(
                audit_type=AuditType.DEEP_DIVE,
                participants__staff=staff,
                participants__role=ParticipantRole.MANAGER,
            )
        )
        .exclude(pk__in=done)
        .distinct()
    )


def experience_asks_for(staff: StaffMember, *, now: datetime.datetime) -> list[Audit]:
    """The completed audits `staff` is asked about and has not answered or declined: those of
    their cases, and the deep dives they took part in as the manager, completed in the last
    `ASK_WITHIN_DAYS` days, the most recent first. One query."""
    return list(_audits_to_ask(staff, now=now).order_by("-completed_at", "-pk"))


def experience_role(staff: StaffMember, audit: Audit, *, now: datetime.datetime) -> str | None:
    """The role `staff` is asked about `audit` in, or None when they are not asked about it
    (not theirs, not completed, too long ago, or already answered or declined)."""
    if not _audits_to_ask(staff, now=now).filter(pk=audit.pk).exists():
        return None
    if audit.practitioner_id == staff.pk:
        return ExperienceRole.PRACTITIONER
    return ExperienceRole.MANAGER
