"""The demo's partner agency auditor: a police officer on the local safeguarding partnership,
given one multi-agency audit of a thematic audit's case, with what the audit lead shared.

Made last, after everything else the seed draws, and from a random generator of their own, so
that adding them changed none of the rest of the demo data."""

from __future__ import annotations

import datetime as dt
import random

from auditloop.accounts.models import Role, StaffMember, User
from auditloop.audits.models import Audit, AuditStatus, AuditType, PartnerShare
from auditloop.demo.council import EMAIL_DOMAIN, UNUSABLE_PASSWORD, at, new_uuid

PARTNER_USERNAME = "partner"
PARTNER_ORGANISATION = "Northshire Police"
CASE_SUMMARY = (
    "A referral from the school about a young person missing from home on several weekends, "
    "with concerns about older associates. The audit asks how well the agencies shared what "
    "they knew and acted on it together. Answer from your agency's own records."
)


def demo_partner_build(*, today: dt.date) -> StaffMember:
    """The partner login and, if the demo has a thematic audit that is still open, their own
    audit of its case. Run with the seed's timestamps as given (`_timestamps_as_given`)."""
    rng = random.Random("partner-agency-auditor")  # noqa: S311
    start = today - dt.timedelta(days=2 * 365)
    user = User.objects.create(
        username=PARTNER_USERNAME,
        first_name="Daniel",
        last_name="Mensah",
        email=f"d.mensah@police.{EMAIL_DOMAIN}",
        password=UNUSABLE_PASSWORD,
        organisation=PARTNER_ORGANISATION,
        date_joined=at(start, rng),
    )
    partner = StaffMember.objects.create(
        public_id=new_uuid(rng),
        user=user,
        name="Daniel Mensah",
        email=user.email,
        role=Role.PARTNER,
        start_date=start,
    )
    thematic = (
        Audit.objects.filter(audit_type=AuditType.THEMATIC)
        .exclude(status=AuditStatus.COMPLETED)
        .order_by("-created_at", "-id")
        .first()
    )
    if thematic is not None:
        given_at = at(today - dt.timedelta(days=2), rng)
        given = Audit.objects.create(
            public_id=new_uuid(rng),
            case_id=thematic.case_id,
            tool_version_id=thematic.tool_version_id,
            audit_type=AuditType.THEMATIC,
            theme=thematic.theme,
            auditor=partner,
            practitioner_id=thematic.practitioner_id,
            team_id=thematic.team_id,
            due_date=today + dt.timedelta(days=21),
            created_by=thematic.created_by,
            created_at=given_at,
        )
        PartnerShare.objects.create(
            audit=given,
            case_summary=CASE_SUMMARY,
            share_cohort=True,
            shared_by=thematic.created_by,
            shared_at=given_at,
            updated_at=given_at,
        )
    return partner
