"""Setting a calibration exercise: who may, for which case and auditors, and what each auditor
gets."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.assurance.models import CalibrationExercise
from auditloop.assurance.services.calibration import calibration_set
from auditloop.assurance.tests.calibration_factories import second_auditor, set_exercise
from auditloop.audits.models import Audit, AuditStatus, AuditType, ToolVersion
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db


def _set(p: Personas, **changes: object) -> CalibrationExercise:
    args: dict[str, object] = {
        "by": p.moderator,
        "case": p.case,
        "tool_version": p.quality_tool,
        "title": "Spring calibration",
        "due_date": timezone.localdate() + datetime.timedelta(days=14),
        "auditors": [p.auditor, p.senior_leader],
    }
    args.update(changes)
    return calibration_set(**args)  # type: ignore[arg-type]


def test_a_lead_sets_an_exercise_giving_each_auditor_a_calibration_audit(p: Personas) -> None:
    other = second_auditor(p)
    exercise = set_exercise(p, [p.auditor, other, p.moderator])
    audits = Audit.objects.filter(calibration_entry__exercise=exercise)
    assert {a.auditor for a in audits} == {p.auditor, other, p.moderator}
    for audit in audits:
        assert audit.audit_type == AuditType.CALIBRATION
        assert audit.status == AuditStatus.PLANNED
        assert audit.case == p.case
        assert audit.tool_version == p.quality_tool
        assert audit.due_date == exercise.due_date
    event = Event.objects.get(verb="calibration.set")
    assert event.target_id == str(exercise.public_id)
    assert "title" in event.content_changed
    assert "Spring calibration" not in str(event.after)


def test_each_auditor_is_told_but_not_the_practitioner_and_never_the_childs_id(
    p: Personas,
) -> None:
    other = second_auditor(p)
    set_exercise(p, [p.auditor, other, p.moderator])
    told = set(Notification.objects.values_list("recipient__staff__name", flat=True))
    # The lead who set it, and chose themself, needs no telling.
    assert told == {p.auditor.name, other.name}
    assert not Notification.objects.filter(message__contains=p.case.la_child_id).exists()


def test_the_same_auditor_chosen_twice_counts_once(p: Personas) -> None:
    with pytest.raises(Refused, match="two or more auditors") as refused:
        _set(p, auditors=[p.auditor, p.auditor])
    assert refused.value.field == "auditors"


def test_an_exercise_needs_two_or_more_auditors(p: Personas) -> None:
    with pytest.raises(Refused, match="two or more auditors"):
        _set(p, auditors=[p.auditor])
    assert not CalibrationExercise.objects.exists()


def test_an_auditor_who_manages_the_case_is_refused_and_nothing_is_written(p: Personas) -> None:
    with pytest.raises(Refused, match="holds or manages this case") as refused:
        _set(p, auditors=[p.auditor, p.team_manager])
    assert refused.value.field == "auditors"
    assert not Audit.objects.exists()
    assert not CalibrationExercise.objects.exists()


def test_an_auditor_who_has_left_is_refused(p: Personas) -> None:
    gone = make_staff("gone", "Gill Gone", Role.AUDITOR, p.north_b)
    gone.is_active = False
    gone.save()
    with pytest.raises(Refused, match="no longer an active member of staff"):
        _set(p, auditors=[p.auditor, gone])


def test_someone_whose_role_cannot_audit_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="cannot be given audits"):
        _set(p, auditors=[p.auditor, p.outsider])


def test_a_tool_version_not_yet_published_is_refused(p: Personas) -> None:
    draft = ToolVersion.objects.create(
        tool=p.quality_tool.tool, number=99, grading_scale=p.quality_tool.grading_scale
    )
    with pytest.raises(Refused, match="not published yet"):
        _set(p, tool_version=draft)


def test_a_due_date_in_the_past_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="today or in the future") as refused:
        _set(p, due_date=timezone.localdate() - datetime.timedelta(days=1))
    assert refused.value.field == "due_date"


def test_a_title_holding_the_childs_id_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="Leave the child's ID out of the title"):
        _set(p, title=f"Calibration on {p.case.la_child_id.lower()}")


def test_a_title_merely_containing_the_digits_of_the_childs_id_is_accepted(p: Personas) -> None:
    exercise = _set(p, title=f"Calibration batch X{p.case.la_child_id}9")
    assert exercise.title.startswith("Calibration batch")


def test_only_an_audit_lead_sets_an_exercise(p: Personas) -> None:
    for who in (p.senior_leader, p.team_manager, p.auditor):
        with pytest.raises(Refused, match="Only an audit lead"):
            _set(p, by=who)


def test_a_case_outside_the_leads_services_is_refused(p: Personas) -> None:
    with pytest.raises(Refused, match="one of the services you oversee"):
        _set(p, case=p.outsider_case, auditors=[p.auditor, p.moderator])
