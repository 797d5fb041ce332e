"""The unusual reading report: people who read the records of many children outside their own
in a day, by the council's thresholds, each flagged day linking to that person's reads."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.models import AccessLog, Event
from auditloop.privacy.models import ReadingThresholds
from auditloop.privacy.services.accessreview import reading_thresholds_set
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

REPORT = "privacy:unusual_reading"
THRESHOLDS = "privacy:reading_thresholds"


def children(team: Team, n: int, prefix: str) -> list[ChildCase]:
    return [
        ChildCase.objects.create(la_child_id=f"{prefix}{i}", cohort=Cohort.CIN, allocated_team=team)
        for i in range(n)
    ]


def reads(staff: StaffMember, cases: list[ChildCase], purpose: Purpose = Purpose.VIEW) -> None:
    access_shown(user=staff.user, targets=cases, purpose=purpose)


def set_threshold(
    p: Personas, n: int, exempt: list[str] | None = None, lists: bool = False
) -> None:
    reading_thresholds_set(
        cases_per_day=n, exempt_roles=exempt or [], count_lists=lists, by=p.data_protection
    )


def report(client: Client, **query: str) -> str:
    response = client.get(reverse(REPORT), query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_person_reading_many_children_outside_their_own_is_flagged_with_a_link_to_their_day(
    p: Personas,
) -> None:
    set_threshold(p, 3)
    reads(p.outsider, children(p.north_b, 3, "NB"))

    page = report(p.client_for(p.data_protection))

    today = timezone.localdate().isoformat()
    link = reverse("privacy:unusual_reading_day", args=[p.outsider.public_id, today])
    assert "Olly Outsider" in page and link in page
    # The report names no child (as a word: a random CSRF token can hold the letters "NB0").
    assert not re.search(r"\bNB0", page)


def test_one_child_fewer_than_the_threshold_is_not_flagged(p: Personas) -> None:
    set_threshold(p, 4)
    reads(p.outsider, children(p.north_b, 3, "NB"))

    assert "Olly Outsider" not in report(p.client_for(p.data_protection))


def test_reading_the_same_child_by_case_file_and_audit_counts_once(p: Personas) -> None:
    set_threshold(p, 2)
    audit = make_audit(p)
    reads(p.outsider_manager, [p.case])
    access_shown(user=p.outsider_manager.user, targets=[audit], purpose=Purpose.VIEW)

    assert "Sam South" not in report(p.client_for(p.data_protection))


def test_children_of_their_own_team_and_audits_are_not_counted(p: Personas) -> None:
    set_threshold(p, 1)
    reads(p.practitioner, [p.case, *children(p.north_a, 3, "NA")])  # their team's
    audit = make_audit(p)  # the auditor's own audit, of a North A child
    access_shown(user=p.auditor.user, targets=[audit], purpose=Purpose.VIEW)
    reads(p.moderator, children(p.north_b, 3, "NB"))  # the lead's services

    page = report(p.client_for(p.data_protection))

    assert "Pat Practitioner" not in page and "Alex Auditor" not in page
    assert "Morgan Moderator" not in page
    assert "Nobody read that many children" in page


def test_lists_count_only_when_the_council_says_so(p: Personas) -> None:
    reads(p.outsider, children(p.north_b, 3, "NB"), purpose=Purpose.LISTED)
    set_threshold(p, 3)
    assert "Olly Outsider" not in report(p.client_for(p.data_protection))

    set_threshold(p, 3, lists=True)
    assert "Olly Outsider" in report(p.client_for(p.data_protection))


def test_an_exempt_role_is_never_flagged(p: Personas) -> None:
    set_threshold(p, 3, exempt=[Role.PRACTITIONER])
    reads(p.outsider, children(p.north_b, 3, "NB"))

    assert "Olly Outsider" not in report(p.client_for(p.data_protection))


def test_reads_outside_the_period_are_not_counted(p: Personas) -> None:
    set_threshold(p, 3)
    reads(p.outsider, children(p.north_b, 3, "NB"))
    AccessLog.objects.update(at=timezone.now() - datetime.timedelta(days=10))

    assert "Olly Outsider" not in report(p.client_for(p.data_protection))


def test_a_lead_sees_only_readers_in_their_services(p: Personas) -> None:
    set_threshold(p, 3)
    reads(p.outsider, children(p.north_b, 3, "NB"))
    north_worker = make_staff("northworker", "Nell North", Role.PRACTITIONER, p.north_b)
    reads(north_worker, children(p.south_a, 3, "SA"))
    lead = p.client_for(p.moderator)

    page = report(lead)

    assert "Nell North" in page and "Olly Outsider" not in page
    day = timezone.localdate().isoformat()
    outsider_day = reverse("privacy:unusual_reading_day", args=[p.outsider.public_id, day])
    assert lead.get(outsider_day).status_code == 404


def test_the_day_names_only_the_children_the_viewer_may_review(p: Personas) -> None:
    north_worker = make_staff("northworker", "Nell North", Role.PRACTITIONER, p.north_b)
    reads(north_worker, [p.case, p.outsider_case])
    day = reverse(
        "privacy:unusual_reading_day",
        args=[north_worker.public_id, timezone.localdate().isoformat()],
    )

    lead_page = p.client_for(p.moderator).get(day).content.decode()
    dpo_page = p.client_for(p.data_protection).get(day).content.decode()

    assert "00123" in lead_page and "S-0999" not in lead_page
    assert "A child outside your services" in lead_page
    assert "00123" in dpo_page and "S-0999" in dpo_page
    assert "00123" not in day
    logged = AccessLog.objects.filter(user=p.moderator.user, purpose=Purpose.UNUSUAL_READING)
    assert list(logged.values_list("target_id", flat=True)) == [str(p.case.public_id)]


def test_a_day_that_is_not_a_date_is_not_found(p: Personas) -> None:
    url = reverse("privacy:unusual_reading_day", args=[p.outsider.public_id, "yesterday"])
    assert p.client_for(p.data_protection).get(url).status_code == 404


def test_a_period_ending_before_it_starts_gets_a_clear_message(p: Personas) -> None:
    page = report(
        p.client_for(p.data_protection),
        **{
            "date_from-day": "10",
            "date_from-month": "11",
            "date_from-year": "2026",
            "date_to-day": "9",
            "date_to-month": "11",
            "date_to-year": "2026",
        },
    )
    assert "The last day must be the same as or after the first." in page
    assert "<title>Error: " in page


def test_a_period_longer_than_a_month_gets_a_clear_message(p: Personas) -> None:
    page = report(
        p.client_for(p.data_protection),
        **{
            "date_from-day": "1",
            "date_from-month": "9",
            "date_from-year": "2026",
            "date_to-day": "1",
            "date_to-month": "11",
            "date_to-year": "2026",
        },
    )
    assert "The period can be at most 31 days." in page


def test_the_report_asks_as_many_queries_for_many_flagged_readers_as_for_one(
    p: Personas,
) -> None:
    set_threshold(p, 2)
    client = p.client_for(p.data_protection)
    reads(p.outsider, children(p.north_b, 2, "A"))
    report(client)
    with CaptureQueriesContext(connection) as one:
        first = report(client)
    for i in range(8):
        reader = make_staff(f"reader{i}", f"Reader {i}", Role.PRACTITIONER, p.south_a)
        reads(reader, children(p.north_b, 4, f"R{i}-"))
    with CaptureQueriesContext(connection) as many:
        second = report(client)

    assert first.count("govuk-table__row") + 8 == second.count("govuk-table__row")
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_reads_are_counted_in_one_query_that_returns_only_the_flagged_days(
    p: Personas,
) -> None:
    # A national council's week of reads names 200,000 children: read into Python and judged
    # there, they took 8.5 seconds.
    set_threshold(p, 2)
    reads(p.outsider, children(p.north_b, 5, "NB"))
    reads(p.practitioner, children(p.north_b, 1, "NB-one-"))
    with CaptureQueriesContext(connection) as queries:
        html = report(client=p.client_for(p.data_protection))

    assert "Olly Outsider" in html
    of_reads = [q["sql"] for q in queries if "core_accesslog" in q["sql"]]
    assert len(of_reads) == 1
    assert "GROUP BY" in of_reads[0] and "HAVING" in of_reads[0]


def test_the_dpo_sets_the_thresholds_in_one_event(p: Personas) -> None:
    client = p.client_for(p.data_protection)

    response = client.post(
        reverse(THRESHOLDS),
        {"cases_per_day": "12", "exempt_roles": ["administrator", "data_protection"]},
    )

    assert response.status_code == 302
    saved = ReadingThresholds.objects.get()
    assert (saved.cases_per_day, saved.exempt_roles, saved.count_lists) == (
        12,
        ["administrator", "data_protection"],
        False,
    )
    assert Event.objects.filter(verb="reading_thresholds.changed").count() == 1


def test_an_administrator_sets_the_thresholds_too(p: Personas) -> None:
    response = p.client_for(p.administrator).post(reverse(THRESHOLDS), {"cases_per_day": "5"})

    assert response.status_code == 302
    assert ReadingThresholds.objects.get().cases_per_day == 5


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter how many children in a day."),
        ("0", "The number of children must be 1 or more."),
        ("ten", "Enter a whole number, for example 20."),
    ],
)
def test_a_bad_threshold_gets_a_clear_message(p: Personas, typed: str, message: str) -> None:
    response = p.client_for(p.data_protection).post(reverse(THRESHOLDS), {"cases_per_day": typed})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReadingThresholds.objects.exists()


def test_an_audit_lead_reads_the_thresholds_but_cannot_change_them(p: Personas) -> None:
    lead = p.client_for(p.moderator)

    assert "20 or more" in report(lead)
    assert lead.post(reverse(THRESHOLDS), {"cases_per_day": "1"}).status_code == 403


def test_until_the_council_saves_thresholds_the_dpo_is_exempt(p: Personas) -> None:
    assert "Data Protection Officer" in report(p.client_for(p.moderator))


def test_the_default_periods_second_page_is_the_same_period(p: Personas) -> None:
    set_threshold(p, 1)
    for i in range(51):
        reader = make_staff(f"reader{i}", f"Reader {i:02d}", Role.PRACTITIONER, p.south_a)
        reads(reader, children(p.north_b, 1, f"P{i}-"))

    page = report(p.client_for(p.data_protection), page="2")

    assert "There is a problem" not in page
    assert "Page 2 of 2" in page


def test_a_lead_sees_a_reader_without_a_team_who_oversees_one_of_their_services(
    p: Personas,
) -> None:
    set_threshold(p, 3)
    reads(p.senior_leader, children(p.south_a, 3, "SA"))  # oversees North, in no team

    assert "Lee Leader" in report(p.client_for(p.moderator))
