"""Nobody signs off their own work: an audit lead who did an audit cannot return or complete
it; another audit lead for the service can."""

from __future__ import annotations

import pytest
from django.urls import reverse

from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.models import AuditStatus
from auditloop.audits.services.audits import audit_complete, audit_return
from auditloop.audits.tests.audit_factories import second_lead, submitted_audit_by
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def test_audit_lead_cannot_complete_their_own_audit(p: Personas) -> None:
    audit = submitted_audit_by(p, p.moderator)
    response = p.client_for(p.moderator).post(reverse("audits:complete", args=[audit.public_id]))
    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_audit_lead_cannot_return_their_own_audit(p: Personas) -> None:
    audit = submitted_audit_by(p, p.moderator)
    response = p.client_for(p.moderator).post(
        reverse("audits:return", args=[audit.public_id]), {"reason": "Looks fine to me"}
    )
    assert response.status_code == 403
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_the_services_refuse_an_audit_lead_signing_off_their_own_audit(p: Personas) -> None:
    audit = submitted_audit_by(p, p.moderator)
    assert p.moderator.user is not None
    with pytest.raises(Refused):
        audit_complete(audit=audit, by=p.moderator)
    with pytest.raises(Refused):
        audit_return(audit=audit, by=p.moderator, reason="Check A4")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_another_audit_lead_for_the_service_completes_it(p: Personas) -> None:
    audit = submitted_audit_by(p, p.moderator)
    other = second_lead(p)
    assert can_lead_audit(other, audit)
    response = p.client_for(other).post(reverse("audits:complete", args=[audit.public_id]))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED


def test_own_audit_page_offers_no_return_or_complete(p: Personas) -> None:
    audit = submitted_audit_by(p, p.moderator)
    page = p.client_for(p.moderator).get(reverse("audits:detail", args=[audit.public_id]))
    assert page.status_code == 200
    assert reverse("audits:complete", args=[audit.public_id]) not in page.content.decode()
    other_page = p.client_for(second_lead(p)).get(reverse("audits:detail", args=[audit.public_id]))
    assert reverse("audits:complete", args=[audit.public_id]) in other_page.content.decode()
