"""A password an administrator sets signs in once, forces its owner to choose their own before
anything else, revokes the login's API tokens, and is told to its owner by email."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import User
from auditloop.accounts.services.logins import (
    staff_login_create,
    staff_password_reset,
    user_password_change,
)
from auditloop.accounts.services.staff import StaffDetails, staff_create
from auditloop.core.models import Event, FailedSignIn
from auditloop.testing import PASSWORD, Personas

NEW_PASSWORD = "a much longer new passphrase 7"


def _auditor(p: Personas) -> User:
    assert p.auditor.user is not None
    return p.auditor.user


def _sign_in(client: Client, username: str, password: str) -> int:
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code


def test_a_reset_password_signs_in_once_only(p: Personas, anon: Client) -> None:
    password = staff_password_reset(staff=p.auditor, by=p.administrator)
    assert _sign_in(anon, "auditor", password) == 302
    assert "_auth_user_id" in anon.session
    again = Client()
    assert _sign_in(again, "auditor", password) == 200
    assert "_auth_user_id" not in again.session
    assert FailedSignIn.objects.get().user == _auditor(p)
    assert Event.objects.filter(verb="user.one_time_password_used").count() == 1


def test_a_one_time_password_is_spent_by_authenticating_with_it(p: Personas) -> None:
    password = staff_password_reset(staff=p.auditor, by=p.administrator)
    assert authenticate(username="auditor", password=password) == _auditor(p)
    assert authenticate(username="auditor", password=password) is None


def test_after_a_one_time_sign_in_every_page_leads_to_choosing_a_password(
    p: Personas, anon: Client
) -> None:
    password = staff_password_reset(staff=p.auditor, by=p.administrator)
    _sign_in(anon, "auditor", password)
    change = reverse("accounts:password_change")
    for url in [reverse("home"), reverse("audits:list"), reverse("api_tokens:list"), "/api/v1/"]:
        response = anon.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == change, url
    page = anon.get(change)
    assert page.status_code == 200
    assert "Choose your own password" in page.content.decode()
    response = anon.post(
        change,
        {
            "current_password": password,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert anon.get(reverse("home")).status_code == 200
    user = _auditor(p)
    user.refresh_from_db()
    assert not user.password_change_required
    assert authenticate(username="auditor", password=NEW_PASSWORD) == user
    assert authenticate(username="auditor", password=NEW_PASSWORD) == user  # works again


def test_the_one_time_password_cannot_be_kept_as_the_new_one(p: Personas) -> None:
    password = staff_password_reset(staff=p.auditor, by=p.administrator)
    with pytest.raises(ValidationError) as caught:
        user_password_change(user=_auditor(p), current_password=password, new_password=password)
    assert "new_password" in caught.value.message_dict


def test_a_new_login_is_one_time_too(
    p: Personas, anon: Client, django_capture_on_commit_callbacks: Any
) -> None:
    staff = staff_create(
        by=p.administrator,
        details=StaffDetails(
            name="Nia New", email="nia@northshire.example", role="practitioner", team=p.north_a
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _, password = staff_login_create(staff=staff, by=p.administrator, username="nia")
    assert _sign_in(anon, "nia", password) == 302
    assert anon.get(reverse("home"))["Location"] == reverse("accounts:password_change")
    assert _sign_in(Client(), "nia", password) == 200
    assert [m.to for m in mail.outbox] == [["nia@northshire.example"]]
    assert password not in mail.outbox[0].body


def test_a_reset_is_told_to_its_owner_by_email_without_the_password(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        password = staff_password_reset(staff=p.auditor, by=p.administrator)
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["auditor@northshire.example"]
    assert "password has been reset" in email.subject
    assert "Ada Admin" in email.body
    assert password not in f"{email.body} {email.subject}"


def test_a_reset_ends_the_owners_open_sessions(p: Personas) -> None:
    client = p.client_for(p.auditor)
    assert client.get(reverse("home")).status_code == 200
    staff_password_reset(staff=p.auditor, by=p.administrator)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_administrator_cannot_reset_their_own_password(p: Personas) -> None:
    with pytest.raises(ValidationError, match="your own password"):
        staff_password_reset(staff=p.administrator, by=p.administrator)


def test_a_password_the_person_chose_is_not_one_time(p: Personas, anon: Client) -> None:
    assert _sign_in(anon, "auditor", PASSWORD) == 302
    assert _sign_in(Client(), "auditor", PASSWORD) == 302
    assert anon.get(reverse("home")).status_code == 200
