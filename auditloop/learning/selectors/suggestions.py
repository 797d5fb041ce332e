"""Reads for theme suggestions: the untagged learning points a lead's suggestions are drawn
from, and the suggestions a lead reads."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditType
from auditloop.learning.access.suggestions import suggestion_visibility_filter
from auditloop.learning.models import LearningPoint, ThemeSuggestion, ThemeSuggestionStatus
from auditloop.learning.redaction import Redactor

# The most recent untagged notes grouped at once: grouping compares every pair, so a backlog
# bigger than this is worked through newest first.
MOST_NOTES = 2000
# Sample notes shown with each suggestion.
SAMPLES = 3
DECIDED_SHOWN = 20


def untagged_points_for(staff: StaffMember) -> QuerySet[LearningPoint]:
    """The learning points nobody tagged with any theme, in the audits that count (submitted
    or completed, never a calibration exercise) of the services `staff` oversees, less those
    of audits `staff` is moderating blind (`grades_hidden_filter`: the auditor's notes are not
    theirs to read yet), newest first."""
    blind = Audit.objects.filter(grades_hidden_filter(staff)).values("pk")
    # NOT EXISTS, which PostgreSQL plans as an anti-join: as `themes__isnull=True`, an outer join
    # filtered on the theme being null, it expected one untagged point of 140,000 (the national
    # council) and looked up each of the 27,000 there are one at a time.
    tagged = LearningPoint.themes.through.objects.filter(learningpoint=OuterRef("pk"))
    return (
        LearningPoint.objects.filter(
            audit__status__in=SHARED_STATUSES,
            audit__team__service_id__in=services_overseen(staff),
        )
        .exclude(Exists(tagged))
        .exclude(audit__audit_type=AuditType.CALIBRATION)
        .exclude(audit__in=blind)
        .order_by("-created_at", "-id")
    )


def theme_suggestions_for(
    staff: StaffMember, *, status: ThemeSuggestionStatus = ThemeSuggestionStatus.PROPOSED
) -> QuerySet[ThemeSuggestion]:
    """The suggestions `staff` may decide, in `status`, with their number of notes and their
    notes (for the samples: not those of audits `staff` is moderating blind), biggest first."""
    blind = Audit.objects.filter(grades_hidden_filter(staff)).values("pk")
    order = ["-notes", "label", "id"]
    if status != ThemeSuggestionStatus.PROPOSED:
        order = ["-decided_at", "-id"]
    return (
        ThemeSuggestion.objects.filter(suggestion_visibility_filter(staff), status=status)
        .annotate(notes=Count("points", distinct=True))
        .select_related("theme", "decided_by")
        .prefetch_related(
            Prefetch(
                "points",
                queryset=LearningPoint.objects.exclude(audit__in=blind)
                .select_related("audit")
                .only("id", "text", "created_at", "audit__id", "audit__public_id")
                .order_by("created_at", "id"),
            )
        )
        .order_by(*order)
    )


@dataclass(frozen=True)
class SuggestionShown:
    suggestion: ThemeSuggestion
    samples: list[str]
    # The audits the samples were drawn from: the page logs their reading.
    sampled_audits: list[Audit]


def suggestions_shown(
    suggestions: QuerySet[ThemeSuggestion] | list[ThemeSuggestion], redactor: Redactor
) -> list[SuggestionShown]:
    """Each suggestion with a few of its notes, redacted: the notes leave their audits here.
    Redacted, a sample names no one; but it is still a note read from a child's audit, so the
    pages log the reading of `sampled_audits` (`Purpose.THEME_SUGGESTION`)."""
    shown = []
    for s in suggestions:
        points = list(s.points.all())[:SAMPLES]
        shown.append(
            SuggestionShown(
                suggestion=s,
                samples=[redactor.redact(p.text).redacted for p in points],
                sampled_audits=list({p.audit_id: p.audit for p in points}.values()),
            )
        )
    return shown
