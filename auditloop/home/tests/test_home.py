from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import ActionStatus, AuditStatus
from auditloop.audits.services.escalations import escalation_acknowledge
from auditloop.audits.services.feedback import feedback_reply
from auditloop.audits.tests.followup_factories import (
    make_action,
    make_audit,
    make_escalation,
)
from auditloop.home.selectors import LIMIT, WorkList, home_work_for
from auditloop.testing import Personas, make_staff

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)

# The lists each login's home page shows; every one is filled by _home_rows_add. Anyone may
# line-manage someone, so every login with work has the actions of the people they manage.
MANAGED = ["awaiting_sign_off", "team_overdue"]
HOME_LISTS = {
    "practitioner": ["my_actions", "awaiting_reply", *MANAGED],
    "outsider": ["my_actions", "awaiting_reply", *MANAGED],
    "team_manager": [
        "assigned",
        "returned",
        "my_actions",
        "awaiting_reply",
        "open_flags",
        "team_submitted",
        *MANAGED,
    ],
    "auditor": ["assigned", "returned", "my_actions", *MANAGED],
    "moderator": [
        "assigned",
        "returned",
        "my_actions",
        "open_flags",
        "awaiting_completion",
        *MANAGED,
    ],
    "senior_leader": ["assigned", "returned", "my_actions", "open_flags", *MANAGED],
}


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


def test_the_owner_is_warned_of_their_overdue_actions_on_their_home_page(p: Personas) -> None:
    make_action(p, due_date=YESTERDAY)
    make_action(p, due_date=YESTERDAY)
    make_action(p)
    text = _home(p, "practitioner")
    assert "2 of your actions are overdue." in text
    assert text.count(">Overdue</strong>") == 2


def test_an_overdue_action_reaches_the_owners_line_manager_outside_the_audits_team(
    p: Personas,
) -> None:
    # The practitioner's action comes from an audit of another team's case: their own line
    # manager still sees it, as does the manager of the audit's team.
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    audit.team = p.north_b
    audit.save(update_fields=["team"])
    north_b_manager = make_staff("nbmanager", "Nia North B", Role.TEAM_MANAGER, p.north_b)
    overdue = make_action(p, audit=audit, due_date=YESTERDAY)
    make_action(p, audit=audit)
    for manager in (p.team_manager, north_b_manager):
        work = p.client_for(manager).get(reverse("home")).context["work"]
        assert work.team_overdue.rows == [overdue], manager.name


def test_a_senior_leader_sees_the_overdue_actions_of_the_team_managers_they_manage(
    p: Personas,
) -> None:
    p.team_manager.manager = p.senior_leader
    p.team_manager.save(update_fields=["manager"])
    overdue = make_action(p, owner=p.team_manager, due_date=YESTERDAY)
    response = p.client_for(p.senior_leader).get(reverse("home"))
    assert response.context["work"].team_overdue.rows == [overdue]
    assert "Overdue actions of the people you manage" in response.content.decode()


def test_actions_waiting_for_sign_off_reach_the_signers_home_page_only(p: Personas) -> None:
    waiting = make_action(p, status=ActionStatus.COMPLETED)
    make_action(p, status=ActionStatus.CLOSED)
    theirs = make_action(p, owner=p.team_manager, status=ActionStatus.COMPLETED)
    response = p.client_for(p.team_manager).get(reverse("home"))
    assert response.context["work"].awaiting_sign_off.rows == [waiting]
    assert "Actions waiting for your sign-off" in response.content.decode()
    # The team manager's own action waits for the head of service, not for them.
    leader = p.client_for(p.senior_leader).get(reverse("home")).context["work"]
    assert leader.awaiting_sign_off.rows == [theirs]
    owner = p.client_for(p.practitioner).get(reverse("home")).context["work"]
    assert owner.awaiting_sign_off.rows == []


def test_see_all_links_only_to_a_page_the_login_may_open(p: Personas) -> None:
    # A QA officer line-managed by the audit lead, with more overdue actions than the page shows.
    p.auditor.manager = p.moderator
    p.auditor.save(update_fields=["manager"])
    for _ in range(LIMIT + 1):
        make_action(p, owner=p.auditor, due_date=YESTERDAY)
    lead = _home(p, "moderator")
    assert f'href="{reverse("audits:team_actions")}?show=overdue">See all {LIMIT + 1}' in lead
    report = make_staff("report", "Rae Report", Role.PRACTITIONER, manager=p.auditor)
    for _ in range(LIMIT + 1):
        make_action(p, owner=report, due_date=YESTERDAY)
    text = _home(p, "auditor")
    assert "Overdue actions of the people you manage (11)" in text
    assert reverse("audits:team_actions") not in text


def test_a_closed_or_waiting_action_is_not_overdue_anywhere(p: Personas) -> None:
    make_action(p, status=ActionStatus.CLOSED, due_date=YESTERDAY)
    make_action(p, status=ActionStatus.COMPLETED, due_date=YESTERDAY)
    assert p.client_for(p.practitioner).get(reverse("home")).context["work"].my_overdue == 0
    assert p.client_for(p.team_manager).get(reverse("home")).context["work"].team_overdue.total == 0
    leader = p.client_for(p.senior_leader).get(reverse("home")).context["work"]
    assert {row.team.name: row.overdue_actions for row in leader.team_counts}["North A"] == 0


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


def _home_rows_add(p: Personas, staff: StaffMember, n: int) -> None:
    """n more rows in every list on `staff`'s home page, and in no list more than n."""
    for _ in range(n):
        make_audit(p, status=AuditStatus.PLANNED, auditor=staff)
        make_audit(p, return_reason="Add the chronology.", auditor=staff)
        # Feedback for them if they hold cases, awaiting a lead's completion otherwise.
        submitted = make_audit(p, status=AuditStatus.SUBMITTED)
        if staff.role in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
            submitted.practitioner = staff
            submitted.save(update_fields=["practitioner"])
        make_action(p, audit=submitted, owner=staff, due_date=YESTERDAY)
        # Someone they line-manage, with an action overdue and one waiting for their sign-off
        # (from an audit with no team, so that only the line manager signs it off).
        report = _report_of(staff)
        make_action(p, audit=submitted, owner=report, due_date=YESTERDAY)
        teamless = make_audit(p, status=AuditStatus.SUBMITTED)
        teamless.team, teamless.practitioner = None, report
        teamless.save(update_fields=["team", "practitioner"])
        make_action(p, audit=teamless, owner=report, status=ActionStatus.COMPLETED)
        # A flag on someone else's audit, so it does not count as work assigned to them.
        other = p.moderator if staff == p.auditor else p.auditor
        make_escalation(p, audit=make_audit(p, auditor=other))


def _report_of(staff: StaffMember) -> StaffMember:
    """A practitioner in another service whom `staff` line-manages (made once)."""
    username = f"report{staff.pk}"
    existing = StaffMember.objects.filter(user__username=username).first()
    return existing or make_staff(
        username, f"Ray Report {staff.pk}", Role.PRACTITIONER, manager=staff
    )


def _home_lists(response: Any) -> dict[str, WorkList]:
    if "work" not in response.context:
        return {}  # the page drew no list of work at all
    work = response.context["work"]
    return {name: value for name, value in vars(work).items() if isinstance(value, WorkList)}


def _home_measure(client: Client) -> tuple[dict[str, int], int]:
    """Rows in each list of the home page, and its query count (the second request's, as the
    first fills per-process caches)."""
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    rows = {name: len(work.rows) for name, work in _home_lists(response).items()}
    return rows, len(captured.captured_queries)


@pytest.mark.parametrize("who", [*HOME_LISTS])
def test_home_asks_as_many_queries_for_one_row_in_each_list_as_for_full_lists(
    p: Personas, who: str
) -> None:
    staff = getattr(p, who)
    client = p.client_for(staff)
    _home_rows_add(p, staff, 1)
    one_rows, one_queries = _home_measure(client)
    assert one_rows == dict.fromkeys(HOME_LISTS[who], 1)
    _home_rows_add(p, staff, LIMIT - 1)
    full_rows, full_queries = _home_measure(client)
    assert full_rows == dict.fromkeys(HOME_LISTS[who], LIMIT)
    assert full_queries == one_queries, (
        f"the home page asks {one_queries} queries for one row in each list and "
        f"{full_queries} for {LIMIT}: a query per row"
    )


@pytest.mark.parametrize("who", ["board_member", "administrator"])
def test_board_members_and_administrators_have_no_work_lists_to_count(
    p: Personas, who: str
) -> None:
    # Their home pages list nothing: a list added for them belongs in HOME_LISTS above.
    _home_rows_add(p, getattr(p, who), 1)
    response = p.client_for(getattr(p, who)).get(reverse("home"))
    assert response.status_code == 200
    assert _home_lists(response) == {}


@pytest.mark.parametrize("who", ["team_manager", "moderator", "senior_leader"])
def test_the_home_lists_fetch_no_more_of_an_audit_or_a_childs_case_than_their_rows_show(
    p: Personas, who: str
) -> None:
    # Each list's total is counted over the whole list: wide rows made that slow.
    staff = getattr(p, who)
    _home_rows_add(p, staff, 1)
    with CaptureQueriesContext(connection) as captured:
        work = home_work_for(staff)
    assert any(getattr(work, name).rows for name in HOME_LISTS[who])
    sql = "\n".join(q["sql"] for q in captured.captured_queries)
    assert '"cases_childcase"."la_child_id"' in sql
    for unshown in (
        '"cases_childcase"."date_of_birth"',
        '"cases_childcase"."ethnicity"',
        '"audits_audit"."strengths"',
        '"audits_action"."completion_evidence"',
        '"accounts_staffmember"."email"',
    ):
        assert unshown not in sql
