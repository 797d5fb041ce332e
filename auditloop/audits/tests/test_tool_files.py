"""Audit tool files: a version exported as JSON or xlsx, and either imported as a draft."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from auditloop.audits.models import AuditTool, GradingScale, Question, ToolVersion
from auditloop.audits.selectors.tool_files import (
    SCHEMA_FILE,
    FileProblem,
    tool_document_from_json,
    tool_document_json,
    tool_document_read,
    tool_document_xlsx,
    tool_version_document,
)
from auditloop.audits.services.tool_files import ToolFileProblems, tool_file_import
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas

DOCS_SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "audit-tool-v1.json"


def exported(version: ToolVersion, **changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(tool_document_json(tool_version_document(version)))
    document["tool"].update(changes)
    return document


def import_json(p: Personas, document: dict[str, Any]) -> Any:
    raw = json.dumps(document).encode()
    return tool_file_import(
        document=tool_document_from_json(raw), file_name="tool.json", by=p.moderator
    )


def questions(version: ToolVersion) -> list[tuple[str, str, str, str, dict[str, str]]]:
    return [
        (q.section.title, q.code, q.text, q.kind, q.descriptors)
        for q in Question.objects.filter(section__version=version)
        .select_related("section")
        .order_by("section__order", "order")
    ]


def xlsx_edited(raw: bytes, sheet: str, cell: str, value: Any) -> bytes:
    workbook = load_workbook(io.BytesIO(raw))
    workbook[sheet][cell] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---- round trips ------------------------------------------------------------------------------


def test_a_tool_exported_as_json_imports_under_a_new_name_as_a_draft_with_the_same_questions(
    p: Personas,
) -> None:
    done = import_json(p, exported(p.quality_tool, name="Deep dive from Westshire"))

    assert done.created
    assert not done.version.is_published
    assert done.version.number == 1
    assert done.version.grading_scale == p.quality_tool.grading_scale
    assert questions(done.version) == questions(p.quality_tool)
    assert Event.objects.filter(
        verb="tool_version.imported", target_id=str(done.version.public_id)
    ).exists()


def test_the_same_file_imported_twice_changes_nothing_more(p: Personas) -> None:
    document = exported(p.compliance_tool, name="Dip sample from Westshire")
    first = import_json(p, document)
    versions, events = ToolVersion.objects.count(), Event.objects.count()

    second = import_json(p, document)

    assert not second.created
    assert second.version == first.version
    assert "nothing was changed" in second.message
    assert (ToolVersion.objects.count(), Event.objects.count()) == (versions, events)


def test_importing_a_tools_own_published_version_changes_nothing(p: Personas) -> None:
    done = import_json(p, exported(p.quality_tool))

    assert not done.created
    assert done.version == p.quality_tool
    assert p.quality_tool.tool.versions.count() == 1


def test_an_edited_file_becomes_a_new_draft_and_never_changes_the_published_version(
    p: Personas,
) -> None:
    before = questions(p.quality_tool)
    document = exported(p.quality_tool)
    document["sections"][0]["questions"][0]["text"] = "Is the child's daily life clear?"

    done = import_json(p, document)

    assert done.created
    assert done.version.tool == p.quality_tool.tool
    assert done.version.number == 2
    assert not done.version.is_published
    assert questions(done.version)[0][2] == "Is the child's daily life clear?"
    p.quality_tool.refresh_from_db()
    assert p.quality_tool.is_published
    assert questions(p.quality_tool) == before


def test_an_import_is_refused_while_the_tool_has_a_different_draft(p: Personas) -> None:
    tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    document = exported(p.quality_tool)
    document["sections"][0]["title"] = "Voice of the child"

    with pytest.raises(Refused, match="already has a draft"):
        import_json(p, document)


def test_an_xlsx_a_person_edited_imports_with_their_changes(p: Personas) -> None:
    raw = tool_document_xlsx(tool_version_document(p.compliance_tool))
    raw = xlsx_edited(raw, "Tool", "B4", "Dip sample, Westshire edition")
    raw = xlsx_edited(raw, "Questions", "C2", "The child was seen at the last visit.")

    done = tool_file_import(
        document=tool_document_read(raw, "tool.xlsx"), file_name="tool.xlsx", by=p.moderator
    )

    assert done.version.tool.name == "Dip sample, Westshire edition"
    imported = questions(done.version)
    assert imported[0][2] == "The child was seen at the last visit."
    assert imported[1:] == questions(p.compliance_tool)[1:]
    assert Question.objects.filter(section__version=done.version, alert_on_no=True).count() == (
        Question.objects.filter(section__version=p.compliance_tool, alert_on_no=True).count()
    )


def test_the_xlsx_writes_formula_like_text_so_a_spreadsheet_does_not_run_it(p: Personas) -> None:
    document = tool_version_document(p.compliance_tool)
    document["sections"][0]["questions"][0]["text"] = '=HYPERLINK("http://x")'

    workbook = load_workbook(io.BytesIO(tool_document_xlsx(document)))

    assert workbook["Questions"]["C2"].value == '\'=HYPERLINK("http://x")'
    assert workbook["Questions"]["C2"].data_type == "s"


# ---- problems ---------------------------------------------------------------------------------


def test_every_problem_in_an_xlsx_is_named_by_sheet_row_and_column_and_nothing_is_written(
    p: Personas,
) -> None:
    raw = tool_document_xlsx(tool_version_document(p.quality_tool))
    raw = xlsx_edited(raw, "Tool", "B4", "A new deep dive")
    raw = xlsx_edited(raw, "Questions", "D3", "multiple choice")
    raw = xlsx_edited(raw, "Questions", "B4", "")
    raw = xlsx_edited(raw, "Questions", "B5", "D1")
    raw = xlsx_edited(raw, "Grades", "C3", "good")
    tools = AuditTool.objects.count()

    with pytest.raises(ToolFileProblems) as refused:
        tool_file_import(
            document=tool_document_read(raw, "tool.xlsx"), file_name="tool.xlsx", by=p.moderator
        )

    assert refused.value.problems == [
        FileProblem("Grades", 3, "Value", "Write a whole number (higher is better)."),
        FileProblem("Questions", 3, "Kind", "Write one of: compliance, graded."),
        FileProblem("Questions", 4, "Code", "This cannot be empty."),
        FileProblem("Questions", 5, "Code", "Two questions have the code D1."),
    ]
    assert AuditTool.objects.count() == tools


def test_a_problem_on_the_tool_sheet_names_the_row_of_its_field(p: Personas) -> None:
    raw = tool_document_xlsx(tool_version_document(p.compliance_tool))
    raw = xlsx_edited(raw, "Tool", "B5", "survey")

    document = tool_document_read(raw, "tool.xlsx")

    assert document.problems == [
        FileProblem("Tool", 5, "Value (Kind)", "Write one of: compliance, quality, mixed.")
    ]


def test_every_problem_in_a_json_file_is_named_by_its_path(p: Personas) -> None:
    document = exported(p.compliance_tool, name="Another dip sample")
    document["sections"][0]["questions"][2]["kind"] = "graded"
    document["sections"][0]["questions"][0]["descriptors"] = {"excellent": "Great"}
    document["grading_scale"]["grades"][0]["label"] = ""

    checked = tool_document_from_json(json.dumps(document).encode())

    assert checked.problems == [
        FileProblem("JSON", None, "grading_scale.grades[0].label", "This cannot be empty."),
        FileProblem(
            "JSON",
            None,
            "sections[0].questions[0].descriptors.excellent",
            "The grading scale has no grade excellent.",
        ),
        FileProblem(
            "JSON",
            None,
            "sections[0].questions[2].kind",
            "A compliance dip sample tool cannot take a graded quality judgement.",
        ),
    ]


def test_a_file_that_is_not_json_or_xlsx_gets_one_plain_problem() -> None:
    assert (
        tool_document_read(b"name,kind\n", "tool.json")
        .problems[0]
        .message.startswith("The file is not valid JSON")
    )
    assert tool_document_read(b"PK\x03\x04rubbish", "tool.xlsx").problems == [
        FileProblem(
            "", None, "", "The file is not an xlsx workbook. Save it as .xlsx and try again."
        )
    ]


def test_a_scale_whose_grades_differ_from_the_councils_scale_of_that_code_is_refused(
    p: Personas,
) -> None:
    document = exported(p.quality_tool, name="Deep dive on three grades")
    document["grading_scale"]["grades"] = document["grading_scale"]["grades"][:3]
    for section in document["sections"]:
        for q in section["questions"]:
            q["descriptors"].pop("inadequate", None)

    with pytest.raises(ToolFileProblems, match="1 problem"):
        import_json(p, document)


def test_a_scale_the_council_lacks_is_created_from_the_file(p: Personas) -> None:
    document = exported(p.quality_tool, name="Deep dive on three grades")
    document["grading_scale"].update(slug="three-grades", name="Three grades")
    document["grading_scale"]["grades"] = document["grading_scale"]["grades"][:3]
    for section in document["sections"]:
        for q in section["questions"]:
            q["descriptors"].pop("inadequate", None)

    done = import_json(p, document)

    scale = GradingScale.objects.get(slug="three-grades")
    assert done.version.grading_scale == scale
    assert list(scale.grades.values_list("code", flat=True)) == [
        "outstanding",
        "good",
        "requires_improvement",
    ]


# ---- the schema -------------------------------------------------------------------------------


def _schema_errors(schema: dict[str, Any], value: Any, path: str = "") -> list[str]:
    """The few JSON Schema keywords the published schema uses, checked by hand (the product
    ships no validator library): enough that an export which left the schema would fail."""
    errors: list[str] = []
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: not {schema['const']}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: not one of {schema['enum']}")
    kind = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "integer": int, "boolean": bool}
    if kind and not isinstance(value, types[kind]):
        return [*errors, f"{path}: not {kind}"]
    if kind == "object":
        errors += [f"{path}.{k}: missing" for k in schema.get("required", []) if k not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                errors += _schema_errors(sub, value[key], f"{path}.{key}")
        if "additionalProperties" in schema:
            for key, sub_value in value.items():
                errors += _schema_errors(schema["additionalProperties"], sub_value, f"{path}.{key}")
    if kind == "array":
        if len(value) < schema.get("minItems", 0):
            errors.append(f"{path}: too few")
        for i, item in enumerate(value):
            errors += _schema_errors(schema.get("items", {}), item, f"{path}[{i}]")
    return errors


def test_every_default_tool_exports_to_a_document_the_published_schema_accepts(
    p: Personas,
) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())

    for version in (p.compliance_tool, p.quality_tool):
        assert _schema_errors(schema, tool_version_document(version)) == []
    broken = tool_version_document(p.quality_tool) | {"schema_version": 2}
    assert _schema_errors(schema, broken) == [".schema_version: not 1"]


def test_the_schema_in_docs_is_the_schema_the_app_serves(client: Any, db: None) -> None:
    response = client.get(reverse("audits:tool_schema"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    assert response.content == DOCS_SCHEMA.read_bytes() == SCHEMA_FILE.read_bytes()
