"""The aggregates API asks as many queries of a council with one cycle of a few audits as of
one with many cycles, teams, audits and reviews: for every endpoint and every reader of it."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from auditloop.accounts.models import StaffMember, Team
from auditloop.api.services import api_token_create
from auditloop.api.tests.dashboard_factories import (
    cycle_of,
    graded_audits,
    review_issued,
)
from auditloop.reports.models import Audience
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/v1/dashboard",
    "/api/v1/dashboard?cycle={cycle}",
    "/api/v1/dashboard/blocks/grades-overall?cycle={cycle}",
    "/api/v1/dashboard/cycles",
    "/api/v1/cycle-reviews",
]
READERS = ["practitioner", "team_manager", "moderator", "senior_leader", "board_member"]


def queries(client: Client, url: str) -> tuple[int, int]:
    """The status and query count of the second call (the first fills per-process caches)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response.status_code, len(captured.captured_queries)


def measure(clients: dict[str, Client], cycle: Cycle) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (who, url): queries(client, url.format(cycle=cycle.public_id))
        for who, client in clients.items()
        for url in ENDPOINTS
    }


def grow(p: Personas, cycle: Cycle, rounds: int) -> None:
    """More of everything the answers hold: teams, audits, cycles before this one, reviews."""
    for i in range(rounds):
        team = Team.objects.create(service=p.north, name=f"North {i + 3}")
        graded_audits(p, cycle, team=team, grades=["good", "inadequate"] * 3)
        before = cycle_of([p.north], f"Cycle {i}", datetime.date(2020 + i, 1, 1))
        graded_audits(p, before, team=p.north_b, grades=["outstanding"] * 5)
        for audience in Audience:
            review_issued(p, before, audience=audience)
    graded_audits(p, cycle, team=p.north_a, grades=["requires_improvement"] * 10)


def test_the_aggregates_ask_as_many_queries_of_a_large_council_as_of_a_small_one(
    p: Personas,
) -> None:
    cycle = cycle_of([p.north])
    graded_audits(p, cycle, team=p.north_a, grades=["good"] * 5)
    review_issued(p, cycle)
    review_issued(p, cycle, audience=Audience.LEADERS)
    readers: dict[str, StaffMember] = {who: getattr(p, who) for who in READERS}
    clients = {
        who: Client(headers={"Authorization": f"Bearer {api_token_create(by=s, name='BI')[1]}"})
        for who, s in readers.items()
    }
    small = measure(clients, cycle)
    grow(p, cycle, rounds=4)
    large = measure(clients, cycle)
    for key, (status, count) in small.items():
        assert large[key][0] == status, key
        assert large[key][1] == count, f"{key}: {count} queries, then {large[key][1]}"
    # Every endpoint answered someone with figures (not only refusals).
    answered = {url for (_, url), (status, _) in small.items() if status == 200}
    assert answered == set(ENDPOINTS)
