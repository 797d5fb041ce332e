"""Marking, changing and removing an audit's learning points. Each write is one event row
naming what changed, never what it says: a point is written about a child's case."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit, Question
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.learning.access.learning_points import (
    learning_point_change_refusal,
    learning_point_write_refusal,
)
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme

# The fields of a point that are content: the event names them, never their values.
CONTENT = ("kind", "question", "text", "themes")


def _checked(
    *,
    audit: Audit,
    kind: str,
    question: Question | None,
    text: str,
    themes: Iterable[Theme],
    kept: Iterable[Theme] = (),
) -> tuple[str, list[Theme]]:
    """The text and themes, once the rules accept them: a kind the list has, a question of
    the audit's own tool, some text, and themes still offered (a retired theme already on the
    point stays on it)."""
    if kind not in LearningPointKind.values:
        raise Refused(
            "Choose whether it is good practice to share or an area for development.", field="kind"
        )
    if question is not None and question.section.version_id != audit.tool_version_id:
        raise Refused(
            "Choose a question of this audit's tool, or the audit as a whole.", field="question"
        )
    text = text.strip()
    if not text:
        raise Refused("Enter the learning point.", field="text")
    kept_ids = {t.pk for t in kept}
    chosen = list(dict.fromkeys(themes))
    retired = [t.name for t in chosen if not t.is_active and t.pk not in kept_ids]
    if retired:
        raise Refused(f"The theme {retired[0]} has been retired: choose another.", field="themes")
    return text, chosen


@transaction.atomic
def learning_point_add(
    *,
    audit: Audit,
    by: StaffMember,
    kind: str,
    question: Question | None,
    text: str,
    themes: Iterable[Theme] = (),
) -> LearningPoint:
    refusal = learning_point_write_refusal(by, audit)
    if refusal:
        raise Refused(refusal)
    text, chosen = _checked(audit=audit, kind=kind, question=question, text=text, themes=themes)
    point = LearningPoint.objects.create(
        audit=audit, question=question, kind=kind, text=text, author=by
    )
    point.themes.set(chosen)
    event_record(
        actor=by.user,
        verb="learning_point.added",
        target=point,
        summary=f"Learning point marked in audit {audit.reference}.",
        after={"audit": str(audit.public_id)},
        content_changed=CONTENT if chosen else CONTENT[:-1],
    )
    return point


@transaction.atomic
def learning_point_update(
    *,
    point: LearningPoint,
    by: StaffMember,
    kind: str,
    question: Question | None,
    text: str,
    themes: Iterable[Theme] = (),
) -> LearningPoint:
    refusal = learning_point_change_refusal(by, point)
    if refusal:
        raise Refused(refusal)
    had = list(point.themes.all())
    text, chosen = _checked(
        audit=point.audit, kind=kind, question=question, text=text, themes=themes, kept=had
    )
    changed = [
        name
        for name, differs in (
            ("kind", point.kind != kind),
            ("question", point.question_id != (question.pk if question else None)),
            ("text", point.text != text),
            ("themes", {t.pk for t in had} != {t.pk for t in chosen}),
        )
        if differs
    ]
    if not changed:
        return point
    point.kind = kind
    point.question = question
    point.text = text
    point.save(update_fields=["kind", "question", "text", "updated_at"])
    point.themes.set(chosen)
    event_record(
        actor=by.user,
        verb="learning_point.changed",
        target=point,
        summary=f"Learning point changed in audit {point.audit.reference}.",
        after={"audit": str(point.audit.public_id)},
        content_changed=changed,
    )
    return point


@transaction.atomic
def learning_point_remove(*, point: LearningPoint, by: StaffMember) -> None:
    refusal = learning_point_change_refusal(by, point)
    if refusal:
        raise Refused(refusal)
    event_record(
        actor=by.user,
        verb="learning_point.removed",
        target=point,
        summary=f"Learning point removed from audit {point.audit.reference}.",
        before={"audit": str(point.audit.public_id)},
        content_changed=CONTENT,
    )
    point.delete()
