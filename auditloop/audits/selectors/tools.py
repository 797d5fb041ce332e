"""Reads of audit tools, their versions and grading scales, and the get-for-user helpers.

Tools hold no case content: reading one is for staff who audit, audit leads and
administrators; only audit leads and administrators see drafts and change anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from auditloop.accounts.models import StaffMember
from auditloop.audits.access.tools import tool_versions_visible_to
from auditloop.audits.models import (
    Audit,
    AuditTool,
    Grade,
    Question,
    QuestionKind,
    Section,
    ToolVersion,
)
from auditloop.core.models import Event


def _with_publishers(versions: list[ToolVersion]) -> list[ToolVersion]:
    """Set `published_by` (a name, or "" for the shipped defaults) from the event log."""
    ids = [str(v.public_id) for v in versions if v.is_published]
    names: dict[str, str] = {}
    events = (
        Event.objects.filter(
            verb="tool_version.published", target_type="audits.toolversion", target_id__in=ids
        )
        .select_related("actor__staff")
        .order_by("at")
    )
    for event in events if ids else []:
        names[event.target_id] = _person(event.actor)
    for v in versions:
        v.published_by = names.get(str(v.public_id), "")  # type: ignore[attr-defined]
    return versions


def _person(user: Any) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.name if staff is not None else str(user.get_username())


def tools_for_list(staff: StaffMember) -> list[AuditTool]:
    """Every tool, each with `version_list` (newest first, the drafts only for those who may
    change tools), each version with `audit_count`, `created_by_name` and `published_by`."""
    # Counted by each version's own audits, by their index: joined and grouped, every audit of
    # the council (200,000 on the national one) was sorted with its version's every column.
    audits_of_version = (
        Audit.objects.filter(tool_version=OuterRef("pk"))
        .order_by()
        .values("tool_version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    versions = (
        tool_versions_visible_to(staff)
        .select_related("created_by__staff", "grading_scale")
        .annotate(audit_count=Coalesce(Subquery(audits_of_version), 0))
        .order_by("-number")
    )
    tools: list[AuditTool] = list(
        AuditTool.objects.prefetch_related(
            Prefetch("versions", queryset=versions, to_attr="version_list")
        ).order_by("name")
    )
    all_versions: list[ToolVersion] = [v for t in tools for v in t.version_list]  # type: ignore[attr-defined]
    _with_publishers(all_versions)
    for v in all_versions:
        v.created_by_name = _person(v.created_by)  # type: ignore[attr-defined]
    for t in tools:
        t.draft = next((v for v in t.version_list if not v.is_published), None)  # type: ignore[attr-defined]
        t.published = next((v for v in t.version_list if v.is_published), None)  # type: ignore[attr-defined]
    return tools


def tools_with_questions(staff: StaffMember) -> list[AuditTool]:
    """Every tool, by name, each with `version_list` (newest first, the drafts only for those
    who may change tools, as on the tools page), each version with its scale, sections and
    questions. Four queries, whatever the number of tools."""
    versions = (
        tool_versions_visible_to(staff)
        .select_related("grading_scale")
        .prefetch_related(
            Prefetch(
                "sections",
                queryset=Section.objects.order_by("order").prefetch_related(
                    Prefetch("questions", queryset=Question.objects.order_by("order"))
                ),
            )
        )
        .order_by("-number")
    )
    return list(
        AuditTool.objects.prefetch_related(
            Prefetch("versions", queryset=versions, to_attr="version_list")
        ).order_by("name")
    )


@dataclass
class QuestionView:
    question: Question
    # (grade, what that grade looks like for this question), in the scale's order.
    descriptors: list[tuple[Grade, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    is_first: bool = False
    is_last: bool = False


@dataclass
class SectionView:
    section: Section
    questions: list[QuestionView]
    is_first: bool = False
    is_last: bool = False


def tool_version_contents(version: ToolVersion) -> tuple[list[SectionView], list[Grade]]:
    """The version's sections and questions in order, each graded question with its
    descriptor per grade of the version's scale, and the scale's grades."""
    grades = list(version.grading_scale.grades.order_by("-value"))
    sections = list(
        version.sections.order_by("order").prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("order"))
        )
    )
    out: list[SectionView] = []
    for s_index, section in enumerate(sections):
        questions = list(section.questions.all())
        views = []
        for q_index, q in enumerate(questions):
            view = QuestionView(
                question=q, is_first=q_index == 0, is_last=q_index == len(questions) - 1
            )
            if q.kind == QuestionKind.GRADED:
                view.descriptors = [(g, str(q.descriptors.get(g.code, ""))) for g in grades]
                view.missing = [g.label for g, text in view.descriptors if not text.strip()]
            views.append(view)
        out.append(
            SectionView(
                section=section,
                questions=views,
                is_first=s_index == 0,
                is_last=s_index == len(sections) - 1,
            )
        )
    return out, grades


def tool_version_problems(version: ToolVersion) -> list[str]:
    """What stops this version being published, in the user's words; empty when it can be."""
    problems: list[str] = []
    questions = list(Question.objects.filter(section__version=version))
    if not questions:
        problems.append("Add at least one question before publishing.")
    grades = list(version.grading_scale.grades.order_by("-value").values_list("code", "label"))
    if len(grades) < 2:
        problems.append(f"The grading scale {version.grading_scale.name} needs at least 2 grades.")
    for q in questions:
        if q.kind != QuestionKind.GRADED:
            continue
        missing = [label for code, label in grades if not str(q.descriptors.get(code, "")).strip()]
        if missing:
            problems.append(
                f"Question {q.code} needs a descriptor for each grade "
                f"(missing: {', '.join(missing)})."
            )
    return problems
