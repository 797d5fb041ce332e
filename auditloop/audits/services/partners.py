"""Audits with partner agencies: an audit lead gives a partner agency auditor their own audit
of a thematic audit's case, sharing what they choose of it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember, actor_login
from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.access.partners import can_invite_partner
from auditloop.audits.models import Audit, AuditType, PartnerShare
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send

SUMMARY_LIMIT = 5000


def _summary_checked(case_summary: str) -> str:
    summary = case_summary.strip()
    if not summary:
        raise Refused("Enter what you share with the partner about the case.", field="case_summary")
    if len(summary) > SUMMARY_LIMIT:
        raise Refused(
            f"What you share must be {SUMMARY_LIMIT} characters or fewer.", field="case_summary"
        )
    return summary


@transaction.atomic
def partner_audit_create(
    *,
    audit: Audit,
    partner: StaffMember,
    case_summary: str,
    share_child_id: bool,
    share_cohort: bool,
    due_date: datetime.date | None,
    by: StaffMember,
) -> Audit:
    """Give `partner` their own audit of the case of the thematic `audit`, with the same tool
    version and theme, and share with them `case_summary` (the lead's own words) and, if
    chosen, the child's LA ID and the cohort. Nothing else of the case is shown to them. The
    partner is told, in the product and by email, without anything of the case."""
    if not can_invite_partner(by, audit):
        raise Refused(
            "Only an audit lead over the audit's service can ask a partner agency to join a "
            "thematic audit."
        )
    if partner.role != Role.PARTNER or not partner.is_active:
        raise Refused("Choose an active partner agency auditor.", field="partner")
    summary = _summary_checked(case_summary)
    if Audit.objects.filter(
        case_id=audit.case_id, auditor=partner, theme=audit.theme, audit_type=AuditType.THEMATIC
    ).exists():
        raise Refused(f"{partner.name} already has an audit of this case.", field="partner")
    given = Audit.objects.create(
        case_id=audit.case_id,
        tool_version=audit.tool_version,
        audit_type=AuditType.THEMATIC,
        theme=audit.theme,
        auditor=partner,
        practitioner_id=audit.practitioner_id,
        team_id=audit.team_id,
        due_date=due_date,
        created_by=actor_login(by),
    )
    PartnerShare.objects.create(
        audit=given,
        case_summary=summary,
        share_child_id=share_child_id,
        share_cohort=share_cohort,
        shared_by=actor_login(by),
    )
    event_record(
        actor=actor_login(by),
        verb="audit.created",
        target=given,
        summary="Thematic audit given to a partner agency auditor",
        after={
            **snapshot(given, ["audit_type", "tool_version", "auditor", "team", "due_date"]),
            "share_child_id": share_child_id,
            "share_cohort": share_cohort,
        },
    )
    notification_send(
        recipients=[partner],
        message="You have been given a multi-agency audit to answer.",
        url=reverse("audits:partner_audit", args=[given.public_id]),
        email_subject="A multi-agency audit for you",
    )
    return given


@transaction.atomic
def partner_share_update(
    *,
    share: PartnerShare,
    case_summary: str,
    share_child_id: bool,
    share_cohort: bool,
    by: StaffMember,
) -> PartnerShare:
    """An audit lead over the audit's service changes what is shared with the partner agency
    auditor of a case: their words about it, and whether the child's LA ID and the cohort are
    shown. The partner's page shows the change at once, and they are told (without anything
    of the case). Saving the same share again changes nothing and records nothing."""
    audit = share.audit
    if not can_lead_audit(by, audit):
        raise Refused(
            "Only an audit lead over the audit's service can change what is shared with a "
            "partner agency."
        )
    summary = _summary_checked(case_summary)
    current = PartnerShare.objects.select_for_update().get(pk=share.pk)
    fields = ["share_child_id", "share_cohort"]
    before = snapshot(current, fields)
    summary_changed = current.case_summary != summary
    if (
        not summary_changed
        and current.share_child_id == share_child_id
        and current.share_cohort == share_cohort
    ):
        return current
    current.case_summary = summary
    current.share_child_id = share_child_id
    current.share_cohort = share_cohort
    current.shared_by = actor_login(by)
    current.save(
        update_fields=["case_summary", "share_child_id", "share_cohort", "shared_by", "updated_at"]
    )
    event_record(
        actor=actor_login(by),
        verb="partner_share.changed",
        target=audit,
        summary="What is shared with the partner agency auditor changed",
        before=before,
        after=snapshot(current, fields),
        content_changed=["case_summary"] if summary_changed else [],
    )
    notification_send(
        recipients=[audit.auditor],
        message="The audit lead changed what is shared with you about the case of your audit.",
        url=reverse("audits:partner_audit", args=[audit.public_id]),
    )
    return current
