"""Ending all of someone's access reaches their API tokens: accounts sends `access_ending`,
which the API app receives (accounts, a layer below, never imports it)."""

from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.accounts.services.sessions import sessions_end_all
from auditloop.api.models import ApiToken
from auditloop.api.services import api_token_create
from auditloop.core.models import Event
from auditloop.testing import Personas


def _api(key: str) -> int:
    return Client().get("/api/v1/audits", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_an_administrator_ending_someones_access_revokes_every_token_of_theirs(
    p: Personas,
) -> None:
    _, key = api_token_create(by=p.auditor, name="Power BI")
    api_token_create(by=p.auditor, name="Spreadsheet")
    _, other_key = api_token_create(by=p.moderator, name="Power BI")
    assert _api(key) == 200

    p.client_for(p.administrator).post(
        reverse("accounts:staff_access_end", args=[p.auditor.public_id])
    )

    assert _api(key) == 401
    assert not ApiToken.objects.filter(user=p.auditor.user, revoked_at__isnull=True).exists()
    assert _api(other_key) == 200
    event = Event.objects.get(verb="staff.access_ended")
    assert event.after == {"sessions_ended": 0, "api_tokens_revoked": 2}


def test_a_revoked_token_keeps_the_time_it_was_first_revoked(p: Personas) -> None:
    token, _ = api_token_create(by=p.auditor, name="Power BI")
    earlier = timezone.now() - datetime.timedelta(days=3)
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=earlier)
    assert p.auditor.user is not None

    ended = sessions_end_all(user=p.auditor.user, by=None)

    assert ended.tokens == 0
    token.refresh_from_db()
    assert token.revoked_at == earlier


def test_a_leavers_api_token_stops_working_on_their_end_date_before_the_command_runs(
    p: Personas,
) -> None:
    _, key = api_token_create(by=p.auditor, name="Power BI")
    StaffMember.objects.filter(pk=p.auditor.pk).update(end_date=timezone.localdate())
    assert _api(key) == 403


def test_the_leavers_command_revokes_a_leavers_tokens(p: Personas) -> None:
    api_token_create(by=p.auditor, name="Power BI")
    _, other_key = api_token_create(by=p.moderator, name="Power BI")
    StaffMember.objects.filter(pk=p.auditor.pk).update(end_date=timezone.localdate())

    call_command("leavers", stdout=StringIO())

    assert not ApiToken.objects.filter(user=p.auditor.user, revoked_at__isnull=True).exists()
    assert Event.objects.get(verb="staff.left").after["api_tokens_revoked"] == 1
    assert _api(other_key) == 200
