"""Who may choose what is moderated and by whom, and the get-for-user helpers for moderation
samples, moderations (as their audit lead sees them) and requests for moderation.

Each `*_refusal` says, in the person's words, why they may not; a page asks it (to show a link,
or to answer 403) and the service enforces the same function before it writes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.models import (
    Moderation,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationSample,
)
from auditloop.assurance.rules.moderation_samples import ASSIGNABLE_STATUSES
from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.models import Audit, AuditType, PartnerShare
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.sampling.access import can_plan, get_cycle_for_user
from auditloop.sampling.models import Cycle

ASKERS_ONLY = (
    "Only the audit's auditor or a team manager of its team can ask for it to be moderated."
)
LEADS_ONLY = (
    "Only an audit lead over the audit's service can do this, and never for an audit they wrote."
)
# A partner agency auditor's audit is moderated in the audit group's multi-agency meeting, with
# the partner there, and the audit lead records it: never blind, on pages the partner cannot
# reach, where it would wait for them for ever.
PARTNER_AUDIT_MODERATED_AT_MEETING = (
    "A partner agency auditor's audit is moderated at the audit group's multi-agency meeting, "
    "with the partner there: record it as discussed at that meeting."
)
NOT_ASSIGNABLE = (
    "The moderator can no longer be changed: they have given their grades and the moderation "
    "has moved on."
)


def _can_be_moderated_refusal(audit: Audit) -> str | None:
    """Why `audit` cannot be moderated at all, or None if it can."""
    if audit.audit_type == AuditType.CALIBRATION:
        return (
            "A calibration audit is compared with the other audits of its exercise, so it is not "
            "moderated."
        )
    if not audit.is_shared:
        return "Only a submitted or completed audit can be moderated."
    if PartnerShare.objects.filter(audit=audit).exists():
        return PARTNER_AUDIT_MODERATED_AT_MEETING
    if Moderation.objects.filter(audit=audit).exists():
        return "This audit is already being moderated."
    return None


def is_asker_for(staff: StaffMember, audit: Audit) -> bool:
    """The audit's auditor, or a team manager of the audit's team."""
    if audit.auditor_id == staff.pk:
        return True
    return (
        staff.role == Role.TEAM_MANAGER
        and audit.team_id is not None
        and staff.team_id == audit.team_id
    )


def moderation_request_refusal(staff: StaffMember, audit: Audit) -> str | None:
    """Why `staff` may not ask for `audit` to be moderated, or None if they may. The request
    waits for the cycle's next moderation sample, so the audit must be in a cycle (an audit
    lead can add any other audit to moderation directly)."""
    if not is_asker_for(staff, audit):
        return ASKERS_ONLY
    if refusal := _can_be_moderated_refusal(audit):
        return refusal
    waiting = (
        ModerationRequest.objects.filter(audit=audit, status=ModerationRequestStatus.WAITING)
        .select_related("requested_by")
        .defer("reason")  # who asked, not what they wrote: that is for them and the leads
        .first()
    )
    if waiting is not None:
        who = (
            "You have"
            if waiting.requested_by_id == staff.pk
            else (f"{waiting.requested_by.name} has")
        )
        return (
            f"{who} already asked for this audit to be moderated. The request is waiting for "
            "the next moderation sample."
        )
    if not Audit.objects.filter(pk=audit.pk, cycle_link__isnull=False).exists():
        return (
            "This audit is not part of a cycle, so no moderation sample will take it. Ask an "
            "audit lead to add it to moderation."
        )
    return None


def moderation_withdraw_refusal(staff: StaffMember, request: ModerationRequest) -> str | None:
    if request.requested_by_id != staff.pk:
        return "Only the person who asked can withdraw a request for moderation."
    if request.status != ModerationRequestStatus.WAITING:
        return "This request is no longer waiting: it has been taken into moderation or withdrawn."
    return None


def moderation_add_refusal(staff: StaffMember, audit: Audit) -> str | None:
    """Why `staff` may not add `audit` to moderation directly, or None if they may: an audit
    lead over its service (not for their own audit: they ask, as its auditor)."""
    if not can_lead_audit(staff, audit):
        return LEADS_ONLY
    return _can_be_moderated_refusal(audit)


def moderator_assign_refusal(staff: StaffMember, moderation: Moderation) -> str | None:
    """Why `staff` may not give `moderation` its moderator (or change it), or None if they
    may: an audit lead over the audit's service, not for their own audit, until the moderator
    has given their grades."""
    if not can_lead_audit(staff, moderation.audit):
        return LEADS_ONLY
    if moderation.status not in ASSIGNABLE_STATUSES:
        return NOT_ASSIGNABLE
    return None


def can_draw_moderation_sample(staff: StaffMember, cycle: Cycle) -> bool:
    """Who plans the cycle (an audit lead over all its services) draws its moderation sample."""
    return can_plan(staff, cycle)


def get_moderation_sample_for_user(staff: StaffMember, public_id: UUID | str) -> ModerationSample:
    """The sample, for an audit lead who may see its cycle. (Its page logs the reads of the
    audits it names.)"""
    if staff.role != Role.MODERATOR:
        raise Http404("No moderation sample found.")
    try:
        sample = ModerationSample.objects.select_related("cycle", "created_by__staff").get(
            public_id=public_id
        )
    except (ModerationSample.DoesNotExist, ValueError) as exc:
        raise Http404("No moderation sample found.") from exc
    get_cycle_for_user(staff, sample.cycle.public_id)
    return sample


def get_moderation_for_lead(user: Any, public_id: UUID | str) -> Moderation:
    """The moderation, for an audit lead over its audit's service (404 for anyone else, as
    for a missing one); the read of its audit is logged."""
    staff = staff_for(user)
    if staff.role != Role.MODERATOR:
        raise Http404("No moderation found.")
    try:
        moderation = (
            Moderation.objects.filter(audit__team__service_id__in=services_overseen(staff))
            .select_related(
                "audit__case__allocated_worker",
                "audit__case__allocated_team",
                "audit__practitioner",
                "audit__team__service",
                "audit__auditor",
                "audit__tool_version__tool",
                "moderator",
                "sample__cycle",
                "request__requested_by",
            )
            .get(public_id=public_id)
        )
    except (Moderation.DoesNotExist, ValueError) as exc:
        raise Http404("No moderation found.") from exc
    access_shown(user=user, targets=[moderation.audit], purpose=Purpose.VIEW)
    return moderation


def get_moderation_request_for_user(staff: StaffMember, public_id: UUID | str) -> ModerationRequest:
    """A request for moderation, for the person who made it (404 for anyone else)."""
    try:
        return ModerationRequest.objects.select_related("audit").get(
            public_id=public_id, requested_by=staff
        )
    except (ModerationRequest.DoesNotExist, ValueError) as exc:
        raise Http404("No request for moderation found.") from exc
