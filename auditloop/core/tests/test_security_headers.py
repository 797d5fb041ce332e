"""What every response tells the browser: a Content-Security-Policy that lets only this site's
scripts run (the one inline script by its nonce), HSTS once served over HTTPS, and the
deployment check that refuses the public development key."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django.urls import reverse

from auditloop.testing import PASSWORD, Personas

BASE_DIR = Path(settings.BASE_DIR)


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


# The whole policy, written out here rather than read from the settings it tests.
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'nonce-(the page's nonce)'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def _policy_without_nonce(response: Any) -> dict[str, list[str]]:
    return {
        directive: [
            "'nonce-(the page's nonce)'" if re.fullmatch(r"'nonce-[\w+/=-]{16,}'", s) else s
            for s in sources
        ]
        for directive, sources in _policy(response).items()
    }


def test_pages_allow_scripts_from_this_site_only(p: Personas) -> None:
    response = p.client_for(p.auditor).get(reverse("home"))
    assert response.status_code == 200
    assert _policy_without_nonce(response) == EXPECTED_POLICY


def test_the_inline_script_carries_the_nonce_the_policy_names(p: Personas) -> None:
    response = p.client_for(p.auditor).get(reverse("home"))
    nonces = [s[len("'nonce-") : -1] for s in _policy(response)["script-src"] if "nonce-" in s]
    assert len(nonces) == 1
    page = response.content.decode()
    assert f'<script nonce="{nonces[0]}">' in page
    # Every other script is a file from this site.
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert "nonce=" in tag or 'src="/static/' in tag


def test_the_sign_in_page_has_the_policy_too(anon: Client, db: None) -> None:
    response = anon.get(reverse("login"))
    assert response.status_code == 200
    assert _policy_without_nonce(response) == EXPECTED_POLICY


def test_an_error_page_has_the_policy_too(p: Personas) -> None:
    response = p.client_for(p.auditor).get("/audits/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert _policy_without_nonce(response) == EXPECTED_POLICY


def _settings_with(env: dict[str, str], expression: str) -> str:
    """A value of config.settings as a fresh process, with `env`, computes it."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import config.settings as s; print({expression})"],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_hsts_is_on_for_a_year_when_served_over_https() -> None:
    year = str(365 * 24 * 60 * 60)
    assert _settings_with({"AUDITLOOP_SECURE_COOKIES": "1"}, "s.SECURE_HSTS_SECONDS") == year
    assert _settings_with({"AUDITLOOP_SECURE_COOKIES": "0"}, "s.SECURE_HSTS_SECONDS") == "0"


def test_behind_an_https_proxy_forwarded_requests_count_as_secure() -> None:
    assert _settings_with(
        {"AUDITLOOP_BEHIND_HTTPS_PROXY": "1"}, "s.SECURE_PROXY_SSL_HEADER"
    ) == str(("HTTP_X_FORWARDED_PROTO", "https"))


def test_an_https_response_carries_hsts(p: Personas, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = p.client_for(p.auditor).get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_deploy_check_refuses_the_development_secret_key(settings: Any) -> None:
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    with pytest.raises(SystemCheckError, match=r"auditloop\.E001"):
        call_command("check", deploy=True, fail_level="ERROR", tags=["security"])


def test_the_deploy_check_accepts_a_key_of_the_councils_own(settings: Any) -> None:
    settings.SECRET_KEY = "a-council-own-key-" + "x7Qp" * 16
    call_command("check", deploy=True, fail_level="ERROR", tags=["security"])


def test_a_login_without_a_staff_record_is_told_why_and_can_sign_out(
    db: None, anon: Client
) -> None:
    get_user_model().objects.create_user(username="nobody", password=PASSWORD)
    anon.post(reverse("login"), {"username": "nobody", "password": PASSWORD})
    response = anon.get(reverse("home"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "not linked to an active member of staff" in page
    assert f'action="{reverse("logout")}"' in page


def test_an_unknown_page_says_not_found_in_the_services_own_layout(p: Personas) -> None:
    response = p.client_for(p.auditor).get("/audits/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
