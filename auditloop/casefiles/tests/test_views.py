from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.audits.models import Audit, AuditType
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog
from auditloop.testing import Personas

ALL_ROLES = [
    "practitioner",
    "team_manager",
    "auditor",
    "moderator",
    "senior_leader",
    "board_member",
    "administrator",
    "outsider",
]


def _audit(p: Personas) -> Audit:
    return Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
    )


# Access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("moderator", 200),
        ("senior_leader", 200),
        ("team_manager", 200),
        ("practitioner", 403),
        ("auditor", 403),
        ("board_member", 403),
        ("outsider", 403),
    ],
)
def test_case_list_is_for_administrators_audit_leads_leaders_and_managers(
    p: Personas, role: str, status: int
) -> None:
    client = p.client_for(p.all_roles()[role])
    assert client.get(reverse("cases:list")).status_code == status
    assert client.post(reverse("cases:list"), {"la_child_id": "ZZZ"}).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("moderator", 200),
        ("senior_leader", 200),
        ("team_manager", 200),
        ("practitioner", 200),
        ("auditor", 404),
        ("board_member", 404),
        ("outsider", 404),
    ],
)
def test_case_file_is_seen_by_those_whose_work_it_is(p: Personas, role: str, status: int) -> None:
    url = reverse("cases:detail", args=[p.case.public_id])
    assert p.client_for(p.all_roles()[role]).get(url).status_code == status


def test_an_auditor_sees_the_case_file_they_are_auditing(p: Personas) -> None:
    _audit(p)
    url = reverse("cases:detail", args=[p.case.public_id])
    assert p.client_for(p.auditor).get(url).status_code == 200


def test_a_manager_cannot_see_another_teams_case_file(p: Personas) -> None:
    url = reverse("cases:detail", args=[p.case.public_id])
    assert p.client_for(p.outsider_manager).get(url).status_code == 404


def test_a_missing_case_file_answers_as_a_hidden_one(p: Personas) -> None:
    url = reverse("cases:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert p.client_for(p.administrator).get(url).status_code == 404


@pytest.mark.parametrize("role", [r for r in ALL_ROLES if r != "administrator"])
def test_only_administrators_create_change_or_close_case_files(p: Personas, role: str) -> None:
    client = p.client_for(p.all_roles()[role])
    for url in (
        reverse("cases:create"),
        reverse("cases:edit", args=[p.case.public_id]),
        reverse("cases:close", args=[p.case.public_id]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"la_child_id": "X"}).status_code == 403, url
    assert client.post(reverse("cases:reopen", args=[p.case.public_id])).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(p: Personas, anon: Client) -> None:
    for url in (
        reverse("cases:list"),
        reverse("cases:create"),
        reverse("cases:detail", args=[p.case.public_id]),
        reverse("cases:edit", args=[p.case.public_id]),
        reverse("cases:close", args=[p.case.public_id]),
    ):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# The case list ----------------------------------------------------------------------------


def _list(client: Client, **params: str) -> str:
    return client.get(reverse("cases:list"), params).content.decode()


def test_administrator_sees_every_case_file(p: Personas) -> None:
    html = _list(p.client_for(p.administrator))
    assert "00123" in html and "S-0999" in html


def test_audit_leads_and_leaders_see_their_services_case_files(p: Personas) -> None:
    for staff in (p.moderator, p.senior_leader):
        html = _list(p.client_for(staff))
        assert "00123" in html and "S-0999" not in html


def test_team_managers_see_their_teams_case_files(p: Personas) -> None:
    assert "S-0999" in _list(p.client_for(p.outsider_manager))
    assert "00123" not in _list(p.client_for(p.outsider_manager))


def test_case_list_filters_by_cohort_team_and_state(p: Personas) -> None:
    client = p.client_for(p.administrator)
    html = _list(client, cohort=Cohort.CIN)
    assert "S-0999" in html and "00123" not in html
    html = _list(client, team=str(p.north_a.public_id))
    assert "00123" in html and "S-0999" not in html
    p.case.is_open = False
    p.case.save()
    assert "00123" not in _list(client)
    html = _list(client, state="closed")
    assert "00123" in html and "S-0999" not in html


def test_a_team_filter_outside_the_users_scope_is_refused(p: Personas) -> None:
    response = p.client_for(p.moderator).get(
        reverse("cases:list"), {"team": str(p.south_a.public_id)}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_a_search_for_one_id_goes_to_the_case_file_without_the_id_in_any_url(
    p: Personas,
) -> None:
    response = p.client_for(p.administrator).post(reverse("cases:list"), {"la_child_id": "00123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[p.case.public_id])
    assert "00123" not in response["Location"]


def test_a_search_by_the_start_of_an_id_lists_the_matches(p: Personas) -> None:
    ChildCase.objects.create(la_child_id="001239", cohort=Cohort.CIN, allocated_team=p.north_a)
    response = p.client_for(p.administrator).post(reverse("cases:list"), {"la_child_id": "0012"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "00123" in html and "001239" in html and "2 case files found" in html


def test_a_search_never_finds_a_case_outside_the_users_scope(p: Personas) -> None:
    response = p.client_for(p.moderator).post(reverse("cases:list"), {"la_child_id": "S-0999"})
    assert response.status_code == 200
    assert "No case file you can see" in response.content.decode()


def test_an_empty_search_is_shown_as_an_error(p: Personas) -> None:
    response = p.client_for(p.moderator).post(reverse("cases:list"), {"la_child_id": ""})
    assert response.status_code == 200
    assert "Enter an LA child ID to search for." in response.content.decode()


def _more_cases(p: Personas, start: int, n: int) -> None:
    for i in range(start, start + n):
        ChildCase.objects.create(
            la_child_id=f"N{i:05}",
            cohort=Cohort.CP,
            allocated_team=p.north_a,
            allocated_worker=p.practitioner,
        )


@pytest.mark.parametrize("role", ["administrator", "moderator", "team_manager"])
def test_case_list_asks_the_same_number_of_queries_however_many_rows(
    p: Personas, role: str
) -> None:
    client = p.client_for(p.all_roles()[role])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:list")).status_code == 200
        return len(ctx.captured_queries)

    _more_cases(p, 0, 2)
    few = count()
    _more_cases(p, 2, 30)
    assert count() == few


def test_case_list_is_paginated(p: Personas) -> None:
    _more_cases(p, 0, 60)
    client = p.client_for(p.administrator)
    assert "Page 1 of 2" in _list(client)
    html = _list(client, page="2")
    assert "Page 2 of 2" in html and "N00059" in html


# The case file ----------------------------------------------------------------------------


def test_every_read_of_a_case_file_is_recorded(p: Personas) -> None:
    p.client_for(p.moderator).get(reverse("cases:detail", args=[p.case.public_id]))
    entry = AccessLog.objects.get()
    assert entry.user == p.moderator.user
    assert entry.target_type == "cases.childcase"
    assert entry.target_id == str(p.case.public_id)


def test_case_file_shows_the_audits_the_user_may_see(p: Personas) -> None:
    _audit(p)
    url = reverse("cases:detail", args=[p.case.public_id])
    html = p.client_for(p.moderator).get(url).content.decode()
    assert "Alex Auditor" in html and "Dip sample" in html
    # A planned audit is not yet shared with the team manager; the administrator sees no
    # audit content by default.
    for staff in (p.team_manager, p.administrator):
        html = p.client_for(staff).get(url).content.decode()
        assert "There are no audits of this case that you can see." in html


def test_case_file_query_count_does_not_grow_with_its_audits(p: Personas) -> None:
    client = p.client_for(p.moderator)
    url = reverse("cases:detail", args=[p.case.public_id])
    _audit(p)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(5):
        _audit(p)
    assert count() == few


# Create, change, close --------------------------------------------------------------------


def test_administrator_adds_a_case_file_through_the_form(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("cases:create"),
        {
            "la_child_id": "000777",
            "cohort": "CLA",
            "allocated_team": str(p.north_a.public_id),
            "allocated_worker": str(p.practitioner.public_id),
            "cla_start-day": "3",
            "cla_start-month": "11",
            "cla_start-year": "2025",
        },
    )
    case = ChildCase.objects.get(la_child_id="000777")
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.public_id])
    assert str(case.cla_start) == "2025-11-03"
    assert case.allocated_worker == p.practitioner


def test_a_duplicate_id_and_a_bad_date_are_shown_as_errors(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("cases:create"),
        {
            "la_child_id": "00123",
            "cohort": "CP",
            "latest_review-day": "31",
            "latest_review-month": "2",
            "latest_review-year": "2026",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Latest review must be a real date" in html
    response = p.client_for(p.administrator).post(
        reverse("cases:create"), {"la_child_id": "00123", "cohort": "CP"}
    )
    assert "There is already a case file with this LA child ID." in response.content.decode()


def test_administrator_changes_a_case_file(p: Personas) -> None:
    client = p.client_for(p.administrator)
    url = reverse("cases:edit", args=[p.case.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "la_child_id": "00123",
            "cohort": "CP",
            "allocated_team": str(p.north_b.public_id),
            "last_seen_alone-day": "2",
            "last_seen_alone-month": "4",
            "last_seen_alone-year": "2026",
        },
    )
    assert response.status_code == 302
    p.case.refresh_from_db()
    assert p.case.allocated_team == p.north_b
    assert str(p.case.last_seen_alone) == "2026-04-02"
    assert p.case.cp_plan_start is None  # cleared: the form was sent without it


def test_administrator_closes_and_reopens_a_case_file(p: Personas) -> None:
    client = p.client_for(p.administrator)
    url = reverse("cases:close", args=[p.case.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"closed_on-day": "30", "closed_on-month": "6", "closed_on-year": "2026"}
    )
    assert response.status_code == 302
    p.case.refresh_from_db()
    assert not p.case.is_open
    assert client.post(reverse("cases:reopen", args=[p.case.public_id])).status_code == 302
    p.case.refresh_from_db()
    assert p.case.is_open


def test_closing_needs_a_date(p: Personas) -> None:
    response = p.client_for(p.administrator).post(
        reverse("cases:close", args=[p.case.public_id]), {}
    )
    assert response.status_code == 200
    assert "Enter the date the case closed." in response.content.decode()
