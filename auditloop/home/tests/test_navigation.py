from __future__ import annotations

import re

from django.urls import reverse

from auditloop.testing import Personas


def _current(html: str) -> list[str]:
    return re.findall(r'aria-current="page"><strong[^>]*>([^<]+)</strong>', html)


def test_only_the_most_specific_menu_item_is_current(p: Personas) -> None:
    client = p.client_for(p.moderator)
    assert _current(client.get(reverse("audits:tools")).content.decode()) == ["Audit tools"]
    assert _current(client.get(reverse("audits:list")).content.decode()) == ["Audits"]
    assert _current(client.get(reverse("audits:actions")).content.decode()) == ["Actions"]
    assert _current(client.get(reverse("home")).content.decode()) == ["Home"]


def test_home_is_not_current_on_pages_outside_the_menu(p: Personas) -> None:
    html = p.client_for(p.moderator).get(reverse("notifications")).content.decode()
    assert _current(html) == []


def test_team_managers_find_escalations_and_practitioners_do_not(p: Personas) -> None:
    manager = p.client_for(p.team_manager).get(reverse("home")).content.decode()
    practitioner = p.client_for(p.practitioner).get(reverse("home")).content.decode()
    assert reverse("audits:escalations") in manager
    assert reverse("audits:escalations") not in practitioner


def test_the_menu_calls_flags_what_their_page_calls_them(p: Personas) -> None:
    client = p.client_for(p.team_manager)
    html = client.get(reverse("audits:escalations")).content.decode()
    assert _current(html) == ["Unsafe-child flags"]
    assert '<h1 class="govuk-heading-l">Unsafe-child flags</h1>' in html
    assert "Escalations" not in html


def test_auditors_can_find_the_audit_tools_they_audit_with(p: Personas) -> None:
    html = p.client_for(p.auditor).get(reverse("home")).content.decode()
    assert f'href="{reverse("audits:tools")}"' in html
