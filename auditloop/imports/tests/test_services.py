"""import_run: one transaction per file, the same file twice changes nothing, snapshots."""

from __future__ import annotations

import datetime

import pytest

from auditloop.accounts.models import Service, StaffMember, Team
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import Event
from auditloop.imports.models import ImportIssue, ImportKind, ImportRun, ImportStatus
from auditloop.imports.services.runs import import_run, import_run_process, import_run_queue
from auditloop.imports.tests.builders import (
    ANNEX_A,
    CIN_2024,
    EPISODES,
    HEADER,
    STAFF_CSV,
    SW_EPISODES,
    list_6,
    list_6_row,
    zip_bomb,
)
from auditloop.testing import Personas


def _annex(content: bytes, name: str = "annex.xlsx", **kwargs: object) -> object:
    return import_run(kind=ImportKind.ANNEX_A, files=[(name, content)], **kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db
def test_the_sample_annex_a_creates_case_files_and_records_the_run_and_one_event() -> None:
    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])
    assert (result.status, result.created, result.updated) == ("imported", 38, 0)
    assert ChildCase.objects.count() == 38
    case = ChildCase.objects.get(la_child_id="4653765")
    assert case.cohort == Cohort.CIN
    assert case.allocated_worker_name == "Mathilde Cutsforth"
    assert case.allocated_team_name == "Locality 4 Duty Team"
    assert case.source_lists == "3"
    [run] = ImportRun.objects.all()
    assert run.status == ImportStatus.IMPORTED
    assert run.issues.count() == len(result.issues)
    assert Event.objects.filter(target_id=str(run.public_id)).count() == 1


@pytest.mark.django_db
def test_the_same_file_twice_changes_nothing() -> None:
    import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])
    before = list(ChildCase.objects.values())
    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])
    assert (result.status, result.created, result.updated, result.unchanged) == (
        "unchanged",
        0,
        0,
        38,
    )
    assert list(ChildCase.objects.values()) == before
    first, second = ImportRun.objects.order_by("id")
    assert second.issues.count() == first.issues.count() == len(result.issues) > 0


@pytest.mark.django_db
def test_the_same_rows_in_a_different_file_change_nothing_either(p: Personas) -> None:
    first = _annex(list_6(list_6_row("E1", team="North A")))
    again = _annex(list_6(list_6_row("E1", team="North A")), name="copy.xlsx", by=p.administrator)
    assert first.status == "imported"  # type: ignore[attr-defined]
    assert (again.status, again.unchanged) == ("unchanged", 1)  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_workers_and_teams_are_matched_by_normalised_name_and_the_rest_reported(
    p: Personas,
) -> None:
    result = _annex(
        list_6(
            list_6_row("F1", team="north  a", worker="Mr Pat\xa0PRACTITIONER"),
            list_6_row("F2", team="Nowhere Team", worker="Ghost Worker"),
            list_6_row("F3", team="Nowhere Team", worker="Ghost Worker"),
        )
    )
    f1 = ChildCase.objects.get(la_child_id="F1")
    assert f1.allocated_team == p.north_a and f1.allocated_worker == p.practitioner
    f2 = ChildCase.objects.get(la_child_id="F2")
    assert f2.allocated_worker is None and f2.allocated_worker_name == "Ghost Worker"
    misses = [i for i in result.issues if i.value in {"Nowhere Team", "Ghost Worker"}]  # type: ignore[attr-defined]
    assert len(misses) == 2
    assert all("2 rows" in i.message for i in misses)


@pytest.mark.django_db
def test_workers_match_by_swe_number(p: Personas) -> None:
    p.practitioner.swe_number = "SW999"
    p.practitioner.save()
    ChildCase.objects.create(la_child_id="CHILD10", cohort=Cohort.CLA)
    result = import_run(kind=ImportKind.SSDA903, files=[SW_EPISODES])
    assert result.updated == 1
    assert ChildCase.objects.get(la_child_id="CHILD10").allocated_worker == p.practitioner


@pytest.mark.django_db
def test_a_later_snapshot_updates_cases_and_closes_those_no_longer_listed() -> None:
    _annex(list_6(list_6_row("G1"), list_6_row("G2")))
    result = _annex(list_6(list_6_row("G1", worker="New Worker")), name="february.xlsx")
    assert (result.created, result.updated) == (0, 2)  # type: ignore[attr-defined]
    g1 = ChildCase.objects.get(la_child_id="G1")
    assert g1.allocated_worker_name == "New Worker" and g1.is_open
    g2 = ChildCase.objects.get(la_child_id="G2")
    assert not g2.is_open
    assert g2.no_longer_listed_on == g2.closed_on is not None
    assert ImportRun.objects.get(file_name="february.xlsx").closed == 1
    # Listed again later: reopened.
    _annex(list_6(list_6_row("G1"), list_6_row("G2")), name="march.xlsx")
    g2.refresh_from_db()
    assert g2.is_open and g2.no_longer_listed_on is None and g2.closed_on is None


@pytest.mark.django_db
def test_a_snapshot_never_closes_case_files_no_import_listed(p: Personas) -> None:
    _annex(list_6(list_6_row("H1")))
    p.case.refresh_from_db()
    assert p.case.is_open


@pytest.mark.django_db
def test_a_rejected_file_writes_nothing_but_its_run() -> None:
    result = _annex(zip_bomb(50))
    assert result.status == "rejected"  # type: ignore[attr-defined]
    assert "would expand" in result.message  # type: ignore[attr-defined]
    assert ChildCase.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.REJECTED


@pytest.mark.django_db
def test_a_dry_run_reports_what_would_change_and_writes_nothing() -> None:
    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A], dry_run=True)
    assert (result.status, result.created) == ("imported", 38)
    assert ChildCase.objects.count() == 0
    assert ImportRun.objects.count() == 0
    assert Event.objects.count() == 0


@pytest.mark.django_db
def test_ssda903_tables_are_read_episodes_first_whatever_the_order_given() -> None:
    result = import_run(kind=ImportKind.SSDA903, files=[SW_EPISODES, HEADER, EPISODES])
    assert result.status == "imported"
    case = ChildCase.objects.get(la_child_id="689661")
    assert case.cohort == Cohort.CLA and not case.is_open
    assert case.cla_start == datetime.date(2018, 12, 2)
    assert case.date_of_birth == datetime.date(2015, 7, 11)
    assert ImportRun.objects.count() == 3


@pytest.mark.django_db
def test_an_ended_period_of_care_never_closes_a_case_another_source_holds_open() -> None:
    ChildCase.objects.create(la_child_id="689661", cohort=Cohort.CP)
    import_run(kind=ImportKind.SSDA903, files=[EPISODES])
    case = ChildCase.objects.get(la_child_id="689661")
    assert case.is_open and case.cohort == Cohort.CP
    assert case.cla_start == datetime.date(2018, 12, 2)


@pytest.mark.django_db
def test_the_cin_census_creates_case_files() -> None:
    result = import_run(kind=ImportKind.CIN, files=[CIN_2024])
    assert result.created == 2
    assert ChildCase.objects.get(la_child_id="DfEX0000001").referral_date == datetime.date(
        2022, 10, 6
    )


@pytest.mark.django_db
def test_the_staff_list_creates_staff_teams_and_services_and_links_managers() -> None:
    result = import_run(kind=ImportKind.STAFF, files=[("staff.csv", STAFF_CSV.encode())])
    assert (result.status, result.created) == ("imported", 3)
    east = Service.objects.get(name="East")
    team = Team.objects.get(service=east, name="Assessment 1")
    sam = StaffMember.objects.get(email="sam@council.example")
    assert sam.team == team and sam.role == "practitioner" and sam.swe_number == "SW100002"
    assert sam.manager == StaffMember.objects.get(email="mary@council.example")
    assert list(StaffMember.objects.get(email="lee@council.example").services.all()) == [east]
    assert sum(i.severity == "error" for i in result.issues) == 2
    again = import_run(kind=ImportKind.STAFF, files=[("staff-copy.csv", STAFF_CSV.encode())])
    assert (again.status, again.unchanged) == ("unchanged", 3)


@pytest.mark.django_db
def test_a_queued_upload_is_processed_once_and_its_file_is_then_forgotten() -> None:
    run = import_run_queue(
        kind=ImportKind.ANNEX_A, file_name="annex.xlsx", content=ANNEX_A.read_bytes(), by=None
    )
    assert run.status == ImportStatus.QUEUED and run.content
    result = import_run_process(run=run)
    run.refresh_from_db()
    assert result.status == run.status == ImportStatus.IMPORTED
    assert run.content is None and run.progress == 100
    with pytest.raises(ValueError, match="already been started"):
        import_run_process(run=run)


@pytest.mark.django_db
def test_issues_past_the_limit_are_summarised_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("auditloop.imports.services.runs.MAX_STORED_ISSUES", 2)
    result = import_run(kind=ImportKind.ANNEX_A, files=[ANNEX_A])
    stored = list(ImportIssue.objects.values_list("message", flat=True))
    assert len(stored) == 3
    assert stored[-1].startswith(f"{len(result.issues) - 2} more problems")


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        import_run(kind="spreadsheet", files=[])
