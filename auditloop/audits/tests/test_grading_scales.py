from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.urls.converters import SlugConverter
from hypothesis import given, settings
from hypothesis import strategies as st

from auditloop.audits.models import Grade, GradingScale
from auditloop.audits.rules import CODE_PATTERN
from auditloop.audits.services.scales import (
    grade_add,
    grade_remove,
    grading_scale_create,
    scale_in_use,
)
from auditloop.audits.services.tools import audit_tool_create
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def test_ofsteds_four_grades_and_0_to_10_scaling_ship(p: Personas) -> None:
    ofsted = GradingScale.objects.get(slug="ofsted-four")
    assert list(ofsted.grades.order_by("-value").values_list("label", flat=True)) == [
        "Outstanding",
        "Good",
        "Requires improvement",
        "Inadequate",
    ]
    assert list(ofsted.grades.filter(is_inadequate=True).values_list("code", flat=True)) == [
        "inadequate"
    ]
    scaling = GradingScale.objects.get(slug="scaling-0-10")
    assert sorted(scaling.grades.values_list("value", flat=True)) == list(range(11))


def test_a_lead_creates_a_scale_and_adds_its_grades(p: Personas) -> None:
    scale = grading_scale_create(name="Three-point scale", by=p.moderator)
    grade_add(scale=scale, code="good", label="Good", value=3, is_inadequate=False, by=p.moderator)
    grade_add(
        scale=scale,
        code="inadequate",
        label="Inadequate",
        value=1,
        is_inadequate=True,
        description="The child is at risk.",
        by=p.moderator,
    )
    assert list(scale.grades.order_by("-value").values_list("code", flat=True)) == [
        "good",
        "inadequate",
    ]
    assert Event.objects.filter(verb="grading_scale.grade_added").count() == 2
    assert Event.objects.filter(verb="grading_scale.created", target_id=str(scale.public_id))


def test_a_scale_name_is_unique(p: Personas) -> None:
    with pytest.raises(Refused, match="already a grading scale"):
        grading_scale_create(name="ofsted's four grades", by=p.moderator)


def test_a_grade_code_and_value_are_unique_in_the_scale(p: Personas) -> None:
    scale = grading_scale_create(name="Three-point scale", by=p.moderator)
    grade_add(scale=scale, code="good", label="Good", value=3, is_inadequate=False, by=None)
    with pytest.raises(Refused, match="code good"):
        grade_add(scale=scale, code="good", label="Good", value=2, is_inadequate=False, by=None)
    with pytest.raises(Refused, match="value 3"):
        grade_add(scale=scale, code="fine", label="Fine", value=3, is_inadequate=False, by=None)


def test_a_scale_used_by_a_published_version_is_frozen(p: Personas) -> None:
    ofsted = GradingScale.objects.get(slug="ofsted-four")
    assert scale_in_use(ofsted)
    with pytest.raises(Refused, match="frozen"):
        grade_add(scale=ofsted, code="fine", label="Fine", value=5, is_inadequate=False, by=None)
    with pytest.raises(Refused, match="frozen"):
        grade_remove(grade=ofsted.grades.get(code="good"), by=p.moderator)
    assert ofsted.grades.count() == 4


def test_a_scale_used_only_by_a_draft_can_still_change(p: Personas) -> None:
    scale = grading_scale_create(name="Three-point scale", by=p.moderator)
    grade = grade_add(scale=scale, code="good", label="Good", value=3, is_inadequate=False, by=None)
    audit_tool_create(name="Draft tool", kind="quality", grading_scale=scale, by=None)
    assert not scale_in_use(scale)
    grade_remove(grade=grade, by=p.moderator)
    assert not Grade.objects.filter(pk=grade.pk).exists()
    assert Event.objects.filter(verb="grading_scale.grade_removed").count() == 1


@settings(max_examples=40, deadline=None)
@given(code=st.text(min_size=1, max_size=10))
def test_a_grade_code_is_accepted_only_if_it_can_sit_in_a_url(code: str) -> None:
    accepted = bool(CODE_PATTERN.match(code))
    # Accepted codes are exactly those the <slug:code> route can carry back to the service.
    slug_ok = bool(re.fullmatch(SlugConverter.regex, code))
    assert accepted == slug_ok
    if accepted:
        assert reverse(
            "audits:grade_remove",
            kwargs={"public_id": "3f1b6a0e-2c1d-4e5f-8a9b-0c1d2e3f4a5b", "code": code},
        ).endswith(f"/{code}/remove/")


def test_a_new_grade_can_say_it_needs_an_action(p: Personas) -> None:
    scale = grading_scale_create(name="Three-point scale", by=p.moderator)
    grade = grade_add(
        scale=scale,
        code="weak",
        label="Weak",
        value=1,
        is_inadequate=False,
        needs_action=True,
        by=p.moderator,
    )
    assert grade.needs_action
    assert Event.objects.get(verb="grading_scale.grade_added").after["needs_action"] is True


def test_a_lead_sets_which_grades_need_an_action_on_a_frozen_scale_page(p: Personas) -> None:
    ofsted = GradingScale.objects.get(slug="ofsted-four")
    url = reverse("audits:grading_scale", args=[ofsted.public_id])
    client = p.client_for(p.moderator)
    page = client.get(url).content.decode()
    assert "Grades that need an action" in page
    response = client.post(
        reverse("audits:grading_scale_action_grades", args=[ofsted.public_id]),
        {"codes": ["inadequate"]},
    )
    assert response.status_code == 302
    assert list(ofsted.grades.filter(needs_action=True).values_list("code", flat=True)) == [
        "inadequate"
    ]
    assert "The grades that need an action are saved." in client.get(url).content.decode()


@pytest.mark.parametrize("who", ["auditor", "team_manager"])
def test_only_those_who_change_scales_set_which_grades_need_an_action(
    p: Personas, who: str
) -> None:
    ofsted = GradingScale.objects.get(slug="ofsted-four")
    response = p.client_for(getattr(p, who)).post(
        reverse("audits:grading_scale_action_grades", args=[ofsted.public_id]), {"codes": []}
    )
    assert response.status_code in {403, 404}
    assert ofsted.grades.filter(needs_action=True).count() == 2
