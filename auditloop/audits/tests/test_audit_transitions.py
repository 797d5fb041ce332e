from __future__ import annotations

import itertools

import pytest

from auditloop.audits.models import AuditStatus
from auditloop.audits.rules import AUDIT_TRANSITIONS
from auditloop.audits.services.audits import _audit_transition
from auditloop.audits.tests.audit_factories import planned_audit
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas

ALLOWED = {
    (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS),
    (AuditStatus.IN_PROGRESS, AuditStatus.SUBMITTED),
    (AuditStatus.SUBMITTED, AuditStatus.COMPLETED),
    (AuditStatus.SUBMITTED, AuditStatus.IN_PROGRESS),
}
ALL_PAIRS = list(itertools.product(AuditStatus.values, repeat=2))


def test_the_transition_table_is_exactly_the_status_machine() -> None:
    table = {(a, b) for a, targets in AUDIT_TRANSITIONS.items() for b in targets}
    assert table == ALLOWED
    assert set(AUDIT_TRANSITIONS) == set(AuditStatus.values)


@pytest.mark.parametrize(("start", "to"), [pair for pair in ALL_PAIRS if pair not in ALLOWED])
def test_every_other_move_is_refused_with_a_clear_message(p: Personas, start: str, to: str) -> None:
    audit = planned_audit(p)
    audit.status = start
    audit.save()
    events_before = Event.objects.count()
    with pytest.raises(Refused) as refused:
        _audit_transition(audit, to, p.moderator, "audit.moved")
    start_words = str(AuditStatus(start).label).lower()
    assert str(refused.value).startswith(f"An audit that is {start_words} cannot be ")
    audit.refresh_from_db()
    assert audit.status == start
    assert Event.objects.count() == events_before


@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_each_allowed_move_changes_the_status_and_writes_one_event(
    p: Personas, start: str, to: str
) -> None:
    audit = planned_audit(p)
    audit.status = start
    audit.save()
    events_before = Event.objects.count()
    _audit_transition(audit, to, p.moderator, "audit.moved")
    audit.refresh_from_db()
    assert audit.status == to
    assert Event.objects.count() == events_before + 1
    event = Event.objects.first()
    assert event is not None
    assert (event.verb, event.before, event.after) == (
        "audit.moved",
        {"status": start},
        {"status": to},
    )


def test_the_refusal_names_the_move_in_plain_english(p: Personas) -> None:
    audit = planned_audit(p)
    audit.status = AuditStatus.COMPLETED
    audit.save()
    with pytest.raises(Refused) as refused:
        _audit_transition(audit, AuditStatus.SUBMITTED, None, "audit.submitted")
    assert str(refused.value) == "An audit that is completed cannot be submitted."
