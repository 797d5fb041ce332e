"""The API finds the member of staff behind a call once, in its authentication, exactly as the
pages' access decorators do: the same active `StaffMember` on the request, the same refusal."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from auditloop.accounts.models import StaffMember, User
from auditloop.api.api import StaffSessionAuth, TokenAuth
from auditloop.api.services import api_token_create
from auditloop.testing import Personas


def test_a_token_puts_its_owners_member_of_staff_on_the_request(p: Personas) -> None:
    assert p.moderator.user is not None
    _, key = api_token_create(by=p.moderator, name="Power BI")
    request = RequestFactory().get("/api/v1/audits")
    request.user = AnonymousUser()
    assert TokenAuth().authenticate(request, key) == p.moderator.user
    assert request.staff == p.moderator  # type: ignore[attr-defined]


def test_a_signed_in_session_puts_the_member_of_staff_on_the_request(p: Personas) -> None:
    request = RequestFactory().get("/api/v1/audits")
    request.user = p.auditor.user  # type: ignore[assignment]
    assert StaffSessionAuth().authenticate(request, "session") == p.auditor.user
    assert request.staff == p.auditor  # type: ignore[attr-defined]


def test_a_token_whose_owner_is_no_active_member_of_staff_is_refused(p: Personas) -> None:
    login = User.objects.create_user(username="nobody", password="x")
    staff = StaffMember.objects.create(name="No Body", role="practitioner", user=login)
    _, key = api_token_create(by=staff, name="Report")
    StaffMember.objects.filter(pk=staff.pk).update(user=None)  # the login is no staff's now
    request = RequestFactory().get("/api/v1/audits")
    with pytest.raises(PermissionDenied, match="not linked to an active member of staff"):
        TokenAuth().authenticate(request, key)


def test_every_endpoint_refuses_a_login_that_is_no_member_of_staff(p: Personas) -> None:
    """As every page but the login's own notifications does: the index too."""
    StaffMember.objects.filter(pk=p.auditor.pk).update(is_active=False)
    client = Client()
    assert p.auditor.user is not None
    client.force_login(p.auditor.user)
    for url in ("/api/v1/", "/api/v1/audits", "/api/v1/actions", "/api/v1/tools"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "not linked to an active member of staff" in response.json()["detail"]
