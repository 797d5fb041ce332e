"""A partner agency auditor holds no API token: the API, made for the council's reporting
tools, shows them nothing. The token page refuses them in words, making a token is refused,
and a token they held before they became a partner opens nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.api.models import ApiToken
from auditloop.api.services import api_token_create
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def test_the_token_page_tells_a_partner_they_cannot_have_a_token(p: Personas) -> None:
    client = p.client_for(p.partner)
    response = client.get(reverse("api_tokens:list"))
    assert response.status_code == 403
    assert "Partner agency auditors cannot have API tokens" in response.content.decode()
    posted = client.post(reverse("api_tokens:list"), {"name": "Police dashboard"})
    assert posted.status_code == 403
    assert not ApiToken.objects.filter(user=p.partner.user).exists()


def test_a_partner_is_refused_a_token(p: Personas) -> None:
    with pytest.raises(Refused, match="Partner agency auditors cannot have API tokens"):
        api_token_create(by=p.partner, name="Police dashboard")
    assert not ApiToken.objects.filter(user=p.partner.user).exists()


def test_a_token_made_before_its_owner_became_a_partner_opens_nothing(p: Personas) -> None:
    _, key = api_token_create(by=p.auditor, name="Report")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/audits").status_code == 200
    StaffMember.objects.filter(pk=p.auditor.pk).update(role=Role.PARTNER)
    assert client.get("/api/v1/audits").status_code == 401
    assert client.get("/api/v1/").status_code == 401


def test_a_partner_is_not_offered_the_token_page(p: Personas) -> None:
    page = p.client_for(p.partner).get(reverse("audits:partner_list")).content.decode()
    assert reverse("api_tokens:list") not in page
    staff_page = p.client_for(p.auditor).get(reverse("home")).content.decode()
    assert reverse("api_tokens:list") in staff_page
