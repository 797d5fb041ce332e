"""Signing off an action its owner has marked done: a team manager of the audit's team closes it
or sends it back with a reason. Nobody signs off their own action: a team manager's goes to
their own manager or the head of service. Only a closed action counts as done."""

from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.access.actions import can_sign_off_action
from auditloop.audits.models import Action, ActionStatus, AuditStatus
from auditloop.audits.selectors.actions import action_signers, actions_awaiting_sign_off_by
from auditloop.audits.services.actions import action_complete, action_send_back, action_sign_off
from auditloop.audits.tests.followup_factories import make_action, make_audit
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff


def _done(p: Personas, *, owner: StaffMember | None = None, **kwargs: object) -> Action:
    """An action its owner has marked done, waiting for sign-off."""
    owner = owner or p.practitioner
    action = make_action(p, owner=owner, **kwargs)  # type: ignore[arg-type]
    return action_complete(action=action, by=owner, evidence="Seen alone on 3 May.")


def _service_manager(p: Personas) -> StaffMember:
    """The team manager's own line manager, a senior leader who is not head of service."""
    boss = make_staff("servicemanager", "Sol Service", Role.SENIOR_LEADER, services=[p.north])
    p.team_manager.manager = boss
    p.team_manager.save(update_fields=["manager"])
    return boss


# --- signing off --------------------------------------------------------------------------------


def test_the_team_manager_signs_off_an_action_and_it_is_closed(p: Personas) -> None:
    action = _done(p)
    action_sign_off(action=action, by=p.team_manager)
    action.refresh_from_db()
    assert action.status == ActionStatus.CLOSED
    assert action.signed_off_by == p.team_manager
    assert action.signed_off_at is not None
    event = Event.objects.get(verb="action.signed_off")
    assert (event.before["status"], event.after["status"]) == ("completed", "closed")
    assert Notification.objects.filter(
        recipient=p.practitioner.user, message__contains="signed off"
    ).exists()


def test_the_team_manager_sends_an_action_back_with_a_reason_and_it_is_open_again(
    p: Personas,
) -> None:
    action = _done(p)
    action_send_back(action=action, by=p.team_manager, reason="Say where the visit is recorded.")
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
    assert action.sent_back_reason == "Say where the visit is recorded."
    assert action.sent_back_at is not None
    assert action.completed_at is None
    assert action.completion_evidence == "Seen alone on 3 May."  # kept, for the owner to add to
    event = Event.objects.get(verb="action.sent_back")
    assert event.content_changed == ["sent_back_reason"]
    assert "recorded" not in str(event.after)


@pytest.mark.django_db(transaction=True)
def test_the_owner_is_emailed_when_their_action_is_sent_back_without_the_reason_or_child(
    p: Personas,
) -> None:
    action = _done(p)
    mail.outbox.clear()
    action_send_back(action=action, by=p.team_manager, reason="Say where the visit is recorded.")
    [email] = mail.outbox
    assert email.to == [p.practitioner.email]
    assert "sent back" in email.subject
    assert p.case.la_child_id not in f"{email.subject} {email.body}"
    assert "recorded" not in email.body


def test_a_sent_back_action_can_be_marked_done_again_and_then_signed_off(p: Personas) -> None:
    action = _done(p)
    action_send_back(action=action, by=p.team_manager, reason="Add the date.")
    action_complete(action=action, by=p.practitioner, evidence="Seen alone on 3 May, at home.")
    action_sign_off(action=action, by=p.team_manager)
    assert action.status == ActionStatus.CLOSED


def test_sending_back_needs_a_reason(p: Personas) -> None:
    action = _done(p)
    with pytest.raises(Refused) as refusal:
        action_send_back(action=action, by=p.team_manager, reason="  ")
    assert refusal.value.field == "reason"
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED


def test_an_open_action_cannot_be_signed_off_before_it_is_done(p: Personas) -> None:
    action = make_action(p)
    with pytest.raises(Refused, match="This action is open: it cannot be signed off"):
        action_sign_off(action=action, by=p.team_manager)


def test_a_closed_action_cannot_be_sent_back_or_signed_off_again(p: Personas) -> None:
    action = _done(p)
    action_sign_off(action=action, by=p.team_manager)
    with pytest.raises(Refused, match="This action is closed: it cannot be sent back"):
        action_send_back(action=action, by=p.team_manager, reason="More.")
    with pytest.raises(Refused, match="This action is closed: it cannot be signed off"):
        action_sign_off(action=action, by=p.team_manager)


@pytest.mark.parametrize(
    "who", ["practitioner", "auditor", "moderator", "senior_leader", "outsider_manager"]
)
def test_only_a_team_manager_of_the_audits_team_signs_off_a_practitioners_action(
    p: Personas, who: str
) -> None:
    action = _done(p)
    with pytest.raises(Refused, match="Only a team manager of the audit's team"):
        action_sign_off(action=action, by=getattr(p, who))
    with pytest.raises(Refused, match="Only a team manager of the audit's team"):
        action_send_back(action=action, by=getattr(p, who), reason="No.")


def test_a_team_manager_cannot_sign_off_their_own_action(p: Personas) -> None:
    action = _done(p, owner=p.team_manager)
    with pytest.raises(Refused, match="their own manager or the head of service"):
        action_sign_off(action=action, by=p.team_manager)


def test_a_fellow_team_manager_cannot_sign_off_a_team_managers_action(p: Personas) -> None:
    fellow = make_staff("fellow", "Fen Fellow", Role.TEAM_MANAGER, p.north_a)
    action = _done(p, owner=p.team_manager)
    with pytest.raises(Refused):
        action_sign_off(action=action, by=fellow)


def test_a_team_managers_action_is_signed_off_by_their_own_manager(p: Personas) -> None:
    boss = _service_manager(p)
    action = _done(p, owner=p.team_manager)
    action_sign_off(action=action, by=boss)
    assert action.status == ActionStatus.CLOSED


def test_a_team_managers_action_is_signed_off_by_the_head_of_service(p: Personas) -> None:
    action = _done(p, owner=p.team_manager)
    action_sign_off(action=action, by=p.senior_leader)  # head of North
    assert action.signed_off_by == p.senior_leader


def test_a_team_manager_who_heads_the_service_still_cannot_sign_off_their_own(
    p: Personas,
) -> None:
    p.north.head_of_service = p.team_manager
    p.north.save(update_fields=["head_of_service"])
    action = _done(p, owner=p.team_manager)
    assert not can_sign_off_action(p.team_manager, action)
    assert not actions_awaiting_sign_off_by(p.team_manager).exists()


def test_the_head_of_service_does_not_sign_off_a_practitioners_action(p: Personas) -> None:
    # Their team manager does: the head of service steps in only for a team manager's own.
    action = _done(p)
    assert not can_sign_off_action(p.senior_leader, action)


def test_an_action_from_an_audit_with_no_team_is_signed_off_by_the_owners_manager(
    p: Personas,
) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    audit.team = None
    audit.save(update_fields=["team"])
    action = _done(p, audit=audit)
    assert action_signers(action) == [p.team_manager]
    action_sign_off(action=action, by=p.team_manager)


def test_those_who_may_sign_off_are_the_ones_told_it_is_done(p: Personas) -> None:
    boss = _service_manager(p)
    assert action_signers(_done(p)) == [p.team_manager]
    assert action_signers(_done(p, owner=p.team_manager)) == [p.senior_leader, boss]


def test_the_list_of_actions_waiting_for_someone_agrees_with_the_rule(p: Personas) -> None:
    """`may_sign_off` on one action and `action_sign_off_filter` over a list give the same
    answers, for every kind of owner and audit and every would-be signer."""
    boss = _service_manager(p)
    fellow = make_staff("fellow", "Fen Fellow", Role.TEAM_MANAGER, p.north_a)
    north_b_manager = make_staff("nbmanager", "Nia North B", Role.TEAM_MANAGER, p.north_b)
    no_team = make_audit(p, status=AuditStatus.SUBMITTED)
    no_team.team = None
    no_team.save(update_fields=["team"])
    teamless_worker = make_staff(
        "teamless", "Tay Teamless", Role.PRACTITIONER, manager=p.team_manager
    )
    owners = [p.practitioner, p.team_manager, fellow, p.auditor, teamless_worker, boss]
    actions = [
        _done(p, owner=owner, audit=audit)
        for owner, audit in itertools.product(
            owners, [make_audit(p, status=AuditStatus.SUBMITTED), no_team]
        )
    ]
    actions += [make_action(p, owner=p.practitioner)]  # open: waits for nobody
    signers = [*p.all_roles().values(), p.outsider_manager, boss, fellow, north_b_manager]
    for signer in signers:
        listed = set(actions_awaiting_sign_off_by(signer))
        for action in actions:
            fresh = Action.objects.select_related("owner", "audit__team__service").get(pk=action.pk)
            rule = fresh.status == ActionStatus.COMPLETED and can_sign_off_action(signer, fresh)
            assert (fresh in listed) == rule, (signer.name, fresh.owner.name, fresh.audit.team)


# --- pages --------------------------------------------------------------------------------------


def test_the_team_manager_signs_off_on_the_actions_page(p: Personas) -> None:
    action = _done(p)
    client = p.client_for(p.team_manager)
    page = client.get(reverse("audits:action", args=[action.public_id])).content.decode()
    assert "Sign off the action" in page
    assert "Seen alone on 3 May." in page
    response = client.post(reverse("audits:action_sign_off", args=[action.public_id]))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Action signed off. It is closed." in page
    assert "Signed off" in page


def test_the_owner_sees_their_done_action_waiting_and_cannot_sign_it_off(p: Personas) -> None:
    action = _done(p, owner=p.team_manager)
    client = p.client_for(p.team_manager)
    page = client.get(reverse("audits:action", args=[action.public_id])).content.decode()
    assert "Sign off the action" not in page
    assert "you cannot sign off your own action" in page
    response = client.post(reverse("audits:action_sign_off", args=[action.public_id]))
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.status == ActionStatus.COMPLETED


def test_sending_back_without_a_reason_shows_the_error_on_the_reason(p: Personas) -> None:
    action = _done(p)
    response = p.client_for(p.team_manager).post(
        reverse("audits:action_send_back", args=[action.public_id]), {"reason": ""}
    )
    assert response.status_code == 200
    assert response.context["send_back_form"].errors["reason"]
    assert 'href="#id_reason"' in response.content.decode()


def test_a_sent_back_action_shows_the_owner_why_and_their_evidence_to_add_to(
    p: Personas,
) -> None:
    action = _done(p)
    response = p.client_for(p.team_manager).post(
        reverse("audits:action_send_back", args=[action.public_id]),
        {"reason": "Say where the visit is recorded."},
    )
    assert response.status_code == 302
    page = p.client_for(p.practitioner).get(response["Location"]).content.decode()
    assert "Say where the visit is recorded." in page
    assert "Sent back" in page
    assert "Mark as done" in page
    assert ">Seen alone on 3 May.</textarea>" in page


def test_one_who_may_read_an_action_but_not_sign_it_off_is_refused(p: Personas) -> None:
    action = _done(p)
    client = p.client_for(p.moderator)
    assert "Sign off the action" not in (
        client.get(reverse("audits:action", args=[action.public_id])).content.decode()
    )
    assert client.post(reverse("audits:action_sign_off", args=[action.public_id])).status_code == (
        403
    )
    assert (
        client.post(
            reverse("audits:action_send_back", args=[action.public_id]), {"reason": "x"}
        ).status_code
        == 403
    )


def test_signing_off_an_action_one_may_not_see_is_not_found(p: Personas) -> None:
    action = _done(p)
    client = p.client_for(p.outsider_manager)
    assert client.post(reverse("audits:action_sign_off", args=[action.public_id])).status_code == (
        404
    )


def test_the_head_of_service_reads_a_team_managers_action_to_sign_it_off(p: Personas) -> None:
    p.senior_leader.services.clear()  # heads the service without overseeing it as a leader
    action = _done(p, owner=p.team_manager)
    response = p.client_for(p.senior_leader).get(reverse("audits:action", args=[action.public_id]))
    assert response.status_code == 200
    assert "Sign off the action" in response.content.decode()


def test_only_closed_actions_count_as_done(p: Personas) -> None:
    waiting = _done(p)
    closed = _done(p)
    action_sign_off(action=closed, by=p.team_manager)
    assert ActionStatus.COMPLETED.label == "Waiting for sign-off"
    closed_tab = p.client_for(p.team_manager).get(reverse("audits:team_actions") + "?show=closed")
    assert list(closed_tab.context["page"].object_list) == [closed]
    assert waiting not in closed_tab.context["page"].object_list
    waiting_tab = p.client_for(p.team_manager).get(reverse("audits:team_actions") + "?show=waiting")
    assert list(waiting_tab.context["page"].object_list) == [waiting]
