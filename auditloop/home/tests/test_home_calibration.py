"""The home page leaves calibration audits out of every list and count that judges practice
(feedback waiting, the team's submitted audits, audits awaiting completion, the senior leader's
counts by team); the auditor still finds their own among their work."""

from __future__ import annotations

import pytest
from django.utils import timezone

from auditloop.assurance.tests.calibration_factories import (
    answer_and_submit,
    entry_of,
    set_exercise,
)
from auditloop.audits.models import Audit
from auditloop.home.selectors import home_work_for, team_counts_for
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_home_page_counts_and_lists_leave_calibration_audits_out(p: Personas) -> None:
    exercise = set_exercise(p, [p.auditor, p.senior_leader])
    for audit in Audit.objects.filter(calibration_entry__exercise=exercise):
        answer_and_submit(audit)
    lead = home_work_for(p.moderator)
    assert lead.awaiting_completion is not None and lead.awaiting_completion.total == 0
    manager = home_work_for(p.team_manager)
    assert manager.team_submitted is not None and manager.team_submitted.total == 0
    assert manager.awaiting_reply is not None and manager.awaiting_reply.total == 0
    practitioner = home_work_for(p.practitioner)
    assert practitioner.awaiting_reply is not None and practitioner.awaiting_reply.total == 0
    counts = {c.team.pk: c for c in team_counts_for(p.senior_leader, today=timezone.localdate())}
    assert counts[p.north_a.pk].awaiting_completion == 0
    assert counts[p.north_a.pk].in_progress == 0


def test_an_auditor_still_finds_their_calibration_audit_among_their_work(p: Personas) -> None:
    exercise = set_exercise(p)
    mine = home_work_for(p.auditor)
    assert mine.assigned is not None
    assert [a.pk for a in mine.assigned.rows] == [entry_of(exercise, p.auditor).pk]
