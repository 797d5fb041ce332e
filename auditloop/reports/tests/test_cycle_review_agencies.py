"""The cycle review's findings by agency: where partner agencies audited the cases of the
cycle's thematic audits, each agency's overall grades beside the council's own, small groups
suppressed by the one rule."""

from __future__ import annotations

import pytest

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import Audit, AuditType
from auditloop.learning.tests.team_picture_factories import counted_audit
from auditloop.reports.tests.review_factories import review_council
from auditloop.reports.tests.test_cycle_review import block, rows, sections_for
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def _partner_audit(p: Personas, cycle: Cycle, overall: str, auditor: StaffMember) -> Audit:
    """A partner agency's audit of the thematic audits' case: not planned in the cycle."""
    audit = counted_audit(p, cycle, team=p.north_b, overall=overall, audit_type=AuditType.THEMATIC)
    CycleAudit.objects.filter(audit=audit).delete()
    Audit.objects.filter(pk=audit.pk).update(auditor=auditor, theme="Neglect")
    return audit


def test_the_thematic_section_gives_each_agencys_grades_beside_the_councils(
    p: Personas,
) -> None:
    council = review_council(p)
    for overall in ["good"] * 3 + ["requires_improvement"] * 3:
        _partner_audit(p, council.cycle, overall, p.partner)
    found = rows(block(sections_for(council, "leaders"), "agencies"))
    assert found["The council's auditors"] == ["0", "5", "0", "0", "5", "100%"]
    assert found["Northshire Police"] == ["0", "3", "3", "0", "6", "50%"]


def test_an_agency_with_a_small_group_of_audits_is_withheld(p: Personas) -> None:
    council = review_council(p)
    health = make_staff("health", "Hana Health", Role.PARTNER)
    assert health.user is not None
    health.user.organisation = "Northshire NHS Trust"
    health.user.save()
    for overall in ["good"] * 6:
        _partner_audit(p, council.cycle, overall, p.partner)
    _partner_audit(p, council.cycle, "inadequate", health)
    found = rows(block(sections_for(council, "committee"), "agencies"))
    assert found["Northshire NHS Trust"][-2:] == ["[c]", "[c]"]
    assert "Inadequate" not in str(found["Northshire Police"])


def test_no_agency_block_when_no_partner_audited_the_cycles_cases(p: Personas) -> None:
    council = review_council(p)
    sections = sections_for(council, "leaders")
    assert all(b.key != "agencies" for b in sections[5].blocks)
