"""Failed sign-ins: locked per username and address, per account across addresses, per address
across accounts, without one person locking out an office; cleared by signing in; and the
client's address taken from trusted proxies only."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from auditloop.core.signin import client_ip
from auditloop.testing import PASSWORD, Personas

OFFICE = "10.20.30.40"


@pytest.fixture
def limits(settings: Any) -> Any:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    settings.AUDITLOOP_LOGIN_ACCOUNT_FAILURE_LIMIT = 5
    settings.AUDITLOOP_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    return settings


@dataclass(frozen=True)
class Attempt:
    status_code: int
    signed_in: bool
    page: str


def attempt(username: str, password: str, address: str) -> Attempt:
    """One sign-in from its own browser at `address`."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(reverse("login"), {"username": username, "password": password})
    return Attempt(response.status_code, "_auth_user_id" in client.session, response.text)


def fail(username: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        # The failure that reaches a limit is answered with the lockout page at once.
        assert attempt(username, "not the password", address).status_code in {200, 429}


def test_a_username_from_one_address_is_locked_at_the_limit(p: Personas, limits: Any) -> None:
    fail("auditor", OFFICE, times=3)
    response = attempt("auditor", PASSWORD, OFFICE)
    assert response.status_code == 429
    assert not response.signed_in


def test_the_lockout_page_says_what_happened_and_when_to_try_again(
    p: Personas, limits: Any
) -> None:
    fail("auditor", OFFICE, times=3)
    page = attempt("auditor", PASSWORD, OFFICE).page
    assert "<title>You cannot sign in for now" in page
    assert "Wait 30 minutes" in page


def test_failures_spread_over_many_addresses_lock_the_account(p: Personas, limits: Any) -> None:
    for n in range(5):
        fail("auditor", f"198.51.100.{n}")
    response = attempt("auditor", PASSWORD, "198.51.100.99")
    assert response.status_code == 429
    assert not response.signed_in
    # Another account is not touched.
    assert attempt("manager", PASSWORD, "198.51.100.99").signed_in


def test_below_the_account_limit_the_account_can_still_sign_in(p: Personas, limits: Any) -> None:
    for n in range(4):
        fail("auditor", f"198.51.100.{n}")
    assert attempt("auditor", PASSWORD, "198.51.100.99").signed_in


def test_someone_elsewhere_cannot_lock_a_person_out_of_their_office(
    p: Personas, limits: Any
) -> None:
    assert attempt("auditor", PASSWORD, OFFICE).signed_in
    for n in range(5):
        fail("auditor", f"198.51.100.{n}")
    assert attempt("auditor", PASSWORD, "198.51.100.99").status_code == 429
    assert attempt("auditor", PASSWORD, OFFICE).signed_in


def test_many_usernames_from_one_address_lock_that_address(p: Personas, limits: Any) -> None:
    for n in range(8):
        fail(f"guess{n}", "203.0.113.7")
    response = attempt("manager", PASSWORD, "203.0.113.7")
    assert response.status_code == 429
    assert not response.signed_in
    assert attempt("manager", PASSWORD, "203.0.113.8").signed_in


def test_one_person_cannot_lock_an_office_out(p: Personas, limits: Any) -> None:
    for username in ("auditor", "manager", "moderator"):
        assert attempt(username, PASSWORD, OFFICE).signed_in
    for n in range(20):
        fail(f"guess{n}", OFFICE)
    for username in ("auditor", "manager", "moderator"):
        assert attempt(username, PASSWORD, OFFICE).signed_in
    # The person trying, and anyone who never signed in from here, are refused.
    assert attempt("practitioner", PASSWORD, OFFICE).status_code == 429


def test_the_known_address_rule_never_lifts_the_lock_on_one_username_and_address(
    p: Personas, limits: Any
) -> None:
    assert attempt("auditor", PASSWORD, OFFICE).signed_in
    fail("auditor", OFFICE, times=3)
    assert attempt("auditor", PASSWORD, OFFICE).status_code == 429


def test_signing_in_clears_the_accounts_failures(p: Personas, limits: Any) -> None:
    fail("auditor", OFFICE, times=2)
    fail("auditor", "198.51.100.1", times=2)
    assert attempt("auditor", PASSWORD, OFFICE).signed_in
    fail("auditor", OFFICE, times=2)
    fail("auditor", "198.51.100.2", times=2)
    assert attempt("auditor", PASSWORD, OFFICE).signed_in


def test_signing_in_leaves_the_addresss_failures_against_other_accounts(
    p: Personas, limits: Any
) -> None:
    for n in range(7):
        fail(f"guess{n}", "203.0.113.7")
    assert attempt("auditor", PASSWORD, "203.0.113.7").signed_in
    fail("guess7", "203.0.113.7")
    assert attempt("manager", PASSWORD, "203.0.113.7").status_code == 429


def request_from(remote: str, forwarded: str = "") -> Any:
    return RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture
def proxies(settings: Any) -> Any:
    settings.AUDITLOOP_TRUSTED_PROXIES = (
        ipaddress.ip_network("10.0.0.5"),
        ipaddress.ip_network("172.16.0.0/12"),
        ipaddress.ip_network("fd00::/8"),
    )
    return settings


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings: Any) -> None:
    settings.AUDITLOOP_TRUSTED_PROXIES = ()
    assert client_ip(request_from("192.0.2.1", "198.51.100.9")) == "192.0.2.1"


def test_x_forwarded_for_is_believed_from_a_trusted_proxy(proxies: Any) -> None:
    assert client_ip(request_from("10.0.0.5", "198.51.100.9")) == "198.51.100.9"
    assert client_ip(request_from("fd00::1", "2001:db8::7")) == "2001:db8::7"


def test_x_forwarded_for_is_ignored_from_anyone_else(proxies: Any) -> None:
    assert client_ip(request_from("192.0.2.1", "198.51.100.9")) == "192.0.2.1"


def test_an_address_a_client_forged_left_of_the_proxies_is_not_believed(proxies: Any) -> None:
    forged = "203.0.113.66, 198.51.100.9, 172.20.1.1"
    assert client_ip(request_from("10.0.0.5", forged)) == "198.51.100.9"


def test_a_forwarded_address_with_a_port_is_read(proxies: Any) -> None:
    assert client_ip(request_from("10.0.0.5", "198.51.100.9:51234")) == "198.51.100.9"
    assert client_ip(request_from("10.0.0.5", "[2001:db8::7]:443")) == "2001:db8::7"


def test_a_proxy_writing_nonsense_is_taken_as_the_client(proxies: Any) -> None:
    assert client_ip(request_from("10.0.0.5", "198.51.100.9, unknown")) == "10.0.0.5"


def test_behind_trusted_proxies_failures_count_against_the_real_client(
    p: Personas, limits: Any, proxies: Any
) -> None:
    def through_proxy(client_address: str, password: str) -> Client:
        client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=client_address)
        client.post(reverse("login"), {"username": "auditor", "password": password})
        return client

    for _ in range(3):
        through_proxy("198.51.100.9", "not the password")
    assert "_auth_user_id" not in through_proxy("198.51.100.9", PASSWORD).session
    assert "_auth_user_id" in through_proxy("198.51.100.10", PASSWORD).session
