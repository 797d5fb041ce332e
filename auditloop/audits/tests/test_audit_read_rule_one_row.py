"""An audit's own page looks its audit up with the read rule's parts ORed on that one row
(`audit_visibility_filter_for_one`), not their union, which lists use: both must admit exactly
the same audits for every reader."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    audit_visibility_filter_for_one,
    get_audit_for_user,
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


def test_an_audits_page_asks_the_read_rule_alone_then_loads_the_audit_by_its_key(
    p: Personas,
) -> None:
    """PostgreSQL planned the rule and the page's dozen joined tables as one statement for
    30-60 ms on the national council; asked apart, each plans in a few."""
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as captured:
        found = get_audit_for_user(p.team_manager.user, audit.public_id)
    assert found == audit
    table = connection.ops.quote_name(Audit._meta.db_table)
    audit_reads = [q["sql"] for q in captured.captured_queries if f"FROM {table}" in q["sql"]]
    rule, load = audit_reads[:2]
    assert "JOIN" not in rule.split(" WHERE ")[0]  # the rule's query selects the key alone
    assert "public_id" in rule.split(" WHERE ", 1)[1]
    where = load.split(" WHERE ", 1)[1]
    assert "public_id" not in where and "auditor_id" not in where and " OR " not in where
    assert "JOIN" in load  # the audit with its case, people, tool and grades


def test_an_audit_the_reader_may_not_read_is_not_loaded_at_all(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    with CaptureQueriesContext(connection) as captured, pytest.raises(Http404):
        get_audit_for_user(p.outsider.user, audit.public_id)
    table = connection.ops.quote_name(Audit._meta.db_table)
    assert len([q for q in captured.captured_queries if f"FROM {table}" in q["sql"]]) == 1
