"""The team picture: who sees which team, what counts, small groups and small counts
suppressed on the page and in the CSV alike, and a flat query count."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import Answer, AuditStatus, AuditType, ComplianceAnswer
from auditloop.core.models import Event
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme
from auditloop.learning.tests.team_picture_factories import counted_audit, cycle_of, grade
from auditloop.testing import Personas, make_staff

SPRING = datetime.date(2026, 1, 1)
AUTUMN = datetime.date(2026, 7, 1)


def page_of(p: Personas, who: str = "team_manager", team: object = None, **query: str) -> str:
    team = team or p.north_a
    client = p.client_for(getattr(p, who))
    response = client.get(reverse("learning:team_picture", args=[team.public_id]), query)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return response.content.decode()


def csv_of(p: Personas, who: str = "team_manager", **query: str) -> list[list[str]]:
    client = p.client_for(getattr(p, who))
    response = client.get(
        reverse("learning:team_picture_export", args=[p.north_a.public_id]), query
    )
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))


def row(rows: list[list[str]], label: str) -> list[str]:
    return next(r for r in rows if r and r[0].startswith(label))


def test_a_team_manager_reads_their_teams_counts_by_grade(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(6):
        counted_audit(p, cycle, overall="good", domains="good")
    page = page_of(p)
    assert "Team picture: North A" in page
    assert "6 audits of the team count in this cycle." in page
    rows = csv_of(p)
    # Six Good overall grades, shown; no other grade given, so nothing suppressed.
    assert row(rows, "Spring")[1:6] == ["0", "6", "0", "0", "6"]
    assert row(rows, "D1 ")[1:6] == ["0", "6", "0", "0", "6"]
    assert "data-suppressed" not in page


def test_a_count_from_one_to_four_is_shown_on_a_team_picture_whose_readers_read_each_audit(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(6):
        counted_audit(p, cycle, overall="good")
    counted_audit(p, cycle, overall="inadequate")
    page = page_of(p)
    # The team manager may read each of the seven audits: hiding the one Inadequate from them
    # would protect no one. The group is large enough, so nothing is suppressed.
    assert "data-suppressed" not in page
    spring = row(csv_of(p), "Spring")
    assert spring[1:6] == ["0", "6", "0", "1", "7"]


def test_a_cycle_with_fewer_than_five_audits_is_withheld_whole_on_the_page_and_in_the_csv(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(4):
        counted_audit(p, cycle, overall="good")
    page = page_of(p)
    assert "Fewer than 5 audits: not shown so that no one can be identified." in page
    assert "Grades by domain" not in page
    assert "4 audits" not in page
    rows = csv_of(p)
    assert ["Audits", "[c]"] in rows
    assert row(rows, "Spring")[1:] == ["[c]"] * 6
    assert not any(r and r[0].startswith("D1 ") for r in rows)


def test_a_cycle_whose_audits_are_of_fewer_than_three_peoples_cases_is_withheld(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for n in range(8):
        counted_audit(p, cycle, practitioner=p.practitioner if n % 2 else p.team_manager)
    page = page_of(p)
    assert "Audits of fewer than 3 people&#x27;s cases: not shown so that no one can be" in page
    assert "Grades by domain" not in page
    assert row(csv_of(p), "Spring")[1:] == ["[c]"] * 6


@override_settings(AUDITLOOP_SMALL_GROUP_MIN=3)
def test_the_threshold_comes_from_the_settings(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(4):
        counted_audit(p, cycle, overall="good")
    assert "4 audits of the team count in this cycle." in page_of(p)


def test_the_trend_shows_earlier_cycles_and_suppresses_a_small_one_whole(p: Personas) -> None:
    spring = cycle_of(p, "Spring", SPRING)
    autumn = cycle_of(p, "Autumn", AUTUMN)
    for _ in range(3):
        counted_audit(p, spring, overall="good")
    for _ in range(5):
        counted_audit(p, autumn, overall="outstanding")
    for _ in range(5):
        counted_audit(p, autumn, overall="requires_improvement")
    rows = csv_of(p)
    assert row(rows, "Spring")[1:] == ["[c]"] * 6
    assert row(rows, "Autumn (this cycle)")[1:] == ["5", "0", "5", "0", "10", "50%"]


def test_only_submitted_or_completed_audits_count_and_never_calibration(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, overall="good")
    counted_audit(p, cycle, overall="good", status=AuditStatus.COMPLETED)
    counted_audit(p, cycle, overall="inadequate", status=AuditStatus.IN_PROGRESS)
    counted_audit(p, cycle, overall="inadequate", audit_type=AuditType.CALIBRATION)
    assert row(csv_of(p), "Spring")[1:6] == ["0", "6", "0", "0", "6"]


def test_the_grade_that_counts_is_the_one_agreed_at_moderation(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle, overall="good") for _ in range(10)]
    tool = p.quality_tool
    for audit in audits[:5]:
        audit.agreed_overall_grade = grade(tool, "requires_improvement")
        audit.save()
        Answer.objects.filter(audit=audit, question__code="D1").update(
            agreed_grade=grade(tool, "requires_improvement")
        )
    rows = csv_of(p)
    assert row(rows, "Spring")[1:5] == ["0", "5", "5", "0"]
    assert row(rows, "D1 ")[1:5] == ["0", "5", "5", "0"]
    assert row(rows, "D2 ")[1:5] == ["0", "10", "0", "0"]


def test_an_audit_the_reader_moderates_blind_is_left_out_of_their_figures(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle, overall="good") for _ in range(6)]
    Moderation.objects.create(
        audit=audits[0],
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=p.moderator,
    )
    assert "5 audits of the team count" in page_of(p, "moderator")
    assert "6 audits of the team count" in page_of(p, "senior_leader")


def test_compliance_by_check_gives_yes_no_and_not_applicable_and_the_share_yes(
    p: Personas,
) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle, tool=p.compliance_tool, audit_type=AuditType.DIP_SAMPLE)
    for _ in range(5):
        counted_audit(
            p,
            cycle,
            tool=p.compliance_tool,
            audit_type=AuditType.DIP_SAMPLE,
            compliance=ComplianceAnswer.NO,
        )
    rows = csv_of(p)
    assert row(rows, "A1 ")[1:] == ["5", "5", "0", "10", "50%"]
    # Fifteen checks of ten audits: the totals, and the share yes of them all.
    assert row(rows, "Total")[1:] == ["75", "75", "0", "150", "50%"]


def test_themes_count_the_learning_points_of_the_cycles_audits_by_kind(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle) for _ in range(6)]
    drift = Theme.objects.create(name="Drift")
    for audit in audits:
        point = LearningPoint.objects.create(
            audit=audit, kind=LearningPointKind.CONCERN, text="Plans drift.", author=p.auditor
        )
        point.themes.add(drift)
    LearningPoint.objects.create(
        audit=audits[0], kind=LearningPointKind.GOOD_PRACTICE, text="Good.", author=p.auditor
    )
    rows = csv_of(p)
    assert row(rows, "Drift") == ["Drift", "0", "6", "6"]
    assert row(rows, "No theme given") == ["No theme given", "1", "0", "1"]


def test_no_ones_name_and_no_audit_is_on_the_page_or_in_the_csv(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    audits = [counted_audit(p, cycle) for _ in range(6)]
    page = page_of(p)
    export = "\n".join(",".join(r) for r in csv_of(p))
    workers = {audit.practitioner.name for audit in audits if audit.practitioner}
    assert len(workers) == 3
    for text in (page.split("<main", 1)[1], export):
        assert all(name not in text for name in workers)
        assert p.practitioner.name not in text
        assert p.auditor.name not in text
        assert p.case.la_child_id not in text
        assert all(audit.reference not in text for audit in audits)
        assert all(str(audit.public_id) not in text for audit in audits)


def test_the_export_is_named_without_a_person_and_its_taking_is_an_event(p: Personas) -> None:
    cycle = cycle_of(p, "Spring", SPRING)
    for _ in range(5):
        counted_audit(p, cycle)
    client = p.client_for(p.team_manager)
    response = client.get(reverse("learning:team_picture_export", args=[p.north_a.public_id]))
    disposition = response["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="team-picture-{p.north_a.public_id.hex[:8]}-2026-01-01.csv"'
    )
    event = Event.objects.get(verb="team_picture.exported")
    assert event.target_id == str(p.north_a.public_id) or event.target_id == str(p.north_a.pk)
    assert event.actor == p.team_manager.user
    assert event.after["cycle"] == str(cycle.public_id)


def test_a_cycle_can_be_chosen_and_the_latest_is_shown_first(p: Personas) -> None:
    spring = cycle_of(p, "Spring", SPRING)
    autumn = cycle_of(p, "Autumn", AUTUMN)
    for _ in range(5):
        counted_audit(p, spring)
    for _ in range(7):
        counted_audit(p, autumn)
    assert "7 audits of the team count" in page_of(p)
    assert "5 audits of the team count" in page_of(p, cycle=str(spring.public_id))
    assert row(csv_of(p, cycle=str(spring.public_id)), "Cycle") == ["Cycle", "Spring"]
    bad = page_of(p, cycle="not-a-cycle")
    assert "Choose a cycle from the list" in bad


def test_a_team_without_counted_audits_says_so(p: Personas) -> None:
    assert "No audits of this team have been submitted in a cycle yet." in page_of(p)


# Who sees which team --------------------------------------------------------------------------


def status_of(p: Personas, who: str, team: object) -> int:
    client = p.client_for(getattr(p, who))
    url = reverse("learning:team_picture", args=[team.public_id])  # type: ignore[attr-defined]
    return client.get(url).status_code


def test_a_team_manager_sees_only_their_own_team(p: Personas) -> None:
    assert status_of(p, "team_manager", p.north_a) == 200
    assert status_of(p, "team_manager", p.north_b) == 404
    assert status_of(p, "outsider_manager", p.north_a) == 404


def test_audit_leads_and_senior_leaders_see_the_teams_of_the_services_they_oversee(
    p: Personas,
) -> None:
    for who in ("moderator", "senior_leader"):
        assert status_of(p, who, p.north_a) == 200
        assert status_of(p, who, p.north_b) == 200
        assert status_of(p, who, p.south_a) == 404


def test_a_head_of_service_sees_their_services_teams(p: Personas) -> None:
    head = make_staff("southhead", "Harper Head", Role.SENIOR_LEADER)
    p.south.head_of_service = head
    p.south.save()
    client = p.client_for(head)
    assert (
        client.get(reverse("learning:team_picture", args=[p.south_a.public_id])).status_code == 200
    )
    assert (
        client.get(reverse("learning:team_picture", args=[p.north_a.public_id])).status_code == 404
    )


@pytest.mark.parametrize("who", ["practitioner", "auditor", "board_member", "administrator"])
def test_practitioners_auditors_board_members_and_administrators_are_refused(
    p: Personas, who: str
) -> None:
    assert status_of(p, who, p.north_a) == 403
    client = p.client_for(getattr(p, who))
    assert client.get(reverse("learning:team_picture_choose")).status_code == 403
    export = reverse("learning:team_picture_export", args=[p.north_a.public_id])
    assert client.get(export).status_code == 403


def test_a_team_manager_is_taken_to_their_team_and_a_lead_chooses_from_their_teams(
    p: Personas,
) -> None:
    response = p.client_for(p.team_manager).get(reverse("learning:team_picture_choose"))
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:team_picture", args=[p.north_a.public_id])
    page = p.client_for(p.moderator).get(reverse("learning:team_picture_choose")).content.decode()
    assert "North A" in page
    assert "North B" in page
    assert "South A" not in page


def test_the_page_asks_the_same_number_of_queries_however_many_audits(p: Personas) -> None:
    spring = cycle_of(p, "Spring", SPRING)
    autumn = cycle_of(p, "Autumn", AUTUMN)

    def add_one_of_each() -> None:
        counted_audit(p, spring, overall="inadequate")
        counted_audit(p, autumn, overall="requires_improvement", tool=p.compliance_tool)
        point = LearningPoint.objects.create(
            audit=counted_audit(p, autumn), kind="concern", text="x", author=p.auditor
        )
        point.themes.add(Theme.objects.create(name=f"Theme {point.pk}"))

    for _ in range(5):
        add_one_of_each()
    client = p.client_for(p.team_manager)
    url = reverse("learning:team_picture", args=[p.north_a.public_id])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        add_one_of_each()
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
