"""The accessibility statement: public, linked from every footer, in GOV.UK's model structure."""

from __future__ import annotations

import runpy
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from auditloop.core.tests.url_walk import all_routes
from auditloop.testing import Personas

SETTINGS_FILE = Path(django_settings.BASE_DIR) / "config" / "settings.py"
FOOTER_LINK = '<a class="govuk-footer__link" href="/accessibility/">Accessibility statement</a>'


def statement(client: Client) -> str:
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    return response.content.decode()


def test_anyone_can_read_the_statement_signed_out(db: None, anon: Client) -> None:
    page = statement(anon)
    assert "<title>Accessibility statement \u2013 auditloop \u2013 Northshire County" in page
    assert '<h1 class="govuk-heading-xl">Accessibility statement for Case-file audit</h1>' in page


def test_the_statement_follows_the_model_statement_section_by_section(
    db: None, anon: Client
) -> None:
    page = statement(anon)
    sections = [
        "How accessible this service is",
        "What to do if you cannot use this service",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service's accessibility",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "What we're doing to improve accessibility",
        "Preparation of this accessibility statement",
    ]
    positions = [page.find(f">{heading}</h") for heading in sections]
    assert -1 not in positions, [s for s, at in zip(sections, positions, strict=True) if at < 0]
    assert positions == sorted(positions)


def test_the_statement_says_how_compliant_the_service_is_and_who_enforces_it(
    db: None, anon: Client
) -> None:
    page = statement(anon)
    assert "partially compliant" in page
    assert "Web Content Accessibility Guidelines version 2.2</a> AA standard" in page
    assert "Equality and Human Rights Commission (EHRC)" in page
    assert "https://www.equalityadvisoryservice.com/" in page
    assert "Equality Commission for Northern Ireland (ECNI)" in page
    assert "This statement was prepared on 30 November 2026." in page


def test_the_statement_owns_up_to_the_api_documentation_and_the_downloads(
    db: None, anon: Client
) -> None:
    page = statement(anon)
    assert "The API documentation page is made by a third-party tool (Swagger UI)" in page
    assert "3.1.1 (Language of Page)" in page
    assert "CSV and Excel (xlsx) files" in page


def test_the_statement_gives_the_councils_contact_and_idle_time_from_settings(
    db: None, anon: Client, settings: Any
) -> None:
    settings.ACCESSIBILITY_CONTACT_EMAIL = "access@westshire.example"
    settings.COUNCIL_NAME = "Westshire Council"
    settings.SESSION_COOKIE_AGE = 15 * 60
    page = statement(anon)
    assert 'href="mailto:access@westshire.example">access@westshire.example</a>' in page
    assert "This service is run by Westshire Council." in page
    assert "signed out after 15 minutes without activity" in page


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {"AUDITLOOP_ACCESSIBILITY_CONTACT_EMAIL": "access@westshire.example"},
            "access@westshire.example",
        ),
        ({"AUDITLOOP_FROM_EMAIL": "audit@westshire.example"}, "audit@westshire.example"),
    ],
)
def test_the_contact_email_comes_from_its_setting_or_else_the_sender_of_notices(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], expected: str
) -> None:
    monkeypatch.delenv("AUDITLOOP_ACCESSIBILITY_CONTACT_EMAIL", raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert runpy.run_path(str(SETTINGS_FILE))["ACCESSIBILITY_CONTACT_EMAIL"] == expected


def test_every_footer_links_to_the_statement(p: Personas, anon: Client) -> None:
    signed_in = p.client_for(p.practitioner)
    pages = {
        "sign in": anon.get(reverse("login")),
        "the statement itself": anon.get(reverse("accessibility")),
        "a home page": signed_in.get(reverse("home")),
        "page not found": signed_in.get(reverse("audits:detail", args=[uuid.uuid4()])),
        "refused": signed_in.get(reverse("accounts:admin_home")),
    }
    for name, response in pages.items():
        assert FOOTER_LINK in response.content.decode(), name


def test_signed_in_the_footer_keeps_the_staff_links_beside_the_statement(p: Personas) -> None:
    page = p.client_for(p.auditor).get(reverse("home")).content.decode()
    assert page.index(FOOTER_LINK) < page.index(">Change your password</a>")


def test_the_statement_route_is_public_in_the_url_walk() -> None:
    routes = {route.name: route for route in all_routes()}
    assert routes["accessibility"].is_public
