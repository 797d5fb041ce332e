from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.audits.models import Audit, AuditType, GradingScale, Question, ToolVersion
from auditloop.audits.services.scales import grade_add, grading_scale_create
from auditloop.audits.services.tools import (
    question_add,
    question_retire,
    question_reword,
    tool_version_draft_create,
    tool_version_publish,
)
from auditloop.audits.tests.audit_factories import planned_audit
from auditloop.testing import Personas

READERS = ["team_manager", "auditor", "moderator", "senior_leader", "administrator"]
NOT_READERS = ["practitioner", "board_member", "outsider"]
WRITERS = ["moderator", "administrator"]
NOT_WRITERS = ["practitioner", "team_manager", "auditor", "senior_leader", "board_member"]


def client(p: Personas, role: str) -> Client:
    return p.client_for(p.all_roles()[role])


def draft_of(p: Personas, version: ToolVersion) -> ToolVersion:
    return tool_version_draft_create(tool=version.tool, by=p.moderator)


def page(response: Any) -> str:
    return str(response.content.decode())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# ---- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_staff_who_audit_and_leads_read_the_tool_list(p: Personas, role: str) -> None:
    response = client(p, role).get(reverse("audits:tools"))
    assert response.status_code == 200
    assert "Compliance dip sample" in page(response)
    assert "Quality deep dive" in page(response)


@pytest.mark.parametrize("role", NOT_READERS)
def test_practitioners_and_board_members_cannot_read_audit_tools(p: Personas, role: str) -> None:
    c = client(p, role)
    assert c.get(reverse("audits:tools")).status_code == 403
    url = reverse("audits:tool_version", args=[p.quality_tool.public_id])
    assert c.get(url).status_code == 403
    assert c.get(reverse("audits:grading_scales")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(anon: Client, p: Personas) -> None:
    for url in (
        reverse("audits:tools"),
        reverse("audits:tool_version", args=[p.quality_tool.public_id]),
        reverse("audits:tool_create"),
    ):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", READERS)
def test_a_published_version_is_read_in_full_with_its_descriptors(p: Personas, role: str) -> None:
    response = client(p, role).get(reverse("audits:tool_version", args=[p.quality_tool.public_id]))
    assert response.status_code == 200
    html = page(response)
    assert "Voice and lived experience" in html
    assert "The child is not seen, not seen alone without a reason" in html
    assert "Requires improvement" in html


def test_the_compliance_version_shows_basis_applies_to_and_alerts(p: Personas) -> None:
    response = client(p, "auditor").get(
        reverse("audits:tool_version", args=[p.compliance_tool.public_id])
    )
    html = page(response)
    assert "Alerts the manager on No" in html
    assert "Yes, the same day" in html
    assert "CPPCR Regs 2010 reg 28" in html
    assert "Applies to" in html


@pytest.mark.parametrize("role", ["team_manager", "auditor", "senior_leader"])
def test_only_leads_and_administrators_see_a_draft(p: Personas, role: str) -> None:
    draft = draft_of(p, p.compliance_tool)
    url = reverse("audits:tool_version", args=[draft.public_id])
    assert client(p, role).get(url).status_code == 404
    assert client(p, "moderator").get(url).status_code == 200
    assert client(p, "administrator").get(url).status_code == 200
    assert f"Version {draft.number}" not in page(client(p, role).get(reverse("audits:tools")))


@pytest.mark.parametrize("role", NOT_WRITERS)
def test_only_leads_and_administrators_change_audit_tools(p: Personas, role: str) -> None:
    draft = draft_of(p, p.quality_tool)
    scale = GradingScale.objects.get(slug="scaling-0-10")
    c = client(p, role)
    gets = [
        reverse("audits:tool_create"),
        reverse("audits:tool_version_publish", args=[draft.public_id]),
        reverse("audits:tool_version_scale", args=[draft.public_id]),
        reverse("audits:tool_section_add", args=[draft.public_id]),
        reverse("audits:tool_section_edit", args=[draft.public_id, 1]),
        reverse("audits:tool_question_add", args=[draft.public_id, 1]),
        reverse("audits:tool_question_edit", args=[draft.public_id, "D1"]),
        reverse("audits:tool_question_retire", args=[draft.public_id, "D1"]),
        reverse("audits:grading_scale_create"),
    ]
    posts = [
        reverse("audits:tool_draft_create", args=[p.compliance_tool.tool.public_id]),
        reverse("audits:tool_version_discard", args=[draft.public_id]),
        reverse("audits:tool_section_move", args=[draft.public_id, 1]),
        reverse("audits:tool_section_remove", args=[draft.public_id, 1]),
        reverse("audits:tool_question_move", args=[draft.public_id, "D1"]),
        reverse("audits:grade_add", args=[scale.public_id]),
        reverse("audits:grade_remove", args=[scale.public_id, "0"]),
    ]
    for url in gets:
        assert c.get(url).status_code == 403, url
    for url in [*gets, *posts]:
        assert c.post(url, {"direction": "down", "title": "X"}).status_code == 403, url
    assert ToolVersion.objects.filter(tool=p.compliance_tool.tool).count() == 1
    assert Question.objects.filter(section__version=draft).count() == 8


def test_a_missing_version_answers_404(p: Personas) -> None:
    url = reverse("audits:tool_version", args=["3f1b6a0e-2c1d-4e5f-8a9b-0c1d2e3f4a5b"])
    assert client(p, "moderator").get(url).status_code == 404


# ---- the lead's journey ----------------------------------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_a_lead_creates_a_draft_from_the_tool_list(p: Personas, role: str) -> None:
    c = client(p, role)
    assert "Create a new draft version" in page(c.get(reverse("audits:tools")))
    response = c.post(reverse("audits:tool_draft_create", args=[p.compliance_tool.tool.public_id]))
    draft = ToolVersion.objects.get(tool=p.compliance_tool.tool, number=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:tool_version", args=[draft.public_id])
    again = c.post(
        reverse("audits:tool_draft_create", args=[p.compliance_tool.tool.public_id]), follow=True
    )
    assert any("already has a draft" in m for m in messages_of(again))


def test_a_lead_adds_a_graded_question_with_its_descriptors(p: Personas) -> None:
    draft = draft_of(p, p.quality_tool)
    c = client(p, "moderator")
    url = reverse("audits:tool_question_add", args=[draft.public_id, 1])
    form = c.get(url)
    assert form.status_code == 200
    assert 'name="descriptor_outstanding"' in page(form)
    response = c.post(
        url,
        {
            "code": "D9",
            "kind": "graded",
            "text": "Permanence",
            "descriptor_outstanding": "O",
            "descriptor_good": "G",
            "descriptor_requires_improvement": "RI",
            "descriptor_inadequate": "I",
        },
    )
    assert response.status_code == 302
    d9 = Question.objects.get(section__version=draft, code="D9")
    assert d9.descriptors == {
        "outstanding": "O",
        "good": "G",
        "requires_improvement": "RI",
        "inadequate": "I",
    }


def test_adding_a_question_with_a_used_code_shows_the_error_summary(p: Personas) -> None:
    draft = draft_of(p, p.compliance_tool)
    response = client(p, "moderator").post(
        reverse("audits:tool_question_add", args=[draft.public_id, 1]),
        {"code": "A1", "kind": "compliance", "text": "Again"},
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in page(response)
    assert "already has a question A1" in page(response)


def test_adding_a_question_without_text_shows_the_field_error(p: Personas) -> None:
    draft = draft_of(p, p.compliance_tool)
    response = client(p, "moderator").post(
        reverse("audits:tool_question_add", args=[draft.public_id, 1]),
        {"code": "A16", "kind": "compliance", "text": ""},
    )
    assert response.status_code == 200
    assert "Enter the question" in page(response)


def test_a_lead_rewords_moves_and_retires_a_question(p: Personas) -> None:
    draft = draft_of(p, p.compliance_tool)
    c = client(p, "moderator")
    edit = reverse("audits:tool_question_edit", args=[draft.public_id, "A10"])
    assert "The health assessment is in date" in page(c.get(edit))
    c.post(edit, {"text": "Health assessment in date.", "applies_to": "CLA"})
    a10 = Question.objects.get(section__version=draft, code="A10")
    assert (a10.text, a10.applies_to, a10.alert_on_no) == (
        "Health assessment in date.",
        "CLA",
        False,
    )

    c.post(reverse("audits:tool_question_move", args=[draft.public_id, "A10"]), {"direction": "up"})
    assert Question.objects.get(section__version=draft, code="A10").order == 9

    retire = reverse("audits:tool_question_retire", args=[draft.public_id, "A10"])
    assert "Retire question A10?" in page(c.get(retire))
    c.post(retire)
    assert not Question.objects.filter(section__version=draft, code="A10").exists()
    assert Question.objects.filter(section__version=p.compliance_tool, code="A10").exists()


def test_moving_the_first_question_up_says_why_not(p: Personas) -> None:
    draft = draft_of(p, p.compliance_tool)
    response = client(p, "moderator").post(
        reverse("audits:tool_question_move", args=[draft.public_id, "A1"]),
        {"direction": "up"},
        follow=True,
    )
    assert any("already first" in m for m in messages_of(response))


def test_changing_a_published_version_says_it_is_frozen(p: Personas) -> None:
    c = client(p, "moderator")
    for url in (
        reverse("audits:tool_question_edit", args=[p.compliance_tool.public_id, "A1"]),
        reverse("audits:tool_version_publish", args=[p.compliance_tool.public_id]),
    ):
        response = c.post(url, {"text": "Changed", "change_note": "x"}, follow=True)
        assert any("published and frozen" in m for m in messages_of(response))
    move = c.post(
        reverse("audits:tool_question_move", args=[p.compliance_tool.public_id, "A2"]),
        {"direction": "up"},
        follow=True,
    )
    assert any("published and frozen" in m for m in messages_of(move))
    a1 = Question.objects.get(section__version=p.compliance_tool, code="A1")
    assert a1.text.startswith("The child was seen")
    assert a1.order == 1


def test_a_lead_adds_and_renames_a_section(p: Personas) -> None:
    draft = draft_of(p, p.quality_tool)
    c = client(p, "moderator")
    c.post(reverse("audits:tool_section_add", args=[draft.public_id]), {"title": "Family"})
    c.post(reverse("audits:tool_section_edit", args=[draft.public_id, 2]), {"title": "Family view"})
    assert list(draft.sections.values_list("title", flat=True)) == [
        "Quality of practice",
        "Family view",
    ]


def test_changing_to_a_scale_with_other_grades_warns_and_asks_to_confirm(p: Personas) -> None:
    draft = draft_of(p, p.quality_tool)
    scaling = GradingScale.objects.get(slug="scaling-0-10")
    c = client(p, "moderator")
    url = reverse("audits:tool_version_scale", args=[draft.public_id])
    warned = c.post(url, {"grading_scale": scaling.pk})
    assert warned.status_code == 200
    assert "do not match" in page(warned)
    draft.refresh_from_db()
    assert draft.grading_scale.slug == "ofsted-four"

    done = c.post(url, {"grading_scale": scaling.pk, "confirm": "on"}, follow=True)
    draft.refresh_from_db()
    assert draft.grading_scale == scaling
    assert any("D1, D2" in m for m in messages_of(done))
    edit = c.get(reverse("audits:tool_question_edit", args=[draft.public_id, "D1"]))
    assert 'name="descriptor_10"' in page(edit)


def test_publishing_with_a_change_note_makes_the_draft_current(p: Personas) -> None:
    draft = draft_of(p, p.compliance_tool)
    c = client(p, "moderator")
    url = reverse("audits:tool_version_publish", args=[draft.public_id])
    empty = c.post(url, {"change_note": ""})
    assert empty.status_code == 200
    assert "Enter a change note" in page(empty)
    response = c.post(url, {"change_note": "Reworded A10."})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    listing = c.get(reverse("audits:tools"))
    assert "Reworded A10." in page(listing)
    tools = {t.name: t for t in listing.context["tools"]}
    newest = tools["Compliance dip sample"].version_list[0]
    assert (newest.number, newest.published_by) == (2, "Morgan Moderator")
    assert tools["Compliance dip sample"].version_list[1].published_by == ""


def test_the_publish_page_lists_what_stops_publishing(p: Personas) -> None:
    draft = draft_of(p, p.quality_tool)
    question_add(section=draft.sections.get(), code="D9", text="New", kind="graded", by=p.moderator)
    response = client(p, "moderator").get(
        reverse("audits:tool_version_publish", args=[draft.public_id])
    )
    assert "Question D9 needs a descriptor for each grade" in page(response)
    assert 'name="change_note"' not in page(response)


def test_a_lead_creates_a_tool_which_starts_as_draft_version_1(p: Personas) -> None:
    c = client(p, "administrator")
    assert c.get(reverse("audits:tool_create")).status_code == 200
    scale = GradingScale.objects.get(slug="ofsted-four")
    response = c.post(
        reverse("audits:tool_create"),
        {"name": "Thematic: neglect", "kind": "mixed", "grading_scale": scale.pk},
    )
    version = ToolVersion.objects.get(tool__name="Thematic: neglect")
    assert response["Location"] == reverse("audits:tool_version", args=[version.public_id])
    assert (version.number, version.is_published) == (1, False)
    html = page(c.get(response["Location"]))
    assert "no sections yet" in html


def test_a_tool_without_a_name_shows_the_error_summary(p: Personas) -> None:
    response = client(p, "moderator").post(reverse("audits:tool_create"), {"kind": "mixed"})
    assert response.status_code == 200
    assert "Enter a name for the audit tool" in page(response)


def test_the_tool_list_counts_the_audits_on_each_version(p: Personas) -> None:
    for _ in range(3):
        Audit.objects.create(
            case=p.case,
            tool_version=p.compliance_tool,
            audit_type=AuditType.DIP_SAMPLE,
            auditor=p.auditor,
        )
    response = client(p, "moderator").get(reverse("audits:tools"))
    tools = {t.name: t for t in response.context["tools"]}
    assert tools["Compliance dip sample"].version_list[0].audit_count == 3
    assert tools["Quality deep dive"].version_list[0].audit_count == 0


# ---- grading scales ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_staff_who_audit_read_the_grading_scales(p: Personas, role: str) -> None:
    c = client(p, role)
    response = c.get(reverse("audits:grading_scales"))
    assert response.status_code == 200
    assert "Signs of Safety scaling (0 to 10)" in page(response)
    scale = GradingScale.objects.get(slug="ofsted-four")
    detail = c.get(reverse("audits:grading_scale", args=[scale.public_id]))
    assert "Requires improvement" in page(detail)


def test_a_lead_creates_a_scale_and_adds_a_grade(p: Personas) -> None:
    c = client(p, "moderator")
    response = c.post(reverse("audits:grading_scale_create"), {"name": "Three-point scale"})
    scale = GradingScale.objects.get(name="Three-point scale")
    assert response["Location"] == reverse("audits:grading_scale", args=[scale.public_id])
    add = reverse("audits:grade_add", args=[scale.public_id])
    c.post(add, {"code": "good", "label": "Good", "value": "3", "description": "Expected"})
    c.post(add, {"code": "poor", "label": "Poor", "value": "1", "is_inadequate": "on"})
    assert list(scale.grades.values_list("code", "is_inadequate")) == [
        ("good", False),
        ("poor", True),
    ]
    bad = c.post(add, {"code": "bad code", "label": "Bad", "value": "x"})
    assert bad.status_code == 200
    assert "Use only letters, numbers, hyphens and underscores" in page(bad)
    assert "Enter the value as a whole number" in page(bad)
    c.post(reverse("audits:grade_remove", args=[scale.public_id, "poor"]))
    assert list(scale.grades.values_list("code", flat=True)) == ["good"]


def test_a_frozen_scale_offers_no_changes_and_refuses_them(p: Personas) -> None:
    scale = GradingScale.objects.get(slug="ofsted-four")
    c = client(p, "moderator")
    html = page(c.get(reverse("audits:grading_scale", args=[scale.public_id])))
    assert "frozen" in html
    assert "Add a grade" not in html
    response = c.post(
        reverse("audits:grade_add", args=[scale.public_id]),
        {"code": "fine", "label": "Fine", "value": "9"},
        follow=True,
    )
    assert any("frozen" in m for m in messages_of(response))
    c.post(reverse("audits:grade_remove", args=[scale.public_id, "good"]))
    assert scale.grades.count() == 4


# ---- query counts -----------------------------------------------------------------------------


def test_the_tool_list_query_count_does_not_grow_with_versions(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    c = client(p, "moderator")
    c.get(reverse("audits:tools"))
    with CaptureQueriesContext(connection) as before:
        c.get(reverse("audits:tools"))
    for tool_version in (p.compliance_tool, p.quality_tool):
        for n in range(3):
            draft = tool_version_draft_create(tool=tool_version.tool, by=p.moderator)
            tool_version_publish(version=draft, by=p.moderator, change_note=f"Change {n}")
        tool_version_draft_create(tool=tool_version.tool, by=p.moderator)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = c.get(reverse("audits:tools"))
    assert page(response).count("Change 2") == 2


def test_the_version_page_query_count_does_not_grow_with_questions(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    draft = draft_of(p, p.quality_tool)
    c = client(p, "moderator")
    url = reverse("audits:tool_version", args=[draft.public_id])
    with CaptureQueriesContext(connection) as before:
        c.get(url)
    section = draft.sections.get()
    for n in range(9, 40):
        question_add(
            section=section,
            code=f"D{n}",
            text=f"Domain {n}",
            kind="graded",
            descriptors={"good": "Good"},
            by=p.moderator,
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = c.get(url)
    assert "Domain 39" in page(response)


def test_the_grading_scale_list_query_count_does_not_grow_with_scales(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    c = client(p, "auditor")
    with CaptureQueriesContext(connection) as before:
        c.get(reverse("audits:grading_scales"))
    for n in range(5):
        scale = grading_scale_create(name=f"Scale {n}", by=p.moderator)
        for value in range(3):
            grade_add(
                scale=scale,
                code=f"g{value}",
                label=f"G{value}",
                value=value,
                is_inadequate=False,
                by=None,
            )
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = c.get(reverse("audits:grading_scales"))
    assert "Scale 4" in page(response)


def test_the_auditor_still_answers_version_1_after_version_2_is_published(p: Personas) -> None:
    audit = planned_audit(p, tool=p.compliance_tool)
    v1_a10 = Question.objects.get(section__version=p.compliance_tool, code="A10").text
    draft = draft_of(p, p.compliance_tool)
    question_reword(
        question=Question.objects.get(section__version=draft, code="A10"),
        text="A reworded health check.",
        by=p.moderator,
    )
    question_retire(
        question=Question.objects.get(section__version=draft, code="A15"), by=p.moderator
    )
    question_add(
        section=draft.sections.get(),
        code="A16",
        text="A brand new check.",
        kind="compliance",
        by=p.moderator,
    )
    tool_version_publish(version=draft, by=p.moderator, change_note="Version 2")

    response = client(p, "auditor").get(reverse("audits:edit", args=[audit.public_id]))
    assert response.status_code == 200
    html = page(response)
    assert v1_a10.split(":")[0][:40] in html
    assert "A reworded health check." not in html
    assert "A brand new check." not in html
    assert "Ethnicity, first language" in html  # A15, retired only from version 2
