"""A password reset revokes the login's API tokens."""

from __future__ import annotations

from django.test import Client

from auditloop.accounts.services.logins import staff_password_reset
from auditloop.api.models import ApiToken
from auditloop.api.services import api_token_create
from auditloop.core.models import Event
from auditloop.testing import Personas


def test_a_reset_revokes_the_logins_api_tokens(p: Personas) -> None:
    token, key = api_token_create(by=p.auditor, name="Power BI")
    other, _ = api_token_create(by=p.moderator, name="Someone else's")
    assert Client().get("/api/v1/audits", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    staff_password_reset(staff=p.auditor, by=p.administrator)
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None
    assert other.revoked_at is None
    assert Client().get("/api/v1/audits", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert Event.objects.get(verb="staff.password_reset").after["api_tokens_revoked"] == 1
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
