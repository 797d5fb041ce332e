from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.accounts.services.organisation import (
    service_create,
    service_update,
    team_create,
    team_update,
)
from auditloop.accounts.services.staff import StaffDetails, staff_create, staff_deactivate
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.testing import Personas, make_staff


def _admin_urls(p: Personas) -> list[str]:
    staff = p.practitioner.public_id
    return [
        reverse("accounts:admin_home"),
        reverse("accounts:service_list"),
        reverse("accounts:service_create"),
        reverse("accounts:service_edit", args=[p.north.public_id]),
        reverse("accounts:team_list"),
        reverse("accounts:team_create"),
        reverse("accounts:team_edit", args=[p.north_a.public_id]),
        reverse("accounts:staff_list"),
        reverse("accounts:staff_create"),
        reverse("accounts:staff_detail", args=[staff]),
        reverse("accounts:staff_edit", args=[staff]),
        reverse("accounts:staff_deactivate", args=[staff]),
        reverse("accounts:staff_password_reset", args=[staff]),
        reverse("accounts:event_list"),
        reverse("accounts:access_log"),
    ]


def test_administrator_opens_every_administration_page(p: Personas) -> None:
    client = p.client_for(p.administrator)
    for url in _admin_urls(p):
        assert client.get(url).status_code == 200, url
    newcomer = staff_create(
        by=p.administrator, details=StaffDetails(name="No Login", role=Role.AUDITOR)
    )
    url = reverse("accounts:staff_login_create", args=[newcomer.public_id])
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "role",
    ["practitioner", "team_manager", "auditor", "moderator", "senior_leader", "board_member"],
)
def test_no_other_role_opens_an_administration_page(p: Personas, role: str) -> None:
    client = p.client_for(p.all_roles()[role])
    for url in _admin_urls(p):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "x"}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(p: Personas, anon: Client) -> None:
    for url in [*_admin_urls(p), reverse("accounts:password_change")]:
        response = anon.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_an_unknown_staff_id_is_not_found(p: Personas) -> None:
    url = reverse("accounts:staff_detail", args=["00000000-0000-0000-0000-000000000000"])
    assert p.client_for(p.administrator).get(url).status_code == 404


# Services and teams -----------------------------------------------------------------------


def test_administrator_adds_a_service_and_sees_it_listed(p: Personas) -> None:
    client = p.client_for(p.administrator)
    response = client.post(reverse("accounts:service_create"), {"name": "East"})
    assert response.status_code == 302
    page = client.get(reverse("accounts:service_list")).content.decode()
    assert "East" in page


def test_a_duplicate_service_name_is_shown_as_an_error(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:service_create"), {"name": "North"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "There is already a service called North" in html


def test_administrator_sets_a_head_of_service(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:service_edit", args=[p.south.public_id]),
        {"name": "South", "head_of_service": str(p.senior_leader.public_id)},
    )
    assert response.status_code == 302
    p.south.refresh_from_db()
    assert p.south.head_of_service == p.senior_leader


def test_administrator_moves_a_team(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:team_edit", args=[p.north_b.public_id]),
        {"name": "North B", "service": str(p.south.public_id)},
    )
    assert response.status_code == 302
    p.north_b.refresh_from_db()
    assert p.north_b.service == p.south


def test_team_list_can_show_one_service(p: Personas) -> None:
    response = p.client_for(p.administrator).get(
        reverse("accounts:team_list"), {"service": str(p.south.public_id)}
    )
    html = response.content.decode()
    assert "South A" in html
    assert "North A" not in html


# Staff ------------------------------------------------------------------------------------


def test_administrator_adds_a_member_of_staff_through_the_form(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_create"),
        {
            "name": "Nia New",
            "email": "nia@northshire.example",
            "swe_number": "SW1",
            "role": "practitioner",
            "team": str(p.north_a.public_id),
            "manager": str(p.team_manager.public_id),
            "start_date-day": "5",
            "start_date-month": "1",
            "start_date-year": "2026",
        },
    )
    staff = StaffMember.objects.get(name="Nia New")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:staff_detail", args=[staff.public_id])
    assert staff.team == p.north_a
    assert staff.manager == p.team_manager
    assert str(staff.start_date) == "2026-01-05"


def test_the_services_someone_looks_across_are_checkboxes(p: Personas) -> None:
    html = p.client_for(p.administrator).get(reverse("accounts:staff_create")).content.decode()
    assert f'type="checkbox" value="{p.north.public_id}"' in html
    assert f'type="radio" value="{p.north.public_id}"' not in html


def test_a_team_manager_without_a_team_is_shown_as_an_error(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_create"), {"name": "No Team", "role": "team_manager"}
    )
    assert response.status_code == 200
    assert "A team manager must belong to a team." in response.content.decode()
    assert not StaffMember.objects.filter(name="No Team").exists()


def test_administrator_asks_for_a_role_that_reads_audits(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_edit", args=[p.auditor.public_id]),
        {
            "name": "Alex Auditor",
            "email": "auditor@northshire.example",
            "role": "moderator",
            "services": [str(p.north.public_id)],
        },
    )
    assert response.status_code == 302
    p.auditor.refresh_from_db()
    assert p.auditor.role == Role.AUDITOR
    assert list(p.auditor.services.all()) == []
    waiting = p.auditor.access_requests.get()
    assert (waiting.role, list(waiting.services.all())) == (Role.MODERATOR, [p.north])
    page = p.client_for(p.administrator).get(response["Location"]).content.decode()
    assert "waits for approval" in page


def test_staff_list_filters_by_team_role_and_name(p: Personas) -> None:
    client = p.client_for(p.administrator)
    html = client.get(
        reverse("accounts:staff_list"), {"team": str(p.north_a.public_id)}
    ).content.decode()
    assert "Pat Practitioner" in html and "Mary Manager" in html
    assert "Alex Auditor" not in html
    html = client.get(reverse("accounts:staff_list"), {"role": "auditor"}).content.decode()
    assert "Alex Auditor" in html and "Pat Practitioner" not in html
    html = client.get(reverse("accounts:staff_list"), {"search": "morgan"}).content.decode()
    assert "Morgan Moderator" in html and "Alex Auditor" not in html


def test_staff_list_shows_leavers_only_when_asked(p: Personas) -> None:
    staff_deactivate(staff=p.auditor, by=p.administrator)
    client = p.client_for(p.administrator)
    assert "Alex Auditor" not in client.get(reverse("accounts:staff_list")).content.decode()
    html = client.get(reverse("accounts:staff_list"), {"active": "inactive"}).content.decode()
    assert "Alex Auditor" in html


def test_administrator_deactivates_someone(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_deactivate", args=[p.auditor.public_id])
    )
    assert response.status_code == 302
    p.auditor.refresh_from_db()
    assert not p.auditor.is_active


def test_administrator_is_told_they_cannot_deactivate_themselves(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_deactivate", args=[p.administrator.public_id])
    )
    assert response.status_code == 200
    assert "You cannot deactivate yourself" in response.content.decode()


def test_administrator_reactivates_someone(p: Personas) -> None:
    staff_deactivate(staff=p.auditor, by=p.administrator)
    client = p.client_for(p.administrator)
    url = reverse("accounts:staff_reactivate", args=[p.auditor.public_id])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    p.auditor.refresh_from_db()
    assert p.auditor.is_active


def test_a_new_login_shows_its_password_once_and_it_works(p: Personas) -> None:
    staff = staff_create(
        by=p.administrator,
        details=StaffDetails(name="Nia New", role=Role.AUDITOR, team=p.north_b),
    )
    client = p.client_for(p.administrator)
    response = client.post(
        reverse("accounts:staff_login_create", args=[staff.public_id]), {"username": "nia"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = response.context["password"]
    assert password in response.content.decode()
    assert authenticate(username="nia", password=password) is not None
    # Never again: the staff page does not show it.
    page = client.get(reverse("accounts:staff_detail", args=[staff.public_id])).content.decode()
    assert password not in page


def test_a_password_reset_shows_the_new_password(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("accounts:staff_password_reset", args=[p.auditor.public_id])
    )
    assert response.status_code == 200
    assert authenticate(username="auditor", password=response.context["password"]) is not None


def test_anyone_changes_their_own_password(p: Personas) -> None:
    client = p.client_for(p.practitioner)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "current_password": "correct horse battery staple 42",
            "new_password": "a much longer new passphrase 7",
            "new_password_again": "a much longer new passphrase 7",
        },
    )
    assert response.status_code == 302
    # Still signed in after the change.
    assert client.get(reverse("home")).status_code == 200
    assert authenticate(username="practitioner", password="a much longer new passphrase 7")


def test_a_mistyped_new_password_is_shown_as_an_error(p: Personas) -> None:
    response = p.client_for(p.practitioner).post(
        reverse("accounts:password_change"),
        {
            "current_password": "correct horse battery staple 42",
            "new_password": "a much longer new passphrase 7",
            "new_password_again": "a much longer new passphrase 8",
        },
    )
    assert response.status_code == 200
    assert "The two new passwords are not the same." in response.content.decode()


# Query counts -----------------------------------------------------------------------------


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _more_staff(p: Personas, start: int, n: int) -> None:
    for i in range(start, start + n):
        team = Team.objects.create(service=p.south, name=f"Team {i}")
        staff = make_staff(f"extra{i}", f"Extra {i}", Role.MODERATOR, team, manager=p.team_manager)
        staff.services.set([p.north, p.south])
        team_update(team=team, by=p.administrator, name=f"Team {i}", service=p.north)
        access_shown(user=staff.user, targets=[p.case], purpose=Purpose.VIEW)


@pytest.mark.parametrize(
    "url_name",
    ["service_list", "team_list", "staff_list", "event_list", "access_log"],
)
def test_list_pages_ask_the_same_number_of_queries_however_many_rows(
    p: Personas, url_name: str
) -> None:
    client = p.client_for(p.administrator)
    url = reverse(f"accounts:{url_name}")
    _more_staff(p, 0, 2)
    few = _count_queries(client, url)
    _more_staff(p, 2, 12)
    assert _count_queries(client, url) == few


def test_event_log_shows_a_readable_diff_newest_first(p: Personas) -> None:
    admin = p.administrator
    service_update(service=p.south, by=admin, name="South West", head_of_service=None)
    team_create(by=admin, service=p.south, name="South Z")
    page = p.client_for(p.administrator).get(reverse("accounts:event_list")).content.decode()
    html = page.split("<table", 1)[1]
    assert html.index("Team added") < html.index("Service changed")
    assert "<del>South</del>" in html and "South West" in html
    assert "Ada Admin (admin)" in html


def test_event_log_filters_by_verb_who_and_date(p: Personas) -> None:
    admin = p.administrator
    service_create(by=admin, name="East")
    team_create(by=admin, service=p.south, name="South Z")
    client = p.client_for(p.administrator)
    url = reverse("accounts:event_list")
    html = client.get(url, {"verb": "team.created"}).content.decode()
    assert "South Z" in html and "Service East created" not in html
    assert "Service East created" in client.get(url, {"who": "ada"}).content.decode()
    assert "No events match" in client.get(url, {"who": "nobody"}).content.decode()
    old = {"date_to-day": "1", "date_to-month": "1", "date_to-year": "2020"}
    assert "No events match" in client.get(url, old).content.decode()


def test_event_log_refuses_a_back_to_front_date_range(p: Personas) -> None:
    response = p.client_for(p.administrator).get(
        reverse("accounts:event_list"),
        {
            "date_from-day": "2",
            "date_from-month": "1",
            "date_from-year": "2026",
            "date_to-day": "1",
            "date_to-month": "1",
            "date_to-year": "2026",
        },
    )
    assert response.status_code == 200
    assert "on or after the" in response.content.decode()


def test_access_log_lists_reads_and_filters_by_who(p: Personas) -> None:
    access_shown(user=p.moderator.user, targets=[p.case], purpose=Purpose.VIEW)
    access_shown(user=p.auditor.user, targets=[p.outsider_case], purpose=Purpose.VIEW)
    client = p.client_for(p.administrator)
    html = client.get(reverse("accounts:access_log"), {"who": "morgan"}).content.decode()
    assert "Morgan Moderator" in html and "Alex Auditor" not in html
    assert str(p.case.public_id) in html
    assert p.case.la_child_id not in html
