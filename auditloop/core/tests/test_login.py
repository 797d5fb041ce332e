"""Signing in and out: the real sign-in form, the session's idle expiry, and lockout."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.core.signin import RENEWED_AT
from auditloop.testing import PASSWORD, Personas


def sign_in(client: Client, username: str, password: str, **extra: str) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_sign_in_page_shows_the_form(anon: Client) -> None:
    response = anon.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert "govuk-error-summary" not in page


def test_staff_sign_in_and_land_on_their_home_page(p: Personas, anon: Client) -> None:
    response = sign_in(anon, "auditor", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = anon.get(reverse("home"))
    assert home.status_code == 200
    assert "Alex Auditor" in home.content.decode()


def test_a_wrong_password_shows_the_error_summary_and_signs_nobody_in(
    p: Personas, anon: Client
) -> None:
    response = sign_in(anon, "auditor", "not the password")
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "There is a problem" in page
    assert 'href="#id_username"' in page
    assert "_auth_user_id" not in anon.session


def test_the_username_is_kept_but_the_password_is_not_after_a_failed_sign_in(
    p: Personas, anon: Client
) -> None:
    page = sign_in(anon, "auditor", "not the password").content.decode()
    assert 'value="auditor"' in page
    assert "not the password" not in page


def test_sign_in_returns_to_the_page_asked_for(p: Personas, anon: Client) -> None:
    asked_for = anon.get(reverse("audits:list"))
    assert asked_for.status_code == 302
    response = sign_in(anon, "auditor", PASSWORD, next=reverse("audits:list"))
    assert response["Location"] == reverse("audits:list")


def test_sign_in_ignores_a_next_page_on_another_site(p: Personas, anon: Client) -> None:
    response = sign_in(anon, "auditor", PASSWORD, next="https://evil.example/steal")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_signed_in_user_visiting_sign_in_goes_home(p: Personas) -> None:
    response = p.client_for(p.auditor).get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_sign_out_ends_the_session(p: Personas) -> None:
    client = p.client_for(p.practitioner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_sign_out_refuses_a_get(p: Personas) -> None:
    client = p.client_for(p.practitioner)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_a_login_without_a_staff_record_is_refused(db: None, anon: Client) -> None:
    get_user_model().objects.create_user(username="nobody", password=PASSWORD)
    sign_in(anon, "nobody", PASSWORD)
    assert anon.get(reverse("home")).status_code == 403


def test_a_member_of_staff_who_has_left_cannot_use_the_service(p: Personas) -> None:
    p.auditor.is_active = False
    p.auditor.save()
    assert p.client_for(p.auditor).get(reverse("home")).status_code == 403


def test_a_request_renews_the_session_for_the_idle_time_once_a_minute(p: Personas) -> None:
    client = p.client_for(p.auditor)
    session = client.session
    session[RENEWED_AT] = timezone.now().timestamp() - 61
    session.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(seconds=5))
    assert client.get(reverse("home")).status_code == 200
    expires = Session.objects.get().expire_date
    idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert timezone.now() + idle - datetime.timedelta(seconds=30) < expires
    assert settings.SESSION_COOKIE_AGE <= 60 * 60


def test_an_idle_session_has_ended(p: Personas) -> None:
    client = p.client_for(p.auditor)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_request_soon_after_the_last_renewal_writes_no_session(p: Personas) -> None:
    client = p.client_for(p.auditor)
    soon = timezone.now() + datetime.timedelta(seconds=5)
    Session.objects.update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date == soon


def test_the_session_cookie_is_not_readable_by_scripts(p: Personas, anon: Client) -> None:
    response = sign_in(anon, "auditor", PASSWORD)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


def test_signed_in_pages_are_not_cached(p: Personas) -> None:
    response = p.client_for(p.auditor).get(reverse("home"))
    assert response["Cache-Control"] == "no-store"


def test_repeated_wrong_passwords_lock_the_account(
    p: Personas, anon: Client, settings: Any
) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        sign_in(anon, "auditor", "not the password")
    response = sign_in(anon, "auditor", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in anon.session


def test_usernames_are_matched_exactly(p: Personas, anon: Client) -> None:
    response = sign_in(anon, "AUDITOR", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in anon.session
