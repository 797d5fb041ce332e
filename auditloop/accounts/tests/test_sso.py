"""Single sign-on through a real OpenID Connect provider running on this machine: the whole
authorization code flow, from the sign-in page's button to the provider and back."""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.checks import run_checks
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import User
from auditloop.accounts.signin_state import SIGNED_IN_BY, SSO_MFA
from auditloop.accounts.sso import LOG_WORDS, TOKEN_REFUSED_LOG_WORDS, Refusal
from auditloop.accounts.tests.oidc_provider import REMOVE, LocalProvider, unpublished_key
from auditloop.core.models import FailedSignIn
from auditloop.core.tests.url_walk import all_routes, sample_url
from auditloop.testing import PASSWORD, Personas

pytestmark = pytest.mark.django_db


def provider_person(sso: LocalProvider, **claims: Any) -> str:
    """A new person at the provider, with these claims; their subject id."""
    sub = f"person-{uuid.uuid4().hex[:12]}"
    sso.person(sub, **claims)
    return sub


def start(client: Client, query: str = "") -> str:
    """Press the sign-in page's button: the address of the provider's authorize page."""
    response = client.get(reverse("sso_start") + query)
    assert response.status_code == 302
    location = str(response["Location"])
    assert location.startswith(reverse_provider(location))
    return location


def reverse_provider(location: str) -> str:
    return location.split("/oauth2/authorize", 1)[0] + "/oauth2/authorize?"


def sign_on(
    client: Client, sso: LocalProvider, sub: str, query: str = "", **authorize_changes: str
) -> Any:
    """The whole flow: the button, the provider's form as `sub`, back to the callback."""
    callback = sso.authorize(start(client, query), sub, **authorize_changes)
    assert callback.startswith("http://testserver" + reverse("sso_callback") + "?")
    return client.get(callback)


def signed_in_user_id(client: Client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def last_failure() -> FailedSignIn:
    failure = FailedSignIn.objects.order_by("-id").first()
    assert failure is not None
    return failure


# Success ---------------------------------------------------------------------------------


def test_a_member_of_staff_signs_in_with_their_council_account(
    p: Personas, sso: LocalProvider
) -> None:
    assert p.auditor.user is not None
    # The provider spells the address its own way: matched case aside.
    sub = provider_person(sso, email="Auditor@NORTHSHIRE.example")
    client = Client()

    response = sign_on(client, sso, sub)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == p.auditor.user.pk
    assert client.session[SIGNED_IN_BY] == "sso"
    assert client.session[SSO_MFA] is False
    assert client.get(reverse("home")).status_code == 200


def test_a_login_deactivated_after_signing_in_is_signed_out(
    p: Personas, sso: LocalProvider
) -> None:
    assert p.auditor.user is not None
    client = Client()
    sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    p.auditor.user.is_active = False
    p.auditor.user.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_signing_in_creates_nobody(p: Personas, sso: LocalProvider) -> None:
    logins = User.objects.count()
    sign_on(Client(), sso, provider_person(sso, email="auditor@northshire.example"))
    sign_on(Client(), sso, provider_person(sso, email="new.starter@northshire.example"))
    assert User.objects.count() == logins


def test_the_page_asked_for_before_signing_in_is_where_the_person_lands(
    p: Personas, sso: LocalProvider
) -> None:
    sub = provider_person(sso, email="manager@northshire.example")
    response = sign_on(Client(), sso, sub, query="?next=/audits/")
    assert response.status_code == 302
    assert response["Location"] == "/audits/"


def test_a_next_page_on_another_site_is_ignored(p: Personas, sso: LocalProvider) -> None:
    sub = provider_person(sso, email="manager@northshire.example")
    response = sign_on(Client(), sso, sub, query="?next=https://evil.example/")
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize(
    ("amr", "multi_factor"),
    [
        (["pwd", "mfa"], True),
        (["pwd", "otp"], True),
        (["hwk", "pin"], True),
        (["pwd"], False),
        (["otp"], False),
        (REMOVE, False),
    ],
)
def test_the_providers_own_multi_factor_sign_in_is_remembered(
    p: Personas, sso: LocalProvider, amr: Any, multi_factor: bool
) -> None:
    claims: dict[str, Any] = {"email": "leader@northshire.example"}
    if amr is not REMOVE:
        claims["amr"] = amr
    client = Client()
    sign_on(client, sso, provider_person(sso, **claims))
    assert client.session[SIGNED_IN_BY] == "sso"
    assert client.session[SSO_MFA] is multi_factor


def test_a_login_with_a_one_time_password_is_not_asked_to_change_it_after_single_sign_on(
    p: Personas, sso: LocalProvider
) -> None:
    assert p.practitioner.user is not None
    p.practitioner.user.password_change_required = True
    p.practitioner.user.save()
    client = Client()
    sign_on(client, sso, provider_person(sso, email="practitioner@northshire.example"))
    assert client.get(reverse("home")).status_code == 200


def test_the_end_date_on_the_staff_list_is_the_first_day_refused_as_with_a_password(
    p: Personas, sso: LocalProvider
) -> None:
    # As the staff list import counts it: active while the end date is after today.
    p.practitioner.end_date = timezone.localdate()
    p.practitioner.save()
    client = Client()
    sign_on(client, sso, provider_person(sso, email="practitioner@northshire.example"))
    assert signed_in_user_id(client) is None


# Refused: the staff list does not know them ----------------------------------------------------


def test_an_email_the_staff_list_does_not_know_is_refused_and_recorded(
    p: Personas, sso: LocalProvider, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    with caplog.at_level(logging.DEBUG):
        response = sign_on(client, sso, provider_person(sso, email="stranger@elsewhere.example"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot sign in to this service" in page
    assert "not on auditloop&#x27;s staff list" in page
    assert "Ask your auditloop administrator" in page
    assert signed_in_user_id(client) is None
    failure = last_failure()
    assert failure.username == "stranger@elsewhere.example"
    assert failure.user is None
    assert failure.reason == LOG_WORDS[Refusal.UNKNOWN]
    assert "eyJ" not in caplog.text  # no token (a JWT starts so) reaches the logs


def test_administrators_see_why_a_single_sign_on_was_refused(
    p: Personas, sso: LocalProvider
) -> None:
    sign_on(Client(), sso, provider_person(sso, email="stranger@elsewhere.example"))
    admin = Client()
    assert p.administrator.user is not None
    admin.force_login(p.administrator.user)
    page = admin.get(reverse("accounts:failed_sign_ins")).content.decode()
    assert "stranger@elsewhere.example" in page
    assert "Single sign-on: not on the staff list" in page


def test_a_deactivated_member_of_staff_is_refused(p: Personas, sso: LocalProvider) -> None:
    p.auditor.is_active = False
    p.auditor.save()
    client = Client()
    response = sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()
    assert signed_in_user_id(client) is None
    failure = last_failure()
    assert failure.user == p.auditor.user
    assert failure.username == "auditor"
    assert failure.reason == LOG_WORDS[Refusal.DEACTIVATED]


def test_a_deactivated_login_is_refused(p: Personas, sso: LocalProvider) -> None:
    assert p.auditor.user is not None
    p.auditor.user.is_active = False
    p.auditor.user.save()
    client = Client()
    response = sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    assert response.status_code == 403
    assert signed_in_user_id(client) is None
    assert last_failure().reason == LOG_WORDS[Refusal.DEACTIVATED]


def test_a_member_of_staff_past_their_end_date_is_refused(p: Personas, sso: LocalProvider) -> None:
    p.team_manager.end_date = timezone.localdate() - datetime.timedelta(days=1)
    p.team_manager.save()
    client = Client()
    response = sign_on(client, sso, provider_person(sso, email="manager@northshire.example"))
    assert response.status_code == 403
    assert "you have left" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert last_failure().reason == LOG_WORDS[Refusal.LEFT]


def test_a_member_of_staff_without_a_login_is_refused(p: Personas, sso: LocalProvider) -> None:
    p.board_member.user = None
    p.board_member.save()
    client = Client()
    response = sign_on(client, sso, provider_person(sso, email=p.board_member.email))
    assert response.status_code == 403
    assert last_failure().reason == LOG_WORDS[Refusal.NO_LOGIN]


def test_an_address_the_provider_has_not_verified_is_refused(
    p: Personas, sso: LocalProvider
) -> None:
    sub = provider_person(sso, email="auditor@northshire.example", email_verified=False)
    client = Client()
    assert sign_on(client, sso, sub).status_code == 403
    assert signed_in_user_id(client) is None
    assert last_failure().reason == LOG_WORDS[Refusal.UNVERIFIED_EMAIL]


def test_an_account_of_another_google_workspace_domain_is_refused(
    p: Personas, sso: LocalProvider, settings: Any
) -> None:
    settings.AUDITLOOP_OIDC_HOSTED_DOMAIN = "northshire.example"
    outsider = provider_person(sso, email="auditor@northshire.example", hd="elsewhere.example")
    insider = provider_person(sso, email="auditor@northshire.example", hd="northshire.example")
    client = Client()
    assert sign_on(client, sso, outsider).status_code == 403
    assert last_failure().reason == LOG_WORDS[Refusal.OTHER_DOMAIN]
    assert sign_on(client, sso, insider).status_code == 302
    assert signed_in_user_id(client) is not None


# Refused: the ID token ------------------------------------------------------------------------


def test_a_token_the_test_signs_with_the_published_key_is_accepted(
    p: Personas, sso: LocalProvider
) -> None:
    """The forging below is sound: with nothing changed, its token signs in."""
    sso.forge_next_id_token()
    client = Client()
    response = sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    assert response.status_code == 302
    assert signed_in_user_id(client) is not None


def _refused_token(client: Client, response: Any) -> None:
    assert response.status_code == 400
    assert "Your sign-in was not completed" in response.content.decode()
    assert signed_in_user_id(client) is None
    assert last_failure().reason == TOKEN_REFUSED_LOG_WORDS


def test_a_token_issued_to_another_client_is_refused(p: Personas, sso: LocalProvider) -> None:
    sso.forge_next_id_token(aud="another-council-app")
    client = Client()
    _refused_token(
        client, sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    )


def test_a_token_for_several_clients_not_issued_to_this_one_is_refused(
    p: Personas, sso: LocalProvider
) -> None:
    sso.forge_next_id_token(aud=["auditloop-tests", "another-council-app"], azp="another")
    client = Client()
    _refused_token(
        client, sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    )


def test_an_expired_token_is_refused(
    p: Personas, sso: LocalProvider, caplog: pytest.LogCaptureFixture
) -> None:
    now = int(time.time())
    sso.forge_next_id_token(iat=now - 7200, exp=now - 3600)
    client = Client()
    with caplog.at_level(logging.DEBUG):
        response = sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    _refused_token(client, response)
    assert "ExpiredSignatureError" in caplog.text
    assert "eyJ" not in caplog.text


def test_a_token_from_another_issuer_is_refused(p: Personas, sso: LocalProvider) -> None:
    sso.forge_next_id_token(iss="https://login.elsewhere.example")
    client = Client()
    _refused_token(
        client, sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    )


def test_a_token_without_an_expiry_is_refused(p: Personas, sso: LocalProvider) -> None:
    sso.forge_next_id_token(exp=REMOVE)
    client = Client()
    _refused_token(
        client, sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    )


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(
    p: Personas, sso: LocalProvider
) -> None:
    sso.forge_next_id_token(sign_with=unpublished_key())
    client = Client()
    _refused_token(
        client, sign_on(client, sso, provider_person(sso, email="auditor@northshire.example"))
    )


def test_a_tampered_nonce_is_refused(p: Personas, sso: LocalProvider) -> None:
    client = Client()
    sub = provider_person(sso, email="auditor@northshire.example")
    _refused_token(client, sign_on(client, sso, sub, nonce="a-nonce-of-the-attackers"))


def test_a_tampered_state_is_refused(p: Personas, sso: LocalProvider) -> None:
    client = Client()
    sub = provider_person(sso, email="auditor@northshire.example")
    _refused_token(client, sign_on(client, sso, sub, state="a-state-of-the-attackers"))


def test_a_sign_in_started_in_another_browser_is_refused(p: Personas, sso: LocalProvider) -> None:
    """Login CSRF: an attacker's own callback, sent to someone else's browser."""
    attacker, victim = Client(), Client()
    sub = provider_person(sso, email="auditor@northshire.example")
    start(victim)  # the victim's session has a state of its own
    callback = sso.authorize(start(attacker), sub)
    _refused_token(victim, victim.get(callback))


def test_a_callback_cannot_be_used_twice(p: Personas, sso: LocalProvider) -> None:
    client = Client()
    callback = sso.authorize(
        start(client), provider_person(sso, email="auditor@northshire.example")
    )
    assert client.get(callback).status_code == 302
    client.post(reverse("logout"))
    _refused_token(client, client.get(callback))


def test_a_sign_in_the_person_denies_at_the_provider_says_so(
    p: Personas, sso: LocalProvider
) -> None:
    client = Client()
    response = client.get(sso.deny(start(client)))
    assert response.status_code == 400
    assert "did not let you sign in" in response.content.decode()
    assert signed_in_user_id(client) is None


# The sign-in page ------------------------------------------------------------------------------


def test_the_sign_in_page_offers_the_councils_account_when_set_up(sso: LocalProvider) -> None:
    page = Client().get(reverse("login") + "?next=/audits/").content.decode()
    assert "Sign in with your Northshire account" in page
    assert f'href="{reverse("sso_start")}?next=/audits/"' in page
    assert 'name="password"' in page  # password sign-in is still on


def test_without_single_sign_on_nothing_changes(db: None) -> None:
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert reverse("sso_start") not in page
    assert 'name="password"' in page
    assert client.get(reverse("sso_start")).status_code == 404
    assert client.get(reverse("sso_callback") + "?code=x&state=y").status_code == 404


def test_a_half_configured_single_sign_on_fails_the_checks(settings: Any) -> None:
    settings.AUDITLOOP_SSO_ENABLED = True
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.AUDITLOOP_OIDC_ISSUER = ""
    errors = [e for e in run_checks() if e.id == "auditloop.E101"]
    assert errors
    assert "AUDITLOOP_OIDC_ISSUER" in str(errors[0].hint)


def test_password_sign_in_off_without_single_sign_on_fails_the_checks(
    settings: Any,
) -> None:
    settings.AUDITLOOP_PASSWORD_SIGNIN = False
    assert "auditloop.E102" in {e.id for e in run_checks()}
    settings.AUDITLOOP_PASSWORD_SIGNIN = True
    assert "auditloop.E102" not in {e.id for e in run_checks()}


# Password sign-in ------------------------------------------------------------------------------


def test_a_password_sign_in_is_recorded_as_one(p: Personas) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert signed_in_user_id(client) is not None
    assert client.session[SIGNED_IN_BY] == "password"
    assert client.session[SSO_MFA] is False


@override_settings(AUDITLOOP_PASSWORD_SIGNIN=False)
def test_with_password_sign_in_off_the_page_has_no_password_form(sso: LocalProvider) -> None:
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with your Northshire account" in page
    assert 'name="password"' not in page


@override_settings(AUDITLOOP_PASSWORD_SIGNIN=False)
def test_with_password_sign_in_off_a_password_is_refused_with_a_clear_message(
    p: Personas, sso: LocalProvider
) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert response.status_code == 200
    assert "Password sign-in is switched off" in response.content.decode()
    assert signed_in_user_id(client) is None
    failure = last_failure()
    assert (failure.username, failure.reason) == ("auditor", "Password sign-in is switched off")


@override_settings(
    AUDITLOOP_PASSWORD_SIGNIN=False, AUDITLOOP_PASSWORD_SIGNIN_BREAK_GLASS=("admin",)
)
def test_a_break_glass_administrator_still_signs_in_with_a_password(
    p: Personas, sso: LocalProvider
) -> None:
    assert p.administrator.user is not None
    assert p.administrator.user.username == "admin"
    page = Client().get(reverse("login") + "?password").content.decode()
    assert 'name="password"' in page
    client = Client()
    client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    assert signed_in_user_id(client) == p.administrator.user.pk
    assert client.session[SIGNED_IN_BY] == "password"


@override_settings(
    AUDITLOOP_PASSWORD_SIGNIN=False, AUDITLOOP_PASSWORD_SIGNIN_BREAK_GLASS=("auditor",)
)
def test_a_break_glass_username_that_is_not_an_administrator_is_refused(
    p: Personas, sso: LocalProvider
) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "auditor", "password": PASSWORD})
    assert signed_in_user_id(client) is None


def test_the_sign_on_routes_answer_every_role_and_visitor_with_single_sign_on_set_up(
    p: Personas, sso: LocalProvider
) -> None:
    routes = [route for route in all_routes() if route.name in {"sso_start", "sso_callback"}]
    assert len(routes) == 2
    assert all(route.is_public for route in routes)
    clients = {"anonymous": Client()}
    for role, staff in p.all_roles().items():
        assert staff.user is not None
        clients[role] = Client()
        clients[role].force_login(staff.user)
    answers = {
        (route.name, who): client.get(sample_url(route)).status_code
        for route in routes
        for who, client in clients.items()
    }
    assert {answer for (name, _), answer in answers.items() if name == "sso_start"} == {302}
    assert {answer for (name, _), answer in answers.items() if name == "sso_callback"} == {400}
