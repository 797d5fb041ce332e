"""A refused read of an audit, on a page or through the API, is recorded with the user and
shown to administrators."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.audits.models import Audit, AuditStatus
from auditloop.core.models import RefusedRequest
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _outsiders_audit(p: Personas) -> Audit:
    return Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type="dip_sample",
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        practitioner=p.outsider,
        team=p.south_a,
    )


def test_opening_someone_elses_audit_is_recorded_as_refused_with_the_user(p: Personas) -> None:
    audit = _outsiders_audit(p)
    url = reverse("audits:detail", args=[audit.public_id])
    assert p.client_for(p.practitioner).get(url).status_code == 404
    refused = RefusedRequest.objects.get()
    assert refused.user == p.practitioner.user
    assert (refused.method, refused.path, refused.status) == ("GET", url, 404)


def test_an_api_call_for_an_audit_not_theirs_is_recorded(p: Personas) -> None:
    audit = _outsiders_audit(p)
    response = p.client_for(p.practitioner).get(f"/api/v1/audits/{audit.public_id}")
    assert response.status_code == 404
    assert RefusedRequest.objects.get().user == p.practitioner.user


def test_administrators_see_refused_requests_and_failed_sign_ins(p: Personas, anon: Client) -> None:
    audit = _outsiders_audit(p)
    p.client_for(p.practitioner).get(reverse("audits:detail", args=[audit.public_id]))
    anon.post(reverse("login"), {"username": "auditor", "password": "not it"})
    admin = p.client_for(p.administrator)
    refused = admin.get(reverse("accounts:refused_requests")).content.decode()
    assert "Pat Practitioner (practitioner)" in refused
    assert str(audit.public_id) in refused
    failed = admin.get(reverse("accounts:failed_sign_ins")).content.decode()
    assert "Alex Auditor (auditor)" in failed and "127.0.0.1" in failed
    filtered = admin.get(reverse("accounts:refused_requests"), {"who": "nobody"})
    assert "No refused requests match" in filtered.content.decode()
