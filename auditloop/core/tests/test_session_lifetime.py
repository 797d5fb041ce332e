"""A session ends a fixed time after signing in (12 hours unless configured), however busy
its user; the clock is moved by rewriting the sign-in time the session holds, never slept."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.core.signin import RENEWED_AT, SIGNED_IN_AT
from auditloop.testing import PASSWORD, Personas

TWELVE_HOURS = 12 * 60 * 60


def signed_in(anon: Client) -> Client:
    response = anon.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 302
    return anon


def signed_in_ago(client: Client, seconds: float) -> None:
    """Move the sign-in back by `seconds`, as if that long had passed, busy throughout (the
    session was renewed a moment ago)."""
    session = client.session
    now = timezone.now().timestamp()
    session[SIGNED_IN_AT] = now - seconds
    session[RENEWED_AT] = now
    session.save()


def test_signing_in_records_when(p: Personas, anon: Client) -> None:
    before = timezone.now().timestamp()
    client = signed_in(anon)
    assert before <= client.session[SIGNED_IN_AT] <= timezone.now().timestamp()


def test_a_session_goes_on_just_short_of_twelve_hours(p: Personas, anon: Client) -> None:
    client = signed_in(anon)
    signed_in_ago(client, TWELVE_HOURS - 60)
    assert client.get(reverse("home")).status_code == 200


def test_a_busy_session_ends_twelve_hours_after_signing_in(p: Personas, anon: Client) -> None:
    client = signed_in(anon)
    signed_in_ago(client, TWELVE_HOURS)
    response = client.get(reverse("audits:list"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('audits:list')}"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "You have been signed out because you signed in more than 12 hours ago" in page
    assert client.get(reverse("home")).status_code == 302


def test_signing_in_again_starts_a_new_twelve_hours(p: Personas, anon: Client) -> None:
    client = signed_in(anon)
    signed_in_ago(client, TWELVE_HOURS + 1)
    client.get(reverse("home"))
    signed_in(client)
    assert client.get(reverse("home")).status_code == 200


def test_the_limit_is_configurable(p: Personas, anon: Client, settings: Any) -> None:
    settings.AUDITLOOP_SESSION_MAX_SECONDS = 60 * 60
    client = signed_in(anon)
    signed_in_ago(client, 59 * 60)
    assert client.get(reverse("home")).status_code == 200
    signed_in_ago(client, 60 * 60)
    assert client.get(reverse("home")).status_code == 302


def test_a_session_without_its_sign_in_time_has_ended(p: Personas, anon: Client) -> None:
    client = signed_in(anon)
    session = client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert client.get(reverse("home")).status_code == 302
    assert "_auth_user_id" not in client.session
