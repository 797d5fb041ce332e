"""Every audits page that shows a child's audit (or an action or unsafe-child flag, which are
about its audit) logs a read of each one it shows, for whom and how; a page that shows none
logs nothing."""

from __future__ import annotations

import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import ActionStatus, Audit, AuditStatus
from auditloop.audits.tests.followup_factories import make_action, make_audit, make_escalation
from auditloop.core.models import AccessLog
from auditloop.testing import Personas


def _reads(staff: StaffMember, purpose: str) -> list[str]:
    """The targets of `staff`'s reads for `purpose`, sorted."""
    return sorted(
        AccessLog.objects.filter(user=staff.user, purpose=purpose).values_list(
            "target_id", flat=True
        )
    )


def _ids(*audits: Audit) -> list[str]:
    return sorted(str(a.public_id) for a in audits)


def _get(client: Client, name: str, *args: object, **query: str) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


# The audits list ---------------------------------------------------------------------------


def test_the_audits_list_logs_each_audit_on_the_page_and_no_other(p: Personas) -> None:
    audits = [make_audit(p, status=AuditStatus.SUBMITTED) for _ in range(53)]
    client = p.client_for(p.moderator)
    _get(client, "audits:list")
    first = _reads(p.moderator, "listed")
    assert len(first) == 50
    AccessLog.objects.all().delete()
    _get(client, "audits:list", page="2")
    second = _reads(p.moderator, "listed")
    assert len(second) == 3
    assert sorted(first + second) == _ids(*audits)
    assert all(row.target_type == "audits.audit" for row in AccessLog.objects.all())


def test_the_audits_list_logs_nothing_when_it_shows_no_audit(p: Personas) -> None:
    make_audit(p, status=AuditStatus.SUBMITTED)
    _get(p.client_for(p.moderator), "audits:list", status="completed")
    _get(p.client_for(p.outsider), "audits:list")
    assert not AccessLog.objects.exists()


def test_the_audit_page_logs_a_view_and_the_answer_page_a_write(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    client = p.client_for(p.auditor)
    _get(client, "audits:detail", audit.public_id)
    _get(client, "audits:edit", audit.public_id)
    assert _reads(p.auditor, "view") == _ids(audit)
    assert _reads(p.auditor, "write") == _ids(audit)


def test_planning_an_audit_logs_the_case_and_each_earlier_audit_it_shows(p: Personas) -> None:
    recent = make_audit(p, status=AuditStatus.SUBMITTED)
    old = make_audit(p, status=AuditStatus.COMPLETED)
    Audit.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=500),
        submitted_at=timezone.now() - datetime.timedelta(days=480),
    )
    response = p.client_for(p.moderator).post(reverse("audits:create"), {"la_child_id": "00123"})
    assert response.status_code == 200
    assert _reads(p.moderator, "view") == [str(p.case.public_id)]
    # The recent one in the summary; both among the audits a revisit could follow up.
    assert _reads(p.moderator, "listed") == _ids(recent, old)


# Actions -----------------------------------------------------------------------------------


def test_my_actions_logs_a_read_of_the_audit_behind_each_action_shown(p: Personas) -> None:
    first, second = make_action(p), make_action(p)
    make_action(p, status=ActionStatus.COMPLETED)  # on another tab
    _get(p.client_for(p.practitioner), "audits:actions")
    assert _reads(p.practitioner, "action listed") == _ids(first.audit, second.audit)
    assert AccessLog.objects.count() == 2


def test_team_actions_logs_the_audits_behind_the_actions_shown(p: Personas) -> None:
    action = make_action(p)
    _get(p.client_for(p.team_manager), "audits:team_actions")
    assert _reads(p.team_manager, "action listed") == _ids(action.audit)


def test_an_actions_tab_with_none_to_show_logs_nothing(p: Personas) -> None:
    make_action(p)
    _get(p.client_for(p.practitioner), "audits:actions", show="closed")
    assert not AccessLog.objects.exists()


def test_an_action_page_logs_a_read_of_its_audit(p: Personas) -> None:
    action = make_action(p)
    _get(p.client_for(p.practitioner), "audits:action", action.public_id)
    assert _reads(p.practitioner, "action") == _ids(action.audit)


# Unsafe-child flags ------------------------------------------------------------------------


def test_the_flags_list_logs_a_read_of_each_flagged_audit_shown(p: Personas) -> None:
    flags = [make_escalation(p) for _ in range(3)]
    _get(p.client_for(p.team_manager), "audits:escalations")
    assert _reads(p.team_manager, "escalation listed") == _ids(*(f.audit for f in flags))
    assert AccessLog.objects.count() == 3


def test_the_flags_list_with_no_flags_logs_nothing(p: Personas) -> None:
    _get(p.client_for(p.team_manager), "audits:escalations")
    assert not AccessLog.objects.exists()


def test_a_flag_page_logs_a_read_of_the_flagged_audit(p: Personas) -> None:
    flag = make_escalation(p)
    _get(p.client_for(p.senior_leader), "audits:escalation", flag.public_id)
    assert _reads(p.senior_leader, "escalation") == _ids(flag.audit)


# Pages that show no child ------------------------------------------------------------------


def test_the_audit_tools_pages_show_no_child_and_log_nothing(p: Personas) -> None:
    make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.moderator)
    _get(client, "audits:tools")
    _get(client, "audits:create")
    assert not AccessLog.objects.exists()
