"""Nobody changes their own role or services, and a role that reads audits (or the
administrator's) is given only when a second person approves: another administrator or a
senior leader, never whoever asked nor the person it is about."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from auditloop.accounts.models import AccessRequest, AccessRequestStatus, Role, StaffMember, User
from auditloop.accounts.services.access_requests import (
    access_request_approve,
    access_request_reject,
)
from auditloop.accounts.services.staff import StaffDetails, staff_create, staff_update
from auditloop.core.models import Event, Notification
from auditloop.testing import Personas, make_staff


def _user(staff: StaffMember) -> User:
    assert staff.user is not None
    return staff.user


def _change(p: Personas, staff: StaffMember, by: StaffMember | None = None, **access: Any) -> None:
    """Save `staff`'s record as the administrator's form would, with `access` changed."""
    fields: dict[str, Any] = {
        "name": staff.name,
        "email": staff.email or "",
        "role": staff.role,
        "team": staff.team,
        "services": list(staff.services.all()),
        "manager": staff.manager,
        "start_date": staff.start_date,
    }
    fields.update(access)
    staff_update(staff=staff, by=by or p.administrator, details=StaffDetails(**fields))


def _asked(staff: StaffMember) -> AccessRequest:
    return staff.access_requests.get(status=AccessRequestStatus.PENDING)


def test_an_administrator_cannot_give_themself_a_role_or_services(p: Personas) -> None:
    attempts: list[dict[str, Any]] = [
        {"role": Role.MODERATOR, "services": [p.north]},
        {"role": Role.PRACTITIONER, "team": p.north_a},
    ]
    for access in attempts:
        with pytest.raises(ValidationError) as caught:
            _change(p, p.administrator, **access)
        assert "Nobody changes their own role" in str(caught.value)
    p.administrator.refresh_from_db()
    assert p.administrator.role == Role.ADMINISTRATOR
    assert not AccessRequest.objects.exists()


def test_nobody_edits_their_own_access_on_the_page_either(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_edit", args=[p.administrator.public_id]),
        {"name": "Ada Admin", "role": "moderator", "services": [str(p.north.public_id)]},
    )
    assert response.status_code == 200
    assert "Nobody changes their own role" in response.content.decode()
    p.administrator.refresh_from_db()
    assert p.administrator.role == Role.ADMINISTRATOR


@pytest.mark.parametrize(
    "role",
    [Role.AUDITOR, Role.TEAM_MANAGER, Role.MODERATOR, Role.SENIOR_LEADER, Role.ADMINISTRATOR],
)
def test_a_role_that_reads_audits_or_approves_waits_for_a_second_person(
    p: Personas, role: Role
) -> None:
    _change(p, p.practitioner, role=role, team=p.north_a)
    p.practitioner.refresh_from_db()
    assert p.practitioner.role == Role.PRACTITIONER
    asked = _asked(p.practitioner)
    assert (asked.role, asked.requested_by) == (role, _user(p.administrator))
    assert Event.objects.filter(verb="staff.access_requested").count() == 1


@pytest.mark.parametrize("role", [Role.BOARD_MEMBER, Role.PRACTITIONER])
def test_a_role_that_reads_no_audits_is_changed_at_once(p: Personas, role: Role) -> None:
    _change(p, p.auditor, role=role, team=p.north_b)
    p.auditor.refresh_from_db()
    assert p.auditor.role == role
    assert not AccessRequest.objects.exists()


def test_new_services_for_an_audit_lead_wait_and_fewer_apply_at_once(p: Personas) -> None:
    _change(p, p.moderator, services=[p.north, p.south])
    assert list(p.moderator.services.all()) == [p.north]
    assert list(_asked(p.moderator).services.all()) == [p.north, p.south]
    _change(p, p.moderator, services=[])
    assert list(p.moderator.services.all()) == []
    # The narrower change replaces the request that was waiting.
    assert p.moderator.access_requests.get().status == AccessRequestStatus.WITHDRAWN


def test_a_team_manager_moved_to_another_team_waits(p: Personas) -> None:
    _change(p, p.team_manager, team=p.north_b)
    p.team_manager.refresh_from_db()
    assert p.team_manager.team == p.north_a
    assert _asked(p.team_manager).team == p.north_b


def test_a_new_member_of_staff_in_such_a_role_starts_as_a_practitioner(p: Personas) -> None:
    staff = staff_create(
        by=p.administrator,
        details=StaffDetails(name="Nia New", role=Role.AUDITOR, team=p.north_b),
    )
    assert (staff.role, staff.team) == (Role.PRACTITIONER, p.north_b)
    assert _asked(staff).role == Role.AUDITOR


def test_the_command_line_sets_roles_at_once(p: Personas) -> None:
    staff = staff_create(by=None, details=StaffDetails(name="First Admin", role=Role.ADMINISTRATOR))
    assert staff.role == Role.ADMINISTRATOR
    assert not AccessRequest.objects.exists()


@pytest.mark.parametrize("approver", ["senior_leader", "second_administrator"])
def test_another_administrator_or_a_senior_leader_approves(p: Personas, approver: str) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    deciders = {
        "senior_leader": p.senior_leader,
        "second_administrator": make_staff("admin2", "Abe Admin", Role.ADMINISTRATOR),
    }
    access_request_approve(access_request=_asked(p.auditor), by=deciders[approver])
    p.auditor.refresh_from_db()
    assert p.auditor.role == Role.MODERATOR
    assert list(p.auditor.services.all()) == [p.north]
    approved = Event.objects.get(verb="staff.access_approved")
    assert approved.actor == _user(deciders[approver])
    assert (approved.before["role"], approved.after["role"]) == ("auditor", "moderator")


def test_whoever_asked_cannot_approve(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    with pytest.raises(ValidationError, match="someone else must approve"):
        access_request_approve(access_request=_asked(p.auditor), by=p.administrator)
    p.auditor.refresh_from_db()
    assert p.auditor.role == Role.AUDITOR


def test_nobody_approves_a_change_about_themself(p: Personas) -> None:
    second = make_staff("admin2", "Abe Admin", Role.ADMINISTRATOR)
    _change(p, p.senior_leader, services=[p.north, p.south], by=second)
    with pytest.raises(ValidationError, match="their own role"):
        access_request_approve(access_request=_asked(p.senior_leader), by=p.senior_leader)


@pytest.mark.parametrize("role", ["moderator", "team_manager", "auditor", "practitioner"])
def test_only_administrators_and_senior_leaders_approve(p: Personas, role: str) -> None:
    _change(p, p.outsider, role=Role.AUDITOR)
    with pytest.raises(ValidationError, match="administrator or a senior leader"):
        access_request_approve(access_request=_asked(p.outsider), by=p.all_roles()[role])


def test_a_rejection_says_why_and_the_person_keeps_what_they_had(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    asked = _asked(p.auditor)
    with pytest.raises(ValidationError):
        access_request_reject(access_request=asked, by=p.senior_leader, reason=" ")
    access_request_reject(access_request=asked, by=p.senior_leader, reason="Not on the audit team.")
    asked.refresh_from_db()
    assert (asked.status, asked.decision_note) == ("rejected", "Not on the audit team.")
    p.auditor.refresh_from_db()
    assert p.auditor.role == Role.AUDITOR
    assert Event.objects.get(verb="staff.access_rejected").after["why"] == "Not on the audit team."
    with pytest.raises(ValidationError, match="already been rejected"):
        access_request_approve(access_request=asked, by=p.senior_leader)


def test_whoever_asked_may_withdraw(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    asked = _asked(p.auditor)
    access_request_reject(access_request=asked, by=p.administrator, reason="Wrong person.")
    asked.refresh_from_db()
    assert asked.status == AccessRequestStatus.WITHDRAWN


def test_approvers_are_told_a_change_waits(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    told = set(Notification.objects.values_list("recipient__username", flat=True))
    assert told == {"leader"}  # the only other approver; never the administrator who asked


# Pages -----------------------------------------------------------------------------------


def test_a_senior_leader_approves_on_the_page(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    asked = _asked(p.auditor)
    leader = p.client_for(p.senior_leader)
    listing = leader.get(reverse("accounts:access_requests")).content.decode()
    assert "Alex Auditor" in listing and "Moderator or audit lead" in listing
    detail = leader.get(reverse("accounts:access_request", args=[asked.public_id]))
    assert "Approve the change" in detail.content.decode()
    response = leader.post(reverse("accounts:access_request_approve", args=[asked.public_id]))
    assert response.status_code == 302
    p.auditor.refresh_from_db()
    assert p.auditor.role == Role.MODERATOR


def test_the_page_offers_whoever_asked_only_to_withdraw(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    asked = _asked(p.auditor)
    admin = p.client_for(p.administrator)
    page = admin.get(reverse("accounts:access_request", args=[asked.public_id])).content.decode()
    assert "Approve the change" not in page and "Withdraw the request" in page
    response = admin.post(reverse("accounts:access_request_approve", args=[asked.public_id]))
    assert response.status_code == 302
    p.auditor.refresh_from_db()
    assert p.auditor.role == Role.AUDITOR


def test_rejecting_without_a_reason_shows_the_error_summary(p: Personas) -> None:
    _change(p, p.auditor, role=Role.MODERATOR, team=None, services=[p.north])
    asked = _asked(p.auditor)
    response = p.client_for(p.senior_leader).post(
        reverse("accounts:access_request_reject", args=[asked.public_id]), {"reason": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Say why the change is not approved." in page


@pytest.mark.parametrize(
    "role", ["practitioner", "team_manager", "auditor", "moderator", "board_member"]
)
def test_other_roles_cannot_open_the_role_change_pages(p: Personas, role: str) -> None:
    _change(p, p.outsider, role=Role.AUDITOR)
    asked = _asked(p.outsider)
    client = p.client_for(p.all_roles()[role])
    assert client.get(reverse("accounts:access_requests")).status_code == 403
    assert client.get(reverse("accounts:access_request", args=[asked.public_id])).status_code == 403
    url = reverse("accounts:access_request_approve", args=[asked.public_id])
    assert client.post(url).status_code == 403
