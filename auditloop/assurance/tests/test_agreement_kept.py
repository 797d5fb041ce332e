"""The agreement page's figures (bootstrap intervals over every regrade in scope, seconds on a
national council) are kept per reader under the data version, as a dashboard's are: a second
read computes nothing, and a committed change shows on the next read. These run with real
commits (`transaction=True`): a connection with changes of its own never uses the cache."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.assurance.tests.agreement_factories import cycle_make, moderated_audit
from auditloop.assurance.tests.test_agreement_views import text
from auditloop.sampling.models import Cycle
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)
URL = reverse("assurance:agreement")


def _autumn(p: Personas) -> Cycle:
    autumn = cycle_make(p, "Autumn 2026", datetime.date(2026, 7, 6))
    for pairs in ([(3, 3), (2, 3)], [(4, 3), (2, 2)], [(1, 1), (3, 3)]):
        moderated_audit(p, grades=pairs, overall=(3, 2), cycle=autumn)
    return autumn


def _read(p: Personas, who: Any, query: str = "") -> tuple[str, int]:
    client = p.client_for(who)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL + query)
    assert response.status_code == 200
    return text(response.content.decode()), len(captured.captured_queries)


def test_a_second_read_shows_the_same_figures_without_working_them_out(
    p: Personas, settings: Any
) -> None:
    _autumn(p)
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 0
    afresh, asked_afresh = _read(p, p.moderator)
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 300
    _read(p, p.moderator)
    kept, asked_kept = _read(p, p.moderator)
    assert kept == afresh
    assert "D1 Voice and lived experience" in kept
    assert asked_kept < asked_afresh


def test_a_committed_change_shows_on_the_next_read(p: Personas, settings: Any) -> None:
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 300
    autumn = _autumn(p)
    before, _ = _read(p, p.moderator)
    d1_before = before.split("D1 Voice and lived experience")[1].split()[:2]
    assert d1_before == ["3", "67%"]
    moderated_audit(p, grades=[(1, 4), (2, 2)], overall=(3, 2), cycle=autumn)
    after, _ = _read(p, p.moderator)
    assert after.split("D1 Voice and lived experience")[1].split()[:2] == ["4", "50%"]


def test_two_readers_never_share_kept_figures(p: Personas, settings: Any) -> None:
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 300
    _autumn(p)
    lead, _ = _read(p, p.moderator)
    board, _ = _read(p, p.board_member)
    assert "By auditor" in lead
    assert "Alex Auditor" in lead and "Alex Auditor" not in board
