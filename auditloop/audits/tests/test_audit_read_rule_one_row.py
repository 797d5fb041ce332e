"""An audit's own page looks its audit up with the read rule's parts ORed on that one row
(`audit_visibility_filter_for_one`), not their union, which lists use: both must admit exactly
the same audits for every reader."""

from __future__ import annotations

import pytest

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    audit_visibility_filter_for_one,
)
from auditloop.audits.models import Audit, AuditStatus, AuditType, Participant, ParticipantRole
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.audits.tests.revisit_factories import earlier_audit, revisit_of
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def _audits(p: Personas) -> list[Audit]:
    audits = [make_audit(p, status=status) for status in AuditStatus]
    audits += [make_audit(p, status=status, auditor=p.moderator) for status in AuditStatus]
    deep_dive = make_audit(p, status=AuditStatus.SUBMITTED, audit_type=AuditType.DEEP_DIVE)
    Participant.objects.create(audit=deep_dive, staff=p.outsider, role=ParticipantRole.OTHER)
    earlier = earlier_audit(p, auditor=p.moderator)
    other_auditor = make_staff("auditor3", "Rae Revisits", Role.AUDITOR, p.south_a)
    revisit_of(p, earlier, auditor=other_auditor)
    outsiders = Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        practitioner=p.outsider,
        team=p.south_a,
    )
    return [*audits, deep_dive, earlier, outsiders]


def _readers(p: Personas) -> list[StaffMember]:
    return [*p.all_roles().values(), *StaffMember.objects.filter(name="Rae Revisits")]


def test_the_one_audit_rule_admits_exactly_the_audits_the_list_rule_admits(p: Personas) -> None:
    audits = _audits(p)
    for reader in _readers(p):
        listed = set(Audit.objects.filter(audit_visibility_filter(reader)).values_list("pk"))
        for audit in audits:
            one = Audit.objects.filter(audit_visibility_filter_for_one(reader), pk=audit.pk)
            assert one.exists() == ((audit.pk,) in listed), (reader.role, audit.status)


def test_the_one_audit_rule_is_tried_on_readers_who_see_some_and_not_others(
    p: Personas,
) -> None:
    audits = _audits(p)
    for reader in (p.practitioner, p.team_manager, p.moderator, p.outsider):
        seen = [
            a
            for a in audits
            if Audit.objects.filter(audit_visibility_filter_for_one(reader), pk=a.pk).exists()
        ]
        assert 0 < len(seen) < len(audits), reader.role
