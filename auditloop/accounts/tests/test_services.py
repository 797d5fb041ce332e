from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError

from auditloop.accounts.models import Role, StaffMember, User
from auditloop.accounts.services.access_requests import access_request_approve
from auditloop.accounts.services.logins import (
    staff_login_create,
    staff_password_reset,
    user_password_change,
)
from auditloop.accounts.services.organisation import (
    service_create,
    service_update,
    team_create,
    team_update,
)
from auditloop.accounts.services.staff import (
    StaffDetails,
    staff_create,
    staff_deactivate,
    staff_reactivate,
    staff_update,
)
from auditloop.core.models import Event
from auditloop.testing import Personas


def _admin(p: Personas) -> User:
    assert p.administrator.user is not None
    return p.administrator.user


def _last_event(verb: str) -> Event:
    event = Event.objects.filter(verb=verb).first()
    assert event is not None
    return event


# Services and teams -----------------------------------------------------------------------


def test_administrator_creates_a_service_with_an_event(p: Personas) -> None:
    service = service_create(by=p.administrator, name="  East ")
    assert service.name == "East"
    event = _last_event("service.created")
    assert event.actor == _admin(p)
    assert event.after["name"] == "East"


def test_a_service_name_cannot_be_used_twice(p: Personas) -> None:
    with pytest.raises(ValidationError, match="already a service called north"):
        service_create(by=p.administrator, name="north")


def test_a_new_service_cannot_be_headed_by_someone_who_has_left(p: Personas) -> None:
    StaffMember.objects.filter(pk=p.senior_leader.pk).update(is_active=False)
    p.senior_leader.refresh_from_db()
    with pytest.raises(ValidationError, match="must be active staff"):
        service_create(by=p.administrator, name="East", head_of_service=p.senior_leader)


def test_administrator_renames_a_service_and_sets_its_head(p: Personas) -> None:
    service_update(
        service=p.south, by=p.administrator, name="South and West", head_of_service=p.senior_leader
    )
    p.south.refresh_from_db()
    assert p.south.name == "South and West"
    assert p.south.head_of_service == p.senior_leader
    event = _last_event("service.updated")
    assert event.before == {"name": "South", "head_of_service": None}
    assert event.after["head_of_service"] == "Lee Leader"


def test_a_service_cannot_be_renamed_to_another_services_name(p: Personas) -> None:
    with pytest.raises(ValidationError):
        service_update(service=p.south, by=p.administrator, name="North", head_of_service=None)


def test_administrator_creates_a_team_in_a_service(p: Personas) -> None:
    team = team_create(by=p.administrator, service=p.south, name="South B")
    assert team.service == p.south
    assert _last_event("team.created").after == {"name": "South B", "service": "South"}


def test_a_team_name_is_unique_within_its_service(p: Personas) -> None:
    with pytest.raises(ValidationError, match="already has a team called"):
        team_create(by=p.administrator, service=p.north, name="north a")
    # The same name in another service is fine.
    team_create(by=p.administrator, service=p.south, name="North A")


def test_administrator_moves_a_team_to_another_service(p: Personas) -> None:
    team_update(team=p.north_b, by=p.administrator, name="North B", service=p.south)
    p.north_b.refresh_from_db()
    assert p.north_b.service == p.south
    event = _last_event("team.updated")
    assert (event.before["service"], event.after["service"]) == ("North", "South")


# Staff ------------------------------------------------------------------------------------


def test_administrator_adds_a_member_of_staff(p: Personas) -> None:
    staff = staff_create(
        by=p.administrator,
        details=StaffDetails(
            name="Nia New",
            email="Nia.New@Northshire.example",
            swe_number="SW1234",
            role=Role.PRACTITIONER,
            team=p.north_a,
            manager=p.team_manager,
            start_date=datetime.date(2026, 1, 5),
        ),
    )
    assert staff.email == "nia.new@northshire.example"
    assert staff.user is None
    event = _last_event("staff.created")
    assert event.target_id == str(staff.public_id)
    assert event.after["team"] == "North A"
    assert event.after["services"] == []


def test_a_moderator_is_given_the_services_they_look_across_once_approved(p: Personas) -> None:
    staff = staff_create(
        by=p.administrator,
        details=StaffDetails(name="Mo Two", role=Role.MODERATOR, services=[p.north, p.south]),
    )
    assert (staff.role, list(staff.services.all())) == (Role.PRACTITIONER, [])
    waiting = staff.access_requests.get()
    access_request_approve(access_request=waiting, by=p.senior_leader)
    staff.refresh_from_db()
    assert staff.role == Role.MODERATOR
    assert set(staff.services.all()) == {p.north, p.south}
    assert _last_event("staff.access_approved").after["services"] == ["North", "South"]


def test_two_staff_cannot_share_an_email_address(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        staff_create(
            by=p.administrator,
            details=StaffDetails(
                name="Copy Cat",
                email="AUDITOR@northshire.example",
                role=Role.AUDITOR,
                team=p.north_b,
            ),
        )
    assert "email" in caught.value.message_dict


def test_a_team_manager_must_have_a_team(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        staff_create(
            by=p.administrator,
            details=StaffDetails(name="No Team", role=Role.TEAM_MANAGER),
        )
    assert caught.value.message_dict["team"] == ["A team manager must belong to a team."]


def test_only_overseeing_roles_look_across_services(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        staff_create(
            by=p.administrator,
            details=StaffDetails(
                name="Pat Two", role=Role.PRACTITIONER, team=p.north_a, services=[p.north]
            ),
        )
    assert "services" in caught.value.message_dict


def test_a_leaving_date_before_the_start_date_is_refused(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        staff_create(
            by=p.administrator,
            details=StaffDetails(
                name="Time Traveller",
                role=Role.AUDITOR,
                start_date=datetime.date(2026, 5, 1),
                end_date=datetime.date(2026, 4, 1),
            ),
        )
    assert "end_date" in caught.value.message_dict


def test_administrator_changes_a_member_of_staff(p: Personas) -> None:
    staff_update(
        staff=p.practitioner,
        by=p.administrator,
        details=StaffDetails(
            name="Pat Practitioner",
            email="pat@northshire.example",
            role=Role.TEAM_MANAGER,
            team=p.north_b,
        ),
    )
    p.practitioner.refresh_from_db()
    assert p.practitioner.user is not None
    assert p.practitioner.user.email == "pat@northshire.example"
    assert p.practitioner.role == Role.PRACTITIONER  # a team manager reads audits: it waits
    waiting = p.practitioner.access_requests.get()
    access_request_approve(access_request=waiting, by=p.senior_leader)
    p.practitioner.refresh_from_db()
    assert (p.practitioner.role, p.practitioner.team) == (Role.TEAM_MANAGER, p.north_b)
    event = _last_event("staff.access_approved")
    assert (event.before["team"], event.after["team"]) == ("North A", "North B")


def test_staff_keep_their_own_email_when_changed(p: Personas) -> None:
    staff_update(
        staff=p.auditor,
        by=p.administrator,
        details=StaffDetails(
            name="Alex Auditor-Smith",
            email="auditor@northshire.example",
            role=Role.AUDITOR,
            team=p.north_b,
        ),
    )
    p.auditor.refresh_from_db()
    assert p.auditor.name == "Alex Auditor-Smith"


def test_no_one_is_their_own_line_manager(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        staff_update(
            staff=p.team_manager,
            by=p.administrator,
            details=StaffDetails(
                name="Mary Manager", role=Role.TEAM_MANAGER, team=p.north_a, manager=p.team_manager
            ),
        )
    assert "manager" in caught.value.message_dict


def test_deactivating_someone_ends_their_login(p: Personas) -> None:
    client = p.client_for(p.auditor)
    staff_deactivate(staff=p.auditor, by=p.administrator)
    p.auditor.refresh_from_db()
    assert not p.auditor.is_active
    assert p.auditor.end_date is not None
    assert p.auditor.user is not None and not p.auditor.user.is_active
    assert authenticate(username="auditor", password="correct horse battery staple 42") is None
    # The session they already had stops working too.
    assert client.get("/").status_code == 302
    assert _last_event("staff.deactivated").after["login_active"] is False


def test_administrator_cannot_deactivate_themselves(p: Personas) -> None:
    with pytest.raises(ValidationError, match="cannot deactivate yourself"):
        staff_deactivate(staff=p.administrator, by=p.administrator)
    p.administrator.refresh_from_db()
    assert p.administrator.is_active


def test_someone_already_inactive_cannot_be_deactivated_again(p: Personas) -> None:
    staff_deactivate(staff=p.auditor, by=p.administrator)
    with pytest.raises(ValidationError, match="already inactive"):
        staff_deactivate(staff=p.auditor, by=p.administrator)


def test_a_returning_member_of_staff_is_reactivated_with_their_login(p: Personas) -> None:
    staff_deactivate(staff=p.auditor, by=p.administrator)
    staff_reactivate(staff=p.auditor, by=p.administrator)
    p.auditor.refresh_from_db()
    assert p.auditor.is_active and p.auditor.end_date is None
    assert p.auditor.user is not None and p.auditor.user.is_active
    with pytest.raises(ValidationError, match="already active"):
        staff_reactivate(staff=p.auditor, by=p.administrator)


# Logins -----------------------------------------------------------------------------------


def _new_staff(p: Personas) -> StaffMember:
    return staff_create(
        by=p.administrator,
        details=StaffDetails(name="Nia New", email="nia@northshire.example", role=Role.AUDITOR),
    )


def test_a_new_login_works_with_its_one_time_password(p: Personas) -> None:
    staff = _new_staff(p)
    user, password = staff_login_create(staff=staff, by=p.administrator, username="nia.new")
    staff.refresh_from_db()
    assert staff.user == user
    assert user.email == "nia@northshire.example"
    assert authenticate(username="nia.new", password=password) == user
    # Only the hash is stored.
    assert password not in user.password


def test_a_login_is_refused_for_someone_who_already_has_one(p: Personas) -> None:
    with pytest.raises(ValidationError, match="already has a login"):
        staff_login_create(staff=p.auditor, by=p.administrator, username="another")


def test_a_username_cannot_be_taken_twice(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        staff_login_create(staff=_new_staff(p), by=p.administrator, username="Auditor")
    assert "username" in caught.value.message_dict


def test_a_login_is_refused_for_someone_who_has_left(p: Personas) -> None:
    staff = _new_staff(p)
    staff_deactivate(staff=staff, by=p.administrator)
    with pytest.raises(ValidationError, match="inactive"):
        staff_login_create(staff=staff, by=p.administrator, username="nia")


def test_a_password_reset_replaces_the_old_password(p: Personas) -> None:
    password = staff_password_reset(staff=p.auditor, by=p.administrator)
    assert authenticate(username="auditor", password="correct horse battery staple 42") is None
    assert authenticate(username="auditor", password=password) is not None
    other = staff_password_reset(staff=p.auditor, by=p.administrator)
    assert other != password


def test_a_password_reset_is_refused_without_a_login(p: Personas) -> None:
    with pytest.raises(ValidationError, match="no login yet"):
        staff_password_reset(staff=_new_staff(p), by=p.administrator)


def test_a_person_changes_their_own_password(p: Personas) -> None:
    user = p.auditor.user
    assert user is not None
    user_password_change(
        user=user,
        current_password="correct horse battery staple 42",
        new_password="a much longer new passphrase 7",
    )
    assert authenticate(username="auditor", password="a much longer new passphrase 7") == user


def test_a_password_change_needs_the_current_password_and_a_strong_new_one(p: Personas) -> None:
    user = p.auditor.user
    assert user is not None
    with pytest.raises(ValidationError) as caught:
        user_password_change(
            user=user, current_password="wrong", new_password="a much longer new passphrase 7"
        )
    assert "current_password" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        user_password_change(
            user=user, current_password="correct horse battery staple 42", new_password="password"
        )
    assert "new_password" in caught.value.message_dict


def test_no_password_appears_in_any_event(p: Personas) -> None:
    staff = _new_staff(p)
    _, first = staff_login_create(staff=staff, by=p.administrator, username="nia")
    second = staff_password_reset(staff=staff, by=p.administrator)
    user = staff.user
    assert user is not None
    user_password_change(
        user=user, current_password=second, new_password="a much longer new passphrase 7"
    )
    events = list(Event.objects.all())
    assert {"staff.login_created", "staff.password_reset", "user.password_changed"} <= {
        e.verb for e in events
    }
    user.refresh_from_db()
    for event in events:
        text = json.dumps([event.summary, event.before, event.after])
        for secret in (first, second, "a much longer new passphrase 7", user.password):
            assert secret not in text
        assert "password" not in {*event.before, *event.after}
