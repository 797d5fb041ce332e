from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import ValidationError

from auditloop.cases import services
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import Event
from auditloop.testing import Personas


def test_administrator_creates_a_case_file_with_an_event_but_no_child_id(p: Personas) -> None:
    case = services.case_create(
        by=p.administrator,
        details=services.CaseDetails(
            la_child_id=" 000457 ",
            cohort=Cohort.CLA,
            allocated_team=p.north_a,
            allocated_worker=p.practitioner,
            cla_start=datetime.date(2025, 11, 3),
        ),
    )
    assert case.la_child_id == "000457"
    assert case.is_open
    event = Event.objects.get(verb="case.created")
    assert event.target_id == str(case.public_id)
    assert event.after["cla_start"] == "2025-11-03"
    assert "000457" not in json.dumps([event.summary, event.before, event.after])


def test_a_worker_without_a_team_brings_their_own_team(p: Personas) -> None:
    case = services.case_create(
        by=p.administrator,
        details=services.CaseDetails(
            la_child_id="A1", cohort=Cohort.CIN, allocated_worker=p.outsider
        ),
    )
    assert case.allocated_team == p.south_a


def test_two_case_files_cannot_share_an_la_child_id(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(
            by=p.administrator, details=services.CaseDetails(la_child_id="00123", cohort=Cohort.CIN)
        )
    assert "la_child_id" in caught.value.message_dict


def test_ids_differing_only_by_leading_zeros_are_different_children(p: Personas) -> None:
    services.case_create(
        by=p.administrator, details=services.CaseDetails(la_child_id="123", cohort=Cohort.CIN)
    )
    assert ChildCase.objects.filter(la_child_id__in=["123", "00123"]).count() == 2


def test_a_worker_from_another_team_is_refused(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(
            by=p.administrator,
            details=services.CaseDetails(
                la_child_id="B2",
                cohort=Cohort.CP,
                allocated_team=p.north_a,
                allocated_worker=p.outsider,
            ),
        )
    assert "allocated_worker" in caught.value.message_dict


def test_an_unknown_cohort_is_refused(p: Personas) -> None:
    with pytest.raises(ValidationError) as caught:
        services.case_create(
            by=p.administrator, details=services.CaseDetails(la_child_id="C3", cohort="XYZ")
        )
    assert "cohort" in caught.value.message_dict


def test_unknown_key_dates_are_a_programming_error(p: Personas) -> None:
    with pytest.raises(TypeError):
        services.case_create(
            by=p.administrator,
            details=services.CaseDetails(  # type: ignore[call-arg]
                la_child_id="D4", cohort=Cohort.CIN, birthday=datetime.date(2020, 1, 1)
            ),
        )


def test_administrator_reallocates_a_case_file(p: Personas) -> None:
    services.case_update(
        case=p.case,
        by=p.administrator,
        details=services.CaseDetails(
            la_child_id="00123",
            cohort=Cohort.CP,
            allocated_team=p.north_b,
            allocated_worker=None,
            last_statutory_visit=datetime.date(2026, 4, 1),
        ),
    )
    p.case.refresh_from_db()
    assert p.case.allocated_team == p.north_b
    assert p.case.allocated_worker is None
    event = Event.objects.get(verb="case.updated")
    assert event.before["allocated_worker"] == "Pat Practitioner"
    assert event.after["allocated_worker"] is None
    assert event.after["last_statutory_visit"] == "2026-04-01"


def test_a_corrected_child_id_is_recorded_as_a_fact_not_a_value(p: Personas) -> None:
    services.case_update(
        case=p.case,
        by=p.administrator,
        details=services.CaseDetails(
            la_child_id="00124", cohort=Cohort.CP, allocated_team=p.north_a
        ),
    )
    event = Event.objects.get(verb="case.updated")
    text = json.dumps([event.summary, event.before, event.after])
    assert "00123" not in text and "00124" not in text
    assert "LA child ID" in event.summary


def test_an_update_cannot_take_another_cases_id(p: Personas) -> None:
    with pytest.raises(ValidationError):
        services.case_update(
            case=p.case,
            by=p.administrator,
            details=services.CaseDetails(la_child_id="S-0999", cohort=Cohort.CP),
        )


def test_administrator_closes_and_reopens_a_case_file(p: Personas) -> None:
    services.case_close(case=p.case, by=p.administrator, closed_on=datetime.date(2026, 6, 30))
    p.case.refresh_from_db()
    assert not p.case.is_open
    assert p.case.closed_on == datetime.date(2026, 6, 30)
    services.case_reopen(case=p.case, by=p.administrator)
    p.case.refresh_from_db()
    assert p.case.is_open and p.case.closed_on is None
    verbs = Event.objects.filter(verb__startswith="case.").values_list("verb", flat=True)
    assert list(verbs) == ["case.reopened", "case.closed"]


def test_a_closed_case_cannot_be_closed_again(p: Personas) -> None:
    services.case_close(case=p.case, by=p.administrator)
    with pytest.raises(ValidationError, match="already closed"):
        services.case_close(case=p.case, by=p.administrator)


def test_an_open_case_cannot_be_reopened(p: Personas) -> None:
    with pytest.raises(ValidationError, match="already open"):
        services.case_reopen(case=p.case, by=p.administrator)


def test_a_case_cannot_close_before_it_opened(p: Personas) -> None:
    services.case_update(
        case=p.case,
        by=p.administrator,
        details=services.CaseDetails(
            la_child_id="00123",
            cohort=Cohort.CP,
            allocated_team=p.north_a,
            opened_on=datetime.date(2026, 3, 1),
        ),
    )
    with pytest.raises(ValidationError):
        services.case_close(case=p.case, by=p.administrator, closed_on=datetime.date(2026, 2, 1))
