"""Who answers the questions about an audit: only the person asked (its practitioner, or the
manager who took part in the deep dive), while they are asked. Anyone else gets 404: the page
says nothing about the audit to them."""

from __future__ import annotations

import datetime
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import ExperienceAsked, ExperienceRole
from auditloop.assurance.rules.experience import ASK_WITHIN_DAYS
from auditloop.audits.models import Audit, AuditStatus, AuditType, ParticipantRole


def audits_to_ask(staff: StaffMember, *, now: datetime.datetime) -> QuerySet[Audit]:
    """The completed audits `staff` is asked about and has not answered or declined: those of
    their cases, and the deep dives they took part in as the manager, completed in the last
    `ASK_WITHIN_DAYS` days."""
    return audits_asked_since(staff.pk, asked_since(now))


def asked_since(now: datetime.datetime) -> datetime.datetime:
    """The earliest completion of an audit still asked about at `now`."""
    return now - datetime.timedelta(days=ASK_WITHIN_DAYS)


def audits_asked_since(staff_key: int, since: datetime.datetime) -> QuerySet[Audit]:
    """`audits_to_ask` for the member of staff with `staff_key`, of the audits completed since
    `since`: written from those two values alone, so that its statement can be kept."""
    done = ExperienceAsked.objects.filter(staff_id=staff_key).values("audit_id")
    # The audits that are theirs found first, by the indexes on the practitioner and on the
    # participant's staff member: nearly every audit is completed, so a filter led by status
    # and completion read every completed audit (all of five years') on each home page.
    theirs = Audit.objects.filter(practitioner_id=staff_key).values("pk")
    managed_deep_dives = Audit.objects.filter(
        audit_type=AuditType.DEEP_DIVE,
        participants__staff_id=staff_key,
        participants__role=ParticipantRole.MANAGER,
    ).values("pk")
    return (
        Audit.objects.filter(pk__in=theirs.union(managed_deep_dives, all=True))
        .filter(status=AuditStatus.COMPLETED, completed_at__gte=since)
        .exclude(pk__in=done)
    )


def experience_role(staff: StaffMember, audit: Audit, *, now: datetime.datetime) -> str | None:
    """The role `staff` is asked about `audit` in, or None when they are not asked about it
    (not theirs, not completed, too long ago, or already answered or declined)."""
    if not audits_to_ask(staff, now=now).filter(pk=audit.pk).exists():
        return None
    if audit.practitioner_id == staff.pk:
        return ExperienceRole.PRACTITIONER
    return ExperienceRole.MANAGER


def get_experience_audit_for_user(
    staff: StaffMember, public_id: UUID | str, *, now: datetime.datetime
) -> tuple[Audit, str]:
    """The audit `staff` is asked about, and the role they are asked in; 404 otherwise."""
    try:
        audit = Audit.objects.select_related("team").get(public_id=public_id)
    except (Audit.DoesNotExist, ValueError) as exc:
        raise Http404("No questions for you about this audit.") from exc
    role = experience_role(staff, audit, now=now)
    if role is None:
        raise Http404("No questions for you about this audit.")
    return audit, role
