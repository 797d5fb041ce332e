"""Audit tool files: a tool version written out as JSON (schema `docs/schemas/audit-tool-v1.json`)
or as an xlsx a person can read and edit, and either read back into one checked document.

Reading never touches the database: it returns the document (plain dicts in the JSON shape)
and every problem found, each named by sheet, row and column (for JSON: the path to the field),
so the person can mend the file. `auditloop.audits.services.tool_files` writes what it reads.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from auditloop.audits.models import (
    FamilyAnswerKind,
    FamilyViewAsked,
    Question,
    QuestionKind,
    ToolKind,
    ToolVersion,
)
from auditloop.audits.rules import (
    CODE_PATTERN,
    DEFAULT_FAMILY_QUESTIONS,
    KINDS_FOR_TOOL,
    MAX_FAMILY_QUESTIONS,
    MAX_QUESTION_LENGTH,
)

FORMAT = "auditloop-audit-tool"
SCHEMA_VERSION = 1
# The published schema; `docs/schemas/audit-tool-v1.json` is the same file, for readers of the
# repository (a test keeps the two the same).
SCHEMA_FILE = Path(__file__).resolve().parents[1] / "data" / "audit-tool-v1.schema.json"
# A tool file is small (the deep dive is about 20 kB); anything far bigger is not one.
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_EXPANDED_BYTES = 20 * 1024 * 1024

SHEET_TOOL = "Tool"
SHEET_GRADES = "Grades"
SHEET_QUESTIONS = "Questions"
SHEET_SOURCES = "Sources"
SHEET_FAMILY = "Family view"

# The Tool sheet: one field a row, its label in column A and its value in column B.
TOOL_ROWS = [
    ("format", "Format"),
    ("schema_version", "Schema version"),
    ("name", "Tool name"),
    ("kind", "Kind"),
    ("description", "Description"),
    ("guidance", "Guidance for auditors"),
    ("lead_note", "Note for audit leads"),
    ("scale_slug", "Grading scale code"),
    ("scale_name", "Grading scale name"),
    ("family_view_asked", "Family's view asked"),
]
GRADE_COLUMNS = [
    ("code", "Code"),
    ("label", "Label"),
    ("value", "Value"),
    ("is_inadequate", "Inadequate"),
    ("needs_action", "Needs an action"),
    ("description", "Description"),
]
QUESTION_COLUMNS = [
    ("section", "Section"),
    ("code", "Code"),
    ("text", "Question"),
    ("kind", "Kind"),
    ("basis", "Basis"),
    ("applies_to", "Applies to"),
    ("guidance", "Guidance"),
    ("alert_on_no", "Alert manager on No"),
]
DESCRIPTOR_PREFIX = "Descriptor: "
SOURCE_COLUMNS = [("ref", "Reference"), ("title", "Title"), ("url", "Address")]
FAMILY_COLUMNS = [
    ("text", "Question"),
    ("kind", "Answered as"),
    ("about_impact", "Set beside the judgement of impact"),
]


@dataclass(frozen=True, slots=True)
class FileProblem:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass(frozen=True, slots=True)
class Where:
    """Where an object of the document came from, to name its fields in a problem."""

    sheet: str
    row: int | None = None
    prefix: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    # A field on a row of its own (the Tool sheet has one field a row).
    rows: dict[str, int] = field(default_factory=dict)

    def problem(self, name: str, message: str) -> FileProblem:
        return FileProblem(
            self.sheet,
            self.rows.get(name, self.row),
            self.prefix + self.labels.get(name, name),
            message,
        )


@dataclass
class ToolDocument:
    """A tool file read: `data` in the JSON shape, and where each part of it came from."""

    data: dict[str, Any]
    # The file as a whole (format, schema version, sections); the tool's, its version's and
    # its grading scale's own fields.
    top_at: Where
    tool_at: Where
    version_at: Where
    scale_at: Where
    grade_at: list[Where]
    section_at: list[Where]
    question_at: list[list[Where]]
    source_at: list[Where]
    problems: list[FileProblem] = field(default_factory=list)
    # The family's view (optional in a file: the defaults when it says nothing).
    family_top_at: Where = field(default_factory=lambda: Where("JSON", None, "family_view."))
    family_at: list[Where] = field(default_factory=list)


# ---- writing ---------------------------------------------------------------------------------


def tool_version_document(
    version: ToolVersion,
    *,
    sources: list[dict[str, str]] | None = None,
    lead_note: bool = True,
) -> dict[str, Any]:
    """The version as a document in the published schema's shape. `lead_note=False` leaves
    out the note for those who edit audit tools, for a reader who may not (an auditor)."""
    scale = version.grading_scale
    questions = Question.objects.filter(section__version=version).order_by("order", "pk")
    by_section: dict[int, list[Question]] = {}
    for q in questions:
        by_section.setdefault(q.section_id, []).append(q)
    return {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "tool": {
            "name": version.tool.name,
            "kind": version.tool.kind,
            "description": version.tool.description,
        },
        "version": {
            "number": version.number,
            "published": version.is_published,
            "guidance": version.guidance,
            "lead_note": version.lead_note if lead_note else "",
            "change_note": version.change_note,
        },
        "grading_scale": {
            "slug": scale.slug,
            "name": scale.name,
            "grades": [
                {
                    "code": g.code,
                    "label": g.label,
                    "value": g.value,
                    "is_inadequate": g.is_inadequate,
                    "needs_action": g.needs_action,
                    "description": g.description,
                }
                for g in scale.grades.order_by("-value")
            ],
        },
        "sections": [
            {
                "title": s.title,
                "questions": [
                    {
                        "code": q.code,
                        "text": q.text,
                        "kind": q.kind,
                        "basis": q.basis,
                        "applies_to": q.applies_to,
                        "guidance": q.guidance,
                        "alert_on_no": q.alert_on_no,
                        "descriptors": dict(q.descriptors),
                    }
                    for q in by_section.get(s.pk, [])
                ],
            }
            for s in version.sections.order_by("order")
        ],
        "family_view": {
            "asked": version.family_view_asked,
            "questions": [
                {"text": q.text, "kind": q.kind, "about_impact": q.about_impact}
                for q in version.family_questions.order_by("order")
            ],
        },
        "sources": list(sources or []),
    }


def tool_document_json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _cell(value: Any) -> Any:
    """A value safe to open in a spreadsheet: text that a spreadsheet would run as a formula
    gets a leading apostrophe; booleans are written Yes or No, as people type them."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _header(sheet: Any, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)


def tool_document_xlsx(document: dict[str, Any]) -> bytes:
    """The document as a workbook: the tool's fields, its grades, one row per question (with a
    descriptor column per grade) and its sources."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    tool_sheet = workbook.create_sheet(SHEET_TOOL)
    scale = document["grading_scale"]
    version = document.get("version", {})
    values = {
        "format": document["format"],
        "schema_version": document["schema_version"],
        "name": document["tool"]["name"],
        "kind": document["tool"]["kind"],
        "description": document["tool"].get("description", ""),
        "guidance": version.get("guidance", ""),
        "lead_note": version.get("lead_note", ""),
        "scale_slug": scale["slug"],
        "scale_name": scale["name"],
        "family_view_asked": document.get("family_view", {}).get("asked", ""),
    }
    _header(tool_sheet, ["Field", "Value"])
    for key, label in TOOL_ROWS:
        tool_sheet.append([label, _cell(values[key])])
    tool_sheet.column_dimensions["A"].width = 26
    tool_sheet.column_dimensions["B"].width = 90

    grades = workbook.create_sheet(SHEET_GRADES)
    _header(grades, [label for _, label in GRADE_COLUMNS])
    for g in scale["grades"]:
        grades.append([_cell(g.get(key, "")) for key, _ in GRADE_COLUMNS])

    codes = [g["code"] for g in scale["grades"]]
    questions = workbook.create_sheet(SHEET_QUESTIONS)
    _header(
        questions,
        [label for _, label in QUESTION_COLUMNS] + [DESCRIPTOR_PREFIX + c for c in codes],
    )
    for section in document["sections"]:
        for q in section["questions"]:
            row = [_cell(section["title"])]
            row += [_cell(q.get(key, "")) for key, _ in QUESTION_COLUMNS[1:]]
            row += [_cell(q.get("descriptors", {}).get(c, "")) for c in codes]
            questions.append(row)
    questions.column_dimensions["A"].width = 30
    questions.column_dimensions["C"].width = 60

    family = workbook.create_sheet(SHEET_FAMILY)
    _header(family, [label for _, label in FAMILY_COLUMNS])
    for fq in document.get("family_view", {}).get("questions", []):
        family.append([_cell(fq.get(key, "")) for key, _ in FAMILY_COLUMNS])
    family.column_dimensions["A"].width = 70

    sources = workbook.create_sheet(SHEET_SOURCES)
    _header(sources, [label for _, label in SOURCE_COLUMNS])
    for s in document.get("sources", []):
        sources.append([_cell(s.get(key, "")) for key, _ in SOURCE_COLUMNS])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---- reading ---------------------------------------------------------------------------------


def _dict(obj: dict[str, Any], key: str) -> dict[str, Any]:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _list(obj: dict[str, Any], key: str) -> list[Any]:
    value = obj.get(key)
    return value if isinstance(value, list) else []


def _text(
    where: Where,
    obj: dict[str, Any],
    name: str,
    *,
    required: bool,
    max_length: int | None,
    problems: list[FileProblem],
) -> str:
    value = obj.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        problems.append(where.problem(name, "Write this as text."))
        return ""
    value = value.strip()
    if required and not value:
        problems.append(where.problem(name, "This cannot be empty."))
    if max_length is not None and len(value) > max_length:
        problems.append(where.problem(name, f"Use {max_length} characters or fewer."))
    obj[name] = value
    return str(value)


def _flag(where: Where, obj: dict[str, Any], name: str, problems: list[FileProblem]) -> bool:
    value = obj.get(name, False)
    if isinstance(value, str):
        value = {"yes": True, "no": False, "": False, "true": True, "false": False}.get(
            value.strip().lower(), value
        )
    if value is None:
        value = False
    if not isinstance(value, bool):
        problems.append(where.problem(name, "Write Yes or No."))
        value = False
    obj[name] = value
    return value


def tool_document_check(document: ToolDocument) -> ToolDocument:
    """Check the document against the schema's rules and the product's own (codes, kinds,
    descriptors), adding every problem found, each where it is."""
    d = document.data
    problems = document.problems
    top = document.top_at
    if d.get("format") != FORMAT:
        problems.append(top.problem("format", f"This is not an audit tool file: write {FORMAT}."))
    version = d.get("schema_version")
    if version != SCHEMA_VERSION and str(version).strip() != str(SCHEMA_VERSION):
        problems.append(
            top.problem("schema_version", f"This product reads schema version {SCHEMA_VERSION}.")
        )
    tool = _dict(d, "tool")
    d["tool"] = tool
    tool_where = document.tool_at
    _text(tool_where, tool, "name", required=True, max_length=150, problems=problems)
    _text(tool_where, tool, "description", required=False, max_length=None, problems=problems)
    kind = tool.get("kind", "")
    kind = kind.strip() if isinstance(kind, str) else kind
    if kind not in ToolKind.values:
        problems.append(tool_where.problem("kind", f"Write one of: {', '.join(ToolKind.values)}."))
        kind = None
    tool["kind"] = kind
    v = _dict(d, "version")
    d["version"] = v
    v_where = document.version_at
    _text(v_where, v, "guidance", required=False, max_length=None, problems=problems)
    _text(v_where, v, "lead_note", required=False, max_length=None, problems=problems)

    scale = _dict(d, "grading_scale")
    d["grading_scale"] = scale
    s_where = document.scale_at
    slug = _text(s_where, scale, "slug", required=True, max_length=40, problems=problems)
    if slug and not CODE_PATTERN.match(slug):
        problems.append(
            s_where.problem("slug", "Use only letters, numbers, hyphens and underscores.")
        )
    _text(s_where, scale, "name", required=True, max_length=120, problems=problems)
    grades = _list(scale, "grades")
    scale["grades"] = grades
    if not grades:
        problems.append(s_where.problem("grades", "List the scale's grades."))
    seen_codes: set[str] = set()
    seen_values: set[int] = set()
    for g, where in zip(grades, document.grade_at, strict=True):
        code = _text(where, g, "code", required=True, max_length=20, problems=problems)
        if code in seen_codes:
            problems.append(where.problem("code", f"The grade {code} is listed twice."))
        seen_codes.add(code)
        _text(where, g, "label", required=True, max_length=60, problems=problems)
        _text(where, g, "description", required=False, max_length=None, problems=problems)
        _flag(where, g, "is_inadequate", problems)
        _flag(where, g, "needs_action", problems)
        value = g.get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(where.problem("value", "Write a whole number (higher is better)."))
        elif value in seen_values:
            problems.append(where.problem("value", f"Two grades have the value {value}."))
        else:
            seen_values.add(value)
            g["value"] = value

    sections = _list(d, "sections")
    d["sections"] = sections
    if not sections:
        problems.append(top.problem("sections", "The tool has no questions."))
    question_codes: set[str] = set()
    for s, s_at, q_ats in zip(sections, document.section_at, document.question_at, strict=True):
        _text(s_at, s, "title", required=True, max_length=150, problems=problems)
        questions = _list(s, "questions")
        s["questions"] = questions
        if not questions:
            problems.append(s_at.problem("questions", "The section has no questions."))
        for q, where in zip(questions, q_ats, strict=True):
            code = _text(where, q, "code", required=True, max_length=10, problems=problems)
            if code and not CODE_PATTERN.match(code):
                problems.append(
                    where.problem("code", "Use only letters, numbers, hyphens and underscores.")
                )
            if code.lower() in question_codes:
                problems.append(where.problem("code", f"Two questions have the code {code}."))
            question_codes.add(code.lower())
            _text(where, q, "text", required=True, max_length=None, problems=problems)
            for name in ("basis", "guidance"):
                _text(where, q, name, required=False, max_length=None, problems=problems)
            _text(where, q, "applies_to", required=False, max_length=120, problems=problems)
            q_kind = q.get("kind", "")
            q_kind = q_kind.strip() if isinstance(q_kind, str) else q_kind
            q["kind"] = q_kind
            if q_kind not in QuestionKind.values:
                problems.append(
                    where.problem("kind", f"Write one of: {', '.join(QuestionKind.values)}.")
                )
            elif kind is not None and q_kind not in KINDS_FOR_TOOL[kind]:
                problems.append(
                    where.problem(
                        "kind",
                        f"A {ToolKind(kind).label.lower()} tool cannot take a "
                        f"{QuestionKind(q_kind).label.lower()}.",
                    )
                )
            alert = _flag(where, q, "alert_on_no", problems)
            if alert and q_kind == QuestionKind.GRADED:
                problems.append(
                    where.problem("alert_on_no", "Only a compliance check alerts on a No.")
                )
            descriptors = _dict(q, "descriptors")
            cleaned: dict[str, str] = {}
            for grade_code, text in descriptors.items():
                if text is None or (isinstance(text, str) and not text.strip()):
                    continue
                column = (
                    f"descriptors.{grade_code}"
                    if where.sheet == "JSON"
                    else (DESCRIPTOR_PREFIX + grade_code)
                )
                if not isinstance(text, str):
                    problems.append(where.problem(column, "Write this as text."))
                elif grade_code not in seen_codes:
                    problems.append(
                        where.problem(column, f"The grading scale has no grade {grade_code}.")
                    )
                elif q_kind == QuestionKind.COMPLIANCE:
                    problems.append(
                        where.problem(column, "Only a graded question has grade descriptors.")
                    )
                else:
                    cleaned[grade_code] = text.strip()
            q["descriptors"] = cleaned
    _family_check(document)
    sources = _list(d, "sources")
    d["sources"] = sources
    for src, where in zip(sources, document.source_at, strict=True):
        _text(where, src, "ref", required=False, max_length=None, problems=problems)
        _text(where, src, "title", required=True, max_length=None, problems=problems)
        _text(where, src, "url", required=False, max_length=None, problems=problems)
    return document


def _family_check(document: ToolDocument) -> None:
    """The family's view: when it is asked and its questions (the service's rules: a short
    set, each answered yes-partly-no or in their own words, at most one set beside the
    judgement of impact). A file that says nothing gets the defaults, as a new tool does."""
    d = document.data
    problems = document.problems
    top = document.family_top_at
    if d.get("family_view") in (None, ""):
        d["family_view"] = {
            "asked": FamilyViewAsked.DEEP_DIVES,
            "questions": [
                {"text": text, "kind": kind, "about_impact": impact}
                for text, kind, impact in DEFAULT_FAMILY_QUESTIONS
            ],
        }
        return
    family = _dict(d, "family_view")
    d["family_view"] = family
    asked = family.get("asked") or FamilyViewAsked.DEEP_DIVES
    asked = asked.strip() if isinstance(asked, str) else asked
    if asked not in FamilyViewAsked.values:
        problems.append(top.problem("asked", f"Write one of: {', '.join(FamilyViewAsked.values)}."))
    family["asked"] = asked
    questions = _list(family, "questions")
    family["questions"] = questions
    if not questions:
        problems.append(top.problem("questions", "List at least one question for the family."))
    if len(questions) > MAX_FAMILY_QUESTIONS:
        problems.append(
            top.problem("questions", f"Keep to {MAX_FAMILY_QUESTIONS} family questions or fewer.")
        )
    impact = 0
    for fq, where in zip(questions, document.family_at, strict=True):
        _text(where, fq, "text", required=True, max_length=MAX_QUESTION_LENGTH, problems=problems)
        kind = fq.get("kind", "")
        kind = kind.strip() if isinstance(kind, str) else kind
        fq["kind"] = kind
        if kind not in FamilyAnswerKind.values:
            problems.append(
                where.problem("kind", f"Write one of: {', '.join(FamilyAnswerKind.values)}.")
            )
        if _flag(where, fq, "about_impact", problems):
            impact += 1
            if kind == FamilyAnswerKind.TEXT:
                problems.append(
                    where.problem(
                        "about_impact",
                        "A question answered in their own words cannot be set beside the "
                        "judgement of impact.",
                    )
                )
    if impact > 1:
        problems.append(
            top.problem("questions", "Set one question only beside the judgement of impact.")
        )


def _json_where(path: str) -> Where:
    return Where("JSON", None, path)


def _json_document(
    data: dict[str, Any],
    grade_at: list[Where],
    section_at: list[Where],
    question_at: list[list[Where]],
    source_at: list[Where],
) -> ToolDocument:
    return ToolDocument(
        data,
        _json_where(""),
        _json_where("tool."),
        _json_where("version."),
        _json_where("grading_scale."),
        grade_at,
        section_at,
        question_at,
        source_at,
    )


def tool_document_from_json(raw: bytes) -> ToolDocument:
    """Read a JSON tool file. An unreadable file gives one problem and an empty document."""
    empty = _json_document({}, [], [], [], [])
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        empty.problems.append(FileProblem("JSON", None, "", f"The file is not valid JSON: {exc}."))
        return empty
    if not isinstance(data, dict):
        empty.problems.append(FileProblem("JSON", None, "", "The file is not an audit tool."))
        return empty
    scale = data.get("grading_scale")
    grades = scale.get("grades") if isinstance(scale, dict) else None
    grades = [g for g in grades if isinstance(g, dict)] if isinstance(grades, list) else []
    if isinstance(scale, dict):
        scale["grades"] = grades
    sections = data.get("sections")
    sections = [s for s in sections if isinstance(s, dict)] if isinstance(sections, list) else []
    data["sections"] = sections
    question_at: list[list[Where]] = []
    for i, s in enumerate(sections):
        qs = s.get("questions")
        qs = [q for q in qs if isinstance(q, dict)] if isinstance(qs, list) else []
        s["questions"] = qs
        question_at.append([_json_where(f"sections[{i}].questions[{j}].") for j in range(len(qs))])
    sources = data.get("sources")
    sources = [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []
    data["sources"] = sources
    family = data.get("family_view")
    family_at: list[Where] = []
    if isinstance(family, dict):
        fqs = family.get("questions")
        fqs = [q for q in fqs if isinstance(q, dict)] if isinstance(fqs, list) else []
        family["questions"] = fqs
        family_at = [_json_where(f"family_view.questions[{i}].") for i in range(len(fqs))]
    document = _json_document(
        data,
        [_json_where(f"grading_scale.grades[{i}].") for i in range(len(grades))],
        [_json_where(f"sections[{i}].") for i in range(len(sections))],
        question_at,
        [_json_where(f"sources[{i}].") for i in range(len(sources))],
    )
    document.family_at = family_at
    return tool_document_check(document)


def _empty_workbook_document() -> ToolDocument:
    at = Where(SHEET_TOOL)
    return ToolDocument({}, at, at, at, at, [], [], [], [])


def _workbook_problem(message: str) -> ToolDocument:
    document = _empty_workbook_document()
    document.problems.append(FileProblem("", None, "", message))
    return document


def _value(values: tuple[Any, ...], i: int) -> Any:
    """A cell read back: empty as "", and the apostrophe `_cell` put before a formula-like
    text taken off again."""
    v = values[i] if i < len(values) else None
    if isinstance(v, str) and v.startswith("'") and v[1:2] in ("=", "+", "-", "@"):
        return v[1:]
    return "" if v is None else v


def _table(
    sheet: Any, columns: list[tuple[str, str]], *, extra_prefix: str | None = None
) -> tuple[list[tuple[int, dict[str, Any], dict[str, Any]]], list[FileProblem], dict[str, str]]:
    """The rows of a sheet with a header row, as (row number, fields, descriptor cells).
    Columns are found by their header, in any order; a missing one is a problem."""
    rows = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    problems: list[FileProblem] = []
    index: dict[str, int] = {}
    labels = dict(columns)
    for key, label in columns:
        if label in header:
            index[key] = header.index(label)
        elif key not in ("guidance", "basis", "applies_to", "description", "ref", "url"):
            problems.append(FileProblem(sheet.title, 1, label, f"Add the column {label}."))
    extras = {
        h[len(extra_prefix) :]: i
        for i, h in enumerate(header)
        if extra_prefix is not None and h.startswith(extra_prefix)
    }
    out = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        fields = {key: _value(values, i) for key, i in index.items()}
        out.append((number, fields, {code: _value(values, i) for code, i in extras.items()}))
    return out, problems, labels


def tool_document_from_xlsx(raw: bytes) -> ToolDocument:
    """Read an xlsx tool file (the layout `tool_document_xlsx` writes). Sections are the
    Questions sheet's Section column, in the order they first appear."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_EXPANDED_BYTES:
                return _workbook_problem("The workbook is far too big to be an audit tool.")
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return _workbook_problem(
            "The file is not an xlsx workbook. Save it as .xlsx and try again."
        )
    problems: list[FileProblem] = []
    missing = [
        n for n in (SHEET_TOOL, SHEET_GRADES, SHEET_QUESTIONS) if n not in workbook.sheetnames
    ]
    if missing:
        for name in missing:
            problems.append(FileProblem(name, None, "", f"Add the sheet {name}."))
        document = _empty_workbook_document()
        document.problems.extend(problems)
        return document

    fields: dict[str, Any] = {}
    rows_of: dict[str, int] = {}
    label_to_key = {label: key for key, label in TOOL_ROWS}
    for number, row in enumerate(workbook[SHEET_TOOL].iter_rows(min_row=2, values_only=True), 2):
        label = str(row[0]).strip() if row and row[0] is not None else ""
        if label in label_to_key:
            fields[label_to_key[label]] = row[1] if len(row) > 1 and row[1] is not None else ""
            rows_of[label_to_key[label]] = number
    for key, label in TOOL_ROWS:
        if key not in rows_of and key not in (
            "description",
            "guidance",
            "lead_note",
            "family_view_asked",
        ):
            problems.append(FileProblem(SHEET_TOOL, None, "Field", f"Add a row for {label}."))

    def on_tool_sheet(keys: dict[str, str]) -> Where:
        """Where the fields `keys` (field name -> Tool sheet row key) are on the Tool sheet."""
        titles = dict(TOOL_ROWS)
        return Where(
            SHEET_TOOL,
            None,
            "",
            {name: f"Value ({titles[key]})" for name, key in keys.items()},
            {name: rows_of[key] for name, key in keys.items() if key in rows_of},
        )

    grade_rows, grade_problems, grade_labels = _table(workbook[SHEET_GRADES], GRADE_COLUMNS)
    question_rows, question_problems, question_labels = _table(
        workbook[SHEET_QUESTIONS], QUESTION_COLUMNS, extra_prefix=DESCRIPTOR_PREFIX
    )
    source_rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    source_labels: dict[str, str] = {}
    if SHEET_SOURCES in workbook.sheetnames:
        source_rows, source_problems, source_labels = _table(
            workbook[SHEET_SOURCES], SOURCE_COLUMNS
        )
        problems += source_problems
    family_rows: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    family_labels: dict[str, str] = {}
    if SHEET_FAMILY in workbook.sheetnames:
        family_rows, family_problems, family_labels = _table(workbook[SHEET_FAMILY], FAMILY_COLUMNS)
        problems += family_problems
    problems += grade_problems + question_problems
    workbook.close()

    sections: list[dict[str, Any]] = []
    section_at: list[Where] = []
    question_at: list[list[Where]] = []
    by_title: dict[str, int] = {}
    for number, q, descriptors in question_rows:
        title = str(q.pop("section", "") or "").strip()
        where = Where(SHEET_QUESTIONS, number, "", question_labels)
        if title not in by_title:
            by_title[title] = len(sections)
            sections.append({"title": title, "questions": []})
            section_at.append(Where(SHEET_QUESTIONS, number, "", {"title": "Section"}))
            question_at.append([])
        i = by_title[title]
        q = {
            k: (str(v) if isinstance(v, int | float) and k != "alert_on_no" else v)
            for k, v in q.items()
        }
        q["descriptors"] = descriptors
        sections[i]["questions"].append(q)
        question_at[i].append(where)
    data = {
        "format": fields.get("format", ""),
        "schema_version": fields.get("schema_version", ""),
        "tool": {k: fields.get(k, "") for k in ("name", "kind", "description")},
        "version": {k: fields.get(k, "") for k in ("guidance", "lead_note")},
        "grading_scale": {
            "slug": str(fields.get("scale_slug", "")),
            "name": fields.get("scale_name", ""),
            "grades": [
                {
                    k: (str(v) if k in ("code", "label") and isinstance(v, int | float) else v)
                    for k, v in g.items()
                }
                for _, g, _ in grade_rows
            ],
        },
        "sections": sections,
        "sources": [s for _, s, _ in source_rows],
    }
    if family_rows or fields.get("family_view_asked"):
        data["family_view"] = {
            "asked": fields.get("family_view_asked", ""),
            "questions": [
                {
                    k: (str(v) if k == "text" and isinstance(v, int | float) else v)
                    for k, v in fq.items()
                }
                for _, fq, _ in family_rows
            ],
        }
    document = ToolDocument(
        data,
        on_tool_sheet({"format": "format", "schema_version": "schema_version"}),
        on_tool_sheet({k: k for k in ("name", "kind", "description")}),
        on_tool_sheet({k: k for k in ("guidance", "lead_note")}),
        on_tool_sheet({"slug": "scale_slug", "name": "scale_name"}),
        [Where(SHEET_GRADES, n, "", grade_labels) for n, _, _ in grade_rows],
        section_at,
        question_at,
        [Where(SHEET_SOURCES, n, "", source_labels) for n, _, _ in source_rows],
        problems,
        on_tool_sheet({"asked": "family_view_asked"}),
        [Where(SHEET_FAMILY, n, "", family_labels) for n, _, _ in family_rows],
    )
    return tool_document_check(document)


def tool_document_read(raw: bytes, file_name: str) -> ToolDocument:
    """Read a tool file by its kind: an xlsx (a zip) or JSON."""
    if len(raw) > MAX_FILE_BYTES:
        return _workbook_problem("The file is bigger than 2 MB: an audit tool file is far smaller.")
    if raw[:4] == b"PK\x03\x04" or file_name.lower().endswith(".xlsx"):
        return tool_document_from_xlsx(raw)
    return tool_document_from_json(raw)


# ---- the exemplar library --------------------------------------------------------------------

EXEMPLARS = Path(__file__).resolve().parents[1] / "data" / "exemplars"


@dataclass(frozen=True)
class Exemplar:
    """A tool shipped as a file in the audit tool format, for a lead to adopt as a draft."""

    slug: str
    document: ToolDocument

    @property
    def name(self) -> str:
        return str(self.document.data["tool"]["name"])

    @property
    def description(self) -> str:
        return str(self.document.data["tool"]["description"])

    @property
    def kind_label(self) -> str:
        return ToolKind(self.document.data["tool"]["kind"]).label

    @property
    def sections(self) -> list[dict[str, Any]]:
        return list(self.document.data["sections"])

    @property
    def question_count(self) -> int:
        return sum(len(s["questions"]) for s in self.document.data["sections"])

    @property
    def sources(self) -> list[dict[str, str]]:
        return list(self.document.data["sources"])


def exemplars_for_list() -> list[Exemplar]:
    """The shipped exemplar tools, by name. Each file is checked as an import would be."""
    found = [
        Exemplar(path.stem, tool_document_from_json(path.read_bytes()))
        for path in sorted(EXEMPLARS.glob("*.json"))
    ]
    return sorted(found, key=lambda e: e.name)


def exemplar_by_slug(slug: str) -> Exemplar | None:
    return next((e for e in exemplars_for_list() if e.slug == slug), None)
