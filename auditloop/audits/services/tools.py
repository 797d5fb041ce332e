"""Writes to audit tools, their versions, and grading scales.

A published version is frozen: audits point at it and keep it. Every change to a tool's
content happens in its one draft version, which an audit lead publishes with a change note.
A grading scale is frozen once a published version uses it.
"""

from __future__ import annotations

from typing import Any, Literal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.audits.models import (
    AuditTool,
    GradingScale,
    Question,
    QuestionKind,
    Section,
    ToolKind,
    ToolVersion,
)
from auditloop.audits.rules import CODE_PATTERN, KINDS_FOR_TOOL
from auditloop.audits.selectors.tools import tool_version_problems
from auditloop.audits.services.family import family_questions_copy, family_questions_default
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused
from auditloop.core.versions import version_claim

QUESTION_FIELDS = [
    "code",
    "text",
    "kind",
    "basis",
    "applies_to",
    "guidance",
    "descriptors",
    "alert_on_no",
]


def unique_slug(model: type[AuditTool] | type[GradingScale], name: str, max_length: int) -> str:
    base = (slugify(name) or "untitled")[: max_length - 4]
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _draft_change(version: ToolVersion, expected_version: int | None) -> None:
    """Refuse a change to a published version; otherwise move the draft's version on, first
    checking it is still `expected_version`, the one the page was drawn from (None: a button
    whose change does not depend on what the page showed). Every change to a draft moves it,
    so a form drawn before any other change to the same draft is refused (`RecordChanged`)
    rather than saved over it."""
    if version.is_published:
        raise Refused(
            f"Version {version.number} of {version.tool.name} is published and frozen: "
            "audits use it as it is. Create a new draft version to change the tool."
        )
    version_claim(record=version, expected=expected_version, what="draft")


def check_code(code: str, what: str) -> None:
    if not CODE_PATTERN.match(code):
        raise Refused(f"The {what} code can only use letters, numbers, hyphens and underscores.")


# ---- grading scales --------------------------------------------------------------------------


# ---- tools and versions ----------------------------------------------------------------------


@transaction.atomic
def audit_tool_create(
    *,
    name: str,
    kind: str,
    grading_scale: GradingScale,
    description: str = "",
    by: StaffMember | None,
) -> AuditTool:
    """A new tool, starting as an empty draft version 1 for the lead to fill and publish."""
    name = name.strip()
    if not name:
        raise Refused("Enter a name for the audit tool.")
    if kind not in ToolKind.values:
        raise Refused("Choose what kind of audit tool this is.")
    if AuditTool.objects.filter(name__iexact=name).exists():
        raise Refused(f"There is already an audit tool called {name}.")
    tool = AuditTool.objects.create(
        slug=unique_slug(AuditTool, name, 60),
        name=name,
        kind=kind,
        description=description.strip(),
    )
    family_questions_default(
        ToolVersion.objects.create(
            tool=tool, number=1, grading_scale=grading_scale, created_by=actor_login(by)
        )
    )
    event_record(
        actor=actor_login(by),
        verb="audit_tool.created",
        target=tool,
        summary=f"{name} created as a draft",
        after=snapshot(tool, ["name", "kind", "description"])
        | {"grading_scale": str(grading_scale)},
    )
    return tool


@transaction.atomic
def tool_version_draft_create(*, tool: AuditTool, by: StaffMember | None) -> ToolVersion:
    """A new draft version: a copy of the current published version's sections and questions.

    Refused while the tool already has a draft: one draft at a time per tool.
    """
    tool = AuditTool.objects.select_for_update().get(pk=tool.pk)
    draft = tool.versions.filter(is_published=False).first()
    if draft is not None:
        raise Refused(
            f"{tool.name} already has a draft (version {draft.number}). "
            "Publish or continue that draft."
        )
    source = tool.current_version
    if source is None:
        raise Refused(f"{tool.name} has no published version to copy.")
    number = (tool.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ToolVersion.objects.create(
        tool=tool,
        number=number,
        grading_scale_id=source.grading_scale_id,
        guidance=source.guidance,
        lead_note=source.lead_note,
        created_by=actor_login(by),
    )
    sections = list(source.sections.order_by("order"))
    new_sections = Section.objects.bulk_create(
        Section(version=version, order=s.order, title=s.title) for s in sections
    )
    by_old = {old.pk: new for old, new in zip(sections, new_sections, strict=True)}
    Question.objects.bulk_create(
        Question(
            section=by_old[q.section_id],
            order=q.order,
            **{f: getattr(q, f) for f in QUESTION_FIELDS},
        )
        for q in Question.objects.filter(section__version=source).order_by("pk")
    )
    family_questions_copy(source=source, version=version)
    event_record(
        actor=actor_login(by),
        verb="tool_version.draft_created",
        target=version,
        summary=f"{tool.name}: version {number} drafted from version {source.number}",
    )
    return version


@transaction.atomic
def tool_version_publish(
    *,
    version: ToolVersion,
    by: StaffMember | None,
    expected_version: int | None = None,
    change_note: str,
) -> ToolVersion:
    """Publish a draft: from now on new audits use it; earlier audits keep their version."""
    version = ToolVersion.objects.select_for_update().select_related("tool").get(pk=version.pk)
    _draft_change(version, expected_version)
    if not change_note.strip():
        raise Refused("Enter a change note saying what changed in this version.")
    problems = tool_version_problems(version)
    if problems:
        raise Refused(" ".join(problems))
    version.is_published = True
    version.published_at = timezone.now()
    version.change_note = change_note.strip()
    version.save(update_fields=["is_published", "published_at", "change_note"])
    event_record(
        actor=actor_login(by),
        verb="tool_version.published",
        target=version,
        summary=f"{version.tool.name}: version {version.number} published",
        after={"change_note": version.change_note},
    )
    return version


@transaction.atomic
def tool_version_scale_change(
    *,
    version: ToolVersion,
    grading_scale: GradingScale,
    by: StaffMember | None,
    expected_version: int | None = None,
) -> list[str]:
    """Grade the draft on another scale. Descriptors are keyed by grade code: those whose code
    the new scale also has are kept, the others dropped. Returns the codes of the graded
    questions whose descriptors must be entered again."""
    _draft_change(version, expected_version)
    old_scale = version.grading_scale
    new_codes = set(grading_scale.grades.values_list("code", flat=True))
    to_redo: list[str] = []
    changed: list[Question] = []
    for q in Question.objects.filter(section__version=version, kind=QuestionKind.GRADED):
        kept = {k: v for k, v in q.descriptors.items() if k in new_codes}
        if kept != q.descriptors:
            q.descriptors = kept
            changed.append(q)
        if set(kept) != new_codes:
            to_redo.append(q.code)
    Question.objects.bulk_update(changed, ["descriptors"])
    version.grading_scale = grading_scale
    version.save(update_fields=["grading_scale"])
    event_record(
        actor=actor_login(by),
        verb="tool_version.scale_changed",
        target=version,
        summary=f"{version.tool.name} version {version.number}: graded on {grading_scale.name}",
        before={"grading_scale": old_scale.name},
        after={"grading_scale": grading_scale.name, "descriptors_to_enter": to_redo},
    )
    return to_redo


@transaction.atomic
def tool_version_discard(*, version: ToolVersion, by: StaffMember | None) -> None:
    """Throw a draft away. A published version is never discarded."""
    _draft_change(version, None)
    if version.audits.exists():
        raise Refused("This draft has audits and cannot be discarded.")
    tool = version.tool
    number = version.number
    if not tool.versions.exclude(pk=version.pk).exists():
        raise Refused(f"Version {number} is the only version of {tool.name}: publish it instead.")
    event_record(
        actor=actor_login(by),
        verb="tool_version.discarded",
        target=tool,
        summary=f"{tool.name}: draft version {number} discarded",
    )
    version.delete()


# ---- sections ---------------------------------------------------------------------------------


@transaction.atomic
def section_add(
    *, version: ToolVersion, title: str, by: StaffMember | None, expected_version: int | None = None
) -> Section:
    _draft_change(version, expected_version)
    title = title.strip()
    if not title:
        raise Refused("Enter a title for the section.")
    order = (version.sections.aggregate(n=Max("order"))["n"] or 0) + 1
    section = Section.objects.create(version=version, order=order, title=title)
    event_record(
        actor=actor_login(by),
        verb="tool_version.section_added",
        target=version,
        summary=f"Section {order} added: {title}",
        after={"order": order, "title": title},
    )
    return section


@transaction.atomic
def section_rename(
    *, section: Section, title: str, by: StaffMember | None, expected_version: int | None = None
) -> Section:
    version = section.version
    _draft_change(version, expected_version)
    title = title.strip()
    if not title:
        raise Refused("Enter a title for the section.")
    before = {"title": section.title}
    section.title = title
    section.save(update_fields=["title"])
    event_record(
        actor=actor_login(by),
        verb="tool_version.section_renamed",
        target=version,
        summary=f"Section {section.order} renamed: {title}",
        before=before,
        after={"title": title},
    )
    return section


@transaction.atomic
def section_remove(*, section: Section, by: StaffMember | None) -> None:
    """Remove an empty section from a draft; retire its questions first."""
    version = section.version
    _draft_change(version, None)
    if section.questions.exists():
        raise Refused(f"The section {section.title} still has questions: retire them first.")
    before = {"order": section.order, "title": section.title}
    section.delete()
    _renumber(list(version.sections.order_by("order")))
    event_record(
        actor=actor_login(by),
        verb="tool_version.section_removed",
        target=version,
        summary=f"Section removed: {before['title']}",
        before=before,
    )


def _renumber(items: list[Any]) -> None:
    """Give items orders 1..n in their list order (sections or questions)."""
    changed = []
    for n, item in enumerate(items, start=1):
        if item.order != n:
            item.order = n
            changed.append(item)
    if changed:
        type(changed[0]).objects.bulk_update(changed, ["order"])


def _move(items: list[Any], item: Any, direction: Literal["up", "down"], what: str) -> None:
    if direction not in ("up", "down"):
        raise Refused("Choose to move it up or down.")
    index = next(i for i, x in enumerate(items) if x.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if target < 0 or target >= len(items):
        place = "first" if direction == "up" else "last"
        raise Refused(f"{what} is already {place}.")
    items[index], items[target] = items[target], items[index]
    _renumber(items)


@transaction.atomic
def section_move(
    *, section: Section, direction: Literal["up", "down"], by: StaffMember | None
) -> None:
    version = section.version
    _draft_change(version, None)
    sections = list(version.sections.order_by("order"))
    _move(sections, section, direction, f"The section {section.title}")
    event_record(
        actor=actor_login(by),
        verb="tool_version.section_moved",
        target=version,
        summary=f"Section {section.title} moved {direction}",
    )


# ---- questions --------------------------------------------------------------------------------


def _clean_descriptors(version: ToolVersion, descriptors: dict[str, str]) -> dict[str, str]:
    codes = set(version.grading_scale.grades.values_list("code", flat=True))
    unknown = sorted(set(descriptors) - codes)
    if unknown:
        raise Refused(
            f"{version.grading_scale.name} has no grade {', '.join(unknown)}: "
            "descriptors are given for the grades of the version's scale."
        )
    return {k: v.strip() for k, v in descriptors.items() if v and v.strip()}


def _new_question_code(version: ToolVersion, *, code: str, text: str, kind: str) -> str:
    """The new question's code, stripped; refuses an empty, malformed or taken code, a kind
    the tool cannot take, and empty text."""
    code = code.strip()
    if not code:
        raise Refused("Enter a code for the question, for example A16.")
    check_code(code, "question")
    existing = Question.objects.filter(section__version=version, code__iexact=code).first()
    if existing is not None:
        raise Refused(
            f"Version {version.number} already has a question {existing.code}. "
            "Give this one another code."
        )
    if kind not in KINDS_FOR_TOOL[version.tool.kind]:
        raise Refused(
            f"{version.tool.name} is a {version.tool.get_kind_display().lower()} tool: "
            f"it cannot take a {QuestionKind(kind).label.lower()}."
            if kind in QuestionKind.values
            else "Choose what kind of question this is."
        )
    if not text.strip():
        raise Refused("Enter the question's text.")
    return code


@transaction.atomic
def question_add(
    *,
    section: Section,
    code: str,
    text: str,
    kind: str,
    basis: str = "",
    applies_to: str = "",
    guidance: str = "",
    alert_on_no: bool = False,
    descriptors: dict[str, str] | None = None,
    by: StaffMember | None,
    expected_version: int | None = None,
) -> Question:
    """Add a question at the end of a draft's section. Codes are unique within the version."""
    version = ToolVersion.objects.select_related("tool", "grading_scale").get(pk=section.version_id)
    _draft_change(version, expected_version)
    code = _new_question_code(version, code=code, text=text, kind=kind)
    order = (section.questions.aggregate(n=Max("order"))["n"] or 0) + 1
    question = Question.objects.create(
        section=section,
        order=order,
        code=code,
        text=text.strip(),
        kind=kind,
        basis=basis.strip(),
        applies_to=applies_to.strip(),
        guidance=guidance.strip(),
        alert_on_no=alert_on_no and kind == QuestionKind.COMPLIANCE,
        descriptors=_clean_descriptors(version, descriptors or {})
        if kind == QuestionKind.GRADED
        else {},
    )
    event_record(
        actor=actor_login(by),
        verb="tool_version.question_added",
        target=version,
        summary=f"Question {code} added to {section.title}",
        after=snapshot(question, QUESTION_FIELDS),
    )
    return question


@transaction.atomic
def question_reword(
    *,
    question: Question,
    text: str,
    basis: str = "",
    applies_to: str = "",
    guidance: str = "",
    alert_on_no: bool = False,
    descriptors: dict[str, str] | None = None,
    by: StaffMember | None,
    expected_version: int | None = None,
) -> Question:
    """Change a draft question's wording, basis, applies-to, guidance and grade descriptors."""
    version = ToolVersion.objects.select_related("tool", "grading_scale").get(
        pk=question.section.version_id
    )
    _draft_change(version, expected_version)
    if not text.strip():
        raise Refused("Enter the question's text.")
    before = snapshot(question, QUESTION_FIELDS)
    question.text = text.strip()
    question.basis = basis.strip()
    question.applies_to = applies_to.strip()
    question.guidance = guidance.strip()
    question.alert_on_no = alert_on_no and question.kind == QuestionKind.COMPLIANCE
    if question.kind == QuestionKind.GRADED:
        question.descriptors = _clean_descriptors(version, descriptors or {})
    question.save()
    event_record(
        actor=actor_login(by),
        verb="tool_version.question_reworded",
        target=version,
        summary=f"Question {question.code} reworded",
        before=before,
        after=snapshot(question, QUESTION_FIELDS),
    )
    return question


@transaction.atomic
def question_retire(*, question: Question, by: StaffMember | None) -> None:
    """Remove a question from a draft. Earlier versions, and the audits on them, keep it."""
    section = question.section
    version = section.version
    _draft_change(version, None)
    before = snapshot(question, QUESTION_FIELDS)
    question.delete()
    _renumber(list(section.questions.order_by("order")))
    event_record(
        actor=actor_login(by),
        verb="tool_version.question_retired",
        target=version,
        summary=f"Question {before['code']} retired",
        before=before,
    )


@transaction.atomic
def question_move(
    *, question: Question, direction: Literal["up", "down"], by: StaffMember | None
) -> None:
    """Move a question up or down within its section."""
    section = question.section
    version = section.version
    _draft_change(version, None)
    _move(
        list(section.questions.order_by("order")),
        question,
        direction,
        f"Question {question.code}",
    )
    event_record(
        actor=actor_login(by),
        verb="tool_version.question_moved",
        target=version,
        summary=f"Question {question.code} moved {direction}",
    )
