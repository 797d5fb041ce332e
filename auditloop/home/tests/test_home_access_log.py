"""The home page names audits, actions and unsafe-child flags: it logs a read of each audit it
shows, for each person, and nothing for a home page that shows no child."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit, AuditStatus
from auditloop.audits.tests.followup_factories import make_action, make_audit, make_escalation
from auditloop.core.models import AccessLog
from auditloop.home.selectors import LIMIT
from auditloop.testing import Personas

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def _home(p: Personas, staff: StaffMember) -> None:
    assert p.client_for(staff).get(reverse("home")).status_code == 200


def _reads(staff: StaffMember) -> set[tuple[str, str]]:
    return set(AccessLog.objects.filter(user=staff.user).values_list("purpose", "target_id"))


def _id(audit: Audit) -> str:
    return str(audit.public_id)


def test_an_auditors_home_logs_the_audits_assigned_and_returned(p: Personas) -> None:
    assigned = make_audit(p, status=AuditStatus.PLANNED, due_date=YESTERDAY)
    returned = make_audit(p, return_reason="Please add the chronology.")
    make_audit(p, status=AuditStatus.SUBMITTED)  # not on the home page
    _home(p, p.auditor)
    assert _reads(p.auditor) == {("listed", _id(assigned)), ("listed", _id(returned))}


def test_a_practitioners_home_logs_the_feedback_awaiting_reply_and_their_actions(
    p: Personas,
) -> None:
    shared = make_audit(p, status=AuditStatus.SUBMITTED)
    action = make_action(p)
    _home(p, p.practitioner)
    assert _reads(p.practitioner) == {
        ("listed", _id(shared)),
        ("listed", _id(action.audit)),  # also awaiting the practitioner's reply
        ("action listed", _id(action.audit)),
    }


def test_a_team_managers_home_logs_flags_overdue_team_actions_and_submitted_audits(
    p: Personas,
) -> None:
    flag = make_escalation(p)
    overdue = make_action(p, due_date=YESTERDAY)
    _home(p, p.team_manager)
    reads = _reads(p.team_manager)
    assert ("escalation listed", _id(flag.audit)) in reads
    assert ("action listed", _id(overdue.audit)) in reads
    assert ("listed", _id(overdue.audit)) in reads  # submitted this month


def test_a_moderators_home_logs_the_audits_awaiting_completion(p: Personas) -> None:
    submitted = make_audit(p, status=AuditStatus.SUBMITTED)
    _home(p, p.moderator)
    assert ("listed", _id(submitted)) in _reads(p.moderator)


def test_the_home_page_logs_only_the_rows_it_shows_not_the_whole_list(p: Personas) -> None:
    for _ in range(LIMIT + 5):
        make_audit(p, status=AuditStatus.PLANNED)
    _home(p, p.auditor)
    assert len(_reads(p.auditor)) == LIMIT


@pytest.mark.parametrize("who", ["board_member", "administrator", "outsider"])
def test_a_home_page_that_shows_no_child_logs_nothing(p: Personas, who: str) -> None:
    make_escalation(p)
    make_action(p, due_date=YESTERDAY)
    _home(p, getattr(p, who))
    assert not AccessLog.objects.exists()
