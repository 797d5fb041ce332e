from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.core import addresses
from auditloop.home import context_processors
from auditloop.testing import Personas, make_staff


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


def test_the_menu_is_worked_out_once_per_role_not_on_every_page(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    context_processors._navigation_of.cache_clear()
    looked_up: list[str] = []
    real = reverse

    def counting(name: str, *args: Any, **kwargs: Any) -> str:
        looked_up.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(context_processors, "reverse", counting)
    client = p.client_for(p.moderator)
    first = client.get(reverse("audits:list")).content.decode()
    menu_lookups = len(looked_up)
    again = client.get(reverse("audits:actions")).content.decode()
    assert menu_lookups > 0
    assert len(looked_up) == menu_lookups
    # The same menu, with the page's own item current.
    assert _current(first) == ["Audits"] and _current(again) == ["Actions"]
    assert f'href="{reverse("assurance:moderation_list")}"' in again
    # Another role works out its own.
    practitioner = p.client_for(p.practitioner).get(reverse("home")).content.decode()
    assert len(looked_up) > menu_lookups
    assert reverse("assurance:moderation_list") not in practitioner


def _menu(html: str) -> str:
    found = re.search(r'<nav aria-label="Menu".*?</nav>', html, re.DOTALL)
    assert found is not None
    return found.group(0)


def test_a_role_change_changes_the_menu_and_the_footer_on_the_next_page(p: Personas) -> None:
    client = p.client_for(p.moderator)
    before = client.get(reverse("accessibility")).content.decode()
    assert f'href="{reverse("assurance:moderation_list")}"' in _menu(before)
    p.moderator.role = Role.SENIOR_LEADER
    p.moderator.save(update_fields=["role"])
    after = client.get(reverse("accessibility")).content.decode()
    assert f'href="{reverse("assurance:moderation_list")}"' not in _menu(after)
    assert f'href="{reverse("accounts:access_requests")}"' in _menu(after)
    assert "(Senior leader)." in after


def test_the_kept_menu_holds_nothing_of_its_reader_or_their_request(p: Personas) -> None:
    other = make_staff("moderator2", "Mo Other", Role.MODERATOR, services=[p.north])
    mine = p.client_for(p.moderator).get(reverse("audits:list")).content.decode()
    theirs = p.client_for(other).get(reverse("audits:list")).content.decode()
    assert _menu(mine) == _menu(theirs)
    assert "csrfmiddlewaretoken" not in _menu(mine)
    assert "Morgan Moderator" in mine and "Morgan Moderator" not in _menu(mine)


def test_the_layouts_links_are_looked_up_once_not_on_every_page(
    p: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    addresses._reversed.cache_clear()
    looked_up: list[str] = []
    real = reverse

    def counting(name: str, *args: Any, **kwargs: Any) -> str:
        looked_up.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(addresses, "reverse", counting)
    client = p.client_for(p.practitioner)
    first = client.get(reverse("accessibility")).content.decode()
    assert "notifications" in looked_up and "logout" in looked_up
    lookups = len(looked_up)
    again = client.get(reverse("accessibility")).content.decode()
    assert len(looked_up) == lookups
    assert (
        f'href="{reverse("notifications")}"' in first
        and f'href="{reverse("notifications")}"' in again
    )
