"""The theme list: a starter list from the migration; every auditing role reads it; only an
audit lead adds, renames, describes, retires or offers again a theme, each change an event; a
retired theme stays on the points that have it and is no longer offered."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from auditloop.audits.models import AuditStatus
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.learning.forms.learning_points import LearningPointForm
from auditloop.learning.models import Theme
from auditloop.learning.services.themes import (
    theme_create,
    theme_restore,
    theme_retire,
    theme_update,
)
from auditloop.learning.tests.point_factories import point_in, theme_named
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_council_starts_with_a_list_of_themes_from_practice() -> None:
    """The list is the data migration's. It is run here on an emptied table: a test that
    commits empties the database after it, so whether the migration's own rows are still there
    depends on which tests ran before this one on its worker."""
    migration = importlib.import_module("auditloop.learning.migrations.0002_default_themes")
    Theme.objects.all().delete()
    migration.themes_add(django_apps, None)
    names = set(Theme.objects.values_list("name", flat=True))
    assert {"Voice of the child", "Drift and delay", "Management oversight"} <= names
    assert {"Fathers and male carers not engaged", "Plans not SMART"} <= names
    assert len(names) >= 12
    assert all(Theme.objects.values_list("is_active", flat=True))


def test_an_audit_lead_adds_a_theme_with_an_event(p: Personas) -> None:
    theme = theme_create(by=p.moderator, name="  Contextual   safeguarding ", description="x")
    assert theme.name == "Contextual safeguarding" and theme.created_by == p.moderator
    event = Event.objects.get(verb="theme.added")
    assert event.target_id == str(theme.public_id)


def test_a_name_the_list_has_in_any_case_is_refused(p: Personas) -> None:
    theme_named("Neglect")
    with pytest.raises(Refused, match="already a theme called Neglect") as refused:
        theme_create(by=p.moderator, name="NEGLECT")
    assert refused.value.field == "name"


def test_nobody_but_an_audit_lead_changes_the_list(p: Personas) -> None:
    for other in (p.auditor, p.senior_leader, p.team_manager):
        with pytest.raises(Refused, match="Only an audit lead"):
            theme_create(by=other, name="Something")
        with pytest.raises(Refused, match="Only an audit lead"):
            theme_retire(theme=theme_named("Neglect"), by=other)


def test_renaming_logs_the_old_and_new_names(p: Personas) -> None:
    theme = theme_named("Chronology")
    theme_update(theme=theme, by=p.moderator, name="Chronology kept up", description="")
    event = Event.objects.get(verb="theme.changed")
    assert event.before["name"] == "Chronology" and event.after["name"] == "Chronology kept up"


def test_a_retired_theme_stays_on_its_points_but_is_not_offered(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    neglect = theme_named("Neglect")
    point = point_in(audit, themes=[neglect])
    theme_retire(theme=neglect, by=p.moderator)
    assert list(point.themes.all()) == [neglect]
    offered = LearningPointForm(audit=audit).fields["themes"].queryset  # type: ignore[attr-defined]
    assert neglect not in offered
    kept = LearningPointForm(audit=audit, point=point).fields["themes"].queryset  # type: ignore[attr-defined]
    assert neglect in kept
    with pytest.raises(Refused, match="already retired"):
        theme_retire(theme=neglect, by=p.moderator)
    theme_restore(theme=neglect, by=p.moderator)
    assert Theme.objects.get(pk=neglect.pk).is_active


# Pages


def test_every_auditing_role_reads_the_list_and_only_the_lead_sees_the_buttons(
    p: Personas,
) -> None:
    theme_named("Voice of the child")
    url = reverse("learning:themes")
    for reader in (p.auditor, p.team_manager, p.senior_leader):
        body = p.client_for(reader).get(url).content.decode()
        assert "Voice of the child" in body and "Add a theme" not in body
    body = p.client_for(p.moderator).get(url).content.decode()
    assert "Add a theme" in body and "Retire" in body
    for refused in (p.practitioner, p.board_member, p.administrator):
        assert p.client_for(refused).get(url).status_code == 403


def test_the_lead_adds_renames_and_retires_a_theme_on_the_pages(p: Personas) -> None:
    client = p.client_for(p.moderator)
    response = client.post(reverse("learning:theme_add"), {"name": "Housing", "description": ""})
    assert response.status_code == 302
    theme = Theme.objects.get(name="Housing")
    response = client.post(
        reverse("learning:theme_edit", args=[theme.public_id]),
        {"name": "Housing and poverty", "description": "Where the family lives."},
    )
    assert response.status_code == 302
    client.post(reverse("learning:theme_retire", args=[theme.public_id]))
    theme.refresh_from_db()
    assert theme.name == "Housing and poverty" and not theme.is_active
    body = client.get(reverse("learning:themes")).content.decode()
    assert "Retired themes" in body and "Offer again" in body


def test_a_duplicate_name_is_shown_on_the_form(p: Personas) -> None:
    theme_named("Voice of the child")
    response = p.client_for(p.moderator).post(
        reverse("learning:theme_add"), {"name": "voice of the child"}
    )
    assert response.status_code == 200
    assert "There is already a theme called Voice of the child" in response.content.decode()


def test_an_auditor_may_not_open_the_add_form(p: Personas) -> None:
    assert p.client_for(p.auditor).get(reverse("learning:theme_add")).status_code == 403
