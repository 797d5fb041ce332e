"""Writes to grading scales. A grading scale is frozen once a published version of an audit
tool uses it."""

from __future__ import annotations

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
        description=description.strip(),
    )
    event_record(
        actor=actor_login(by),
        verb="grading_scale.grade_added",
        target=scale,
        summary=f"Grade {grade.label} added to {scale.name}",
        after=snapshot(grade, ["code", "label", "value", "is_inadequate", "description"]),
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
    before = snapshot(grade, ["code", "label", "value", "is_inadequate", "description"])
    grade.delete()
    event_record(
        actor=actor_login(by),
        verb="grading_scale.grade_removed",
        target=scale,
        summary=f"Grade {before['label']} removed from {scale.name}",
        before=before,
    )
