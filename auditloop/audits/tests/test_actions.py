from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.audits.models import (
    Action,
    ActionStatus,
    AuditStatus,
    ComplianceAnswer,
    QuestionKind,
)
from auditloop.audits.rules import (
    ACTION_TRANSITIONS,
    action_move_problem,
    may_sign_off,
    needs_action,
)
from auditloop.audits.services.actions import action_cancel, action_complete, action_create
from auditloop.audits.tests.followup_factories import make_action, make_answer, make_audit
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff

TODAY = timezone.localdate()
NEXT_MONTH = TODAY + datetime.timedelta(days=30)
YESTERDAY = TODAY - datetime.timedelta(days=1)


# --- creating -----------------------------------------------------------------------------------


def test_auditor_creates_an_action_from_a_finding_and_the_owner_is_told(p: Personas) -> None:
    audit = make_audit(p)
    answer = make_answer(audit)
    action = action_create(
        audit=audit,
        by=p.auditor,
        description="Record the child's wishes.",
        owner=p.practitioner,
        due_date=NEXT_MONTH,
        answer=answer,
    )
    assert action.status == ActionStatus.OPEN
    assert action.answer == answer
    assert action.created_by == p.auditor.user
    assert Notification.objects.filter(recipient=p.practitioner.user).exists()
    assert Event.objects.filter(verb="action.created", target_id=str(action.public_id)).exists()


@pytest.mark.parametrize("who", ["moderator", "team_manager"])
def test_audit_lead_and_team_manager_can_create_actions(p: Personas, who: str) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    action = action_create(
        audit=audit,
        by=getattr(p, who),
        description="Update the plan.",
        owner=p.practitioner,
        due_date=NEXT_MONTH,
    )
    assert action.answer is None


@pytest.mark.parametrize("who", ["practitioner", "senior_leader", "outsider_manager"])
def test_others_cannot_create_actions(p: Personas, who: str) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    with pytest.raises(Refused, match="Only the auditor"):
        action_create(
            audit=audit,
            by=getattr(p, who),
            description="x",
            owner=p.practitioner,
            due_date=NEXT_MONTH,
        )


def test_no_action_on_a_planned_audit(p: Personas) -> None:
    with pytest.raises(Refused, match="start the audit"):
        action_create(
            audit=make_audit(p, status=AuditStatus.PLANNED),
            by=p.auditor,
            description="x",
            owner=p.practitioner,
            due_date=NEXT_MONTH,
        )


def test_action_due_date_cannot_be_in_the_past(p: Personas) -> None:
    with pytest.raises(Refused) as refusal:
        action_create(
            audit=make_audit(p),
            by=p.auditor,
            description="x",
            owner=p.practitioner,
            due_date=YESTERDAY,
        )
    assert refusal.value.field == "due_date"


def test_action_finding_must_belong_to_the_audit(p: Personas) -> None:
    other = make_audit(p)
    with pytest.raises(Refused, match="another audit"):
        action_create(
            audit=make_audit(p),
            by=p.auditor,
            description="x",
            owner=p.practitioner,
            due_date=NEXT_MONTH,
            answer=make_answer(other),
        )


def test_action_owner_must_be_active(p: Personas) -> None:
    p.practitioner.is_active = False
    p.practitioner.save()
    with pytest.raises(Refused, match="no longer an active"):
        action_create(
            audit=make_audit(p),
            by=p.auditor,
            description="x",
            owner=p.practitioner,
            due_date=NEXT_MONTH,
        )


# --- completing and cancelling ------------------------------------------------------------------


def test_the_status_table_lets_a_done_action_be_signed_off_or_sent_back_and_nothing_else_move() -> (
    None
):
    assert ACTION_TRANSITIONS[ActionStatus.OPEN] == {ActionStatus.COMPLETED, ActionStatus.CANCELLED}
    assert ACTION_TRANSITIONS[ActionStatus.COMPLETED] == {ActionStatus.CLOSED, ActionStatus.OPEN}
    assert not ACTION_TRANSITIONS[ActionStatus.CLOSED]
    assert not ACTION_TRANSITIONS[ActionStatus.CANCELLED]


def test_a_done_action_is_shown_as_waiting_for_sign_off() -> None:
    assert ActionStatus.COMPLETED.label == "Waiting for sign-off"


def test_the_owner_marks_an_action_done_with_evidence_and_it_waits_for_sign_off(
    p: Personas,
) -> None:
    action = make_action(p)
    action_complete(action=action, by=p.practitioner, evidence="Visited 3 May.")
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED
    assert action.completion_evidence == "Visited 3 May."
    assert action.completed_at is not None
    assert action.signed_off_at is None
    event = Event.objects.get(verb="action.completed")
    assert event.before["status"] == "open"
    assert event.after["status"] == "completed"
    assert event.content_changed == ["completion_evidence"]


def test_marking_an_action_done_tells_the_team_manager_who_signs_it_off(p: Personas) -> None:
    action = make_action(p)
    action_complete(action=action, by=p.practitioner, evidence="Visited 3 May.")
    note = Notification.objects.get(recipient=p.team_manager.user)
    assert "waiting for your sign-off" in note.message
    assert note.url == reverse("audits:action", args=[action.public_id])


def test_completing_needs_evidence(p: Personas) -> None:
    action = make_action(p)
    with pytest.raises(Refused) as refusal:
        action_complete(action=action, by=p.practitioner, evidence=" ")
    assert refusal.value.field == "evidence"
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN


@pytest.mark.parametrize(
    "who", ["team_manager", "auditor", "moderator", "outsider_manager", "senior_leader"]
)
def test_nobody_but_the_owner_marks_an_action_done(p: Personas, who: str) -> None:
    # Not even the team manager who signs it off: nobody checks evidence they gave themselves.
    action = make_action(p)
    with pytest.raises(Refused, match="Only the action's owner can mark it as done"):
        action_complete(action=action, by=getattr(p, who), evidence="Done.")


def test_an_action_waiting_for_sign_off_cannot_be_marked_done_again_or_cancelled(
    p: Personas,
) -> None:
    action = make_action(p)
    action_complete(action=action, by=p.practitioner, evidence="Done.")
    with pytest.raises(
        Refused, match="This action is waiting for sign-off: it cannot be marked as done"
    ):
        action_complete(action=action, by=p.practitioner, evidence="Again.")
    with pytest.raises(
        Refused, match="This action is waiting for sign-off: it cannot be cancelled"
    ):
        action_cancel(action=action, by=p.auditor, reason="No longer needed.")


@pytest.mark.parametrize("who", ["auditor", "moderator"])
def test_creator_or_audit_lead_cancels_an_action_with_a_reason(p: Personas, who: str) -> None:
    action = make_action(p)
    action_cancel(action=action, by=getattr(p, who), reason="Case closed.")
    action.refresh_from_db()
    assert action.status == ActionStatus.CANCELLED
    assert action.cancel_reason == "Case closed."
    assert action.cancelled_at is not None
    assert Event.objects.get(verb="action.cancelled").content_changed == ["cancel_reason"]


def test_a_cancelled_action_cannot_be_completed(p: Personas) -> None:
    action = make_action(p)
    action_cancel(action=action, by=p.auditor, reason="Duplicate.")
    with pytest.raises(Refused, match="cancelled"):
        action_complete(action=action, by=p.practitioner, evidence="Done.")


@pytest.mark.parametrize("who", ["practitioner", "team_manager", "senior_leader"])
def test_others_cannot_cancel_an_action(p: Personas, who: str) -> None:
    action = make_action(p)
    with pytest.raises(Refused, match="cancel"):
        action_cancel(action=action, by=getattr(p, who), reason="No.")


def test_cancelling_needs_a_reason(p: Personas) -> None:
    with pytest.raises(Refused) as refusal:
        action_cancel(action=make_action(p), by=p.auditor, reason="")
    assert refusal.value.field == "reason"


# --- pages --------------------------------------------------------------------------------------


def test_my_actions_lists_open_actions_owned_by_me_overdue_first(p: Personas) -> None:
    later = make_action(p, due_date=NEXT_MONTH)
    overdue = make_action(p, due_date=YESTERDAY)
    make_action(p, owner=p.team_manager)
    response = p.client_for(p.practitioner).get(reverse("audits:actions"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [overdue, later]
    assert "Overdue" in response.content.decode()


def test_overdue_view_lists_only_overdue_actions(p: Personas) -> None:
    make_action(p, due_date=NEXT_MONTH)
    overdue = make_action(p, due_date=YESTERDAY)
    response = p.client_for(p.practitioner).get(reverse("audits:actions") + "?show=overdue")
    assert list(response.context["page"].object_list) == [overdue]


def test_closed_view_lists_signed_off_and_cancelled_actions_not_those_waiting(
    p: Personas,
) -> None:
    closed = make_action(p, status=ActionStatus.CLOSED)
    cancelled = make_action(p, status=ActionStatus.CANCELLED, due_date=YESTERDAY)
    make_action(p, status=ActionStatus.COMPLETED)
    make_action(p)
    response = p.client_for(p.practitioner).get(reverse("audits:actions") + "?show=closed")
    assert list(response.context["page"].object_list) == [closed, cancelled]


def test_waiting_view_lists_the_actions_marked_done_and_not_yet_signed_off(p: Personas) -> None:
    waiting = make_action(p, status=ActionStatus.COMPLETED)
    make_action(p, status=ActionStatus.CLOSED)
    make_action(p)
    response = p.client_for(p.practitioner).get(reverse("audits:actions") + "?show=waiting")
    assert list(response.context["page"].object_list) == [waiting]
    assert "Waiting for sign-off" in response.content.decode()


def test_team_actions_show_the_team_managers_team_only(p: Personas) -> None:
    mine = make_action(p)
    south_audit = make_audit(p)
    south_audit.team = p.south_a
    south_audit.save()
    theirs = make_action(p, audit=south_audit, owner=p.outsider)
    response = p.client_for(p.team_manager).get(reverse("audits:team_actions"))
    assert list(response.context["page"].object_list) == [mine]
    assert theirs not in response.context["page"].object_list


@pytest.mark.parametrize("who", ["practitioner", "auditor", "board_member", "administrator"])
def test_team_actions_are_refused_to_other_roles(p: Personas, who: str) -> None:
    assert p.client_for(getattr(p, who)).get(reverse("audits:team_actions")).status_code == 403


@pytest.mark.parametrize("url_name", ["audits:actions", "audits:team_actions"])
def test_action_lists_query_count_does_not_grow_with_rows(
    p: Personas,
    url_name: str,
    django_assert_max_num_queries: Any,
) -> None:
    client = p.client_for(p.team_manager)
    make_action(p, owner=p.team_manager)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse(url_name))
    colleague = make_staff("colleague", "Cal Colleague", Role.PRACTITIONER, p.north_a)
    for i in range(12):
        make_action(p, owner=p.team_manager if i % 2 else colleague)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url_name))
    assert len(response.context["page"].object_list) > 1


def test_owner_marks_an_action_done_on_its_page(p: Personas) -> None:
    action = make_action(p)
    client = p.client_for(p.practitioner)
    page = client.get(reverse("audits:action", args=[action.public_id]))
    assert page.status_code == 200
    assert "Mark as done" in page.content.decode()
    assert "Cancel the action" not in page.content.decode()
    response = client.post(
        reverse("audits:action_complete", args=[action.public_id]), {"evidence": "Seen alone."}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED


def test_completing_without_evidence_shows_the_error_summary(p: Personas) -> None:
    action = make_action(p)
    response = p.client_for(p.practitioner).post(
        reverse("audits:action_complete", args=[action.public_id]), {"evidence": ""}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_creator_cancels_an_action_on_its_page_and_the_reason_is_shown(p: Personas) -> None:
    action = make_action(p)
    client = p.client_for(p.auditor)
    response = client.post(
        reverse("audits:action_cancel", args=[action.public_id]), {"reason": "Case closed."}
    )
    assert response.status_code == 302
    assert "Case closed." in client.get(response["Location"]).content.decode()


def test_auditor_can_read_but_not_complete_an_action(p: Personas) -> None:
    action = make_action(p)
    client = p.client_for(p.auditor)
    assert (
        "Mark as done"
        not in client.get(reverse("audits:action", args=[action.public_id])).content.decode()
    )
    response = client.post(
        reverse("audits:action_complete", args=[action.public_id]), {"evidence": "x"}
    )
    assert response.status_code == 403


def test_practitioner_cannot_cancel_an_action_they_own(p: Personas) -> None:
    action = make_action(p)
    response = p.client_for(p.practitioner).post(
        reverse("audits:action_cancel", args=[action.public_id]), {"reason": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["outsider", "outsider_manager", "board_member", "administrator"])
def test_action_is_missing_for_those_who_may_not_see_it(p: Personas, who: str) -> None:
    action = make_action(p)
    client = p.client_for(getattr(p, who))
    assert client.get(reverse("audits:action", args=[action.public_id])).status_code == 404
    assert (
        client.post(
            reverse("audits:action_complete", args=[action.public_id]), {"evidence": "x"}
        ).status_code
        == 404
    )


def test_a_colleague_in_the_same_team_cannot_see_anothers_action(p: Personas) -> None:
    colleague = make_staff("colleague", "Cal Colleague", Role.PRACTITIONER, p.north_a)
    action = make_action(p)
    response = p.client_for(colleague).get(reverse("audits:action", args=[action.public_id]))
    assert response.status_code == 404


def test_auditor_adds_an_action_from_a_finding(p: Personas) -> None:
    audit = make_audit(p)
    answer = make_answer(audit)
    code = answer.question.code
    client = p.client_for(p.auditor)
    url = reverse("audits:action_create", args=[audit.public_id])
    page = client.get(url + f"?finding={code}")
    assert page.status_code == 200
    assert f'value="{code}" selected' in page.content.decode()
    response = client.post(
        url,
        {
            "finding": code,
            "description": "See the child alone.",
            "owner": str(p.practitioner.pk),
            "due_date-day": str(NEXT_MONTH.day),
            "due_date-month": str(NEXT_MONTH.month),
            "due_date-year": str(NEXT_MONTH.year),
        },
    )
    assert response.status_code == 302
    action = Action.objects.get()
    assert action.answer == answer
    assert action.owner == p.practitioner


def test_adding_an_action_with_a_past_date_shows_the_error_on_the_date(p: Personas) -> None:
    audit = make_audit(p)
    response = p.client_for(p.auditor).post(
        reverse("audits:action_create", args=[audit.public_id]),
        {
            "finding": "overall",
            "description": "See the child alone.",
            "owner": str(p.practitioner.pk),
            "due_date-day": str(YESTERDAY.day),
            "due_date-month": str(YESTERDAY.month),
            "due_date-year": str(YESTERDAY.year),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["due_date"]
    assert not Action.objects.exists()


def test_adding_an_action_is_refused_to_the_practitioner(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    url = reverse("audits:action_create", args=[audit.public_id])
    assert p.client_for(p.practitioner).get(url).status_code == 403
    assert p.client_for(p.outsider).get(url).status_code == 404


def test_action_pages_send_anonymous_visitors_to_sign_in(p: Personas, anon: Client) -> None:
    action = make_action(p)
    for url in (
        reverse("audits:actions"),
        reverse("audits:team_actions"),
        reverse("audits:action", args=[action.public_id]),
        reverse("audits:action_create", args=[action.audit.public_id]),
    ):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_audit_page_offers_add_an_action_to_those_who_may(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    add = reverse("audits:action_create", args=[audit.public_id])
    url = reverse("audits:detail", args=[audit.public_id])
    assert add in p.client_for(p.auditor).get(url).content.decode()
    assert add in p.client_for(p.team_manager).get(url).content.decode()
    assert add not in p.client_for(p.practitioner).get(url).content.decode()


# --- the pure rules -----------------------------------------------------------------------------


def test_a_move_the_table_allows_has_no_problem_and_one_it_refuses_says_why() -> None:
    assert action_move_problem(ActionStatus.COMPLETED, ActionStatus.CLOSED) is None
    assert action_move_problem(ActionStatus.COMPLETED, ActionStatus.OPEN) is None
    assert action_move_problem(ActionStatus.OPEN, ActionStatus.CLOSED) == (
        "This action is open: it cannot be signed off."
    )
    assert action_move_problem(ActionStatus.CANCELLED, ActionStatus.OPEN) == (
        "This action is cancelled: it cannot be sent back."
    )


@pytest.mark.parametrize(
    ("kind", "compliance", "weak_grade", "needs"),
    [
        (QuestionKind.COMPLIANCE, ComplianceAnswer.NO, False, True),
        (QuestionKind.COMPLIANCE, ComplianceAnswer.YES, False, False),
        (QuestionKind.COMPLIANCE, ComplianceAnswer.NOT_APPLICABLE, False, False),
        (QuestionKind.COMPLIANCE, "", False, False),
        (QuestionKind.GRADED, "", True, True),
        (QuestionKind.GRADED, "", False, False),
    ],
)
def test_a_no_or_a_grade_that_needs_an_action_needs_one(
    kind: str, compliance: str, weak_grade: bool, needs: bool
) -> None:
    assert needs_action(kind=kind, compliance=compliance, grade_needs_action=weak_grade) == needs


# Ids for the sign-off rule: the owner 1, their line manager 2, the head of service 3, the
# audit's team 10 (another team 11), someone else 4.
PRACTITIONER_OWNER = {"owner_id": 1, "owner_role": Role.PRACTITIONER, "owner_team_id": 10}
MANAGER_OWNER = {"owner_id": 1, "owner_role": Role.TEAM_MANAGER, "owner_team_id": 10}


@pytest.mark.parametrize(
    ("owner", "signer", "audit_team", "allowed"),
    [
        # A practitioner's action: any team manager of the audit's team, nobody else.
        (PRACTITIONER_OWNER, (4, Role.TEAM_MANAGER, 10), 10, True),
        (PRACTITIONER_OWNER, (4, Role.TEAM_MANAGER, 11), 10, False),
        (PRACTITIONER_OWNER, (4, Role.SENIOR_LEADER, 10), 10, False),
        (PRACTITIONER_OWNER, (3, Role.SENIOR_LEADER, None), 10, False),
        (PRACTITIONER_OWNER, (2, Role.PRACTITIONER, 10), 10, False),
        # Owned by a team manager of the audit's team: their manager or the head of service.
        (MANAGER_OWNER, (2, Role.SENIOR_LEADER, None), 10, True),
        (MANAGER_OWNER, (3, Role.SENIOR_LEADER, None), 10, True),
        (MANAGER_OWNER, (4, Role.TEAM_MANAGER, 10), 10, False),
        (MANAGER_OWNER, (1, Role.TEAM_MANAGER, 10), 10, False),
        # A team manager owning an action from another team's audit is like anyone else.
        ({**MANAGER_OWNER, "owner_team_id": 11}, (4, Role.TEAM_MANAGER, 10), 10, True),
        ({**MANAGER_OWNER, "owner_team_id": 11}, (2, Role.SENIOR_LEADER, None), 10, False),
        # An audit with no team: the owner's line manager alone.
        (PRACTITIONER_OWNER, (2, Role.TEAM_MANAGER, 10), None, True),
        (PRACTITIONER_OWNER, (4, Role.TEAM_MANAGER, 10), None, False),
        (PRACTITIONER_OWNER, (3, Role.SENIOR_LEADER, None), None, False),
    ],
)
def test_who_may_sign_off_an_action(
    owner: dict[str, Any],
    signer: tuple[int, str, int | None],
    audit_team: int | None,
    allowed: bool,
) -> None:
    signer_id, role, team = signer
    assert (
        may_sign_off(
            signer_id=signer_id,
            signer_role=role,
            signer_team_id=team,
            owner_manager_id=2,
            audit_team_id=audit_team,
            head_of_service_id=3 if audit_team is not None else None,
            **owner,
        )
        == allowed
    )


def test_nobody_signs_off_their_own_action_even_without_a_manager() -> None:
    assert not may_sign_off(
        signer_id=1,
        signer_role=Role.TEAM_MANAGER,
        signer_team_id=10,
        owner_id=1,
        owner_role=Role.PRACTITIONER,
        owner_team_id=11,
        owner_manager_id=None,
        audit_team_id=10,
        head_of_service_id=None,
    )
    assert not may_sign_off(
        signer_id=5,
        signer_role=Role.SENIOR_LEADER,
        signer_team_id=None,
        owner_id=1,
        owner_role=Role.PRACTITIONER,
        owner_team_id=None,
        owner_manager_id=None,
        audit_team_id=None,
        head_of_service_id=None,
    )
