"""`auditloop demo` gives the privileged demo logins a second factor and prints how to pass
it, keeping the lines scripts read (a username and its password) as they were."""

from __future__ import annotations

import io
import re
from base64 import b32decode
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from auditloop.demo.council import DEMO_LOGINS
from auditloop.demo.tests.test_demo_command import login_lines
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db
KEY_LINE = re.compile(r"^\s+(\w+):\s+key ([A-Z2-7]+)$", re.MULTILINE)
CODES_LINE = re.compile(r"^\s+recovery codes ((?:[a-z2-7]+ ?)+)$", re.MULTILINE)


@pytest.fixture
def demo_logins(p: Personas, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The personas under the demo's usernames (the demo command finds its logins by them)."""
    monkeypatch.setenv("AUDITLOOP_DEMO_PASSWORD", "demo-password-for-tests")
    for staff, username in (
        (p.moderator, "moderator"),
        (p.senior_leader, "leader"),
        (p.administrator, "admin"),
        (p.auditor, "auditor"),
    ):
        assert staff.user is not None
        staff.user.username = username
        staff.user.save()


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_demo_prints_a_key_and_recovery_codes_for_each_privileged_login(
    demo_logins: None,
) -> None:
    output = run_demo()
    keys = dict(KEY_LINE.findall(output))
    assert list(keys) == ["moderator", "leader", "admin", "dpo", "partner"]
    codes = CODES_LINE.findall(output)
    assert len(codes) == 5 and all(len(c.split()) == 10 for c in codes)
    # the lines scripts read are unchanged: each username, then the password
    found = login_lines(output)
    assert found["admin"] == found["auditor"] == "demo-password-for-tests"
    assert not TOTPDevice.objects.filter(user__username="auditor").exists()
    # a second run prints the same key: an app set up once keeps working
    assert dict(KEY_LINE.findall(run_demo())) == keys


def test_the_printed_key_passes_the_second_factor(demo_logins: None, settings: Any) -> None:
    settings.AUDITLOOP_SECOND_FACTOR_ROLES = ["administrator"]
    key = dict(KEY_LINE.findall(run_demo()))["admin"]
    client = Client()
    client.post(reverse("login"), {"username": "admin", "password": "demo-password-for-tests"})
    assert client.get(reverse("home")).status_code == 302
    code = f"{totp(b32decode(key)):06d}"
    assert client.post(reverse("second_factor:verify"), {"code": code}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_the_demo_logins_without_a_privileged_role_are_unchanged(demo_logins: None) -> None:
    run_demo()
    assert {u for u, _ in DEMO_LOGINS} - {"moderator", "leader", "admin", "dpo", "partner"}
    assert set(TOTPDevice.objects.values_list("user__username", flat=True)) == {
        "moderator",
        "leader",
        "admin",
        "dpo",
        "partner",
    }
