"""Learning points in an audit: its auditor marks them until the audit is completed, its
moderator while they moderate it; whoever reads the audit reads them (the read logged); a
moderator regrading blind sees only their own; every write is one event row that names what
changed, never what it says."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.models import ModerationStatus
from auditloop.assurance.tests.regrade_factories import regraded, regrading, submitted_deep_dive
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.learning.models import LearningPoint, LearningPointKind
from auditloop.learning.services.learning_points import (
    learning_point_add,
    learning_point_remove,
    learning_point_update,
)
from auditloop.learning.tests.point_factories import first_question, point_in, theme_named
from auditloop.testing import Personas, make_staff

TEXT = "Mum said Jayden is frightened at night; the worker recorded it in his words."


def _add(p: Personas, audit: Audit, by: StaffMember | None = None, **kwargs: Any) -> LearningPoint:
    return learning_point_add(
        audit=audit,
        by=by or audit.auditor,
        kind=kwargs.get("kind", LearningPointKind.GOOD_PRACTICE),
        question=kwargs.get("question", first_question(audit)),
        text=kwargs.get("text", TEXT),
        themes=kwargs.get("themes", [theme_named("Voice of the child")]),
    )


def test_the_auditor_marks_a_learning_point_with_themes_and_one_event_without_its_text(
    p: Personas,
) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    point = _add(p, audit, themes=[theme_named("Voice of the child"), theme_named("Neglect")])
    assert point.author == p.auditor
    assert {t.name for t in point.themes.all()} == {"Voice of the child", "Neglect"}
    event = Event.objects.get(verb="learning_point.added")
    assert event.target_id == str(point.public_id)
    assert set(event.content_changed) == {"kind", "question", "text", "themes"}
    assert "Jayden" not in str(event.after) + event.summary


def test_the_auditor_still_marks_points_after_submission_but_not_once_completed(
    p: Personas,
) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    _add(p, audit)
    audit.status = AuditStatus.COMPLETED
    audit.save()
    with pytest.raises(Refused, match="completed"):
        _add(p, audit)


def test_nobody_else_marks_points_in_an_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    for other in (p.moderator, p.team_manager, p.practitioner):
        with pytest.raises(Refused, match="Only the audit's auditor"):
            _add(p, audit, by=other)


def test_a_calibration_audit_takes_no_learning_points(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS, audit_type=AuditType.CALIBRATION)
    with pytest.raises(Refused, match="calibration"):
        _add(p, audit)


def test_a_question_of_another_tool_is_refused(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    other_audit = submitted_deep_dive(p)
    with pytest.raises(Refused) as refused:
        _add(p, audit, question=first_question(other_audit))
    assert refused.value.field == "question"


def test_a_retired_theme_is_not_offered_but_stays_on_a_point_that_has_it(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    neglect = theme_named("Neglect")
    point = _add(p, audit, themes=[neglect])
    neglect.is_active = False
    neglect.save()
    with pytest.raises(Refused, match="retired"):
        _add(p, audit, themes=[neglect])
    learning_point_update(
        point=point,
        by=p.auditor,
        kind=LearningPointKind.CONCERN,
        question=None,
        text="Changed.",
        themes=[neglect],
    )
    assert list(point.themes.all()) == [neglect]


def test_the_moderator_marks_points_while_moderating_and_not_after(p: Personas) -> None:
    moderation = regrading(p)
    audit = moderation.audit
    point = _add(p, audit, by=p.moderator)
    assert point.author == p.moderator
    moderation.status = ModerationStatus.AGREED
    moderation.save()
    audit.refresh_from_db()
    with pytest.raises(Refused, match="moderation of this audit is finished"):
        _add(p, audit, by=p.moderator)


def test_only_its_author_changes_or_removes_a_point(p: Personas) -> None:
    moderation = regrading(p)
    point = point_in(moderation.audit, author=p.moderator)
    with pytest.raises(Refused, match="Only whoever marked"):
        learning_point_remove(point=point, by=p.auditor)
    learning_point_remove(point=point, by=p.moderator)
    assert not LearningPoint.objects.exists()
    assert Event.objects.get(verb="learning_point.removed").content_changed


def test_changing_a_point_names_the_fields_that_changed_only(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    point = point_in(audit)
    learning_point_update(
        point=point,
        by=p.auditor,
        kind=point.kind,
        question=point.question,
        text="Another text.",
        themes=[],
    )
    assert Event.objects.get(verb="learning_point.changed").content_changed == ["text"]


# Pages


def _points_url(audit: Audit) -> str:
    return reverse("learning:audit_points", args=[audit.public_id])


def test_the_auditor_marks_a_point_on_the_form_and_sees_it_on_the_audit_page(
    p: Personas,
) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    client = p.client_for(p.auditor)
    form_url = reverse("learning:point_add", args=[audit.public_id])
    assert client.get(form_url).status_code == 200
    voice = theme_named("Voice of the child")
    response = client.post(
        form_url,
        {"kind": "concern", "question": "", "text": TEXT, "themes": [voice.pk]},
    )
    assert response.status_code == 302
    point = LearningPoint.objects.get()
    assert point.question is None and point.kind == "concern"
    page = client.get(reverse("audits:detail", args=[audit.public_id])).content.decode()
    assert "Area for development" in page and "Voice of the child" in page
    assert "Mark a learning point" in page


def test_an_empty_form_says_what_is_missing(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    response = p.client_for(p.auditor).post(
        reverse("learning:point_add", args=[audit.public_id]), {}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter the learning point" in body
    assert "Choose whether it is good practice to share or an area for development" in body


def test_the_practitioner_and_their_manager_read_the_points_once_submitted(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    point_in(audit)
    for reader in (p.practitioner, p.team_manager):
        assert p.client_for(reader).get(_points_url(audit)).status_code == 404
    audit.status = AuditStatus.SUBMITTED
    audit.save()
    for reader in (p.practitioner, p.team_manager):
        body = p.client_for(reader).get(_points_url(audit)).content.decode()
        assert "recorded in her own words" in body
        assert "Mark a learning point" not in body


def test_readers_outside_the_audit_are_told_not_found(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    point = point_in(audit)
    for outsider in (p.outsider, p.board_member, p.administrator):
        client = p.client_for(outsider)
        assert client.get(_points_url(audit)).status_code == 404
        edit = reverse("learning:point_edit", args=[audit.public_id, point.public_id])
        assert client.get(edit).status_code == 404


def test_a_point_is_found_only_under_its_own_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    other = make_audit(p, status=AuditStatus.SUBMITTED)
    point = point_in(audit)
    edit = reverse("learning:point_edit", args=[other.public_id, point.public_id])
    assert p.client_for(p.auditor).get(edit).status_code == 404


def test_reading_the_points_is_logged_as_a_read_of_the_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    point_in(audit)
    AccessLog.objects.all().delete()
    p.client_for(p.practitioner).get(_points_url(audit))
    assert list(AccessLog.objects.values_list("target_type", "target_id", "purpose")) == [
        ("audits.audit", str(audit.public_id), "learning points")
    ]


def test_someone_who_reads_a_point_but_did_not_mark_it_may_not_change_it(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    point = point_in(audit)
    client = p.client_for(p.moderator)
    edit = reverse("learning:point_edit", args=[audit.public_id, point.public_id])
    remove = reverse("learning:point_remove", args=[audit.public_id, point.public_id])
    assert client.get(edit).status_code == 403
    assert client.post(remove).status_code == 403
    assert LearningPoint.objects.filter(pk=point.pk).exists()


def test_the_author_removes_a_point_after_confirming(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    point = point_in(audit)
    client = p.client_for(p.auditor)
    remove = reverse("learning:point_remove", args=[audit.public_id, point.public_id])
    assert "Remove this learning point?" in client.get(remove).content.decode()
    assert client.post(remove).status_code == 302
    assert not LearningPoint.objects.exists()


def test_a_blind_moderator_sees_only_their_own_points_until_they_have_regraded(
    p: Personas,
) -> None:
    moderation = regrading(p)
    audit = moderation.audit
    point_in(audit, text="The auditor own point about the plan.")
    point_in(audit, text="The moderator point about supervision.", author=p.moderator)
    client = p.client_for(p.moderator)
    for url in (_points_url(audit), reverse("audits:detail", args=[audit.public_id])):
        body = client.get(url).content.decode()
        assert "The moderator point about supervision." in body
        assert "The auditor own point" not in body
    regraded(p, moderation=moderation)
    body = client.get(_points_url(audit)).content.decode()
    assert "The auditor own point about the plan." in body


def test_a_moderator_from_outside_the_line_marks_points_from_the_moderation(
    p: Personas,
) -> None:
    south_auditor = make_staff("southauditor", "Quinn South", Role.AUDITOR, p.south_a)
    moderation = regrading(p, moderator=south_auditor)
    audit = moderation.audit
    client = p.client_for(south_auditor)
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == 404
    moderation_page = client.get(
        reverse("assurance:moderation_detail", args=[moderation.public_id])
    ).content.decode()
    assert _points_url(audit) in moderation_page
    body = client.get(_points_url(audit)).content.decode()
    assert "Back to the moderation" in body
    response = client.post(
        reverse("learning:point_add", args=[audit.public_id]),
        {"kind": "good_practice", "question": "", "text": "Clear analysis.", "themes": []},
    )
    assert response.status_code == 302
    assert LearningPoint.objects.get().author == south_auditor


def test_the_add_page_is_refused_to_a_reader_who_may_not_mark_points(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.COMPLETED)
    url = reverse("learning:point_add", args=[audit.public_id])
    assert p.client_for(p.auditor).get(url).status_code == 403
    assert p.client_for(p.practitioner).get(url).status_code == 403
