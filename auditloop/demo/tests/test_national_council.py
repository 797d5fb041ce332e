"""The whole national demo council, built small: its rows hold together and its pages open.

`seed-demo --size national` always builds DESIGN.md's full national scale (400,000 cases,
200,000 audits) on PostgreSQL; this module passes the builder's internal `scale` so that the
same code builds 2,000 cases and 1,000 audits. It still builds the large council's whole
history first (its cycle review PDFs alone take seconds), so it runs with `pytest -m large`;
the national step itself is tested in the normal suite by test_national_seed.py, and the full
size is measured by `scripts/benchmark_pages.py --size national`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoDbBlocker

from auditloop.accounts.models import User
from auditloop.audits.models import Action, Answer, Audit
from auditloop.audits.rules import holds_or_manages
from auditloop.cases.models import ChildCase
from auditloop.demo.builder import demo_council_build
from auditloop.demo.national import NATIONAL_AUDITS, NATIONAL_CASES
from auditloop.sampling.models import CycleAudit
from auditloop.testing import second_factor_passed

pytestmark = [pytest.mark.large, pytest.mark.django_db]
TODAY = datetime.date(2026, 11, 26)
SCALE = 0.005
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="The national council is built on PostgreSQL only (DATABASE_URL=postgres://... to "
    "run it); on SQLite it is refused, as tested below",
)


@pytest.fixture(scope="module")
def national(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The national council at SCALE, built once for the module inside a transaction that is
    rolled back at its end."""
    if connection.vendor != "postgresql":
        pytest.skip("The national council is built on PostgreSQL only")
    with django_db_blocker.unblock(), transaction.atomic():
        demo_council_build(size="national", seed=1, scale=SCALE, today=TODAY)
        yield
        transaction.set_rollback(True)


@on_postgres
def test_the_national_council_has_designs_cases_and_audits_at_the_scale_asked(
    national: None,
) -> None:
    assert ChildCase.objects.count() == round(NATIONAL_CASES * SCALE)
    # The partner agency's shared audit is made after the national step: one more.
    assert Audit.objects.count() == round(NATIONAL_AUDITS * SCALE) + 1
    # Every audit answers its tool's questions (15 checks or 8 domains): about 12 an audit.
    assert 8 * Audit.objects.count() <= Answer.objects.count() <= 15 * Audit.objects.count()


@on_postgres
def test_every_answer_is_to_a_question_of_its_audits_tool_version(national: None) -> None:
    assert not Answer.objects.exclude(
        question__section__version_id=F("audit__tool_version_id")
    ).exists()


@on_postgres
def test_no_audit_answers_a_question_twice_nor_an_action_points_at_another_audits_answer(
    national: None,
) -> None:
    twice = Answer.objects.values("audit_id", "question_id").annotate(n=Count("id"))
    assert not twice.filter(n__gt=1).exists()
    assert not Action.objects.exclude(answer=None).exclude(answer__audit_id=F("audit_id")).exists()


@on_postgres
def test_every_audit_belongs_to_a_cycle_that_covers_its_service_and_tool(national: None) -> None:
    without = Audit.objects.filter(cycle_link=None).count()
    # The large council's history plans all but a handful of its audits into a cycle.
    assert without <= 10
    links = CycleAudit.objects.select_related("audit__team")
    assert not links.exclude(cycle__tools=F("audit__tool_version")).exists()
    assert not links.exclude(cycle__services=F("audit__team__service")).exists()


@on_postgres
def test_no_auditor_audits_a_case_they_hold_or_manage(national: None) -> None:
    audits = Audit.objects.select_related("auditor", "case__allocated_worker")
    for audit in audits.iterator(chunk_size=500):
        case = audit.case
        worker = case.allocated_worker
        assert not holds_or_manages(
            auditor_id=audit.auditor_id,
            auditor_role=audit.auditor.role,
            auditor_team_id=audit.auditor.team_id,
            worker_id=case.allocated_worker_id,
            worker_manager_id=worker.manager_id if worker else None,
            case_team_id=case.allocated_team_id,
        )


@on_postgres
def test_cases_have_unique_child_ids_and_a_worker_in_their_team(national: None) -> None:
    assert ChildCase.objects.values("la_child_id").distinct().count() == ChildCase.objects.count()
    assert not ChildCase.objects.exclude(allocated_worker__team=F("allocated_team")).exists()


@on_postgres
@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("moderator", "/"),
        ("moderator", "/audits/"),
        ("moderator", "/cases/"),
        ("moderator", "/api/v1/audits"),
        ("manager", "/"),
        ("manager", "/audits/"),
        ("auditor", "/audits/"),
        ("leader", "/"),
        ("practitioner", "/"),
    ],
)
def test_each_role_opens_its_pages_on_the_national_council(
    national: None, username: str, url: str
) -> None:
    client = Client()
    user = User.objects.get(username=username)
    client.force_login(user)
    second_factor_passed(client, user)
    assert client.get(url).status_code == 200


@on_postgres
def test_a_copied_audit_opens_for_the_moderator(national: None) -> None:
    copied = Audit.objects.filter(~Q(case__la_child_id__regex=r"^(NS)?\d{6}A?$")).latest("id")
    client = Client()
    user = User.objects.get(username="moderator")
    client.force_login(user)
    second_factor_passed(client, user)
    response = client.get(reverse("audits:detail", kwargs={"public_id": copied.public_id}))
    assert response.status_code == 200
