"""Theme suggestions: an audit lead has the untagged learning points of their services grouped
(redacted first), sees each suggestion with its words, its number of notes and sample notes
with names taken out, and accepts it (tagging every note) or rejects it; generating again
replaces the open suggestions and never proposes again notes the lead rejected together."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.assurance.models import Moderation, ModerationReason, ModerationStatus
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.learning.defaults import default_themes_install
from auditloop.learning.models import LearningPoint, Theme, ThemeSuggestion, ThemeSuggestionStatus
from auditloop.learning.services.suggestions import (
    theme_suggestion_accept,
    theme_suggestion_reject,
    theme_suggestions_generate,
)
from auditloop.learning.tests.point_factories import point_in, theme_named
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _starter_themes(db: None) -> None:
    """The starter list, as the migration left it (a flushing test may have emptied it)."""
    default_themes_install()


OVERSIGHT = [
    "No management oversight recorded for Pat Practitioner; supervision notes say agreed only.",
    "Supervision is irregular and management oversight does not follow up actions.",
    "Manager oversight missing for four months; supervision not recorded.",
]
HOUSING = [
    "Housing damp and overcrowded; the housing officer was not invited.",
    "Overcrowded housing not assessed; damp bedroom for the children.",
]


def _points(p: Personas, texts: list[str], *, audit: Audit | None = None) -> list[LearningPoint]:
    audit = audit or make_audit(p, status=AuditStatus.SUBMITTED)
    return [point_in(audit, text=t) for t in texts]


def _south_audit(p: Personas) -> Audit:
    return Audit.objects.create(
        case=p.outsider_case,
        tool_version=p.compliance_tool,
        audit_type=AuditType.DIP_SAMPLE,
        status=AuditStatus.SUBMITTED,
        auditor=p.auditor,
        practitioner=p.outsider,
        team=p.south_a,
        submitted_at=timezone.now(),
    )


def _by_label(made: list[ThemeSuggestion]) -> dict[str, ThemeSuggestion]:
    return {(s.theme.name if s.theme else s.label): s for s in made}


def test_generating_groups_the_untagged_notes_and_matches_an_existing_theme(p: Personas) -> None:
    oversight = _points(p, OVERSIGHT)
    housing = _points(p, HOUSING)
    made = _by_label(theme_suggestions_generate(by=p.moderator))
    assert set(made["Management oversight"].points.all()) == set(oversight)
    [new] = [s for s in made.values() if s.theme is None]
    assert set(new.points.all()) == set(housing)
    assert "housing" in new.terms
    assert Event.objects.filter(verb="theme_suggestion.proposed").count() == 2


def test_the_words_come_from_redacted_notes(p: Personas) -> None:
    _points(p, [*OVERSIGHT, "Pat Practitioner oversight supervision again."])
    for suggestion in theme_suggestions_generate(by=p.moderator):
        assert "pat" not in suggestion.terms and "practitioner" not in suggestion.terms


def test_tagged_notes_drafts_calibrations_and_other_services_are_left_out(p: Personas) -> None:
    tagged = _points(p, OVERSIGHT[:2])
    for point in tagged:
        point.themes.add(theme_named("Neglect"))
    _points(p, OVERSIGHT[:2], audit=make_audit(p, status=AuditStatus.IN_PROGRESS))
    calibration = make_audit(p, status=AuditStatus.SUBMITTED, audit_type=AuditType.CALIBRATION)
    _points(p, OVERSIGHT[:2], audit=calibration)
    _points(p, OVERSIGHT, audit=_south_audit(p))
    assert theme_suggestions_generate(by=p.moderator) == []


def test_notes_of_an_audit_the_lead_is_moderating_blind_are_left_out(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    _points(p, OVERSIGHT, audit=audit)
    Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=p.moderator,
    )
    assert theme_suggestions_generate(by=p.moderator) == []
    # Once they have regraded it, its notes are theirs to read.
    Moderation.objects.filter(audit=audit).update(regraded_at=timezone.now())
    assert len(theme_suggestions_generate(by=p.moderator)) == 1


def test_generating_again_replaces_the_open_suggestions(p: Personas) -> None:
    _points(p, OVERSIGHT)
    [first] = theme_suggestions_generate(by=p.moderator)
    [second] = theme_suggestions_generate(by=p.moderator)
    assert not ThemeSuggestion.objects.filter(pk=first.pk).exists()
    assert ThemeSuggestion.objects.get() == second


def test_notes_rejected_together_are_not_proposed_again_unless_a_new_note_joins_them(
    p: Personas,
) -> None:
    _points(p, OVERSIGHT[:2])
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    theme_suggestion_reject(suggestion=suggestion, by=p.moderator)
    assert theme_suggestions_generate(by=p.moderator) == []
    _points(p, OVERSIGHT[2:])
    [again] = theme_suggestions_generate(by=p.moderator)
    assert again.points.count() == 3
    assert ThemeSuggestion.objects.get(pk=suggestion.pk).status == ThemeSuggestionStatus.REJECTED


def test_accepting_an_existing_theme_tags_every_note(p: Personas) -> None:
    oversight = _points(p, OVERSIGHT)
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    theme = theme_suggestion_accept(suggestion=suggestion, by=p.moderator)
    assert theme == theme_named("Management oversight")
    for point in oversight:
        assert list(point.themes.all()) == [theme]
    suggestion.refresh_from_db()
    assert suggestion.status == ThemeSuggestionStatus.ACCEPTED
    assert suggestion.decided_by == p.moderator
    with pytest.raises(Refused, match="accepted already"):
        theme_suggestion_accept(suggestion=suggestion, by=p.moderator)


def test_accepting_a_new_label_creates_the_theme_with_the_leads_edit(p: Personas) -> None:
    housing = _points(p, HOUSING)
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    assert suggestion.theme is None
    theme = theme_suggestion_accept(suggestion=suggestion, by=p.moderator, label="Poor housing")
    assert theme.name == "Poor housing" and theme.created_by == p.moderator
    assert all(list(pt.themes.all()) == [theme] for pt in housing)
    assert Event.objects.filter(verb__in=["theme.added", "theme_suggestion.accepted"]).count() == 2


def test_accepting_a_label_naming_a_retired_theme_is_refused(p: Personas) -> None:
    _points(p, HOUSING)
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    neglect = theme_named("Neglect")
    neglect.is_active = False
    neglect.save()
    with pytest.raises(Refused, match="retired") as refused:
        theme_suggestion_accept(suggestion=suggestion, by=p.moderator, label="neglect")
    assert refused.value.field == "label"


def test_only_an_audit_lead_generates_or_decides(p: Personas) -> None:
    _points(p, OVERSIGHT)
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    for other in (p.auditor, p.senior_leader):
        with pytest.raises(Refused):
            theme_suggestions_generate(by=other)
        with pytest.raises(Refused):
            theme_suggestion_reject(suggestion=suggestion, by=other)


# Pages


def test_the_lead_sees_suggestions_with_terms_counts_and_redacted_samples(p: Personas) -> None:
    _points(p, OVERSIGHT)
    client = p.client_for(p.moderator)
    assert client.post(reverse("learning:suggestions_generate")).status_code == 302
    body = client.get(reverse("learning:suggestions")).content.decode()
    assert "Management oversight" in body and "oversight, supervision" in body
    suggestion = ThemeSuggestion.objects.get()
    detail = client.get(reverse("learning:suggestion_detail", args=[suggestion.public_id]))
    text = detail.content.decode()
    assert "Pat Practitioner" not in text and "[social worker]" in text
    assert '<dd class="govuk-summary-list__value">3</dd>' in text


def test_reading_a_suggestions_samples_is_logged_against_their_audit(p: Personas) -> None:
    [point, *_] = _points(p, OVERSIGHT)
    client = p.client_for(p.moderator)
    client.post(reverse("learning:suggestions_generate"))
    suggestion = ThemeSuggestion.objects.get()
    for page in (
        reverse("learning:suggestions"),
        reverse("learning:suggestion_detail", args=[suggestion.public_id]),
    ):
        AccessLog.objects.all().delete()
        assert client.get(page).status_code == 200
        logged = AccessLog.objects.filter(user=p.moderator.user, purpose="theme suggestion")
        assert list(logged.values_list("target_id", flat=True)) == [str(point.audit.public_id)]


def test_a_lead_moderating_an_audit_blind_is_shown_no_sample_from_it(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    _points(p, OVERSIGHT, audit=audit)
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    other_lead = make_staff("lead2", "Robin Reviewer", Role.MODERATOR, services=[p.north])
    Moderation.objects.create(
        audit=audit,
        reason=ModerationReason.RANDOM,
        status=ModerationStatus.REGRADING,
        moderator=other_lead,
    )
    client = p.client_for(other_lead)
    detail = client.get(reverse("learning:suggestion_detail", args=[suggestion.public_id]))
    assert detail.status_code == 200
    assert "Supervision is irregular" not in detail.content.decode()
    assert not AccessLog.objects.filter(user=other_lead.user).exists()


def test_the_lead_edits_a_new_label_and_accepts_it_on_the_page(p: Personas) -> None:
    _points(p, HOUSING)
    client = p.client_for(p.moderator)
    client.post(reverse("learning:suggestions_generate"))
    suggestion = ThemeSuggestion.objects.get()
    accept = reverse("learning:suggestion_accept", args=[suggestion.public_id])
    response = client.post(accept, {"label": ""})
    assert "Enter a name for the new theme" in response.content.decode()
    response = client.post(accept, {"label": "Housing conditions"})
    assert response.status_code == 302
    assert Theme.objects.get(name="Housing conditions").learning_points.count() == 2


def test_the_lead_rejects_a_suggestion_on_the_page(p: Personas) -> None:
    _points(p, OVERSIGHT)
    client = p.client_for(p.moderator)
    client.post(reverse("learning:suggestions_generate"))
    suggestion = ThemeSuggestion.objects.get()
    client.post(reverse("learning:suggestion_reject", args=[suggestion.public_id]))
    suggestion.refresh_from_db()
    assert suggestion.status == ThemeSuggestionStatus.REJECTED


def test_a_lead_over_other_services_is_told_not_found(p: Personas) -> None:
    _points(p, OVERSIGHT)
    [suggestion] = theme_suggestions_generate(by=p.moderator)
    south_lead = make_staff("southlead", "Sol Lead", Role.MODERATOR, services=[p.south])
    client = p.client_for(south_lead)
    detail = reverse("learning:suggestion_detail", args=[suggestion.public_id])
    assert client.get(detail).status_code == 404
    assert (
        "There are no open suggestions"
        in client.get(reverse("learning:suggestions")).content.decode()
    )


def test_the_suggestion_pages_are_the_audit_leads_alone(p: Personas) -> None:
    for other in (p.auditor, p.senior_leader, p.practitioner):
        assert p.client_for(other).get(reverse("learning:suggestions")).status_code == 403
