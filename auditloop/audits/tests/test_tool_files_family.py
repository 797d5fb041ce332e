"""The family's questions travel with an audit tool file: exported in JSON and xlsx, imported
into the draft, checked like every other part (each problem by sheet, row and column, or by
its JSON path), and the defaults for a file that says nothing of them."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import load_workbook

from auditloop.audits.models import FamilyAnswerKind, FamilyViewAsked, ToolVersion
from auditloop.audits.rules import DEFAULT_FAMILY_QUESTIONS
from auditloop.audits.selectors.tool_files import (
    SHEET_FAMILY,
    FileProblem,
    tool_document_from_json,
    tool_document_json,
    tool_document_read,
    tool_document_xlsx,
    tool_version_document,
)
from auditloop.audits.services.family import FamilyQuestionDraft, tool_version_family_change
from auditloop.audits.services.tool_files import tool_file_import
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.testing import Personas


def _family(version: ToolVersion) -> tuple[str, list[tuple[str, str, bool]]]:
    return version.family_view_asked, [
        (q.text, q.kind, q.about_impact) for q in version.family_questions.order_by("order")
    ]


def _changed_draft(p: Personas) -> ToolVersion:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    return tool_version_family_change(
        version=draft,
        asked=FamilyViewAsked.EVERY_AUDIT,
        questions=[
            FamilyQuestionDraft(text="Were you listened to?", kind=FamilyAnswerKind.AGREEMENT),
            FamilyQuestionDraft(
                text="Is life better now?", kind=FamilyAnswerKind.AGREEMENT, about_impact=True
            ),
            FamilyQuestionDraft(text="Tell us more", kind=FamilyAnswerKind.TEXT),
        ],
        by=p.moderator,
    )


def _renamed(document: dict[str, Any], name: str) -> dict[str, Any]:
    document = json.loads(tool_document_json(document))
    document["tool"]["name"] = name
    return document


def test_the_family_questions_go_out_and_come_back_in_json(p: Personas) -> None:
    draft = _changed_draft(p)
    document = _renamed(tool_version_document(draft), "Deep dive, copied")
    assert document["family_view"]["asked"] == "every_audit"
    raw = json.dumps(document).encode()
    imported = tool_file_import(
        document=tool_document_from_json(raw), file_name="tool.json", by=p.moderator
    )
    assert _family(imported.version) == _family(draft)


def test_the_family_questions_go_out_and_come_back_in_xlsx(p: Personas) -> None:
    draft = _changed_draft(p)
    raw = tool_document_xlsx(_renamed(tool_version_document(draft), "Deep dive, workbook"))
    workbook = load_workbook(io.BytesIO(raw))
    assert workbook[SHEET_FAMILY]["A3"].value == "Is life better now?"
    document = tool_document_read(raw, "tool.xlsx")
    assert document.problems == []
    imported = tool_file_import(document=document, file_name="tool.xlsx", by=p.moderator)
    assert _family(imported.version) == _family(draft)


def test_a_bad_family_question_is_named_by_sheet_row_and_column(p: Personas) -> None:
    raw = tool_document_xlsx(_renamed(tool_version_document(p.quality_tool), "Deep dive 2"))
    workbook = load_workbook(io.BytesIO(raw))
    workbook[SHEET_FAMILY]["B3"] = "a score"
    workbook[SHEET_FAMILY]["C5"] = "Yes"  # "What would have helped?" is answered in words
    out = io.BytesIO()
    workbook.save(out)
    problems = tool_document_read(out.getvalue(), "tool.xlsx").problems
    assert FileProblem(SHEET_FAMILY, 3, "Answered as", "Write one of: agreement, text.") in problems
    assert any(
        (p.sheet, p.row, p.column) == (SHEET_FAMILY, 5, "Set beside the judgement of impact")
        for p in problems
    )


def test_a_bad_family_question_in_json_is_named_by_its_path(p: Personas) -> None:
    document = _renamed(tool_version_document(p.quality_tool), "Deep dive 3")
    document["family_view"]["asked"] = "sometimes"
    document["family_view"]["questions"][1]["text"] = ""
    problems = tool_document_from_json(json.dumps(document).encode()).problems
    columns = {p.column for p in problems}
    assert {"family_view.asked", "family_view.questions[1].text"} <= columns


def test_a_file_without_family_questions_gets_the_defaults_and_twice_changes_nothing(
    p: Personas,
) -> None:
    document = _renamed(tool_version_document(p.quality_tool), "Older file")
    del document["family_view"]
    raw = json.dumps(document).encode()
    first = tool_file_import(
        document=tool_document_from_json(raw), file_name="old.json", by=p.moderator
    )
    assert _family(first.version) == ("deep_dives", list(DEFAULT_FAMILY_QUESTIONS))
    again = tool_file_import(
        document=tool_document_from_json(raw), file_name="old.json", by=p.moderator
    )
    assert not again.created
    assert ToolVersion.objects.filter(tool=first.version.tool).count() == 1
