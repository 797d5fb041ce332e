"""Paging and filters the API cannot use are refused with a 400 that names the parameter and
says what it must be, never a server error and never quietly changed."""

from __future__ import annotations

import pytest

from auditloop.api.api import MAX_LIMIT, MAX_OFFSET
from auditloop.testing import Personas

PAGED = ["audits", "actions"]


def test_an_offset_too_large_for_the_database_is_a_400_not_a_server_error(p: Personas) -> None:
    response = p.client_for(p.moderator).get("/api/v1/audits?limit=1&offset=99999999999999999999")
    assert response.status_code == 400
    assert response.json() == {
        "detail": (
            "offset must be a whole number from 0 to 1,000,000,000 "
            "(you sent '99999999999999999999')."
        ),
        "errors": [
            {
                "parameter": "offset",
                "message": (
                    "offset must be a whole number from 0 to 1,000,000,000 "
                    "(you sent '99999999999999999999')."
                ),
            }
        ],
    }


@pytest.mark.parametrize("collection", PAGED)
@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("offset=99999999999999999999", "offset"),
        (f"offset={MAX_OFFSET + 1}", "offset"),
        ("offset=-5", "offset"),
        ("offset=-99999999999999999999", "offset"),
        ("offset=abc", "offset"),
        ("offset=1.5", "offset"),
        ("offset=", "offset"),
        ("limit=0", "limit"),
        ("limit=-3", "limit"),
        (f"limit={MAX_LIMIT + 1}", "limit"),
        ("limit=99999999999999999999", "limit"),
        ("limit=ten", "limit"),
        ("limit=1e3", "limit"),
    ],
)
def test_paging_out_of_range_or_not_a_whole_number_is_refused_with_a_message(
    p: Personas, collection: str, query: str, parameter: str
) -> None:
    response = p.client_for(p.moderator).get(f"/api/v1/{collection}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert [e["parameter"] for e in body["errors"]] == [parameter]
    assert body["detail"].startswith(f"{parameter} must be a whole number from ")


@pytest.mark.parametrize("collection", PAGED)
def test_both_bad_paging_parameters_are_named_at_once(p: Personas, collection: str) -> None:
    response = p.client_for(p.moderator).get(f"/api/v1/{collection}?limit=0&offset=-1")
    assert response.status_code == 400
    assert {e["parameter"] for e in response.json()["errors"]} == {"limit", "offset"}


@pytest.mark.parametrize("collection", PAGED)
@pytest.mark.parametrize(
    "query", ["limit=1", f"limit={MAX_LIMIT}", "offset=0", f"offset={MAX_OFFSET}"]
)
def test_paging_at_the_edges_of_the_range_answers(p: Personas, collection: str, query: str) -> None:
    response = p.client_for(p.moderator).get(f"/api/v1/{collection}?{query}")
    assert response.status_code == 200


def test_a_page_past_the_end_is_empty_and_still_counts_the_list(p: Personas) -> None:
    body = p.client_for(p.moderator).get(f"/api/v1/audits?offset={MAX_OFFSET}").json()
    assert body == {"count": 0, "items": []}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "/api/v1/audits?submitted_since=last-week",
            "submitted_since must be a date written YYYY-MM-DD (you sent 'last-week').",
        ),
        # A number of seconds is no date (pydantic read "0" as 1 January 1970).
        (
            "/api/v1/audits?submitted_since=0",
            "submitted_since must be a date written YYYY-MM-DD (you sent '0').",
        ),
        (
            "/api/v1/audits?submitted_since=1767225600",
            "submitted_since must be a date written YYYY-MM-DD (you sent '1767225600').",
        ),
        (
            "/api/v1/audits?status=finished",
            "status must be 'planned', 'in_progress', 'submitted' or 'completed' "
            "(you sent 'finished').",
        ),
        (
            "/api/v1/audits?audit_type=spot_check",
            "audit_type must be 'dip_sample', 'deep_dive', 'thematic', 'revisit' or "
            "'calibration' (you sent 'spot_check').",
        ),
        (
            "/api/v1/actions?status=done",
            "status must be 'open', 'completed', 'closed' or 'cancelled' (you sent 'done').",
        ),
        ("/api/v1/actions?overdue=perhaps", "overdue must be true or false (you sent 'perhaps')."),
        ("/api/v1/audits/not-an-id", "audit_id must be an audit's identifier (a UUID)."),
    ],
)
def test_a_filter_of_the_wrong_kind_is_refused_saying_what_it_must_be(
    p: Personas, url: str, message: str
) -> None:
    response = p.client_for(p.moderator).get(url)
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_a_long_value_sent_is_cut_short_in_the_message(p: Personas) -> None:
    response = p.client_for(p.moderator).get("/api/v1/audits?offset=" + "9" * 200)
    assert response.status_code == 400
    assert "9" * 41 not in response.json()["detail"]
