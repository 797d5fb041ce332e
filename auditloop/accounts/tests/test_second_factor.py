"""A second factor: required per role, given after the password (an app's code or a recovery
code), set up with a confirming code, recovery codes shown once, and reset only by another
administrator."""

from __future__ import annotations

from binascii import unhexlify
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditloop.accounts.models import Passkey, StaffMember
from auditloop.accounts.services.second_factor import (
    second_factor_totp_enrol,
    staff_second_factor_reset,
)
from auditloop.accounts.signin_state import SIGNED_IN_BY, SSO_MFA
from auditloop.accounts.views.second_factor import PENDING_KEY
from auditloop.core.models import Event
from auditloop.testing import PASSWORD, Personas, second_factor_passed

pytestmark = pytest.mark.django_db

KEY = "3132333435363738393031323334353637383930"  # hex of b"12345678901234567890"


@pytest.fixture
def required(settings: Any) -> None:
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = ["administrator", "moderator", "senior_leader"]


def code(key: str = KEY, *, ahead: int = 0) -> str:
    """The app's code now (`ahead` steps on: a code not yet used, as the next one would be)."""
    return f"{totp(unhexlify(key), drift=ahead):06d}"


def signed_in_with_password(staff: StaffMember) -> Client:
    client = Client()
    assert staff.user is not None
    assert (
        client.post(
            reverse("login"), {"username": staff.user.username, "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def enrolled(staff: StaffMember) -> list[str]:
    assert staff.user is not None
    _, codes = second_factor_totp_enrol(user=staff.user, key=KEY, code=code())
    return codes


def test_a_required_role_without_a_second_factor_is_sent_to_set_one_up(
    p: Personas, required: None
) -> None:
    client = signed_in_with_password(p.moderator)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("second_factor:set_up")


def test_a_role_not_required_goes_straight_in(p: Personas, required: None) -> None:
    client = signed_in_with_password(p.auditor)
    assert client.get(reverse("home")).status_code == 200


def test_nobody_is_asked_when_no_role_requires_it(p: Personas) -> None:
    client = signed_in_with_password(p.administrator)
    assert client.get(reverse("home")).status_code == 200


def test_setting_up_takes_a_code_from_the_app_then_shows_recovery_codes_once(
    p: Personas, required: None
) -> None:
    client = signed_in_with_password(p.administrator)
    page = client.get(reverse("second_factor:set_up"))
    assert page.status_code == 200
    assert b"<svg" in page.content and b"style=" not in page.content.split(b"<svg")[1][:2000]
    key = client.session[PENDING_KEY]
    wrong = client.post(reverse("second_factor:set_up"), {"code": "000000"})
    assert b"The code is not right" in wrong.content
    assert not TOTPDevice.objects.filter(user=p.administrator.user).exists()
    done = client.post(reverse("second_factor:set_up"), {"code": code(key)})
    assert b"Your recovery codes" in done.content
    tokens = StaticToken.objects.filter(device__user=p.administrator.user)
    assert tokens.count() == 10
    assert all(t.token.encode() in done.content for t in tokens)
    assert client.get(reverse("home")).status_code == 200
    event = Event.objects.get(verb="second_factor.enrolled")
    assert event.after["recovery_codes"] == 10


def test_someone_with_a_second_factor_gives_a_code_before_any_page(p: Personas) -> None:
    enrolled(p.auditor)  # not a required role: having one is enough
    client = signed_in_with_password(p.auditor)
    response = client.get(reverse("notifications"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("second_factor:verify"))
    wrong = client.post(reverse("second_factor:verify"), {"code": "123456", "next": "/"})
    assert b"The code is not right" in wrong.content
    ok = client.post(
        reverse("second_factor:verify"),
        {"code": code(ahead=1), "next": reverse("notifications")},
    )
    assert ok["Location"] == reverse("notifications")
    assert client.get(reverse("notifications")).status_code == 200


def test_before_the_second_factor_the_page_shows_no_menu_and_no_notifications(
    p: Personas,
) -> None:
    enrolled(p.moderator)
    client = signed_in_with_password(p.moderator)
    asking = client.get(reverse("second_factor:verify")).content.decode()
    assert 'aria-label="Menu"' not in asking
    assert reverse("notifications") not in asking
    assert "Sign out" in asking
    client.post(reverse("second_factor:verify"), {"code": code(ahead=1), "next": "/"})
    home = client.get(reverse("home")).content.decode()
    assert 'aria-label="Menu"' in home and reverse("notifications") in home


def test_the_code_that_set_up_the_app_does_not_sign_in_again(p: Personas) -> None:
    enrolled(p.auditor)
    client = signed_in_with_password(p.auditor)
    again = client.post(reverse("second_factor:verify"), {"code": code()})
    assert again.status_code == 200
    assert b"The code is not right" in again.content


def test_someone_with_only_the_password_cannot_set_up_a_factor_of_their_own(
    p: Personas,
) -> None:
    enrolled(p.auditor)
    client = signed_in_with_password(p.auditor)
    response = client.get(reverse("second_factor:set_up"))
    assert response["Location"].startswith(reverse("second_factor:verify"))
    assert client.get(reverse("second_factor:manage"))["Location"].startswith(
        reverse("second_factor:verify")
    )


def test_a_recovery_code_signs_in_once_and_is_logged(p: Personas, required: None) -> None:
    codes = enrolled(p.moderator)
    client = signed_in_with_password(p.moderator)
    ok = client.post(reverse("second_factor:verify"), {"code": codes[0].upper()})
    assert ok.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    event = Event.objects.get(verb="second_factor.recovery_code_used")
    assert event.after == {"recovery_codes_left": 9}
    other = signed_in_with_password(p.moderator)
    again = other.post(reverse("second_factor:verify"), {"code": codes[0]})
    assert b"The code is not right" in again.content


def test_after_a_recovery_code_the_person_sets_up_their_app_again(
    p: Personas, required: None
) -> None:
    codes = enrolled(p.moderator)
    client = signed_in_with_password(p.moderator)
    client.post(reverse("second_factor:verify"), {"code": codes[1]})
    assert client.get(reverse("second_factor:set_up")).status_code == 200
    new_key = client.session[PENDING_KEY]
    done = client.post(reverse("second_factor:set_up"), {"code": code(new_key)})
    assert b"Your recovery codes" in done.content
    assert TOTPDevice.objects.get(user=p.moderator.user).key == new_key
    assert Event.objects.filter(verb="second_factor.enrolled").latest("id").after["replaced"]


def test_new_recovery_codes_replace_the_old_ones(p: Personas) -> None:
    old = enrolled(p.auditor)
    client = signed_in_with_password(p.auditor)
    client.post(reverse("second_factor:verify"), {"code": code(ahead=1)})
    page = client.post(reverse("second_factor:recovery_codes_renew"))
    assert b"Your new recovery codes" in page.content
    tokens = set(
        StaticToken.objects.filter(device__user=p.auditor.user).values_list("token", flat=True)
    )
    assert len(tokens) == 10 and not tokens & set(old)


def test_a_single_sign_on_with_the_providers_mfa_is_not_asked_again(
    p: Personas, required: None, settings: Any
) -> None:
    enrolled(p.administrator)
    client = p.client_for(p.administrator)
    session = client.session
    session[SIGNED_IN_BY] = "sso"
    session[SSO_MFA] = True
    session.save()
    assert client.get(reverse("home")).status_code == 200
    settings.AUDITLOOP_SSO_MFA_COUNTS = False
    assert client.get(reverse("home")).status_code == 302


def test_a_single_sign_on_without_mfa_is_asked(p: Personas, required: None) -> None:
    client = p.client_for(p.administrator)
    session = client.session
    session[SIGNED_IN_BY] = "sso"
    session[SSO_MFA] = False
    session.save()
    assert client.get(reverse("home"))["Location"] == reverse("second_factor:set_up")


def test_an_administrator_resets_someone_elses_second_factor_with_a_reason(
    p: Personas, required: None
) -> None:
    enrolled(p.moderator)
    admin = signed_in_with_password(p.administrator)
    # the administrator passes their own second factor first
    admin.get(reverse("second_factor:set_up"))
    admin_key = admin.session[PENDING_KEY]
    admin.post(reverse("second_factor:set_up"), {"code": code(admin_key)})
    url = reverse("accounts:staff_second_factor_reset", args=[p.moderator.public_id])
    assert (
        b"Reset second factor"
        in admin.get(reverse("accounts:staff_detail", args=[p.moderator.public_id])).content
    )
    blank = admin.post(url, {"reason": ""})
    assert b"Enter why the second factor is being reset" in blank.content
    done = admin.post(url, {"reason": "Phone lost, checked by a call back"})
    assert done.status_code == 302
    assert not TOTPDevice.objects.filter(user=p.moderator.user).exists()
    assert not StaticToken.objects.filter(device__user=p.moderator.user).exists()
    event = Event.objects.get(verb="staff.second_factor_reset")
    assert event.after["reason"] == "Phone lost, checked by a call back"
    assert event.target_id == str(p.moderator.public_id)
    # the person sets one up again at their next sign-in
    client = signed_in_with_password(p.moderator)
    assert client.get(reverse("home"))["Location"] == reverse("second_factor:set_up")


def test_an_administrator_cannot_reset_their_own_second_factor(p: Personas) -> None:
    enrolled(p.administrator)
    with pytest.raises(Exception, match="Another administrator"):
        staff_second_factor_reset(staff=p.administrator, by=p.administrator, reason="lost")
    assert TOTPDevice.objects.filter(user=p.administrator.user).exists()


def test_only_administrators_reset_a_second_factor(p: Personas) -> None:
    enrolled(p.moderator)
    url = reverse("accounts:staff_second_factor_reset", args=[p.moderator.public_id])
    response = p.client_for(p.senior_leader).post(url, {"reason": "lost"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=p.moderator.user).exists()


def test_a_session_whose_factor_was_reset_is_sent_to_set_one_up(
    p: Personas, required: None
) -> None:
    enrolled(p.moderator)
    client = signed_in_with_password(p.moderator)
    staff_second_factor_reset(staff=p.moderator, by=p.administrator, reason="lost phone")
    response = client.get(reverse("second_factor:verify"))
    assert response["Location"] == reverse("second_factor:set_up")


def test_a_benchmark_session_passes_with_the_logins_own_device(p: Personas, required: None) -> None:
    enrolled(p.administrator)
    client = p.client_for(p.administrator)
    assert client.get(reverse("home")).status_code == 302
    assert p.administrator.user is not None
    second_factor_passed(client, p.administrator.user)
    assert client.get(reverse("home")).status_code == 200


def test_without_javascript_adding_a_passkey_says_what_it_needs(p: Personas) -> None:
    client = p.client_for(p.auditor)
    page = client.post(reverse("second_factor:passkey_add"), {"name": "Laptop", "credential": ""})
    assert page.status_code == 200
    assert b"Passkeys need JavaScript" in page.content
    assert not Passkey.objects.exists()


def test_a_forged_passkey_is_refused(p: Personas) -> None:
    client = p.client_for(p.auditor)
    client.get(reverse("second_factor:manage"))  # the page gives the browser a challenge
    page = client.post(
        reverse("second_factor:passkey_add"),
        {"name": "Laptop", "credential": '{"id": "abc", "rawId": "abc", "response": {}}'},
    )
    assert b"The passkey could not be checked" in page.content
    assert not Passkey.objects.exists()


def test_nobody_removes_someone_elses_passkey(p: Personas) -> None:
    assert p.moderator.user is not None
    passkey = Passkey.objects.create(
        user=p.moderator.user, name="Laptop", credential_id="abc", public_key=b"x"
    )
    url = reverse("second_factor:passkey_remove", args=[passkey.public_id])
    assert p.client_for(p.auditor).post(url).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_a_reset_removes_passkeys_too(p: Personas) -> None:
    assert p.moderator.user is not None
    Passkey.objects.create(
        user=p.moderator.user, name="Laptop", credential_id="abc", public_key=b"x"
    )
    staff_second_factor_reset(staff=p.moderator, by=p.administrator, reason="left laptop on train")
    assert not Passkey.objects.exists()
    assert Event.objects.get(verb="staff.second_factor_reset").after["devices_removed"] == 1


def test_a_forged_passkey_does_not_sign_in(p: Personas) -> None:
    assert p.auditor.user is not None
    Passkey.objects.create(user=p.auditor.user, name="Laptop", credential_id="abc", public_key=b"x")
    client = signed_in_with_password(p.auditor)
    assert b"Use a passkey" in client.get(reverse("second_factor:verify")).content
    page = client.post(
        reverse("second_factor:passkey_sign_in"),
        {"credential": '{"id": "abc", "rawId": "abc", "response": {}, "type": "public-key"}'},
    )
    assert b"The passkey could not be checked" in page.content
    assert client.get(reverse("home")).status_code == 302
