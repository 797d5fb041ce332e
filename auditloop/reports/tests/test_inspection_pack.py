"""The inspection pack: its rows against known audits, the summary, formula injection, dates
and numbers as such, who may make one and of what, the access log and the event, the period's
errors, and a query count that does not grow with the audits."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from auditloop.accounts.log_words import purpose_label, verb_label
from auditloop.accounts.models import Role, Service, Team
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import ActionStatus, Audit, AuditStatus, AuditType
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog, Event
from auditloop.core.tests.url_walk import all_routes
from auditloop.reports.rules.inspection_pack import MAX_YEARS, period_problems, years_on
from auditloop.reports.tests.inspection_pack_factories import (
    DAY,
    action_of,
    audit_of,
    pack_council,
    post_pack,
    rows_by,
    sheets_of,
)
from auditloop.testing import Personas, make_staff
from auditloop.tests.test_role_checks import allowed_roles, role_checked_routes

pytestmark = pytest.mark.django_db

PAGE = "/inspection-pack/"


def _workbook(p: Personas, who: str = "moderator") -> dict[str, list[tuple[object, ...]]]:
    response = post_pack(p.client_for(getattr(p, who)))
    assert response.status_code == 200, response.content[:500]
    return sheets_of(response.content)


def _summary(sheets: dict[str, list[tuple[object, ...]]]) -> dict[tuple[str, str], object]:
    return {(str(row[0]), str(row[1])): row[2] for row in sheets["Summary"][1:]}


# The rows ------------------------------------------------------------------------------------


def test_the_pack_lists_the_audits_submitted_or_completed_in_the_period_and_no_other(
    p: Personas,
) -> None:
    c = pack_council(p)
    audits = rows_by(_workbook(p)["Audits"], "Audit reference")
    expected = [c.moderated, c.improved, c.revisit, c.due, c.unrevisited, c.completed]
    assert set(audits) == {a.reference for a in expected}
    for left_out in (c.calibration, c.draft, c.too_early, c.south):
        assert left_out.reference not in audits


def test_each_audit_row_gives_its_case_grades_moderation_actions_and_revisit_outcome(
    p: Personas,
) -> None:
    c = pack_council(p)
    audits = rows_by(_workbook(p)["Audits"], "Audit reference")
    moderated = audits[c.moderated.reference]
    assert moderated["Case reference (LA child ID)"] == "00123"
    assert moderated["Audit type"] == "Dip sample"
    assert moderated["Service"] == "North"
    assert moderated["Team"] == "North A"
    assert moderated["Status"] == "Submitted"
    assert moderated["Auditor's overall grade"] == "Good"
    assert moderated["Agreed overall grade (moderation)"] == "Requires improvement"
    assert moderated["Overall grade that counts"] == "Requires improvement"
    assert (moderated["Moderated"], moderated["Moderation status"]) == ("Yes", "Agreed")
    actions = [
        moderated[f"Actions{suffix}"]
        for suffix in ("", " open", " open and overdue", " waiting for sign-off", " done")
    ]
    assert actions == [3, 1, 1, 1, 1]
    assert moderated["Revisit outcome"] == "Not scheduled"

    improved = audits[c.improved.reference]
    assert (improved["Moderated"], improved["Moderation status"]) == ("No", None)
    assert improved["Overall grade that counts"] == "Inadequate"
    assert improved["Agreed overall grade (moderation)"] is None
    assert improved["Revisit outcome"] == "Improved"
    assert improved["Unsafe-child flags"] == 1
    assert audits[c.revisit.reference]["Audit type"] == "Revisit"
    assert audits[c.revisit.reference]["Revisit of audit"] == c.improved.reference

    due = audits[c.due.reference]
    assert due["Revisit outcome"] == "Due"
    assert due["Revisit due"] == datetime.datetime.combine(
        timezone.localdate() + 30 * DAY, datetime.time.min
    )
    assert audits[c.unrevisited.reference]["Revisit outcome"] == "Not scheduled"
    completed = audits[c.completed.reference]
    assert completed["Status"] == "Completed"
    assert completed["Completed"] is not None


def test_a_revisit_graded_worse_or_the_same_says_so(p: Personas) -> None:
    worse = audit_of(p, overall="requires_improvement", days_ago=30)
    audit_of(p, overall="inadequate", audit_type=AuditType.REVISIT, revisit_of=worse)
    same = audit_of(p, overall="inadequate", days_ago=30)
    audit_of(p, overall="inadequate", audit_type=AuditType.REVISIT, revisit_of=same)
    overdue = audit_of(p, overall="inadequate", days_ago=60)
    audit_of(
        p,
        overall=None,
        status=AuditStatus.PLANNED,
        audit_type=AuditType.REVISIT,
        revisit_of=overdue,
        due_date=timezone.localdate() - 2 * DAY,
    )
    audits = rows_by(_workbook(p)["Audits"], "Audit reference")
    assert audits[worse.reference]["Revisit outcome"] == "Worse"
    assert audits[same.reference]["Revisit outcome"] == "The same"
    assert audits[overdue.reference]["Revisit outcome"] == "Overdue"


def test_the_actions_sheet_gives_each_actions_status_and_dates_and_its_owners_role_not_name(
    p: Personas,
) -> None:
    c = pack_council(p)
    sheets = _workbook(p)
    heading, *rows = sheets["Actions"]
    assert len(rows) == 3
    lines = [dict(zip(heading, row, strict=True)) for row in rows]
    assert {line["Audit reference"] for line in lines} == {c.moderated.reference}
    by_status = {line["Status"]: line for line in lines}
    assert set(by_status) == {"Open", "Closed", "Waiting for sign-off"}
    assert by_status["Open"]["Overdue"] == "Yes"
    assert by_status["Open"]["Due"] == datetime.datetime.combine(
        timezone.localdate() - 5 * DAY, datetime.time.min
    )
    assert by_status["Closed"]["Signed off"] is not None
    assert by_status["Closed"]["Owner's role"] == "Team manager"
    assert by_status["Open"]["Owner's role"] == "Practitioner (social worker)"
    assert by_status["Open"]["Finding"] == "Overall findings"
    # Neither what an action says nor anyone's name leaves in the pack.
    everything = repr(sheets)
    for absent in ("Jayden", "Visit", p.practitioner.name, p.team_manager.name, p.auditor.name):
        assert absent not in everything


def test_the_summary_counts_the_audits_grades_moderation_actions_revisits_and_flags(
    p: Personas,
) -> None:
    pack_council(p)
    summary = _summary(_workbook(p))
    grades = "Overall grades that count"
    assert summary["Audits", "Audits in the pack"] == 6
    assert summary["Audits", "Dip sample"] == 4
    assert summary["Audits", "Deep dive"] == 1
    assert summary["Audits", "Revisit"] == 1
    assert ("Audits", "Calibration") not in summary
    # Counted: Requires improvement (agreed), Inadequate x3, Good (the revisit), Outstanding.
    assert summary[grades, "Inadequate"] == 3
    assert summary[grades, "Inadequate (share)"] == pytest.approx(0.5)
    assert summary[grades, "Requires improvement"] == 1
    assert summary[grades, "Good"] == 1
    assert summary[grades, "Outstanding"] == 1
    assert summary[grades, "Share Inadequate"] == pytest.approx(0.5)
    assert summary[grades, "Share Good or better"] == pytest.approx(2 / 6)
    assert summary["Moderation", "Audits chosen for moderation"] == 1
    assert summary["Moderation", "Moderation finished (agreed, or decided)"] == 1
    assert summary["Moderation", "Overall grade changed by moderation"] == 1
    assert summary["Actions", "Actions"] == 3
    assert summary["Actions", "Open and overdue"] == 1
    assert summary["Actions", "Done (signed off)"] == 1
    revisits = "Revisits of these audits"
    assert summary[revisits, "Revisits done"] == 1
    assert summary[revisits, "Improved"] == 1
    assert summary[revisits, "Due"] == 1
    assert summary[revisits, "Inadequate audits with no revisit scheduled"] == 1
    assert summary["Unsafe-child flags", "Raised on these audits"] == 1
    assert summary["Unsafe-child flags", "Not yet acknowledged"] == 1
    assert summary["Inspection pack", "Made by"] == "Morgan Moderator (Moderator or audit lead)"
    assert summary["Inspection pack", "Services"] == "North"


def test_counts_are_numbers_shares_are_percentages_and_dates_are_dates(p: Personas) -> None:
    c = pack_council(p)
    response = post_pack(p.client_for(p.moderator))
    workbook = load_workbook(io.BytesIO(response.content))
    audits = workbook["Audits"]
    heading = [cell.value for cell in audits[1]]
    row = next(r for r in audits.iter_rows(min_row=2) if r[0].value == c.moderated.reference)
    submitted = row[heading.index("Submitted")]
    assert isinstance(submitted.value, datetime.datetime)
    assert submitted.value.date() == timezone.localdate() - 3 * DAY
    assert submitted.number_format == "dd/mm/yyyy"
    assert row[heading.index("Actions")].data_type == "n"
    summary = workbook["Summary"]
    share = next(r for r in summary.iter_rows(min_row=2) if r[1].value == "Share Inadequate")
    assert share[2].number_format == "0.0%"
    period = next(r for r in summary.iter_rows(min_row=2) if r[1].value == "Period from")
    assert isinstance(period[2].value, datetime.datetime)


def test_the_moderators_blind_audit_is_listed_without_grades_and_left_out_of_the_figures(
    p: Personas,
) -> None:
    blind = audit_of(p, overall="inadequate")
    Moderation.objects.create(
        audit=blind,
        reason=ModerationReason.INADEQUATE,
        status=ModerationStatus.REGRADING,
        moderator=p.senior_leader,
    )
    audit_of(p, overall="good")
    sheets = _workbook(p, "senior_leader")
    row = rows_by(sheets["Audits"], "Audit reference")[blind.reference]
    hidden = "Hidden: you are regrading it blind"
    assert row["Auditor's overall grade"] == hidden
    assert row["Overall grade that counts"] == hidden
    summary = _summary(sheets)
    assert summary["Overall grades that count", "Inadequate"] == 0
    assert summary["Overall grades that count", "Good"] == 1
    # The audit lead, who is not moderating it, reads its grade.
    lead = rows_by(_workbook(p)["Audits"], "Audit reference")[blind.reference]
    assert lead["Overall grade that counts"] == "Inadequate"


# Formula injection ---------------------------------------------------------------------------


def test_text_that_would_run_as_a_formula_is_neutralised_in_the_workbook_and_the_csv(
    p: Personas,
) -> None:
    Team.objects.filter(pk=p.north_a.pk).update(name='=HYPERLINK("http://x.example","A")')
    ChildCase.objects.filter(pk=p.case.pk).update(la_child_id="+44123")
    Service.objects.filter(pk=p.north.pk).update(name="@North")
    audit = audit_of(p, audit_type=AuditType.THEMATIC)
    Audit.objects.filter(pk=audit.pk).update(theme="=cmd|' /C calc'!A0")
    sheets = _workbook(p)
    row = rows_by(sheets["Audits"], "Audit reference")[audit.reference]
    assert row["Theme (thematic audits)"] == "'=cmd|' /C calc'!A0"
    assert row["Team"] == '\'=HYPERLINK("http://x.example","A")'
    assert row["Case reference (LA child ID)"] == "'+44123"
    assert row["Service"] == "'@North"
    assert _summary(sheets)["Inspection pack", "Services"] == "'@North"
    response = post_pack(p.client_for(p.moderator), fmt="audits-csv")
    text = response.content.decode("utf-8-sig")
    line = next(r for r in csv.reader(io.StringIO(text)) if r[0] == audit.reference)
    assert line[1] == "'+44123"
    assert line[6].startswith("'=HYPERLINK")
    assert line[3] == "'=cmd|' /C calc'!A0"


# The CSV downloads ---------------------------------------------------------------------------


def test_the_csv_downloads_give_the_audits_the_summary_and_the_actions_each_on_its_own(
    p: Personas,
) -> None:
    c = pack_council(p)
    client = p.client_for(p.moderator)
    audits = post_pack(client, fmt="audits-csv")
    assert audits["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(audits.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Audit reference", "Case reference (LA child ID)"]
    assert {r[0] for r in rows[1:]} == {
        a.reference for a in (c.moderated, c.improved, c.revisit, c.due, c.unrevisited, c.completed)
    }
    moderated = next(r for r in rows if r[0] == c.moderated.reference)
    assert moderated[rows[0].index("Submitted")] == (timezone.localdate() - 3 * DAY).isoformat()
    summary = post_pack(client, fmt="summary-csv").content.decode("utf-8-sig")
    figures = {(r[0], r[1]): r[2] for r in list(csv.reader(io.StringIO(summary)))[1:]}
    assert figures["Audits", "Audits in the pack"] == "6"
    assert figures["Overall grades that count", "Share Inadequate (%)"] == "50.0"
    actions = list(
        csv.reader(io.StringIO(post_pack(client, fmt="actions-csv").content.decode("utf-8-sig")))
    )
    assert len(actions) == 4 and actions[0][0] == "Audit reference"


def test_the_file_is_named_by_the_period_and_never_by_a_child_or_a_person(p: Personas) -> None:
    pack_council(p)
    starts_on, ends_on = datetime.date(2026, 4, 1), timezone.localdate()
    client = p.client_for(p.moderator)
    response = post_pack(client, starts_on=starts_on, ends_on=ends_on)
    assert response["Content-Disposition"] == (
        f'attachment; filename="inspection-pack-2026-04-01-to-{ends_on:%Y-%m-%d}.xlsx"'
    )
    assert response["Cache-Control"] == "no-store"
    summary = post_pack(client, starts_on=starts_on, ends_on=ends_on, fmt="summary-csv")
    assert summary["Content-Disposition"].endswith(f'-to-{ends_on:%Y-%m-%d}-summary.csv"')


# Who may make one ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["practitioner", "team_manager", "auditor", "board_member", "administrator"]
)
def test_roles_without_the_pack_are_refused_the_page_and_the_download(
    p: Personas, who: str
) -> None:
    pack_council(p)
    client = p.client_for(getattr(p, who))
    assert client.get(PAGE).status_code == 403
    assert post_pack(client).status_code == 403
    assert not Event.objects.filter(verb="inspection_pack.made").exists()


@pytest.mark.parametrize("who", ["moderator", "senior_leader"])
def test_audit_leads_and_senior_leaders_get_the_form(p: Personas, who: str) -> None:
    response = p.client_for(getattr(p, who)).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Inspection pack \u2013" in html
    assert 'name="starts_on-day"' in html and 'name="ends_on-year"' in html
    assert 'value="xlsx" checked' in html


def test_a_lead_of_another_service_gets_only_that_services_audits(p: Personas) -> None:
    c = pack_council(p)
    south_lead = make_staff("southlead", "Sol South", Role.MODERATOR, services=[p.south])
    audits = rows_by(
        sheets_of(post_pack(p.client_for(south_lead)).content)["Audits"], "Audit reference"
    )
    assert set(audits) == {c.south.reference}


def test_a_head_of_service_reads_only_the_audits_the_audit_list_lets_them_read(
    p: Personas,
) -> None:
    """Heading South is not overseeing it: the pack follows the one visibility rule, so its
    audits are not theirs to take out of the product."""
    c = pack_council(p)
    Service.objects.filter(pk=p.south.pk).update(head_of_service=p.senior_leader)
    audits = rows_by(_workbook(p, "senior_leader")["Audits"], "Audit reference")
    assert c.south.reference not in audits
    assert c.moderated.reference in audits
    list_page = p.client_for(p.senior_leader).get(reverse("audits:list"))
    assert c.south.reference not in list_page.content.decode()


# The logs ------------------------------------------------------------------------------------


def test_the_pack_logs_a_read_of_each_audit_it_names_and_one_event_without_content(
    p: Personas,
) -> None:
    c = pack_council(p)
    post_pack(p.client_for(p.moderator))
    reads = AccessLog.objects.filter(purpose="inspection pack")
    named = [c.moderated, c.improved, c.revisit, c.due, c.unrevisited, c.completed]
    assert sorted(reads.values_list("target_id", flat=True)) == sorted(
        str(a.public_id) for a in named
    )
    assert set(reads.values_list("user_id", "target_type")) == {
        (p.moderator.user_id, "audits.audit")
    }
    event = Event.objects.get(verb="inspection_pack.made")
    assert event.actor_id == p.moderator.user_id
    assert event.after["format"] == "xlsx" and event.after["audits"] == 6
    assert "00123" not in repr((event.summary, event.before, event.after))
    assert verb_label("inspection_pack.made") == "Inspection pack made"
    assert purpose_label("inspection pack") == "Named, with its case, in an inspection pack"


def test_the_summary_alone_names_no_audit_so_logs_no_read(p: Personas) -> None:
    pack_council(p)
    post_pack(p.client_for(p.moderator), fmt="summary-csv")
    assert not AccessLog.objects.filter(purpose="inspection pack").exists()
    assert Event.objects.filter(verb="inspection_pack.made").count() == 1


def test_the_actions_csv_logs_a_read_of_the_audits_with_an_action(p: Personas) -> None:
    c = pack_council(p)
    post_pack(p.client_for(p.moderator), fmt="actions-csv")
    reads = AccessLog.objects.filter(purpose="inspection pack")
    assert list(reads.values_list("target_id", flat=True)) == [str(c.moderated.public_id)]


# The period ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_ago", "ends_ago", "message"),
    [
        (10, 20, "The start of the period must be the same as or before its end"),
        (-1, 0, "The start of the period must be today or in the past"),
        (5, -3, "The end of the period must be today or in the past"),
        (365 * 3 + 5, 0, f"The period must be {MAX_YEARS} years or shorter"),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_error_and_no_pack(
    p: Personas, starts_ago: int, ends_ago: int, message: str
) -> None:
    today = timezone.localdate()
    response = post_pack(
        p.client_for(p.moderator),
        starts_on=today - starts_ago * DAY,
        ends_on=today - ends_ago * DAY,
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<title>Error: Inspection pack" in html
    assert "govuk-error-summary" in html and message in html
    assert not Event.objects.filter(verb="inspection_pack.made").exists()


def test_a_date_that_is_not_real_is_refused_and_the_other_still_checked(p: Personas) -> None:
    client = p.client_for(p.moderator)
    data = {"starts_on-day": "31", "starts_on-month": "2", "starts_on-year": "2026"}
    data |= {"ends_on-day": "1", "ends_on-month": "1", "ends_on-year": "2999", "fmt": "xlsx"}
    html = client.post(PAGE, data).content.decode()
    assert "From must be a real date" in html
    assert "The end of the period must be today or in the past" in html


def test_a_missing_date_and_format_are_asked_for(p: Personas) -> None:
    html = p.client_for(p.moderator).post(PAGE, {}).content.decode()
    assert "Enter the first day of the period" in html
    assert "Enter the last day of the period" in html
    assert "Choose a format" in html


def test_the_period_rule_allows_three_years_less_a_day_and_no_more() -> None:
    today = datetime.date(2026, 11, 30)
    start = datetime.date(2023, 12, 1)
    assert period_problems(start, today, today=today) == {}
    assert "ends_on" in period_problems(start - DAY, today, today=today)
    assert years_on(datetime.date(2024, 2, 29), 1) == datetime.date(2025, 2, 28)


# Queries ---------------------------------------------------------------------------------------


def _queries(p: Personas, fmt: str) -> int:
    client = p.client_for(p.moderator)
    post_pack(client, fmt=fmt)  # the first fills per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = post_pack(client, fmt=fmt)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("fmt", ["xlsx", "audits-csv"])
def test_the_pack_asks_as_many_queries_for_one_audit_as_for_many(p: Personas, fmt: str) -> None:
    first = audit_of(p, overall="inadequate")
    action_of(p, first, status=ActionStatus.OPEN, due_in=-1)
    one = _queries(p, fmt)
    c = pack_council(p)
    for audit in (c.due, c.unrevisited, c.completed):
        action_of(p, audit, status=ActionStatus.OPEN, due_in=-1)
        ChildCase.objects.create(la_child_id=f"X{audit.pk}", cohort=Cohort.CIN)
    many = _queries(p, fmt)
    assert many == one


# The site-wide walks ---------------------------------------------------------------------------


def test_the_url_walk_and_the_role_checks_cover_the_pack_with_its_two_roles() -> None:
    routes = {route.name: route for route in role_checked_routes()}
    assert "reports:inspection_pack" in {route.name for route in all_routes()}
    decision = routes["reports:inspection_pack"].callback.access_decision  # type: ignore[attr-defined]
    assert allowed_roles(decision) == {Role.MODERATOR, Role.SENIOR_LEADER}


@pytest.mark.parametrize(
    ("who", "linked"),
    [
        ("moderator", True),
        ("senior_leader", True),
        ("team_manager", False),
        ("board_member", False),
    ],
)
def test_the_pack_is_linked_from_the_dashboard_of_those_who_may_make_one(
    p: Personas, who: str, linked: bool
) -> None:
    html = p.client_for(getattr(p, who)).get("/dashboard/").content.decode()
    assert (f'href="{PAGE}"' in html) == linked
