"""The home page tells each person the moderation work waiting for them: the disagreements they
are to decide (by the one deciders rule), the agreed grades their moderator recorded for them to
confirm, and the audits given to them to moderate, each naming its child (logged)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.accounts.models import Role, StaffMember
from auditloop.assurance.models import Moderation
from auditloop.assurance.services.regrade import moderation_escalate
from auditloop.assurance.tests.moderation_sample_factories import (
    cycle_audit,
    moderation_of,
    north_cycle,
)
from auditloop.assurance.tests.regrade_factories import (
    agreement_recorded,
    regraded,
    regrading,
)
from auditloop.core.models import AccessLog, Notification
from auditloop.testing import Personas, make_staff

pytestmark = pytest.mark.django_db

DECIDE = "Moderation disagreements for you to decide"
CONFIRM = "Agreed grades for you to confirm"


def _home(p: Personas, staff: StaffMember) -> str:
    response = p.client_for(staff).get(reverse("home"))
    assert response.status_code == 200
    return str(response.content.decode())


def _escalated(p: Personas, moderation: Moderation | None = None) -> Moderation:
    return moderation_escalate(
        moderation=moderation or regraded(p), by=p.auditor, reason="I saw the plan improve."
    )


def _listed(staff: StaffMember) -> set[str]:
    return set(
        AccessLog.objects.filter(user=staff.user, purpose="moderation listed").values_list(
            "target_id", flat=True
        )
    )


def test_the_head_of_service_sees_the_disagreement_they_are_to_decide_and_was_told(
    p: Personas,
) -> None:
    moderation = _escalated(p)
    page = _home(p, p.senior_leader)
    assert DECIDE in page
    assert reverse("assurance:moderation_detail", args=[moderation.public_id]) in page
    assert p.case.la_child_id in page
    assert _listed(p.senior_leader) == {str(moderation.audit.public_id)}
    assert Notification.objects.filter(
        recipient=p.senior_leader.user, message__contains="cannot agree its grades"
    ).exists()


def test_nobody_else_sees_the_disagreement_on_their_home_page(p: Personas) -> None:
    _escalated(p)
    for someone in (p.moderator, p.auditor, p.team_manager, p.practitioner):
        assert DECIDE not in _home(p, someone), someone.name


def test_a_senior_leader_deciding_instead_of_a_head_who_is_part_of_it_sees_it(
    p: Personas,
) -> None:
    """The head of service moderates the audit, so is part of the disagreement: the senior
    leader over the service who is not part of it decides, and it is on their home page, not
    the head's."""
    director = make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north])
    moderation = _escalated(p, regraded(p, moderation=regrading(p, moderator=p.senior_leader)))
    page = _home(p, director)
    assert DECIDE in page
    assert reverse("assurance:moderation_detail", args=[moderation.public_id]) in page
    assert DECIDE not in _home(p, p.senior_leader)


def test_a_disagreement_not_yet_escalated_is_for_nobody_to_decide(p: Personas) -> None:
    regraded(p)
    assert DECIDE not in _home(p, p.senior_leader)


def test_the_auditor_sees_the_agreed_grades_they_are_to_confirm(p: Personas) -> None:
    moderation = agreement_recorded(p)
    page = _home(p, p.auditor)
    assert CONFIRM in page
    assert reverse("assurance:moderation_detail", args=[moderation.public_id]) in page
    assert _listed(p.auditor) == {str(moderation.audit.public_id)}
    # Not the moderator, who recorded them, and not before they are recorded.
    assert CONFIRM not in _home(p, p.moderator)


def test_grades_not_yet_recorded_are_not_for_the_auditor_to_confirm(p: Personas) -> None:
    regraded(p)
    assert CONFIRM not in _home(p, p.auditor)


def test_the_home_lists_ask_as_many_queries_for_one_disagreement_as_for_several(
    p: Personas,
) -> None:
    director = make_staff("director", "Dee Director", Role.SENIOR_LEADER, services=[p.north])
    # The head of service moderates them: the director decides instead.
    _escalated(p, regraded(p, moderation=regrading(p, moderator=p.senior_leader)))
    client = p.client_for(director)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("home"))
    for _ in range(3):
        _escalated(p, regraded(p, moderation=regrading(p, moderator=p.senior_leader)))
    with CaptureQueriesContext(connection) as several:
        page = client.get(reverse("home")).content.decode()
    assert f"{DECIDE} (4)" in page
    assert len(several) == len(one)


def test_a_moderator_from_outside_the_audits_line_is_told_which_child_each_audit_is_of(
    p: Personas,
) -> None:
    """The auditor moderates another's audit they may not otherwise read: they read its child
    on the moderation's page, so the home list names it (and logs that), with the audit's type,
    team and the date it was submitted."""
    audit = cycle_audit(p, north_cycle(p), auditor=p.team_manager)
    moderation_of(audit, status="regrading", moderator=p.auditor)
    page = _home(p, p.auditor)
    assert "Audits waiting for you to moderate" in page
    assert p.case.la_child_id in page
    assert "Dip sample audit, submitted" in page
    assert audit.team is not None and audit.team.name in page
    assert str(audit.public_id) in _listed(p.auditor)


def test_the_moderators_own_list_names_each_child_too(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p), auditor=p.team_manager)
    moderation_of(audit, status="regrading", moderator=p.auditor)
    page = p.client_for(p.auditor).get(reverse("assurance:moderation_mine")).content.decode()
    assert p.case.la_child_id in page
    assert str(audit.public_id) in _listed(p.auditor)
