"""The retention pages that list no rows of their own (the schedule's twelve rules, the dry run's
counts by kind) ask as many queries on a council with many records as on one with few."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.privacy.services.retention import legal_hold_set
from auditloop.privacy.tests.retention_factories import old_audit, old_cycle, old_logs
from auditloop.testing import Personas


def queries(p: Personas, url: str) -> int:
    client = p.client_for(p.data_protection)
    client.get(url)  # the schedule is seeded on first read
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_schedule_and_the_dry_run_ask_the_same_queries_for_many_records_as_for_one(
    p: Personas,
) -> None:
    pages = [reverse("privacy:retention_schedule"), reverse("privacy:retention_dry_run")]
    cycle = old_cycle(p, audits=1)
    legal_hold_set(case=p.outsider_case, by=p.data_protection, reason="A claim")
    few = [queries(p, url) for url in pages]

    for _ in range(6):
        old_logs(p, old_audit(p, cycle.cycle))
    old_audit(p, cycle.cycle, case=p.outsider_case)
    many = [queries(p, url) for url in pages]

    assert many == few
