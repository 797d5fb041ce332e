"""The production settings the README documents pass `manage.py check --deploy` without a
single warning, HSTS included; the subdomain and preload options are the council's choice and
reach the header."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from whitenoise.compress import Compressor

from auditloop.testing import Personas

BASE_DIR = Path(settings.BASE_DIR)

# The README's "Production settings", written out here rather than read from the README.
PRODUCTION = {
    "AUDITLOOP_SECRET_KEY": "a-council-own-key-" + "k3Vw9" * 12,
    "AUDITLOOP_ALLOWED_HOSTS": "auditloop.northshire.gov.uk",
    "AUDITLOOP_SITE_URL": "https://auditloop.northshire.gov.uk",
    "DATABASE_URL": "postgres://auditloop:secret@db.invalid:5432/auditloop",
    "AUDITLOOP_SECURE_COOKIES": "1",
    "AUDITLOOP_SSL_REDIRECT": "1",
    "AUDITLOOP_BEHIND_HTTPS_PROXY": "1",
    "AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS": "0",
    "AUDITLOOP_HSTS_PRELOAD": "0",
    "AUDITLOOP_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "AUDITLOOP_EMAIL_HOST": "smtp.northshire.gov.uk",
    "AUDITLOOP_FROM_EMAIL": "auditloop@northshire.gov.uk",
}


def _environment(env: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """This process's environment without its auditloop and Django variables (the browser
    tests' DJANGO_ALLOW_ASYNC_UNSAFE, for one), with `env`."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AUDITLOOP_", "DJANGO_")) and k != "DATABASE_URL"
    }
    clean["AUDITLOOP_ACCESS_LOG_SPOOL"] = str(tmp_path / "spool")
    return {**clean, **env}


def _deploy_check(
    env: dict[str, str], tmp_path: Path, *, security_only: bool = False
) -> subprocess.CompletedProcess[str]:
    """`manage.py check --deploy` in a fresh process (the settings read the environment once),
    failing on a warning as well as an error, with only `env` of auditloop's variables set.

    `security_only` runs only the checks tagged security: a test of what they refuse needs no
    other, and the whole check imports every view (about 5 s of CPU a process)."""
    tags = ["--tag", "security"] if security_only else []
    return subprocess.run(  # noqa: S603 (our own command, fixed arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING", *tags],
        cwd=BASE_DIR,
        env=_environment(env, tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_documented_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = _deploy_check(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_a_council_wanting_subdomains_and_preload_passes_too(tmp_path: Path) -> None:
    env = {
        **PRODUCTION,
        "AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS": "1",
        "AUDITLOOP_HSTS_PRELOAD": "1",
    }
    result = _deploy_check(env, tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_check_asks_about_subdomains_and_preload_until_the_council_decides(
    tmp_path: Path,
) -> None:
    env = {
        k: v
        for k, v in PRODUCTION.items()
        if k not in {"AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS", "AUDITLOOP_HSTS_PRELOAD"}
    }
    result = _deploy_check(env, tmp_path, security_only=True)
    assert result.returncode != 0
    assert "security.W005" in result.stderr
    assert "security.W021" in result.stderr


def test_without_https_settings_the_check_fails(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "AUDITLOOP_SECURE_COOKIES"}
    result = _deploy_check(env, tmp_path, security_only=True)
    assert result.returncode != 0
    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W012" in result.stderr  # session cookie over plain HTTP


def test_the_smtp_backend_without_a_relay_fails_the_check(tmp_path: Path) -> None:
    # Django's SMTP backend under MAILERS sends nothing without a host: every notice would fail.
    env = {k: v for k, v in PRODUCTION.items() if k != "AUDITLOOP_EMAIL_HOST"}
    result = _deploy_check(env, tmp_path)
    assert result.returncode != 0
    assert "auditloop.E002" in result.stderr
    assert "AUDITLOOP_EMAIL_HOST" in result.stderr


def test_the_relay_settings_reach_the_mailer(tmp_path: Path) -> None:
    env = {
        **PRODUCTION,
        "AUDITLOOP_EMAIL_PORT": "2525",
        "AUDITLOOP_EMAIL_USER": "auditloop",
        "AUDITLOOP_EMAIL_USE_TLS": "0",
    }
    code = (
        "import django; django.setup(); from django.core import mail; "
        "m = mail.mailers['default']; print(m.host, m.port, m.username, m.use_tls)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**_environment(env, tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["smtp.northshire.gov.uk", "2525", "auditloop", "False"]


def test_the_hsts_header_names_subdomains_and_preload_when_the_council_wants_them(
    p: Personas, settings: Any
) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    response = p.client_for(p.auditor).get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_hsts_header_names_neither_by_default(p: Personas, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = p.client_for(p.auditor).get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_preload_without_subdomains_or_a_year_is_refused_by_name(settings: Any) -> None:
    settings.SECRET_KEY = "a-council-own-key-" + "x7Qp" * 16
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False
    settings.SECURE_HSTS_SECONDS = 3600
    with pytest.raises(SystemCheckError, match=r"auditloop\.W003") as raised:
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])
    assert "AUDITLOOP_HSTS_INCLUDE_SUBDOMAINS=1" in str(raised.value)
    assert "at least 31536000" in str(raised.value)


def test_preload_with_subdomains_and_a_year_is_accepted(settings: Any) -> None:
    settings.SECRET_KEY = "a-council-own-key-" + "x7Qp" * 16
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    call_command("check", deploy=True, fail_level="WARNING", tags=["security"])


def test_the_readme_documents_exactly_the_settings_checked_here() -> None:
    readme = (BASE_DIR / "README.md").read_text()
    block = readme.split("**Production settings.**", 1)[1].split("```sh\n", 1)[1]
    block = block.split("```", 1)[0]
    documented = {line.split("=", 1)[0] for line in block.splitlines() if "=" in line}
    assert documented == set(PRODUCTION)


def test_static_files_skip_compressing_what_whitenoise_skips_and_source_maps() -> None:
    # The settings write whitenoise's list out rather than import its compressor.
    skipped = settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS
    assert skipped == [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
