"""Signed-in sessions: the record of each, a person's own list and ending one, an
administrator ending all of someone's sessions and API tokens, and leavers on their end
date."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import SignedInSession, StaffMember
from auditloop.accounts.rules.sessions import browser_described, has_left, session_key_digest
from auditloop.accounts.services.logins import staff_password_reset
from auditloop.accounts.services.sessions import (
    leaver_sign_out,
    sessions_end_all,
    signed_in_session_end,
    signed_in_sessions_prune,
)
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.core.signin import RENEWED_AT
from auditloop.testing import PASSWORD, Personas

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
EDGE_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def _signed_in(staff: StaffMember, user_agent: str = FIREFOX_ON_WINDOWS) -> Client:
    """A browser that signed in as `staff` through the sign-in page."""
    assert staff.user is not None
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR="198.51.100.7")
    response = client.post(
        reverse("login"), {"username": staff.user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def _key(client: Client) -> str:
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key
    return key


def _signed_in_still(client: Client) -> bool:
    response = client.get(reverse("sessions:list"))
    return response.status_code == 200


# The record --------------------------------------------------------------------------------


def test_signing_in_records_the_session_with_its_browser_and_address_but_not_its_key(
    p: Personas,
) -> None:
    client = _signed_in(p.auditor)
    record = SignedInSession.objects.get(user=p.auditor.user)
    key = _key(client)
    assert record.key_digest == session_key_digest(key)
    assert key not in record.key_digest
    assert record.browser == "Firefox on Windows"
    assert record.ip_address == "198.51.100.7"


def test_signing_out_forgets_the_session(p: Personas) -> None:
    client = _signed_in(p.auditor)
    client.post(reverse("logout"))
    assert not SignedInSession.objects.filter(user=p.auditor.user).exists()


def test_a_browser_is_described_in_a_few_words_its_owner_recognises() -> None:
    assert browser_described(FIREFOX_ON_WINDOWS) == "Firefox on Windows"
    assert browser_described(EDGE_ON_WINDOWS) == "Edge on Windows"
    assert browser_described(SAFARI_ON_IPHONE) == "Safari on iPhone"
    assert browser_described("curl/8.5.0") == "Unknown browser"


def test_last_seen_moves_when_the_session_is_renewed_and_not_on_every_request(
    p: Personas,
) -> None:
    client = _signed_in(p.auditor)
    record = SignedInSession.objects.get(user=p.auditor.user)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    SignedInSession.objects.filter(pk=record.pk).update(last_seen_at=an_hour_ago)

    client.get(reverse("sessions:list"))  # renewed at sign-in, moments ago: not yet again
    record.refresh_from_db()
    assert record.last_seen_at == an_hour_ago

    session = client.session
    session[RENEWED_AT] = session[RENEWED_AT] - settings.AUDITLOOP_SESSION_RENEW_SECONDS
    session.save()
    client.get(reverse("sessions:list"))
    record.refresh_from_db()
    assert record.last_seen_at > an_hour_ago


def test_changing_ones_password_keeps_this_session_listed_and_ends_the_others(
    p: Personas,
) -> None:
    client = _signed_in(p.auditor)
    phone = _signed_in(p.auditor, SAFARI_ON_IPHONE)
    phone_key = _key(phone)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase 7",
            "new_password_again": "a brand new passphrase 7",
        },
    )
    assert response.status_code == 302
    record = SignedInSession.objects.get(user=p.auditor.user)
    assert record.key_digest == session_key_digest(_key(client))
    assert not Session.objects.filter(session_key=phone_key).exists()


def test_an_administrator_resetting_a_password_ends_every_session_of_the_login(
    p: Personas,
) -> None:
    phone = _signed_in(p.auditor, SAFARI_ON_IPHONE)
    phone_key = _key(phone)
    staff_password_reset(staff=p.auditor, by=p.administrator)
    assert not SignedInSession.objects.filter(user=p.auditor.user).exists()
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert Event.objects.get(verb="staff.password_reset").after["sessions_ended"] == 1


# A person's own sessions -------------------------------------------------------------------


def test_a_person_sees_their_sessions_with_this_one_marked_and_nobody_elses(
    p: Personas,
) -> None:
    laptop = _signed_in(p.auditor)
    _signed_in(p.auditor, SAFARI_ON_IPHONE)
    _signed_in(p.practitioner, EDGE_ON_WINDOWS)

    response = laptop.get(reverse("sessions:list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your signed-in sessions" in html
    assert 'Firefox on Windows <strong class="govuk-tag govuk-tag--green">This session' in html
    assert "Safari on iPhone" in html
    assert "Edge on Windows" not in html
    assert "Sign out everywhere else" in html


def test_the_header_links_to_ones_sessions(p: Personas) -> None:
    response = _signed_in(p.practitioner).get(reverse("home"))
    assert reverse("sessions:list") in response.content.decode()


def test_a_session_that_has_expired_is_not_listed(p: Personas) -> None:
    laptop = _signed_in(p.auditor)
    _signed_in(p.auditor, SAFARI_ON_IPHONE)
    idle = timezone.now() - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 1)
    SignedInSession.objects.filter(browser="Safari on iPhone").update(last_seen_at=idle)

    html = laptop.get(reverse("sessions:list")).content.decode()

    assert "Safari on iPhone" not in html
    assert "You are not signed in anywhere else." in html


def test_ending_a_session_signs_that_browser_out_at_once(p: Personas) -> None:
    laptop = _signed_in(p.auditor)
    phone = _signed_in(p.auditor, SAFARI_ON_IPHONE)
    phone_key = _key(phone)
    phone_session = SignedInSession.objects.get(key_digest=session_key_digest(phone_key))

    response = laptop.post(reverse("sessions:end", args=[phone_session.public_id]))

    assert response["Location"] == reverse("sessions:list")
    assert not _signed_in_still(phone)
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert not SignedInSession.objects.filter(pk=phone_session.pk).exists()
    assert _signed_in_still(laptop)
    event = Event.objects.get(verb="user.session_ended")
    assert event.actor == p.auditor.user
    assert event.after == {"sessions_ended": 1}


def test_nobody_can_end_someone_elses_session(p: Personas) -> None:
    theirs = _signed_in(p.practitioner)
    their_session = SignedInSession.objects.get(user=p.practitioner.user)

    response = _signed_in(p.auditor).post(reverse("sessions:end", args=[their_session.public_id]))

    assert response.status_code == 404
    assert _signed_in_still(theirs)


def test_the_session_in_use_is_ended_by_signing_out_not_from_the_list(p: Personas) -> None:
    laptop = _signed_in(p.auditor)
    this_one = SignedInSession.objects.get(user=p.auditor.user)

    with pytest.raises(Refused, match="Sign out to end it"):
        signed_in_session_end(session=this_one, by=p.auditor, current_key=_key(laptop))
    response = laptop.post(reverse("sessions:end", args=[this_one.public_id]), follow=True)

    assert "This is the session you are using" in response.content.decode()
    assert _signed_in_still(laptop)


def test_signing_out_everywhere_else_keeps_only_this_session(p: Personas) -> None:
    laptop = _signed_in(p.auditor)
    phone = _signed_in(p.auditor, SAFARI_ON_IPHONE)
    tablet = _signed_in(p.auditor, EDGE_ON_WINDOWS)
    other_person = _signed_in(p.practitioner)

    laptop.post(reverse("sessions:end_others"))

    assert _signed_in_still(laptop)
    assert not _signed_in_still(phone)
    assert not _signed_in_still(tablet)
    assert _signed_in_still(other_person)
    assert list(
        SignedInSession.objects.filter(user=p.auditor.user).values_list("key_digest", flat=True)
    ) == [session_key_digest(_key(laptop))]
    assert Event.objects.get(verb="user.sessions_ended_elsewhere").after == {"sessions_ended": 2}


# An administrator ending all of someone's access --------------------------------------------


def test_an_administrator_ends_all_of_someones_sessions_after_confirming(
    p: Personas,
) -> None:
    laptop = _signed_in(p.auditor)
    phone = _signed_in(p.auditor, SAFARI_ON_IPHONE)
    admin = _signed_in(p.administrator)
    url = reverse("accounts:staff_access_end", args=[p.auditor.public_id])

    assert (
        reverse("accounts:staff_access_end", args=[p.auditor.public_id])
        in admin.get(reverse("accounts:staff_detail", args=[p.auditor.public_id])).content.decode()
    )
    confirm = admin.get(url)
    assert confirm.status_code == 200
    assert _signed_in_still(laptop)

    response = admin.post(url)

    assert response["Location"] == reverse("accounts:staff_detail", args=[p.auditor.public_id])
    assert not _signed_in_still(laptop)
    assert not _signed_in_still(phone)
    event = Event.objects.get(verb="staff.access_ended")
    assert event.actor == p.administrator.user
    assert event.target_id == str(p.auditor.public_id)
    assert event.after == {"sessions_ended": 2, "api_tokens_revoked": 0}
    assert _signed_in_still(admin)


def test_the_confirmation_names_the_person_and_what_ends(p: Personas) -> None:
    admin = _signed_in(p.administrator)
    html = admin.get(
        reverse("accounts:staff_access_end", args=[p.auditor.public_id])
    ).content.decode()
    assert f"End all of {p.auditor.name}&#x27;s sessions and API tokens?" in html
    assert "End all sessions and tokens" in html
    assert not Event.objects.filter(verb="staff.access_ended").exists()


def test_only_an_administrator_ends_someones_access(p: Personas) -> None:
    theirs = _signed_in(p.auditor)
    url = reverse("accounts:staff_access_end", args=[p.auditor.public_id])

    for staff in (p.senior_leader, p.moderator, p.practitioner):
        assert _signed_in(staff).post(url).status_code == 403
    assert _signed_in_still(theirs)


def test_an_administrator_cannot_end_their_own_access_from_a_staff_page(p: Personas) -> None:
    assert p.administrator.user is not None
    with pytest.raises(Refused, match="Your signed-in sessions"):
        sessions_end_all(user=p.administrator.user, by=p.administrator)


def test_ending_the_access_of_someone_without_a_login_says_there_is_none(p: Personas) -> None:
    StaffMember.objects.filter(pk=p.auditor.pk).update(user=None)
    admin = _signed_in(p.administrator)

    response = admin.post(
        reverse("accounts:staff_access_end", args=[p.auditor.public_id]), follow=True
    )

    assert "has no login, so has no sessions or API tokens" in response.content.decode()
    assert not Event.objects.filter(verb="staff.access_ended").exists()


# Leavers ------------------------------------------------------------------------------------


def _leaves_today(staff: StaffMember) -> None:
    StaffMember.objects.filter(pk=staff.pk).update(end_date=timezone.localdate())


def test_someone_has_left_from_their_end_date_on() -> None:
    today = datetime.date(2026, 3, 2)
    assert has_left(today, today)
    assert has_left(datetime.date(2026, 3, 1), today)
    assert not has_left(datetime.date(2026, 3, 3), today)
    assert not has_left(None, today)


def test_a_leavers_session_stops_working_on_their_end_date_before_the_command_runs(
    p: Personas,
) -> None:
    client = _signed_in(p.auditor)
    _leaves_today(p.auditor)

    response = client.get(reverse("home"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "your access to auditloop has ended" in response.content.decode()
    assert not SignedInSession.objects.filter(user=p.auditor.user).exists()


def test_someone_whose_end_date_is_tomorrow_keeps_working(p: Personas) -> None:
    client = _signed_in(p.auditor)
    StaffMember.objects.filter(pk=p.auditor.pk).update(
        end_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert _signed_in_still(client)


def test_a_leaver_cannot_sign_in_on_their_end_date(p: Personas) -> None:
    _leaves_today(p.auditor)
    assert p.auditor.user is not None
    response = Client().post(
        reverse("login"), {"username": p.auditor.user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert not SignedInSession.objects.filter(user=p.auditor.user).exists()


def test_the_leavers_command_closes_the_login_and_ends_sessions_with_one_event(
    p: Personas,
) -> None:
    _signed_in(p.auditor)
    _signed_in(p.auditor, SAFARI_ON_IPHONE)
    still_here = _signed_in(p.practitioner)
    _leaves_today(p.auditor)
    out = StringIO()

    call_command("leavers", stdout=out)

    p.auditor.refresh_from_db()
    assert p.auditor.user is not None
    p.auditor.user.refresh_from_db()
    assert not p.auditor.is_active
    assert not p.auditor.user.is_active
    assert not SignedInSession.objects.filter(user=p.auditor.user).exists()
    event = Event.objects.get(verb="staff.left")
    assert event.actor is None
    assert event.after == {
        "is_active": False,
        "login_active": False,
        "sessions_ended": 2,
        "api_tokens_revoked": 0,
    }
    assert f"{p.auditor.name} (left" in out.getvalue()
    assert "1 leaver;" in out.getvalue()
    assert _signed_in_still(still_here)


def test_running_the_leavers_command_again_changes_nothing_more(p: Personas) -> None:
    _leaves_today(p.auditor)
    call_command("leavers", stdout=StringIO())
    call_command("leavers", stdout=StringIO())
    assert Event.objects.filter(verb="staff.left").count() == 1


def test_the_leavers_command_leaves_alone_those_yet_to_leave(p: Personas) -> None:
    StaffMember.objects.filter(pk=p.auditor.pk).update(
        end_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    call_command("leavers", stdout=StringIO())
    p.auditor.refresh_from_db()
    assert p.auditor.is_active
    assert not Event.objects.filter(verb="staff.left").exists()


def test_a_leaver_is_not_signed_out_before_their_end_date_comes(p: Personas) -> None:
    StaffMember.objects.filter(pk=p.auditor.pk).update(
        end_date=timezone.localdate() + datetime.timedelta(days=3)
    )
    p.auditor.refresh_from_db()
    with pytest.raises(Refused, match="has not come"):
        leaver_sign_out(staff=p.auditor, today=timezone.localdate())


def test_records_of_expired_sessions_are_forgotten(p: Personas) -> None:
    _signed_in(p.auditor)
    _signed_in(p.auditor, SAFARI_ON_IPHONE)
    long_ago = timezone.now() - datetime.timedelta(
        seconds=settings.AUDITLOOP_SESSION_MAX_SECONDS + 1
    )
    SignedInSession.objects.filter(browser="Safari on iPhone").update(signed_in_at=long_ago)

    assert signed_in_sessions_prune(now=timezone.now()) == 1
    assert list(
        SignedInSession.objects.filter(user=p.auditor.user).values_list("browser", flat=True)
    ) == ["Firefox on Windows"]


def test_the_leaver_check_asks_no_query_of_its_own(p: Personas, settings: object) -> None:
    """The staff record comes with the login, in the query Django asks anyway."""
    client = _signed_in(p.practitioner)
    url = reverse("notifications")
    client.get(url)
    with CaptureQueriesContext(connection) as with_check:
        client.get(url)
    middleware = [m for m in settings.MIDDLEWARE if "SignedInSessionMiddleware" not in m]  # type: ignore[attr-defined]
    settings.MIDDLEWARE = middleware  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as without_check:
        client.get(url)
    assert len(with_check.captured_queries) == len(without_check.captured_queries)
    user_queries = [q["sql"] for q in with_check.captured_queries if '"accounts_user"' in q["sql"]]
    assert any('"accounts_staffmember"' in sql for sql in user_queries)
