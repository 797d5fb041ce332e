"""Theme suggestions: group the learning points nobody tagged, propose a theme for each group,
and let the audit lead accept (tagging every point of it) or reject it.

Generating again replaces the suggestions still open (the notes have moved on since: some are
tagged by hand, new ones came in) and keeps the decided ones. A group whose notes were all in a
suggestion the lead rejected is not proposed again: they have said those notes are not a theme,
and asking again every time they generate would be noise. A group with a new note in it is a
new question, and is proposed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.learning.access.suggestions import suggestion_visibility_filter
from auditloop.learning.access.themes import can_keep_themes
from auditloop.learning.models import (
    LearningPoint,
    Theme,
    ThemeSuggestion,
    ThemeSuggestionStatus,
)
from auditloop.learning.redaction import redactor_for_database
from auditloop.learning.rules.suggestions import ThemeText, groups_of, normalised_name
from auditloop.learning.selectors.suggestions import MOST_NOTES, untagged_points_for
from auditloop.learning.services.themes import theme_create


def _lead(by: StaffMember) -> None:
    if not can_keep_themes(by):
        raise Refused("Only an audit lead decides theme suggestions.")


@transaction.atomic
def theme_suggestions_generate(*, by: StaffMember) -> list[ThemeSuggestion]:
    """Group the untagged learning points of the services `by` oversees (their texts redacted
    first: the terms a suggestion shows come from them) and propose a theme for each group,
    replacing the open suggestions. One event row per suggestion proposed."""
    _lead(by)
    points = list(untagged_points_for(by).only("id", "text")[:MOST_NOTES])
    # In the order they were written, so that the same notes always group the same way.
    points.sort(key=lambda p: p.pk)
    redactor = redactor_for_database()
    texts = [redactor.redact(p.text).redacted for p in points]
    themes = list(Theme.objects.filter(is_active=True).order_by("name", "pk"))
    groups = groups_of(texts, [ThemeText(t.name, t.description) for t in themes])
    ThemeSuggestion.objects.filter(
        suggestion_visibility_filter(by), status=ThemeSuggestionStatus.PROPOSED
    ).delete()
    rejected = [
        set(s.points.values_list("id", flat=True))
        for s in ThemeSuggestion.objects.filter(
            suggestion_visibility_filter(by), status=ThemeSuggestionStatus.REJECTED
        ).prefetch_related("points")
    ]
    made: list[ThemeSuggestion] = []
    for group in groups:
        ids = {points[i].pk for i in group.members}
        if any(ids <= earlier for earlier in rejected):
            continue
        suggestion = ThemeSuggestion.objects.create(
            label=group.label,
            terms=list(group.terms),
            theme=themes[group.theme] if group.theme is not None else None,
        )
        suggestion.points.set(sorted(ids))
        event_record(
            actor=by.user,
            verb="theme_suggestion.proposed",
            target=suggestion,
            summary=f"Theme suggested for {len(ids)} untagged learning points.",
            after={"notes": len(ids), "existing_theme": group.theme is not None},
        )
        made.append(suggestion)
    return made


def _open(suggestion: ThemeSuggestion) -> None:
    if suggestion.status != ThemeSuggestionStatus.PROPOSED:
        raise Refused(f"This suggestion was {suggestion.get_status_display().lower()} already.")


@transaction.atomic
def theme_suggestion_accept(
    *, suggestion: ThemeSuggestion, by: StaffMember, label: str | None = None
) -> Theme:
    """Tag every point of the suggestion with its theme: the existing theme it matched, or a
    new one named `label` (the lead's edit of the suggested label; a name the list already has
    is that theme, if it is still offered)."""
    _lead(by)
    _open(suggestion)
    theme = suggestion.theme
    if theme is None:
        name = " ".join((label if label is not None else suggestion.label).split())
        same = [t for t in Theme.objects.all() if normalised_name(t.name) == normalised_name(name)]
        if same:
            theme = same[0]
        else:
            try:
                theme = theme_create(by=by, name=name)
            except Refused as refused:
                raise Refused(refused.message, field="label") from refused
    if not theme.is_active:
        raise Refused(
            f"The theme {theme.name} has been retired: offer it again on the theme list, or "
            "reject this suggestion.",
            field="label",
        )
    points = list(LearningPoint.objects.filter(theme_suggestions=suggestion))
    theme.learning_points.add(*points)
    suggestion.theme = theme
    suggestion.status = ThemeSuggestionStatus.ACCEPTED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["theme", "status", "decided_by", "decided_at"])
    event_record(
        actor=by.user,
        verb="theme_suggestion.accepted",
        target=suggestion,
        summary=f"Theme {theme.name} given to {len(points)} learning points.",
        before={"status": ThemeSuggestionStatus.PROPOSED},
        after={"status": ThemeSuggestionStatus.ACCEPTED, "theme": theme.name, "notes": len(points)},
    )
    return theme


@transaction.atomic
def theme_suggestion_reject(*, suggestion: ThemeSuggestion, by: StaffMember) -> None:
    _lead(by)
    _open(suggestion)
    suggestion.status = ThemeSuggestionStatus.REJECTED
    suggestion.decided_by = by
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])
    event_record(
        actor=by.user,
        verb="theme_suggestion.rejected",
        target=suggestion,
        summary="Theme suggestion rejected.",
        before={"status": ThemeSuggestionStatus.PROPOSED},
        after={"status": ThemeSuggestionStatus.REJECTED},
    )
