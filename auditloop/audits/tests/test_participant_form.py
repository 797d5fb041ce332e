from __future__ import annotations

from auditloop.audits.forms.audits import ParticipantForm
from auditloop.audits.models import AuditType
from auditloop.audits.tests.audit_factories import planned_audit
from auditloop.testing import Personas


def _offered(form: ParticipantForm) -> set[str]:
    return {s.name for s in form.fields["staff"].queryset}  # type: ignore[attr-defined]


def test_a_deep_dive_offers_staff_of_the_cases_service_and_never_another_service(
    p: Personas,
) -> None:
    audit = planned_audit(p, audit_type=AuditType.DEEP_DIVE)
    offered = _offered(ParticipantForm(audit=audit))
    assert {"Pat Practitioner", "Mary Manager", "Alex Auditor"} <= offered
    assert "Olly Outsider" not in offered


def test_a_deep_dive_of_a_case_with_no_team_offers_only_its_worker_and_their_manager(
    p: Personas,
) -> None:
    audit = planned_audit(p, audit_type=AuditType.DEEP_DIVE)
    audit.team = None
    offered = _offered(ParticipantForm(audit=audit))
    assert offered == {"Pat Practitioner", "Mary Manager"}
