"""The cycle review's sections on the child's and family's view, and on the audit tool."""

from __future__ import annotations

import pytest

from auditloop.audits.models import (
    Answer,
    Audit,
    ContactMethod,
    FamilyAnswer,
    FamilyContact,
    FamilyReply,
    Grade,
    Question,
    QuestionKind,
    Respondent,
)
from auditloop.learning.rules.suppression import SUPPRESSED_MARK
from auditloop.learning.tests.team_picture_factories import counted_audit
from auditloop.reports.access.scopes import review_scope
from auditloop.reports.blocks import Block, Section, block_by_key, blocks_of
from auditloop.reports.selectors.cycle_review import cycle_review_sections
from auditloop.reports.tests.review_factories import ReviewCouncil, review_council
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db

OWN_WORDS = "I liked Zoltan from the youth club"


def _hear(audit: Audit, *, better: str, listened: str = FamilyReply.YES) -> None:
    """The child answered, through the online form, for this audit."""
    contact = FamilyContact.objects.create(
        audit=audit,
        respondent=Respondent.CHILD,
        made=True,
        method=ContactMethod.ONLINE_FORM,
        own_words=OWN_WORDS,
    )
    questions = {q.text: q for q in audit.tool_version.family_questions.all()}
    FamilyAnswer.objects.create(
        contact=contact, question=questions["Did you feel listened to?"], reply=listened
    )
    FamilyAnswer.objects.create(
        contact=contact,
        question=questions["Have things got better since we have been involved?"],
        reply=better,
    )
    FamilyAnswer.objects.create(
        contact=contact, question=questions["What would have helped?"], text=OWN_WORDS
    )


def _north_a_heard(council: ReviewCouncil) -> list[Audit]:
    """North A's six deep dives (three Good, one Requires improvement, two Inadequate): each
    child answered; they said things got better in the three Good ones and one Inadequate."""
    north_a = [a for a in council.audits if a.team_id == council.audits[0].team_id]
    for audit, better in zip(
        north_a,
        [
            FamilyReply.YES,
            FamilyReply.YES,
            FamilyReply.YES,
            FamilyReply.PARTLY,
            FamilyReply.YES,
            FamilyReply.NO,
        ],
        strict=True,
    ):
        _hear(audit, better=better)
    return north_a


def sections_for(council: ReviewCouncil, audience: str) -> list[Section]:
    return cycle_review_sections(review_scope(council.cycle, audience))


def block(sections: list[Section], key: str) -> Block:
    found = block_by_key(sections, key)
    assert found is not None, key
    return found


def rows(found: Block) -> dict[str, list[str]]:
    assert found.table is not None
    return {
        row.label: [f.text for f in [*row.cells, row.total, row.derived] if f is not None]
        for row in found.table.rows
    }


def everything_said(sections: list[Section]) -> str:
    parts = []
    for section in sections:
        parts += [section.heading, *section.words]
        for found in section.blocks:
            parts += [found.heading, *found.words]
            if found.table is not None:
                parts += [row.label for row in found.table.rows]
    return " ".join(parts)


def test_the_leaders_see_whom_the_audits_heard_and_what_families_said_by_team(
    p: Personas,
) -> None:
    council = review_council(p)
    _north_a_heard(council)
    sections = sections_for(council, "leaders")
    # North A's six deep dives heard the child, online; South A's two deep dives asked but
    # heard no one (too few to show); North B's thematic audits did not ask.
    assert rows(block(sections, "family-contact")) == {
        "Kestrelmoor": ["6", "0", "6", "0", "12"],
        "Quaysedge": [SUPPRESSED_MARK] * 5,
    }
    assert rows(block(sections, "family-answers")) == {
        "Kestrelmoor": ["10", "1", "1", "0", "12"],
    }
    assert rows(block(sections, "family-answers-cohort")) == {
        "Child protection": ["10", "1", "1", "0", "12"],
    }


def test_the_familys_view_is_set_beside_the_auditors_grade(p: Personas) -> None:
    council = review_council(p)
    _north_a_heard(council)
    agreement = block(sections_for(council, "leaders"), "family-agreement")
    # Good x3 and "yes": agree; Requires improvement and "partly": mixed; Inadequate and
    # "yes": the family more positive; Inadequate and "no": agree.
    assert rows(agreement) == {"Kestrelmoor": ["4", "1", "0", "1", "6"]}


def test_a_team_with_too_few_families_heard_is_withheld(p: Personas) -> None:
    council = review_council(p)
    _hear(council.audits[0], better=FamilyReply.YES)
    _hear(council.audits[1], better=FamilyReply.NO)
    for key in ("family-answers", "family-agreement", "family-answers-cohort"):
        found = block(sections_for(council, "leaders"), key)
        assert found.suppressed, key
        assert all(f.text == SUPPRESSED_MARK for row in found.table.rows for f in row.cells)  # type: ignore[union-attr]


def test_the_committee_sees_services_and_never_anyones_words(p: Personas) -> None:
    council = review_council(p)
    _north_a_heard(council)
    sections = sections_for(council, "committee")
    assert set(rows(block(sections, "family-answers"))) == {"North"}
    said = everything_said(sections)
    assert OWN_WORDS not in said
    assert "Kestrelmoor" not in said


def test_with_no_family_heard_the_review_says_so(p: Personas) -> None:
    council = review_council(p)
    sections = sections_for(council, "leaders")
    assert "No child or family has answered" in " ".join(block(sections, "family-answers").words)
    assert block(sections, "family-agreement").table is None


def test_the_tool_section_shows_not_applicable_and_the_spread_per_check(p: Personas) -> None:
    council = review_council(p)
    for n in range(6):
        audit = counted_audit(
            p,
            council.cycle,
            team=p.north_a,
            tool=p.compliance_tool,
            audit_type="dip_sample",
        )
        if n < 2:
            Answer.objects.filter(audit=audit, question__code="A6").update(compliance="na")
    checks = rows(block(sections_for(council, "leaders"), "tool-checks"))
    a6 = next(values for label, values in checks.items() if label.startswith("A6 "))
    a1 = next(values for label, values in checks.items() if label.startswith("A1 "))
    assert a6 == ["4", "0", "2", "6", "33%"]
    assert a1 == ["6", "0", "0", "6", "0%"]


def test_the_tool_section_shows_the_grades_per_question_and_what_moderation_changed(
    p: Personas,
) -> None:
    council = review_council(p)
    tool = p.quality_tool
    good = Grade.objects.get(scale=tool.grading_scale, code="good")
    outstanding = Grade.objects.get(scale=tool.grading_scale, code="outstanding")
    d2 = Question.objects.get(section__version=tool, code="D2")
    d5 = Question.objects.get(section__version=tool, code="D5")
    north_a = [a for a in council.audits if a.team_id == p.north_a.pk]
    # Moderation agreed D2's grade on five audits and changed three; D5's on five, changing one.
    for index, audit in enumerate(north_a[:5]):
        Answer.objects.filter(audit=audit, question=d2).update(
            agreed_grade=outstanding if index < 3 else good
        )
        Answer.objects.filter(audit=audit, question=d5).update(
            agreed_grade=outstanding if index < 1 else good
        )
    sections = sections_for(council, "leaders")
    changed = rows(block(sections, "tool-moderation"))
    labels = list(changed)
    assert labels[0].startswith("Quality deep dive v1: D2 ")
    assert changed[labels[0]] == ["2", "3", "5", "60%"]
    assert changed[labels[1]] == ["4", "1", "5", "20%"]
    grades = rows(block(sections, "tool-grades"))
    assert (
        len(grades)
        == Question.objects.filter(section__version=tool, kind=QuestionKind.GRADED).count()
    )


def test_the_review_blocks_keep_unique_keys_with_the_new_sections(p: Personas) -> None:
    council = review_council(p)
    _north_a_heard(council)
    keys = [b.key for b in blocks_of(sections_for(council, "leaders"))]
    assert len(keys) == len(set(keys))
