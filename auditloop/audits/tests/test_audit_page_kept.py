"""An audit's own page keeps its read-only parts for their reader under the data version
(`parts_kept` in core/keptparts.py): a second show asks fewer queries, every show logs its
reads, a committed change shows on the next show, no reader is shown another's kept copy, and
the forms between the parts are drawn on every request. These run with real commits
(`transaction=True`): a test's own transaction never commits, and a connection with changes
of its own never uses the cache."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Answer, Audit, AuditStatus
from auditloop.audits.tests.followup_factories import make_action, make_answer, make_audit
from auditloop.audits.tests.revisit_factories import earlier_audit, revisit_of
from auditloop.core.accesslog import Purpose
from auditloop.core.models import AccessLog
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _show(client: Client, audit: Audit) -> str:
    response = client.get(reverse("audits:detail", args=[audit.public_id]))
    assert response.status_code == 200
    return response.content.decode()


def _queries(client: Client, audit: Audit) -> int:
    with CaptureQueriesContext(connection) as captured:
        _show(client, audit)
    return len(captured.captured_queries)


def _logged(staff: StaffMember) -> Counter[tuple[str, str, str]]:
    rows = AccessLog.objects.filter(user=staff.user)
    return Counter(rows.values_list("target_type", "target_id", "purpose"))


@pytest.mark.parametrize("reader", ["auditor", "practitioner", "team_manager", "moderator"])
def test_a_second_show_of_an_audit_page_asks_fewer_queries(p: Personas, reader: str) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    make_answer(audit)
    make_action(p, audit=audit)
    client = p.client_for(getattr(p, reader))
    first = _queries(client, audit)
    assert _queries(client, audit) < first


def test_every_show_of_an_audit_page_logs_a_read_of_it(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.practitioner)
    for _ in range(3):
        _show(client, audit)
    views = AccessLog.objects.filter(
        user=p.practitioner.user, target_id=str(audit.public_id), purpose=Purpose.VIEW
    )
    assert views.count() == 3


def test_a_revisits_page_logs_the_same_reads_whether_its_parts_were_kept_or_drawn(
    p: Personas, settings: Any
) -> None:
    earlier = earlier_audit(p)
    revisit = revisit_of(p, earlier)
    client = p.client_for(p.auditor)
    _show(client, revisit)
    _show(client, revisit)  # kept
    kept = _logged(p.auditor)
    assert kept[("audits.audit", str(earlier.public_id), Purpose.REVISIT)] == 2
    AccessLog.objects.all().delete()
    settings.AUDITLOOP_FIGURE_CACHE_SECONDS = 0
    _show(client, revisit)
    _show(client, revisit)
    assert _logged(p.auditor) == kept


def test_an_answer_saved_by_someone_else_shows_on_the_next_show(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    answer = make_answer(audit)
    client = p.client_for(p.moderator)
    assert "The visit was missed in March." not in _show(client, audit)
    Answer.objects.filter(pk=answer.pk).update(evidence="The visit was missed in March.")
    assert "The visit was missed in March." in _show(client, audit)


def test_an_action_added_by_someone_else_shows_on_the_next_show(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.practitioner)
    assert "No actions yet." in _show(client, audit)
    action = make_action(p, audit=audit)
    html = _show(client, audit)
    assert "No actions yet." not in html
    assert reverse("audits:action", args=[action.public_id]) in html


def test_a_status_change_by_someone_else_shows_on_the_next_show_with_its_forms(
    p: Personas,
) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    client = p.client_for(p.moderator)
    html = _show(client, audit)
    assert "In progress" in html
    assert "Audit lead's decision" not in html
    Audit.objects.filter(pk=audit.pk).update(status=AuditStatus.SUBMITTED)
    html = _show(client, audit)
    assert "In progress" not in html
    assert "Audit lead's decision" in html
    assert reverse("audits:complete", args=[audit.public_id]) in html


def test_a_practitioner_and_a_lead_each_see_their_own_page_of_one_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    make_action(p, audit=audit)
    lead, practitioner = p.client_for(p.moderator), p.client_for(p.practitioner)
    add_action = reverse("audits:action_create", args=[audit.public_id])
    reply = reverse("audits:feedback_reply", args=[audit.public_id])
    for _ in range(2):  # drawn, then kept
        lead_page, practitioner_page = _show(lead, audit), _show(practitioner, audit)
        assert add_action in lead_page
        assert "Audit lead's decision" in lead_page
        assert f'action="{reply}"' not in lead_page
        assert add_action not in practitioner_page
        assert "Audit lead's decision" not in practitioner_page
        assert f'action="{reply}"' in practitioner_page


def test_a_readers_first_show_draws_their_own_copy_not_anothers(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    make_answer(audit)
    # Neither may add an action, lead it or invite a partner: only the reader tells their
    # copies apart.
    leader, practitioner = p.client_for(p.senior_leader), p.client_for(p.practitioner)
    _show(leader, audit)
    drawn = _queries(practitioner, audit)
    assert _queries(practitioner, audit) < drawn


def test_a_kept_audit_page_carries_a_fresh_csrf_token_that_is_accepted(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    make_answer(audit)
    client = Client(enforce_csrf_checks=True)
    assert p.auditor.user is not None
    client.force_login(p.auditor.user)
    first = TOKEN.findall(_show(client, audit))
    second = TOKEN.findall(_show(client, audit))  # kept parts, forms drawn again
    assert first
    assert len(second) == len(first)
    assert set(second).isdisjoint(first)  # masked anew on every request
    other = p.client_for(p.auditor)
    assert set(TOKEN.findall(_show(other, audit))).isdisjoint(second)
    submit = reverse("audits:submit", args=[audit.public_id])
    assert client.post(submit, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    # Taken (the audit is incomplete, so its answers are shown again), not refused.
    assert client.post(submit, {"csrfmiddlewaretoken": second[0]}).status_code == 200


def test_the_return_form_shows_its_errors_beside_kept_parts(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.moderator)
    _show(client, audit)
    response = client.post(reverse("audits:return", args=[audit.public_id]), {"reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html
    assert "Audit lead's decision" in html
