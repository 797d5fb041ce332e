"""Learning points in a given state, for the tests: written straight to the database, so that
each test starts where it needs to."""

from __future__ import annotations

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import Audit, Question
from auditloop.learning.defaults import default_themes_install
from auditloop.learning.models import LearningPoint, LearningPointKind, Theme


def first_question(audit: Audit) -> Question:
    question = Question.objects.filter(section__version=audit.tool_version).first()
    assert question is not None
    return question


def point_in(
    audit: Audit,
    *,
    text: str = "Lily's wishes were recorded in her own words.",
    kind: LearningPointKind = LearningPointKind.GOOD_PRACTICE,
    author: StaffMember | None = None,
    themes: list[Theme] | None = None,
) -> LearningPoint:
    point = LearningPoint.objects.create(
        audit=audit,
        question=first_question(audit),
        kind=kind,
        text=text,
        author=author or audit.auditor,
    )
    if themes:
        point.themes.set(themes)
    return point


def theme_named(name: str) -> Theme:
    """A theme of the starter list (installed again if a flushing test emptied the table)."""
    default_themes_install()
    return Theme.objects.get(name=name)
