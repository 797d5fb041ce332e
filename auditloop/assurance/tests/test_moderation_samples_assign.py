"""Giving a moderation its moderator: only someone independent of the audit and its case, chosen
by an audit lead over its service, who is told at once; changed while they still regrade."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.models import Moderation, ModerationStatus, ModeratorGrade
from auditloop.assurance.services.moderation_samples import moderation_moderator_assign
from auditloop.assurance.tests.moderation_sample_factories import (
    cycle_audit,
    grade,
    moderation_of,
    north_cycle,
)
from auditloop.audits.models import Question, QuestionKind
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff


def _moderation(
    p: Personas, *, status: str = ModerationStatus.UNASSIGNED, moderator: StaffMember | None = None
) -> Moderation:
    """A moderation of a submitted audit of the practitioner's case (North A) by the auditor."""
    return moderation_of(cycle_audit(p, north_cycle(p)), status=status, moderator=moderator)


def _ash(p: Personas) -> StaffMember:
    """Another auditor, in North B: independent of the practitioner's case."""
    return make_staff("auditor2", "Ash Second Auditor", Role.AUDITOR, p.north_b)


def test_a_lead_gives_the_moderation_a_moderator_and_regrading_begins(p: Personas) -> None:
    moderation = _moderation(p)
    moderation_moderator_assign(moderation=moderation, moderator=p.senior_leader, by=p.moderator)
    moderation.refresh_from_db()
    assert moderation.moderator == p.senior_leader
    assert moderation.status == ModerationStatus.REGRADING
    assert moderation.assigned_at is not None
    event = Event.objects.get(verb="moderation.moderator_given")
    assert event.before == {"status": "unassigned", "moderator": None}
    assert event.after["moderator"] == "Lee Leader"


def test_the_moderator_is_told_in_auditloop_and_by_email_without_the_childs_id(
    p: Personas,
) -> None:
    moderation, ash = _moderation(p), _ash(p)
    with TestCase.captureOnCommitCallbacks(execute=True):
        moderation_moderator_assign(moderation=moderation, moderator=ash, by=p.moderator)
    note = Notification.objects.get(recipient=ash.user)
    assert "moderate a dip sample audit of a case in North A" in note.message
    assert p.case.la_child_id not in note.message + note.url
    [email] = mail.outbox
    assert email.to == [ash.email]
    assert email.subject == "An audit for you to moderate"
    assert p.case.la_child_id not in email.subject + email.body


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("auditor", "Alex Auditor wrote this audit"),
        ("practitioner", "Pat Practitioner cannot moderate"),
        ("team_manager", "Mary Manager holds or manages this child's case"),
        ("board_member", "Bo Board cannot moderate"),
    ],
)
def test_nobody_moderates_an_audit_they_wrote_or_a_case_they_hold_or_manage(
    p: Personas, who: str, message: str
) -> None:
    moderation = _moderation(p)
    with pytest.raises(Refused, match=message) as refused:
        moderation_moderator_assign(
            moderation=moderation, moderator=getattr(p, who), by=p.moderator
        )
    assert refused.value.field == "moderator"
    moderation.refresh_from_db()
    assert (moderation.moderator, moderation.status) == (None, ModerationStatus.UNASSIGNED)


def test_the_practitioners_own_manager_cannot_moderate_even_from_another_team(
    p: Personas,
) -> None:
    # The case's worker is line-managed by someone outside its team: still not independent.
    ash = _ash(p)
    p.practitioner.manager = ash
    p.practitioner.save(update_fields=["manager"])
    moderation = _moderation(p)
    with pytest.raises(Refused, match="holds or manages"):
        moderation_moderator_assign(moderation=moderation, moderator=ash, by=p.moderator)


def _case_moves_to_south(p: Personas) -> None:
    """The practitioner's case moves to South A, to be held by the outsider: the audit keeps
    the practitioner and team whose work it judged."""
    p.case.allocated_team, p.case.allocated_worker = p.south_a, p.outsider
    p.case.save(update_fields=["allocated_team", "allocated_worker"])


def test_the_manager_of_the_work_audited_cannot_moderate_it_once_the_case_has_moved(
    p: Personas,
) -> None:
    """Independence is judged against the audit as it was too: Mary Manager managed the
    practitioner whose work was audited, wherever the case is now."""
    moderation = _moderation(p)
    _case_moves_to_south(p)
    with pytest.raises(Refused, match="held or managed it when it was audited") as refused:
        moderation_moderator_assign(moderation=moderation, moderator=p.team_manager, by=p.moderator)
    assert refused.value.field == "moderator"
    moderation.refresh_from_db()
    assert moderation.moderator is None


def test_someone_who_has_left_cannot_moderate(p: Personas) -> None:
    ash = _ash(p)
    ash.is_active = False
    ash.save(update_fields=["is_active"])
    with pytest.raises(Refused, match="has left"):
        moderation_moderator_assign(moderation=_moderation(p), moderator=ash, by=p.moderator)


def test_only_a_lead_over_the_service_gives_a_moderator_and_never_for_their_own_audit(
    p: Personas,
) -> None:
    moderation, ash = _moderation(p), _ash(p)
    south_lead = make_staff("southlead", "Sol South Lead", Role.MODERATOR, services=[p.south])
    for staff in (south_lead, p.senior_leader, p.team_manager):
        with pytest.raises(Refused, match="audit lead over the audit's service"):
            moderation_moderator_assign(moderation=moderation, moderator=ash, by=staff)
    own = moderation_of(cycle_audit(p, None, auditor=p.moderator))
    with pytest.raises(Refused, match="never for an audit they wrote"):
        moderation_moderator_assign(moderation=own, moderator=p.senior_leader, by=p.moderator)


def test_a_lead_changes_the_moderator_while_regrading_and_the_unfinished_grades_go(
    p: Personas,
) -> None:
    moderation = _moderation(p, status=ModerationStatus.REGRADING, moderator=p.senior_leader)
    question = Question.objects.filter(kind=QuestionKind.GRADED).first()
    assert question is not None
    ModeratorGrade.objects.create(moderation=moderation, question=question, grade=grade(p, "good"))
    ash = _ash(p)
    moderation_moderator_assign(moderation=moderation, moderator=ash, by=p.moderator)
    moderation.refresh_from_db()
    assert moderation.moderator == ash
    assert moderation.status == ModerationStatus.REGRADING
    assert not ModeratorGrade.objects.filter(moderation=moderation).exists()
    event = Event.objects.get(verb="moderation.moderator_changed")
    assert event.before["moderator"] == "Lee Leader"
    assert event.after["unfinished_grades_discarded"] == 1
    told = Notification.objects.get(recipient=p.senior_leader.user)
    assert "you no longer moderate it" in told.message


@pytest.mark.parametrize(
    "status",
    [
        ModerationStatus.AGREEING,
        ModerationStatus.AGREED,
        ModerationStatus.ESCALATED,
        ModerationStatus.DECIDED,
    ],
)
def test_the_moderator_cannot_be_changed_once_they_have_given_their_grades(
    p: Personas, status: str
) -> None:
    moderation = _moderation(p, status=status, moderator=p.senior_leader)
    with pytest.raises(Refused, match="can no longer be changed"):
        moderation_moderator_assign(moderation=moderation, moderator=_ash(p), by=p.moderator)


def test_giving_the_same_moderator_again_is_refused(p: Personas) -> None:
    moderation = _moderation(p, status=ModerationStatus.REGRADING, moderator=p.senior_leader)
    with pytest.raises(Refused, match="already the moderator"):
        moderation_moderator_assign(
            moderation=moderation, moderator=p.senior_leader, by=p.moderator
        )


# The page -------------------------------------------------------------------------------------


def _offered(html: str) -> set[str]:
    select = re.search(r'<select[^>]*name="moderator".*?</select>', html, re.S)
    assert select is not None
    return set(re.findall(r"<option value=\"[0-9a-f-]+\"[^>]*>([^(<]+) \(", select.group(0)))


def test_the_form_offers_only_those_who_may_moderate_the_audit(p: Personas) -> None:
    moderation = _moderation(p)
    _ash(p)
    url = reverse("assurance:moderation_assign", args=[moderation.public_id])
    offered = _offered(p.client_for(p.moderator).get(url).content.decode())
    # Not the auditor who wrote it, nor the team manager who manages the case, nor anyone who
    # does not audit.
    assert offered == {"Ash Second Auditor", "Lee Leader", "Morgan Moderator"}


def test_the_form_does_not_offer_the_manager_of_the_work_audited_once_the_case_has_moved(
    p: Personas,
) -> None:
    moderation = _moderation(p)
    _case_moves_to_south(p)
    url = reverse("assurance:moderation_assign", args=[moderation.public_id])
    offered = _offered(p.client_for(p.moderator).get(url).content.decode())
    assert offered == {"Lee Leader", "Morgan Moderator"}


def test_the_page_gives_the_moderator_and_goes_back_to_the_cycles_moderation(
    p: Personas,
) -> None:
    moderation, ash = _moderation(p), _ash(p)
    url = reverse("assurance:moderation_assign", args=[moderation.public_id])
    response = p.client_for(p.moderator).post(url, {"moderator": str(ash.public_id)})
    assert response.status_code == 302
    cycle = moderation.audit.cycle_link.cycle
    assert response["Location"] == reverse("assurance:moderation_cycle", args=[cycle.public_id])
    moderation.refresh_from_db()
    assert moderation.moderator == ash


def test_someone_not_offered_is_refused_on_the_form_with_the_reason(p: Personas) -> None:
    moderation = _moderation(p)
    url = reverse("assurance:moderation_assign", args=[moderation.public_id])
    response = p.client_for(p.moderator).post(url, {"moderator": str(p.team_manager.public_id)})
    assert response.status_code == 200
    assert "Mary Manager holds or manages this child&#x27;s case" in response.content.decode()
    moderation.refresh_from_db()
    assert moderation.moderator is None


def test_the_page_is_for_the_audit_leads_over_the_service(p: Personas) -> None:
    moderation = _moderation(p)
    url = reverse("assurance:moderation_assign", args=[moderation.public_id])
    south_lead = make_staff("southlead", "Sol South Lead", Role.MODERATOR, services=[p.south])
    assert p.client_for(south_lead).get(url).status_code == 404
    for staff in (p.auditor, p.team_manager, p.senior_leader, p.practitioner):
        assert p.client_for(staff).get(url).status_code == 403
    own = moderation_of(cycle_audit(p, None, auditor=p.moderator))
    own_url = reverse("assurance:moderation_assign", args=[own.public_id])
    assert p.client_for(p.moderator).get(own_url).status_code == 403


def test_once_the_moderator_has_graded_the_page_says_why_it_cannot_change(p: Personas) -> None:
    moderation = _moderation(p, status=ModerationStatus.AGREEING, moderator=p.senior_leader)
    url = reverse("assurance:moderation_assign", args=[moderation.public_id])
    page = p.client_for(p.moderator).get(url).content.decode()
    assert "can no longer be changed" in page
    assert 'name="moderator"' not in page
    assert p.client_for(p.moderator).post(url, {"moderator": "x"}).status_code == 403
