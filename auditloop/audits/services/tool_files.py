"""Importing an audit tool file (JSON or xlsx) as a draft version.

An import never changes a published version: it creates the tool (as draft version 1) or a new
draft version of the tool of the same name. The same file imported twice changes nothing more:
when the tool's draft, or its current version, already holds exactly what the file holds, the
import says so and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.audits.models import (
    AuditTool,
    FamilyQuestion,
    GradingScale,
    Question,
    Section,
    ToolVersion,
)
from auditloop.audits.selectors.tool_files import (
    SHEET_GRADES,
    Exemplar,
    FileProblem,
    ToolDocument,
    tool_version_document,
)
from auditloop.audits.services.scales import grades_create
from auditloop.audits.services.tools import unique_slug
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused

QUESTION_KEYS = ("code", "text", "kind", "basis", "applies_to", "guidance", "alert_on_no")


@dataclass(frozen=True)
class ToolImport:
    """What an import did: the draft it made (or the version that already held the file),
    and whether anything was written."""

    version: ToolVersion
    created: bool
    message: str


class ToolFileProblems(Refused):
    """The file has problems: nothing was written. `problems` lists each where it is."""

    def __init__(self, problems: list[FileProblem]) -> None:
        count = len(problems)
        super().__init__(
            f"The file has {count} problem{'s' if count != 1 else ''}: "
            "nothing was imported. Mend each one and upload the file again."
        )
        self.problems = problems


def _contents(document: dict[str, Any]) -> list[Any]:
    """What a file says about a version's content, for comparing a file with a version: the
    guidance, the scale's slug, and each section's title and questions in order."""
    return [
        document["version"].get("guidance", ""),
        document["version"].get("lead_note", ""),
        document["grading_scale"]["slug"],
        [
            [
                s["title"],
                [
                    [q.get(k, "") for k in QUESTION_KEYS] + [q.get("descriptors", {})]
                    for q in s["questions"]
                ],
            ]
            for s in document["sections"]
        ],
        document.get("family_view"),
    ]


def _lead_note_with_sources(data: dict[str, Any]) -> str:
    """The file's note for audit leads, with the sources it lists written under it (the
    model keeps no list of sources: the note carries them into the draft, and on)."""
    note = str(data["version"].get("lead_note", ""))
    sources = data.get("sources") or []
    if not sources:
        return note
    lines = ["Written from these public sources:"] + [
        " ".join(
            p for p in (f"[{s['ref']}]" if s.get("ref") else "", s["title"], s.get("url", "")) if p
        )
        for s in sources
    ]
    block = "\n".join(lines)
    if block in note:
        return note
    return f"{note}\n\n{block}".strip()


def _scale_for(document: ToolDocument, by: StaffMember | None) -> GradingScale:
    """The council's scale with the file's code, checked to have the file's grades; or a new
    scale made from the file when the council has none with that code."""
    data = document.data["grading_scale"]
    scale = GradingScale.objects.filter(slug=data["slug"]).first()
    file_grades = {g["code"]: g["value"] for g in data["grades"]}
    if scale is not None:
        ours = dict(scale.grades.values_list("code", "value"))
        if ours != file_grades:
            raise ToolFileProblems(
                [
                    FileProblem(
                        SHEET_GRADES if document.top_at.sheet != "JSON" else "JSON",
                        None,
                        "" if document.top_at.sheet != "JSON" else "grading_scale.grades",
                        f"This council's scale {scale.name} ({scale.slug}) has the grades "
                        f"{', '.join(f'{c} ({v})' for c, v in ours.items())}; the file's "
                        "differ. Use the council's grades, or give the scale another code "
                        "to import it as a new scale.",
                    )
                ]
            )
        return scale
    if GradingScale.objects.filter(name__iexact=data["name"]).exists():
        raise ToolFileProblems(
            [
                document.scale_at.problem(
                    "name",
                    f"There is already a grading scale called {data['name']} with another "
                    "code: use its code, or give the file's scale another name.",
                )
            ]
        )
    scale = GradingScale.objects.create(slug=data["slug"], name=data["name"])
    grades_create(scale=scale, grades=data["grades"])
    event_record(
        actor=actor_login(by),
        verb="grading_scale.created",
        target=scale,
        summary=f"{scale.name} created from an imported audit tool",
    )
    return scale


def _fill(version: ToolVersion, document: dict[str, Any]) -> None:
    family = document["family_view"]
    version.family_view_asked = family["asked"]
    version.save(update_fields=["family_view_asked"])
    FamilyQuestion.objects.bulk_create(
        FamilyQuestion(
            version=version,
            order=order,
            text=fq["text"],
            kind=fq["kind"],
            about_impact=fq["about_impact"],
        )
        for order, fq in enumerate(family["questions"], start=1)
    )
    for s_order, s in enumerate(document["sections"], start=1):
        section = Section.objects.create(version=version, order=s_order, title=s["title"])
        Question.objects.bulk_create(
            Question(
                section=section,
                order=q_order,
                descriptors=q.get("descriptors", {}),
                **{k: q.get(k, "") for k in QUESTION_KEYS},
            )
            for q_order, q in enumerate(s["questions"], start=1)
        )


@transaction.atomic
def tool_file_import(
    *, document: ToolDocument, file_name: str, by: StaffMember | None
) -> ToolImport:
    """Import a checked tool file as a draft (see the module's docstring). Raises
    `ToolFileProblems` (every problem, nothing written) when the file has any, and `Refused`
    when the tool already has a different draft."""
    if document.problems:
        raise ToolFileProblems(document.problems)
    data = document.data
    data["version"]["lead_note"] = _lead_note_with_sources(data)
    name = data["tool"]["name"]
    tool = AuditTool.objects.select_for_update().filter(name__iexact=name).first()
    if tool is not None and tool.kind != data["tool"]["kind"]:
        raise ToolFileProblems(
            [
                document.tool_at.problem(
                    "kind",
                    f"{tool.name} here is a {tool.get_kind_display().lower()} tool: an import "
                    "cannot change a tool's kind. Give the file's tool another name.",
                )
            ]
        )
    wanted = _contents(data)
    if tool is not None:
        draft = tool.versions.filter(is_published=False).first()
        for version in [v for v in (draft, tool.current_version) if v is not None]:
            if _contents(tool_version_document(version)) == wanted:
                state = "draft" if not version.is_published else "published"
                return ToolImport(
                    version,
                    False,
                    f"{tool.name} {state} version {version.number} already holds what this "
                    "file holds: nothing was changed.",
                )
        if draft is not None:
            raise Refused(
                f"{tool.name} already has a draft (version {draft.number}) with other "
                "content. Publish or discard that draft, then import the file again."
            )
    scale = _scale_for(document, by)
    if tool is None:
        tool = AuditTool.objects.create(
            slug=unique_slug(AuditTool, name, 60),
            name=name,
            kind=data["tool"]["kind"],
            description=data["tool"]["description"],
        )
        event_record(
            actor=actor_login(by),
            verb="audit_tool.created",
            target=tool,
            summary=f"{name} created from the file {file_name}",
        )
    number = (tool.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ToolVersion.objects.create(
        tool=tool,
        number=number,
        grading_scale=scale,
        guidance=data["version"].get("guidance", ""),
        lead_note=data["version"].get("lead_note", ""),
        created_by=actor_login(by),
    )
    _fill(version, data)
    questions = sum(len(s["questions"]) for s in data["sections"])
    event_record(
        actor=actor_login(by),
        verb="tool_version.imported",
        target=version,
        summary=f"{tool.name}: draft version {number} imported from {file_name}",
        after={"file": file_name, "sections": len(data["sections"]), "questions": questions},
    )
    return ToolImport(
        version,
        True,
        f"{tool.name}: draft version {number} imported with {questions} questions. "
        "Check it, change what you need and publish it.",
    )


def exemplar_adopt(*, exemplar: Exemplar, by: StaffMember | None) -> ToolImport:
    """Adopt a shipped exemplar tool as a draft, exactly as if its file were imported."""
    return tool_file_import(
        document=exemplar.document, file_name=f"the exemplar {exemplar.name}", by=by
    )
