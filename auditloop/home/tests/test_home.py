from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.audits.models import AuditStatus
from auditloop.audits.services.escalations import escalation_acknowledge
from auditloop.audits.services.feedback import feedback_reply
from auditloop.audits.tests.followup_factories import (
    make_action,
    make_audit,
    make_escalation,
)
from auditloop.home.selectors import LIMIT
from auditloop.testing import Personas

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _home(p: Personas, who: str) -> str:
    response = p.client_for(getattr(p, who)).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_signed_in_staff_see_their_home_page(p: Personas) -> None:
    assert "Alex Auditor" in _home(p, "auditor")


def test_anonymous_visitor_is_sent_to_sign_in(anon: Client) -> None:
    response = anon.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_auditor_sees_assigned_audits_with_overdue_tag_and_returned_ones(p: Personas) -> None:
    overdue = make_audit(p, status=AuditStatus.PLANNED, due_date=YESTERDAY)
    returned = make_audit(p, return_reason="Please add the chronology.")
    make_audit(p, status=AuditStatus.SUBMITTED)
    response = p.client_for(p.auditor).get(reverse("home"))
    work = response.context["work"]
    assert work.assigned.rows == [overdue]
    assert work.returned.rows == [returned]
    text = response.content.decode()
    assert "Audits returned to you" in text
    assert "Overdue" in text


def test_practitioner_sees_feedback_awaiting_reply_until_they_reply(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    make_audit(p, status=AuditStatus.IN_PROGRESS)
    assert "Feedback waiting for your reply" in _home(p, "practitioner")
    feedback_reply(audit=audit, by=p.practitioner, text="Thanks.")
    assert "No feedback is waiting for your reply." in _home(p, "practitioner")


def test_practitioner_sees_their_open_actions_overdue_first(p: Personas) -> None:
    later = make_action(p)
    overdue = make_action(p, due_date=YESTERDAY)
    make_action(p, owner=p.team_manager)
    response = p.client_for(p.practitioner).get(reverse("home"))
    assert response.context["work"].my_actions.rows == [overdue, later]


def test_team_manager_sees_open_flags_overdue_team_actions_and_audits_this_month(
    p: Personas,
) -> None:
    flag = make_escalation(p)
    done = make_escalation(p)
    escalation_acknowledge(escalation=done, by=p.team_manager, response="Visited.")
    submitted = make_audit(p, status=AuditStatus.SUBMITTED)
    overdue = make_action(p, audit=submitted, due_date=YESTERDAY)
    make_action(p, audit=submitted)
    work = p.client_for(p.team_manager).get(reverse("home")).context["work"]
    assert work.open_flags.rows == [flag]
    assert work.team_overdue.rows == [overdue]
    assert work.team_submitted.rows == [submitted]


def test_flags_in_another_team_do_not_reach_a_team_managers_home(p: Personas) -> None:
    make_escalation(p)
    work = p.client_for(p.outsider_manager).get(reverse("home")).context["work"]
    assert work.open_flags.rows == []


def test_moderator_sees_submitted_audits_awaiting_completion_and_open_flags(p: Personas) -> None:
    submitted = make_audit(p, status=AuditStatus.SUBMITTED)
    make_audit(p, status=AuditStatus.COMPLETED)
    flag = make_escalation(p)
    work = p.client_for(p.moderator).get(reverse("home")).context["work"]
    assert work.awaiting_completion.rows == [submitted]
    assert work.open_flags.rows == [flag]


def test_senior_leader_sees_open_flags_and_counts_by_team(p: Personas) -> None:
    make_escalation(p)
    make_action(p, due_date=YESTERDAY)
    response = p.client_for(p.senior_leader).get(reverse("home"))
    work = response.context["work"]
    assert work.open_flags.total == 1
    counts = {row.team.name: row for row in work.team_counts}
    assert set(counts) == {"North A", "North B"}
    assert counts["North A"].open_flags == 1
    assert counts["North A"].overdue_actions == 1
    # make_action's audit is submitted; make_escalation's is in progress.
    assert counts["North A"].awaiting_completion == 1
    assert counts["North A"].in_progress == 1
    assert counts["North B"].open_flags == 0
    assert "Your services, by team" in response.content.decode()


def test_board_member_home_points_to_reports_and_shows_no_case_content(p: Personas) -> None:
    make_escalation(p)
    text = _home(p, "board_member")
    assert "reports" in text
    assert p.case.la_child_id not in text
    assert "unsafe-child flag" not in text.lower()


def test_administrator_home_links_to_administration(p: Personas) -> None:
    assert reverse("accounts:admin_home") in _home(p, "administrator")


@pytest.mark.parametrize(
    "who", ["practitioner", "team_manager", "auditor", "moderator", "senior_leader"]
)
def test_home_query_count_does_not_grow_with_rows(
    p: Personas,
    who: str,
    django_assert_max_num_queries: Any,
) -> None:
    client = p.client_for(getattr(p, who))
    url = reverse("home")

    def add_work() -> None:
        make_audit(p, status=AuditStatus.PLANNED, due_date=YESTERDAY)
        make_audit(p, return_reason="Add the chronology.")
        make_audit(p, status=AuditStatus.SUBMITTED)
        make_escalation(p)
        make_action(p, due_date=YESTERDAY)
        make_action(p, owner=p.team_manager, due_date=YESTERDAY)

    # From LIMIT rows on, each list asks for its count too; past that nothing grows.
    for _ in range(LIMIT):
        add_work()
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(2 * LIMIT):
        add_work()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
