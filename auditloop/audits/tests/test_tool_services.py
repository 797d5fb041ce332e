from __future__ import annotations

from typing import Any

import pytest

from auditloop.audits.models import (
    Answer,
    Audit,
    AuditTool,
    AuditType,
    GradingScale,
    Question,
    ToolVersion,
)
from auditloop.audits.services.scales import grade_add, grading_scale_create
from auditloop.audits.services.tools import (
    audit_tool_create,
    question_add,
    question_move,
    question_retire,
    question_reword,
    section_add,
    section_move,
    section_remove,
    section_rename,
    tool_version_discard,
    tool_version_draft_create,
    tool_version_publish,
    tool_version_scale_change,
)
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas

OFSTED_CODES = ["outstanding", "good", "requires_improvement", "inadequate"]


def lead(p: Personas) -> Any:
    return p.moderator.user


def codes(version: ToolVersion) -> list[str]:
    return list(
        Question.objects.filter(section__version=version)
        .order_by("section__order", "order")
        .values_list("code", flat=True)
    )


def events(verb: str) -> int:
    return Event.objects.filter(verb=verb).count()


def test_a_new_draft_copies_every_section_and_question_of_the_current_version(
    p: Personas,
) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)

    assert draft.number == 2
    assert not draft.is_published
    assert draft.grading_scale == p.quality_tool.grading_scale
    assert codes(draft) == codes(p.quality_tool)
    d1_old = Question.objects.get(section__version=p.quality_tool, code="D1")
    d1_new = Question.objects.get(section__version=draft, code="D1")
    assert d1_new.pk != d1_old.pk
    assert d1_new.descriptors == d1_old.descriptors
    assert events("tool_version.draft_created") == 1


def test_a_tool_has_one_draft_at_a_time(p: Personas) -> None:
    tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    with pytest.raises(Refused, match="already has a draft"):
        tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)


def test_publishing_a_draft_makes_it_the_current_version(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    tool_version_publish(version=draft, by=p.moderator, change_note="A10 reworded after checking.")

    draft.refresh_from_db()
    assert draft.is_published
    assert draft.published_at is not None
    assert draft.change_note == "A10 reworded after checking."
    assert p.compliance_tool.tool.current_version == draft
    event = Event.objects.get(verb="tool_version.published")
    assert event.actor == lead(p)
    assert event.target_id == str(draft.public_id)


def test_publishing_needs_a_change_note(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    with pytest.raises(Refused, match="change note"):
        tool_version_publish(version=draft, by=p.moderator, change_note="  ")


def test_a_published_version_cannot_be_published_again(p: Personas) -> None:
    with pytest.raises(Refused, match="published and frozen"):
        tool_version_publish(version=p.compliance_tool, by=p.moderator, change_note="Again")


def test_an_empty_version_cannot_be_published(p: Personas) -> None:
    tool = audit_tool_create(
        name="Thematic: domestic abuse",
        kind="mixed",
        grading_scale=p.quality_tool.grading_scale,
        by=p.moderator,
    )
    version = tool.versions.get()
    with pytest.raises(Refused, match="at least one question"):
        tool_version_publish(version=version, by=p.moderator, change_note="First version")


def test_a_graded_question_without_a_descriptor_for_each_grade_cannot_be_published(
    p: Personas,
) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    section = draft.sections.get()
    question_add(
        section=section,
        code="D9",
        text="Permanence planning",
        kind="graded",
        descriptors={"good": "Permanence is planned from the start.", "inadequate": "Drift."},
        by=p.moderator,
    )
    with pytest.raises(
        Refused,
        match=r"D9 needs a descriptor.*missing: Outstanding, Requires improvement\)",
    ):
        tool_version_publish(version=draft, by=p.moderator, change_note="D9 added")
    assert not ToolVersion.objects.get(pk=draft.pk).is_published


def test_a_published_versions_questions_cannot_be_changed(p: Personas) -> None:
    published = p.compliance_tool
    a1 = Question.objects.get(section__version=published, code="A1")
    section = published.sections.get()
    frozen = "published and frozen"
    with pytest.raises(Refused, match=frozen):
        question_reword(question=a1, text="Changed", by=p.moderator)
    with pytest.raises(Refused, match=frozen):
        question_retire(question=a1, by=p.moderator)
    with pytest.raises(Refused, match=frozen):
        question_move(question=a1, direction="down", by=p.moderator)
    with pytest.raises(Refused, match=frozen):
        question_add(section=section, code="A16", text="New", kind="compliance", by=p.moderator)
    with pytest.raises(Refused, match=frozen):
        section_add(version=published, title="More", by=p.moderator)
    with pytest.raises(Refused, match=frozen):
        section_rename(section=section, title="Renamed", by=p.moderator)
    with pytest.raises(Refused, match=frozen):
        tool_version_scale_change(
            version=published,
            grading_scale=GradingScale.objects.get(slug="scaling-0-10"),
            by=p.moderator,
        )
    with pytest.raises(Refused, match=frozen):
        tool_version_discard(version=published, by=p.moderator)
    a1.refresh_from_db()
    assert a1.text.startswith("The child was seen")
    assert len(codes(published)) == 15


def test_an_audit_started_on_version_1_keeps_version_1s_questions_after_version_2(
    p: Personas,
) -> None:
    v1 = p.compliance_tool
    v1_questions = {q.code: q.text for q in Question.objects.filter(section__version=v1)}
    audit = Audit.objects.create(
        case=p.case, tool_version=v1, audit_type=AuditType.DIP_SAMPLE, auditor=p.auditor
    )
    a3 = Question.objects.get(section__version=v1, code="A3")
    Answer.objects.create(audit=audit, question=a3, compliance="yes")

    v2 = tool_version_draft_create(tool=v1.tool, by=p.moderator)
    question_reword(
        question=Question.objects.get(section__version=v2, code="A3"),
        text="The child's wishes and feelings are in their own words.",
        by=p.moderator,
    )
    question_retire(question=Question.objects.get(section__version=v2, code="A15"), by=p.moderator)
    question_add(
        section=v2.sections.get(),
        code="A16",
        text="The child's plan has been shared with them in a way they understand.",
        kind="compliance",
        by=p.moderator,
    )
    tool_version_publish(version=v2, by=p.moderator, change_note="A3 reworded, A15 retired.")

    audit.refresh_from_db()
    assert audit.tool_version == v1
    kept = {q.code: q.text for q in Question.objects.filter(section__version=audit.tool_version)}
    assert kept == v1_questions
    assert audit.answers.get().question == a3
    assert v1.tool.current_version == v2
    assert "A15" not in codes(v2)
    assert "A16" in codes(v2)


def test_questions_are_added_reworded_moved_and_retired_in_a_draft(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    section = draft.sections.get()
    added = question_add(
        section=section,
        code="A16",
        text="Brothers and sisters are seen.",
        kind="compliance",
        basis="Local practice standard",
        applies_to="All",
        alert_on_no=True,
        by=p.moderator,
    )
    assert added.order == 16
    assert added.alert_on_no

    question_move(question=added, direction="up", by=p.moderator)
    assert codes(draft)[-2:] == ["A16", "A15"]

    question_reword(
        question=Question.objects.get(section__version=draft, code="A10"),
        text="The health assessment is in date.",
        guidance="Check the interval against regulation 7.",
        by=p.moderator,
    )
    a10 = Question.objects.get(section__version=draft, code="A10")
    assert a10.text == "The health assessment is in date."
    assert a10.guidance == "Check the interval against regulation 7."

    question_retire(
        question=Question.objects.get(section__version=draft, code="A2"), by=p.moderator
    )
    orders = list(
        Question.objects.filter(section=section).order_by("order").values_list("order", flat=True)
    )
    assert orders == list(range(1, 16))
    assert events("tool_version.question_added") == 1
    assert events("tool_version.question_moved") == 1
    assert events("tool_version.question_reworded") == 1
    assert events("tool_version.question_retired") == 1


def test_the_first_question_cannot_move_up(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    a1 = Question.objects.get(section__version=draft, code="A1")
    with pytest.raises(Refused, match="already first"):
        question_move(question=a1, direction="up", by=p.moderator)


def test_a_question_code_is_unique_in_its_version(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    with pytest.raises(Refused, match="already has a question A1"):
        question_add(
            section=draft.sections.get(), code="a1", text="Again", kind="compliance", by=p.moderator
        )


def test_a_compliance_tool_takes_no_graded_question(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    with pytest.raises(Refused, match="cannot take a graded quality judgement"):
        question_add(
            section=draft.sections.get(), code="Q1", text="How good?", kind="graded", by=p.moderator
        )


def test_descriptors_must_name_grades_of_the_versions_scale(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    d1 = Question.objects.get(section__version=draft, code="D1")
    with pytest.raises(Refused, match="no grade excellent"):
        question_reword(
            question=d1, text=d1.text, descriptors={"excellent": "Very good"}, by=p.moderator
        )


def test_sections_are_added_renamed_moved_and_removed_when_empty(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    first = draft.sections.get()
    added = section_add(version=draft, title="Family feedback", by=p.moderator)
    assert added.order == 2
    section_rename(section=added, title="Child and family feedback", by=p.moderator)
    section_move(section=added, direction="up", by=p.moderator)
    assert list(draft.sections.order_by("order").values_list("title", flat=True)) == [
        "Child and family feedback",
        first.title,
    ]
    with pytest.raises(Refused, match="still has questions"):
        section_remove(section=draft.sections.get(pk=first.pk), by=p.moderator)
    section_remove(section=draft.sections.get(pk=added.pk), by=p.moderator)
    assert draft.sections.get().order == 1


def test_changing_to_a_scale_with_other_codes_asks_for_the_descriptors_again(
    p: Personas,
) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    scaling = GradingScale.objects.get(slug="scaling-0-10")

    to_redo = tool_version_scale_change(version=draft, grading_scale=scaling, by=p.moderator)

    assert to_redo == [f"D{n}" for n in range(1, 9)]
    draft.refresh_from_db()
    assert draft.grading_scale == scaling
    assert Question.objects.get(section__version=draft, code="D1").descriptors == {}
    assert Question.objects.get(section__version=p.quality_tool, code="D1").descriptors
    with pytest.raises(Refused, match="D1 needs a descriptor"):
        tool_version_publish(version=draft, by=p.moderator, change_note="Scaling")


def test_changing_to_a_scale_with_the_same_codes_keeps_the_descriptors(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    copy = grading_scale_create(name="Ofsted grades, council wording", by=p.moderator)
    for value, code in enumerate(reversed(OFSTED_CODES), start=1):
        grade_add(
            scale=copy,
            code=code,
            label=code.replace("_", " ").capitalize(),
            value=value,
            is_inadequate=code == "inadequate",
            by=p.moderator,
        )

    assert tool_version_scale_change(version=draft, grading_scale=copy, by=p.moderator) == []
    tool_version_publish(version=draft, by=p.moderator, change_note="Council wording of grades")
    assert Question.objects.get(section__version=draft, code="D1").descriptors.keys() == set(
        OFSTED_CODES
    )


def test_a_new_tool_starts_as_draft_version_1_and_can_be_published(p: Personas) -> None:
    tool = audit_tool_create(
        name="Thematic: neglect",
        kind="mixed",
        grading_scale=p.quality_tool.grading_scale,
        description="Cases chosen on neglect.",
        by=p.moderator,
    )
    version = tool.versions.get()
    assert version.number == 1
    assert not version.is_published
    assert tool.current_version is None
    section = section_add(version=version, title="Neglect", by=p.moderator)
    question_add(
        section=section,
        code="N1",
        text="A neglect tool was used.",
        kind="compliance",
        by=p.moderator,
    )
    question_add(
        section=section,
        code="N2",
        text="The child's lived experience of neglect is understood.",
        kind="graded",
        descriptors={c: f"{c} practice" for c in OFSTED_CODES},
        by=p.moderator,
    )
    tool_version_publish(version=version, by=p.moderator, change_note="First version")
    assert tool.current_version == version
    assert events("audit_tool.created") == 1


def test_a_tool_name_is_unique(p: Personas) -> None:
    with pytest.raises(Refused, match="already an audit tool called"):
        audit_tool_create(
            name="compliance dip sample",
            kind="compliance",
            grading_scale=p.compliance_tool.grading_scale,
            by=p.moderator,
        )


def test_a_draft_can_be_discarded_but_not_a_tools_only_version(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    tool_version_discard(version=draft, by=p.moderator)
    assert not ToolVersion.objects.filter(pk=draft.pk).exists()
    assert events("tool_version.discarded") == 1

    tool = audit_tool_create(
        name="New tool", kind="compliance", grading_scale=draft.grading_scale, by=p.moderator
    )
    with pytest.raises(Refused, match="only version"):
        tool_version_discard(version=tool.versions.get(), by=p.moderator)
    assert AuditTool.objects.filter(pk=tool.pk).exists()
