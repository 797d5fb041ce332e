"""Unsafe-child flags: raised by the auditor, told at once to the people who must act,
acknowledged once by the team manager or the head of service."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.escalations import (
    can_acknowledge,
    escalation_raise_refusal,
    escalation_team,
)
from auditloop.audits.models import Audit, Escalation
from auditloop.audits.selectors.escalations import escalation_raised_message, escalation_recipients
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send, notifications_mark_read_by_url


def escalation_url(escalation: Escalation) -> str:
    return reverse("audits:escalation", kwargs={"public_id": escalation.public_id})


@transaction.atomic
def escalation_raise(*, audit: Audit, by: StaffMember, reason: str) -> Escalation:
    """The audit's auditor flags that the child is not safe. Everyone who must act is told at
    once, in the product and by email (without the child's ID)."""
    staff = by
    if refusal := escalation_raise_refusal(staff, audit):
        raise Refused(refusal)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why you think the child is not safe.", field="reason")
    escalation = Escalation.objects.create(audit=audit, raised_by=staff, reason=reason)
    event_record(
        actor=by.user,
        verb="escalation.raised",
        target=escalation,
        summary=f"Unsafe-child flag raised on {audit}.",
        after=snapshot(escalation, ["raised_at"]),
        content_changed=["reason"],
    )
    notification_send(
        recipients=escalation_recipients(escalation),
        message=escalation_raised_message(escalation),
        url=escalation_url(escalation),
        urgent=True,
        email_subject="Urgent: a child may not be safe (unsafe-child flag)",
    )
    return escalation


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, by: StaffMember, response: str) -> Escalation:
    """The team manager or head of service records that they have read the flag and what they
    are doing about it. A flag is acknowledged once."""
    staff = by
    if not can_acknowledge(staff, escalation):
        raise Refused(
            "Only a team manager of the case's team or the head of service can acknowledge."
        )
    # Lock the row so two managers acknowledging at once cannot both succeed.
    current = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if current.acknowledged_at is not None:
        raise Refused("This flag has already been acknowledged.")
    response = response.strip()
    if not response:
        raise Refused("Enter what you are doing to keep the child safe.", field="response")
    before = snapshot(current, ["acknowledged_by", "acknowledged_at"])
    escalation.acknowledged_by = staff
    escalation.acknowledged_at = timezone.now()
    escalation.response = response
    escalation.save(update_fields=["acknowledged_by", "acknowledged_at", "response"])
    url = escalation_url(escalation)
    # The urgent notices asked each recipient to see that the flag is acknowledged today; that
    # is now done, so none of them stays waiting, whoever it was sent to.
    answered = notifications_mark_read_by_url(url=url)
    event_record(
        actor=by.user,
        verb="escalation.acknowledged",
        target=escalation,
        summary=f"Unsafe-child flag acknowledged by {staff.name}.",
        before=before,
        after={
            **snapshot(escalation, ["acknowledged_by", "acknowledged_at"]),
            "notifications_marked_read": answered,
        },
        content_changed=["response"],
    )
    _acknowledgement_notify(escalation, staff, url)
    return escalation


def _acknowledgement_notify(escalation: Escalation, staff: StaffMember, url: str) -> None:
    """Tell whoever raised the flag, and everyone else it went to, that it is acknowledged."""
    notification_send(
        recipients=[escalation.raised_by],
        message=f"{staff.name} acknowledged your unsafe-child flag.",
        url=url,
    )
    team = escalation_team(escalation)
    others = [
        s
        for s in escalation_recipients(escalation)
        if s.pk not in {staff.pk, escalation.raised_by_id}
    ]
    notification_send(
        recipients=others,
        message=(
            f"{staff.name} acknowledged the unsafe-child flag on a case in "
            f"{team.name if team else 'no team'} and said what is being done."
        ),
        url=url,
    )
