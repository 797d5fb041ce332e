"""Writes to grading scales. A grading scale is frozen once a published version of an audit
tool uses it."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.audits.models import (
    Grade,
    GradingScale,
    ToolVersion,
)
from auditloop.audits.services.tools import check_code, unique_slug
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused

_GRADE_FIELDS = ["code", "label", "value", "is_inadequate", "needs_action", "description"]


def scale_in_use(scale: GradingScale) -> bool:
    """A scale used by a published version is frozen: audits have been graded on it."""
    return ToolVersion.objects.filter(grading_scale=scale, is_published=True).exists()


@transaction.atomic
def grading_scale_create(*, name: str, by: StaffMember | None) -> GradingScale:
    """A new, empty scale; its grades are added one at a time with `grade_add`."""
    name = name.strip()
    if not name:
        raise Refused("Enter a name for the grading scale.")
    if GradingScale.objects.filter(name__iexact=name).exists():
        raise Refused(f"There is already a grading scale called {name}.")
    scale = GradingScale.objects.create(
        slug=unique_slug(GradingScale, name, 40), name=name, higher_is_better=True
    )
    event_record(actor=actor_login(by), verb="grading_scale.created", target=scale, summary=name)
    return scale


@transaction.atomic
def grade_add(
    *,
    scale: GradingScale,
    code: str,
    label: str,
    value: int,
    is_inadequate: bool,
    needs_action: bool = False,
    description: str = "",
    by: StaffMember | None,
) -> Grade:
    """Add a grade to a scale that no published version uses yet."""
    scale = GradingScale.objects.select_for_update().get(pk=scale.pk)
    if scale_in_use(scale):
        raise Refused(
            f"{scale.name} is used by a published audit tool and is frozen. "
            "Create a new grading scale instead."
        )
    code = code.strip()
    check_code(code, "grade")
    if scale.grades.filter(code=code).exists():
        raise Refused(f"{scale.name} already has a grade with the code {code}.")
    if scale.grades.filter(value=value).exists():
        raise Refused(f"{scale.name} already has a grade with the value {value}.")
    grade = Grade.objects.create(
        scale=scale,
        code=code,
        label=label.strip(),
        value=value,
        is_inadequate=is_inadequate,
        needs_action=needs_action,
        description=description.strip(),
    )
    event_record(
        actor=actor_login(by),
        verb="grading_scale.grade_added",
        target=scale,
        summary=f"Grade {grade.label} added to {scale.name}",
        after=snapshot(grade, _GRADE_FIELDS),
    )
    return grade


@transaction.atomic
def grade_remove(*, grade: Grade, by: StaffMember | None) -> None:
    """Remove a grade from a scale that no published version uses yet."""
    scale = GradingScale.objects.select_for_update().get(pk=grade.scale_id)
    if scale_in_use(scale):
        raise Refused(
            f"{scale.name} is used by a published audit tool and is frozen: "
            "its grades cannot be removed."
        )
    before = snapshot(grade, _GRADE_FIELDS)
    grade.delete()
    event_record(
        actor=actor_login(by),
        verb="grading_scale.grade_removed",
        target=scale,
        summary=f"Grade {before['label']} removed from {scale.name}",
        before=before,
    )


@transaction.atomic
def grading_scale_action_grades_set(
    *, scale: GradingScale, codes: Collection[str], by: StaffMember | None
) -> GradingScale:
    """Say which of the scale's grades need an action (or a reason why none is needed) before
    an audit is submitted. Allowed on a frozen scale too: it changes what a submission asks
    for from now on, never a grade already given."""
    scale = GradingScale.objects.select_for_update().get(pk=scale.pk)
    grades = list(scale.grades.order_by("-value"))
    unknown = set(codes) - {g.code for g in grades}
    if unknown:
        raise Refused(f"{scale.name} has no grade {sorted(unknown)[0]}.")
    before = {"needs_action": [g.code for g in grades if g.needs_action]}
    for grade in grades:
        grade.needs_action = grade.code in codes
    Grade.objects.bulk_update(grades, ["needs_action"])
    after = {"needs_action": [g.code for g in grades if g.needs_action]}
    if before != after:
        event_record(
            actor=actor_login(by),
            verb="grading_scale.action_grades_set",
            target=scale,
            summary=f"Grades needing an action on {scale.name} changed",
            before=before,
            after=after,
        )
    return scale


def grades_create(*, scale: GradingScale, grades: list[dict[str, Any]]) -> list[Grade]:
    """A new scale's grades from their description in a file (the shipped defaults' JSON, or an
    audit tool file a lead imports): code, label, value, the inadequate and needs-action
    marks, and the descriptor where the file gives one."""
    return Grade.objects.bulk_create(
        Grade(
            scale=scale,
            code=g["code"],
            label=g["label"],
            value=g["value"],
            is_inadequate=g["is_inadequate"],
            needs_action=g["needs_action"],
            description=g.get("description", ""),
        )
        for g in grades
    )
