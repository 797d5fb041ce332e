"""The calibration pages: setting an exercise in two steps (the child's ID posted, never in a
URL), the list with how far each exercise has got, and the exercise's page, which compares the
answers only once every auditor has submitted."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import CalibrationExercise
from auditloop.assurance.selectors.agreement import calibration_agreement
from auditloop.assurance.selectors.calibration import grade_spread
from auditloop.assurance.tests.calibration_factories import (
    answer_and_submit,
    entry_of,
    second_auditor,
    set_exercise,
)
from auditloop.audits.models import Audit, Grade, GradingScale
from auditloop.core.models import AccessLog
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

CREATE = reverse("assurance:calibration_create")
LIST = reverse("assurance:calibration_list")


def detail(exercise: CalibrationExercise) -> str:
    return reverse("assurance:calibration_detail", args=[exercise.public_id])


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _set_form(p: Personas, auditors: list[StaffMember], **changes: str) -> dict[str, object]:
    due = timezone.localdate() + datetime.timedelta(days=10)
    data: dict[str, object] = {
        "case": str(p.case.public_id),
        "title": "Autumn calibration",
        "tool_version": str(p.quality_tool.public_id),
        "due_date-day": str(due.day),
        "due_date-month": str(due.month),
        "due_date-year": str(due.year),
        "auditors": [str(a.public_id) for a in auditors],
    }
    data.update(changes)
    return data


def test_a_lead_sets_an_exercise_finding_the_case_by_its_id_posted(p: Personas) -> None:
    client = p.client_for(p.moderator)
    found = client.post(CREATE, {"la_child_id": p.case.la_child_id})
    text = found.content.decode()
    assert found.status_code == 200
    assert p.case.la_child_id in text
    # Only those independent of the case are offered: its team's manager is not.
    assert p.auditor.name in text and p.moderator.name in text
    assert p.team_manager.name not in text
    other = second_auditor(p)
    response = client.post(CREATE, _set_form(p, [p.auditor, other]))
    exercise = CalibrationExercise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(exercise)
    assert p.case.la_child_id not in response["Location"]
    assert exercise.entries.count() == 2


def test_setting_with_one_auditor_comes_back_with_a_clear_message(p: Personas) -> None:
    response = p.client_for(p.moderator).post(CREATE, _set_form(p, [p.auditor]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Choose two or more auditors" in text
    assert "govuk-error-summary" in text
    assert not CalibrationExercise.objects.exists()


def test_an_auditor_who_manages_the_case_posted_anyway_is_refused_by_name(p: Personas) -> None:
    response = p.client_for(p.moderator).post(CREATE, _set_form(p, [p.auditor, p.team_manager]))
    assert "Mary Manager holds or manages this case" in response.content.decode()
    assert not CalibrationExercise.objects.exists()


def test_a_case_in_another_service_is_not_found(p: Personas) -> None:
    response = p.client_for(p.moderator).post(CREATE, {"la_child_id": p.outsider_case.la_child_id})
    assert "No open case with that LA child ID in your services" in response.content.decode()


def test_a_forged_case_id_starts_again_naming_no_case(p: Personas) -> None:
    data = _set_form(p, [p.auditor, p.moderator], case=str(p.outsider_case.public_id))
    response = p.client_for(p.moderator).post(CREATE, data)
    text = response.content.decode()
    assert "no longer open in your services" in text
    assert p.outsider_case.la_child_id not in text


def test_nothing_is_compared_until_every_auditor_has_submitted(p: Personas) -> None:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other])
    answer_and_submit(entry_of(exercise, other), {"D1": "outstanding"})
    for who in (p.auditor, p.moderator, other):
        text = page(p.client_for(who), detail(exercise))
        assert "Waiting for 1 of 2" in text
        assert "The answers compared" not in text
        assert f"{other.name} on D1" not in text, who


def test_the_auditors_own_page_offers_their_audit_and_no_one_elses(p: Personas) -> None:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other])
    answer_and_submit(entry_of(exercise, other))
    text = page(p.client_for(p.auditor), detail(exercise))
    assert reverse("audits:edit", args=[entry_of(exercise, p.auditor).public_id]) in text
    assert reverse("audits:detail", args=[entry_of(exercise, other).public_id]) not in text
    lead = page(p.client_for(p.moderator), detail(exercise))
    assert reverse("audits:detail", args=[entry_of(exercise, other).public_id]) in lead


def _compared(p: Personas) -> tuple[CalibrationExercise, StaffMember]:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other])
    answer_and_submit(entry_of(exercise, p.auditor), {"D1": "outstanding", "D2": "good"})
    answer_and_submit(
        entry_of(exercise, other),
        {"D1": "requires_improvement", "D2": "requires_improvement"},
        overall="requires_improvement",
    )
    return exercise, other


def test_the_comparison_puts_grades_side_by_side_with_their_spread(p: Personas) -> None:
    exercise, _ = _compared(p)
    text = page(p.client_for(p.auditor), detail(exercise))
    assert "The answers compared" in text
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(
            r'<tr class="govuk-table__row">\s*<th scope="row".*?#question-(d\d)".*?</tr>',
            text,
            re.S,
        )
    }
    assert re.search(
        r"Outstanding.*Requires improvement.*2 grades.*Differ by 2 grades", rows["d1"], re.S
    )
    assert re.search(r"Good.*Requires improvement.*1 grade<.*Within one grade", rows["d2"], re.S)
    assert re.search(r"Good.*Good.*0 grades.*All agree", rows["d3"], re.S)
    # Marked where auditors differ by two or more grades, and named at the top.
    assert "Auditors differ by two or more grades on D1" in text
    assert "Within one grade" in text


def test_the_comparison_shows_each_auditors_evidence_and_overall_grade(p: Personas) -> None:
    exercise, other = _compared(p)
    text = page(p.client_for(p.moderator), detail(exercise))
    assert f"Working well: {p.auditor.name} on D4." in text
    assert f"Working well: {other.name} on D4." in text
    overall = text[text.index("Overall grade</caption>") :]
    assert re.search(r"Good.*Requires improvement.*1 grade<", overall, re.S)


def test_reading_the_comparison_logs_the_case_and_every_audit(p: Personas) -> None:
    exercise, _ = _compared(p)
    AccessLog.objects.all().delete()
    page(p.client_for(p.auditor), detail(exercise))
    reads = set(AccessLog.objects.values_list("target_type", "target_id", "purpose"))
    audits = Audit.objects.filter(calibration_entry__exercise=exercise)
    assert reads == {
        ("cases.childcase", str(p.case.public_id), "calibration"),
        *{("audits.audit", str(a.public_id), "calibration") for a in audits},
    }


def test_a_page_before_the_comparison_logs_the_case_alone(p: Personas) -> None:
    exercise = set_exercise(p)
    AccessLog.objects.all().delete()
    page(p.client_for(p.auditor), detail(exercise))
    assert list(AccessLog.objects.values_list("target_type", flat=True)) == ["cases.childcase"]


def test_the_comparison_gives_the_exercises_agreement_figures(p: Personas) -> None:
    exercise, _ = _compared(p)
    figures = calibration_agreement(exercise)
    assert figures.alpha_ordinal.value is not None
    text = page(p.client_for(p.auditor), detail(exercise))
    assert "How far the auditors agree" in text
    assert "Krippendorff" in text
    assert figures.alpha_ordinal.value_text in text
    # Two auditors: the weighted kappas are there too.
    assert "kappa" in text.lower()


def test_no_agreement_figure_is_shown_before_everyone_has_submitted(p: Personas) -> None:
    exercise = set_exercise(p)
    assert "How far the auditors agree" not in page(p.client_for(p.moderator), detail(exercise))


def test_the_list_says_how_many_are_waiting_then_compared(p: Personas) -> None:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other])
    assert "Waiting for 2 of 2" in page(p.client_for(p.moderator), LIST)
    answer_and_submit(entry_of(exercise, p.auditor))
    assert "Waiting for 1 of 2" in page(p.client_for(p.moderator), LIST)
    answer_and_submit(entry_of(exercise, other))
    text = page(p.client_for(p.moderator), LIST)
    assert "Compared" in text and "Waiting" not in text


def test_the_list_shows_an_auditor_only_the_exercises_they_are_in(p: Personas) -> None:
    mine = set_exercise(p, [p.auditor, p.moderator])
    others = set_exercise(p, [p.senior_leader, p.moderator])
    text = page(p.client_for(p.auditor), LIST)
    assert detail(mine) in text and detail(others) not in text
    assert p.case.la_child_id in text
    assert page(p.client_for(p.moderator), LIST).count('href="/calibration/') >= 2


def test_the_list_refuses_the_practitioner(p: Personas) -> None:
    assert p.client_for(p.practitioner).get(LIST).status_code == 403


def test_a_spread_counts_places_on_the_scale_not_its_values() -> None:
    scale = GradingScale.objects.create(slug="wide", name="Wide")
    low, middle, high = (
        Grade.objects.create(scale=scale, code=c, label=c, value=v)
        for c, v in (("low", 0), ("middle", 5), ("high", 10))
    )
    grades = [low, middle, high]
    assert grade_spread([low, high], grades) == 2
    assert grade_spread([middle, high, high], grades) == 1
    assert grade_spread([middle, middle], grades) == 0
    assert grade_spread([middle, None], grades) is None


def test_a_calibration_audits_page_says_so_and_links_to_its_exercise(p: Personas) -> None:
    exercise = set_exercise(p)
    audit = entry_of(exercise, p.auditor)
    text = page(p.client_for(p.auditor), reverse("audits:detail", args=[audit.public_id]))
    assert "not a judgement on the social worker" in text
    assert f'href="{detail(exercise)}"' in text
    assert audit.reference in text
