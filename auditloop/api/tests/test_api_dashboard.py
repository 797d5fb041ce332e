"""The aggregates API: a dashboard's figures, one figure by its key, the cycles to pick from,
and the issued cycle reviews, each as the person behind the token reads them on the pages."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from auditloop.accounts.models import StaffMember
from auditloop.api.aggregates import (
    NO_CYCLE,
    NO_CYCLE_YET,
    NO_DASHBOARD,
    NO_REVIEWS,
    figure_number,
)
from auditloop.api.api import api
from auditloop.api.services import api_token_create
from auditloop.api.tests.dashboard_factories import (
    cycle_of,
    graded_audits,
    review_issued,
)
from auditloop.learning.selectors.team_picture import Figure
from auditloop.reports.models import Audience, ReviewStatus
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

FIVE = ["good", "good", "outstanding", "requires_improvement", "inadequate"]


def bearer(staff: StaffMember) -> Client:
    _, key = api_token_create(by=staff, name="Power BI")
    return Client(headers={"Authorization": f"Bearer {key}"})


def get(staff: StaffMember, url: str) -> tuple[int, Any]:
    response = bearer(staff).get(url)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.status_code, response.json()


def grades_block(body: dict[str, Any]) -> dict[str, Any]:
    blocks = [b for s in body["sections"] for b in s["blocks"] if b["key"] == "grades-overall"]
    assert len(blocks) == 1
    block: dict[str, Any] = blocks[0]
    return block


def rows(block: dict[str, Any]) -> dict[str, list[tuple[str, float | None]]]:
    return {
        r["label"]: [(c["text"], c["number"]) for c in r["cells"]] for r in block["table"]["rows"]
    }


def test_an_audit_lead_reads_their_latest_cycles_figures_by_team(p: Personas) -> None:
    older = cycle_of([p.north], "October to March", datetime.date(2025, 10, 1))
    cycle = cycle_of([p.north])
    graded_audits(p, older, team=p.north_a, grades=["inadequate"] * 5)
    graded_audits(p, cycle, team=p.north_a, grades=FIVE)
    status, body = get(p.moderator, "/api/v1/dashboard")
    assert status == 200
    assert body["cycle"]["id"] == str(cycle.public_id)
    assert body["cycle"]["name"] == "April to September"
    block = grades_block(body)
    table = block["table"]
    assert table["row_heading"] == "Team"
    assert table["columns"] == ["Outstanding", "Good", "Requires improvement", "Inadequate"]
    assert rows(block)["North A"] == [("1", 1.0), ("2", 2.0), ("1", 1.0), ("1", 1.0)]
    north_a = table["rows"][0]
    assert north_a["total"] == {"text": "5", "number": 5.0, "suppressed": False}
    assert north_a["derived"] == {"text": "60%", "number": 60.0, "suppressed": False}
    assert table["derived_heading"] == "Share good or better"
    assert block["suppressed"] is False


def test_a_small_group_is_withheld_as_on_the_page_never_given_as_a_number(p: Personas) -> None:
    cycle = cycle_of([p.north])
    graded_audits(p, cycle, team=p.north_a, grades=FIVE)
    graded_audits(p, cycle, team=p.north_b, grades=["good", "inadequate"])
    status, body = get(p.senior_leader, f"/api/v1/dashboard?cycle={cycle.public_id}")
    assert status == 200
    block = grades_block(body)
    assert block["suppressed"] is True
    assert block["table"]["suppressed"] is True
    north_b = rows(block)["North B"]
    assert north_b == [("[c]", None)] * 4
    assert all(c["suppressed"] for c in block["table"]["rows"][1]["cells"])


def test_a_team_manager_reads_their_team_and_a_practitioner_their_own(p: Personas) -> None:
    cycle = cycle_of([p.north])
    graded_audits(p, cycle, team=p.north_a, grades=FIVE)
    graded_audits(p, cycle, team=p.north_b, grades=FIVE)
    _, managers = get(p.team_manager, "/api/v1/dashboard")
    assert set(rows(grades_block(managers))) == {"North A"}
    _, leads = get(p.moderator, "/api/v1/dashboard")
    assert set(rows(grades_block(leads))) == {"North A", "North B"}
    _, own = get(p.practitioner, "/api/v1/dashboard")
    # Their own two audits of North A's five (Good, Requires improvement): their own grades,
    # which they read audit by audit, so not withheld.
    assert rows(grades_block(own)) == {"North A": [("0", 0), ("1", 1), ("1", 1), ("0", 0)]}


def test_one_figure_is_read_by_its_key(p: Personas) -> None:
    cycle = cycle_of([p.north])
    graded_audits(p, cycle, team=p.north_a, grades=FIVE)
    status, body = get(
        p.moderator, f"/api/v1/dashboard/blocks/grades-overall?cycle={cycle.public_id}"
    )
    assert status == 200
    assert body["cycle"]["id"] == str(cycle.public_id)
    assert body["section"] == "grades"
    _, whole = get(p.moderator, "/api/v1/dashboard")
    assert body["block"] == grades_block(whole)


def test_a_figure_the_dashboard_has_not_is_not_found_in_words(p: Personas) -> None:
    cycle_of([p.north])
    status, body = get(p.moderator, "/api/v1/dashboard/blocks/no-such-figure")
    assert status == 404
    assert body["detail"] == "Your dashboard has no figure with the key 'no-such-figure'."


def test_a_cycle_of_other_services_is_not_found(p: Personas) -> None:
    south = cycle_of([p.south])
    graded_audits(p, south, team=p.south_a, grades=FIVE)
    for url in (
        f"/api/v1/dashboard?cycle={south.public_id}",
        f"/api/v1/dashboard/blocks/grades-overall?cycle={south.public_id}",
    ):
        for staff in (p.moderator, p.senior_leader, p.team_manager, p.practitioner):
            assert get(staff, url) == (404, {"detail": NO_CYCLE}), (url, staff.role)
    assert get(p.outsider, f"/api/v1/dashboard?cycle={south.public_id}")[0] == 200


def test_a_cycle_that_is_not_an_identifier_is_refused_naming_it(p: Personas) -> None:
    status, body = get(p.moderator, "/api/v1/dashboard?cycle=latest")
    assert status == 400
    assert body["errors"][0]["parameter"] == "cycle"
    assert body["detail"] == (
        "cycle must be a cycle's identifier (a UUID, as /dashboard/cycles gives them) "
        "(you sent 'latest')."
    )


def test_a_key_no_figure_could_have_is_refused_naming_it(p: Personas) -> None:
    cycle_of([p.north])
    status, body = get(p.moderator, "/api/v1/dashboard/blocks/grades%20overall")
    assert status == 400
    assert (
        body["detail"]
        == "key must be a figure's key: up to 100 letters, digits, hyphens and underscores."
    )
    # The schema says so, so that no client (nor schemathesis) is led to send one.
    schema = api.get_openapi_schema()["paths"]["/api/v1/dashboard/blocks/{key}"]["get"]
    assert schema["parameters"][0]["schema"]["pattern"] == "^[-a-zA-Z0-9_]+$"


def test_with_no_cycle_yet_the_dashboard_says_so_in_words(p: Personas) -> None:
    assert get(p.moderator, "/api/v1/dashboard") == (
        200,
        {"cycle": None, "words": [NO_CYCLE_YET], "sections": []},
    )
    assert get(p.moderator, "/api/v1/dashboard/blocks/grades-overall") == (
        404,
        {"detail": NO_CYCLE_YET},
    )


@pytest.mark.parametrize("role", ["auditor", "board_member", "administrator"])
def test_a_role_without_a_dashboard_is_refused_in_words(p: Personas, role: str) -> None:
    cycle = cycle_of([p.north])
    for url in (
        "/api/v1/dashboard",
        "/api/v1/dashboard/cycles",
        f"/api/v1/dashboard/blocks/grades-overall?cycle={cycle.public_id}",
    ):
        assert get(getattr(p, role), url) == (403, {"detail": NO_DASHBOARD}), url


def test_a_call_without_a_token_is_refused(p: Personas, anon: Client) -> None:
    for url in ("/api/v1/dashboard", "/api/v1/dashboard/cycles", "/api/v1/cycle-reviews"):
        assert anon.get(url).status_code == 401


def test_the_cycles_are_those_of_the_readers_services_newest_first(p: Personas) -> None:
    older = cycle_of([p.north], "October to March", datetime.date(2025, 10, 1))
    newer = cycle_of([p.north, p.south])
    cycle_of([p.south], "South only")
    for staff in (p.moderator, p.team_manager, p.practitioner):
        status, body = get(staff, "/api/v1/dashboard/cycles")
        assert status == 200
        assert [c["id"] for c in body] == [str(newer.public_id), str(older.public_id)]
    assert get(p.moderator, "/api/v1/dashboard/cycles")[1][1] == {
        "id": str(older.public_id),
        "name": "October to March",
        "starts_on": "2025-10-01",
        "ends_on": "2026-04-01",
    }


def test_the_reviews_listed_are_the_issued_ones_each_reader_may_read(p: Personas) -> None:
    north = cycle_of([p.north])
    both = cycle_of([p.north, p.south], "Both services")
    committee = review_issued(p, north)
    leaders = review_issued(p, north, audience=Audience.LEADERS)
    both_committee = review_issued(p, both)
    review_issued(p, both, audience=Audience.LEADERS)  # the lead oversees North alone
    review_issued(p, north, status=ReviewStatus.BUILDING)
    review_issued(p, cycle_of([p.south], "South only"))

    def listed(staff: StaffMember) -> set[str]:
        status, body = get(staff, "/api/v1/cycle-reviews")
        assert status == 200
        return {r["id"] for r in body}

    ids = {r: str(r.public_id) for r in (committee, leaders, both_committee)}
    assert listed(p.board_member) == {ids[committee], ids[both_committee]}
    assert listed(p.moderator) == {ids[committee], ids[leaders], ids[both_committee]}
    for staff in (p.practitioner, p.team_manager, p.auditor, p.administrator):
        assert get(staff, "/api/v1/cycle-reviews") == (403, {"detail": NO_REVIEWS})


def test_a_review_is_described_never_given(p: Personas) -> None:
    review = review_issued(p, cycle_of([p.north]))
    _, body = get(p.board_member, "/api/v1/cycle-reviews")
    assert body == [
        {
            "id": str(review.public_id),
            "cycle": {
                "id": str(review.cycle.public_id),
                "name": "April to September",
                "starts_on": "2026-04-01",
                "ends_on": "2026-09-30",
            },
            "audience": "committee",
            "format": "html",
            "issued_at": body[0]["issued_at"],
            "size": review.size,
            "sha256": review.sha256,
        }
    ]
    # Who issued it is not said: a board member's answers name no member of staff.
    assert p.moderator.name not in str(body)


@pytest.mark.parametrize(
    ("text", "suppressed", "number"),
    [
        ("12", False, 12.0),
        ("1,204", False, 1204.0),
        ("45%", False, 45.0),
        ("12.5%", False, 12.5),
        ("[c]", True, None),
        ("No overall grade", False, None),
    ],
)
def test_a_figure_is_given_as_a_number_only_where_it_is_one(
    text: str, suppressed: bool, number: float | None
) -> None:
    assert figure_number(Figure(text=text, suppressed=suppressed)) == number


def test_words_in_a_figure_are_never_a_number() -> None:
    assert figure_number(Figure(text="12", numeric=False)) is None
