"""Overdue actions are reminded by email, at most once a day each, by the one reminders command a
council schedules (`auditloop cycle-remind`)."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core import mail
from django.core.management import call_command

from auditloop.audits.models import Action, ActionStatus
from auditloop.audits.services.actions import action_reminders_send
from auditloop.audits.tests.followup_factories import make_action
from auditloop.core.models import Event, Notification
from auditloop.testing import Personas

TODAY = datetime.date(2026, 6, 10)
LAST_WEEK = TODAY - datetime.timedelta(days=7)


def _remind(day: datetime.date = TODAY) -> dict[str, int]:
    out = io.StringIO()
    call_command("cycle_remind", "--today", day.isoformat(), "--json", stdout=out)
    result: dict[str, int] = json.loads(out.getvalue())
    return result


@pytest.mark.django_db(transaction=True)
def test_running_the_reminders_command_twice_in_a_day_sends_one_email(p: Personas) -> None:
    make_action(p, due_date=LAST_WEEK)
    first = _remind()
    second = _remind()
    assert (first["actions_overdue"], first["action_owners"]) == (1, 1)
    assert (second["actions_overdue"], second["action_owners"]) == (0, 0)
    overdue = [m for m in mail.outbox if "Overdue actions" in m.subject]
    assert len(overdue) == 1
    assert overdue[0].to == [p.practitioner.email]


@pytest.mark.django_db(transaction=True)
def test_the_reminder_email_carries_no_child_id(p: Personas) -> None:
    make_action(p, due_date=LAST_WEEK)
    _remind()
    [email] = [m for m in mail.outbox if "Overdue actions" in m.subject]
    assert p.case.la_child_id not in f"{email.subject} {email.body}"
    assert "due on 3 June 2026" in email.body


def test_an_overdue_action_is_reminded_again_the_next_day(p: Personas) -> None:
    action = make_action(p, due_date=LAST_WEEK)
    assert action_reminders_send(today=TODAY).actions == 1
    assert action_reminders_send(today=TODAY).actions == 0
    assert action_reminders_send(today=TODAY + datetime.timedelta(days=1)).actions == 1
    action.refresh_from_db()
    assert action.reminded_on == TODAY + datetime.timedelta(days=1)
    assert Event.objects.filter(verb="action.reminder_sent").count() == 2


def test_an_owner_gets_one_message_for_all_their_overdue_actions(p: Personas) -> None:
    make_action(p, due_date=LAST_WEEK)
    make_action(p, due_date=LAST_WEEK - datetime.timedelta(days=3))
    make_action(p, owner=p.team_manager, due_date=LAST_WEEK)
    sent = action_reminders_send(today=TODAY)
    assert (sent.actions, sent.owners) == (3, 2)
    [note] = Notification.objects.filter(recipient=p.practitioner.user)
    assert note.message.startswith("2 actions you own from case-file audits are overdue")
    assert "31 May 2026" in note.message
    assert note.url.endswith("?show=overdue")


@pytest.mark.parametrize(
    "status", [ActionStatus.COMPLETED, ActionStatus.CLOSED, ActionStatus.CANCELLED]
)
def test_only_open_actions_past_their_due_date_are_reminded(
    p: Personas, status: ActionStatus
) -> None:
    make_action(p, due_date=LAST_WEEK, status=status)
    make_action(p, due_date=TODAY)  # due today: not overdue yet
    assert action_reminders_send(today=TODAY).actions == 0
    assert not Action.objects.filter(reminded_on__isnull=False).exists()


def test_an_owner_who_has_left_is_not_emailed(p: Personas) -> None:
    make_action(p, due_date=LAST_WEEK)
    p.practitioner.is_active = False
    p.practitioner.save(update_fields=["is_active"])
    assert action_reminders_send(today=TODAY).owners == 0
