"""Two audit leads saving the same cycle from pages drawn before either save: one wins, the
other is told the cycle changed and gets the form back as they filled it in."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.core.models import Event
from auditloop.core.versions import RecordChanged
from auditloop.sampling.models import Cycle
from auditloop.sampling.services.cycles import cycle_auditors_set
from auditloop.testing import Personas, make_staff
from auditloop.tests.concurrent import shared_database

CHANGED = "Someone else saved this cycle while you had it open"


def _form(p: Personas, name: str, *, version: int) -> dict[str, Any]:
    return {
        "version": str(version),
        "name": name,
        "starts_on-day": "1",
        "starts_on-month": "4",
        "starts_on-year": "2026",
        "ends_on-day": "30",
        "ends_on-month": "9",
        "ends_on-year": "2026",
        "tools": [str(p.compliance_tool.pk), str(p.quality_tool.pk)],
        "audit_types": ["dip_sample", "deep_dive"],
        "moderation_percent": "20",
        "revisit_weeks": "8",
    }


def _edit(cycle: Cycle) -> str:
    return reverse("sampling:cycle_edit", args=[cycle.public_id])


def _second_lead(p: Personas) -> StaffMember:
    return make_staff("lead2", "Robin Lead", Role.MODERATOR, services=[p.north])


def test_the_change_page_carries_the_cycles_version(p: Personas, cycle: Cycle) -> None:
    page = p.client_for(p.moderator).get(_edit(cycle)).content.decode()
    assert f'name="version" value="{cycle.version}"' in page


def test_a_change_from_a_page_drawn_before_another_save_is_refused_keeping_the_form(
    p: Personas, cycle: Cycle
) -> None:
    other = _second_lead(p)
    first = p.client_for(p.moderator).post(_edit(cycle), _form(p, "Morgan's name", version=0))
    assert first.status_code == 302

    response = p.client_for(other).post(_edit(cycle), _form(p, "Robin's name", version=0))

    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "There is a problem" in text
    assert CHANGED in text
    assert 'value="Robin\'s name"' in text
    assert 'name="version" value="1"' in text
    cycle.refresh_from_db()
    assert (cycle.name, cycle.version) == ("Morgan's name", 1)
    assert Event.objects.filter(verb="cycle.changed").count() == 1


def test_a_pool_of_auditors_chosen_on_a_stale_page_is_refused(p: Personas, cycle: Cycle) -> None:
    cycle_auditors_set(cycle=cycle, auditors=[p.auditor], by=p.moderator, expected_version=0)
    stale = Cycle.objects.get(pk=cycle.pk)

    with pytest.raises(RecordChanged):
        cycle_auditors_set(
            cycle=stale, auditors=[p.team_manager], by=p.moderator, expected_version=0
        )

    assert list(cycle.auditors.all()) == [p.auditor]
    response = p.client_for(p.moderator).post(
        reverse("sampling:cycle_auditors", args=[cycle.public_id]),
        {"auditors": [str(p.team_manager.pk)], "version": "0"},
    )
    assert response.status_code == 200
    assert CHANGED in html.unescape(response.content.decode())
    assert list(cycle.auditors.all()) == [p.auditor]


def test_two_leads_saving_the_cycle_at_the_same_moment_one_wins_and_the_other_keeps_the_form(
    transactional_db: None, p: Personas, cycle: Cycle, tmp_path: Path
) -> None:
    leads = [p.moderator, _second_lead(p)]
    clients = [p.client_for(lead) for lead in leads]
    names = ["Morgan's name", "Robin's name"]

    with shared_database(tmp_path) as at_once:
        responses = at_once(
            *(
                lambda client=client, name=name: client.post(
                    _edit(cycle), _form(p, name, version=0)
                )
                for client, name in zip(clients, names, strict=True)
            )
        )
        saved = Cycle.objects.get(pk=cycle.pk)
        changes = Event.objects.filter(verb="cycle.changed").count()

    assert sorted(r.status_code for r in responses) == [200, 302]
    winner = 0 if responses[0].status_code == 302 else 1
    loser = 1 - winner
    text = html.unescape(responses[loser].content.decode())
    assert CHANGED in text
    assert f'value="{names[loser]}"' in text
    assert (saved.name, saved.version) == (names[winner], 1)
    assert changes == 1
