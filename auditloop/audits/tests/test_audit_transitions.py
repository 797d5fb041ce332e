from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

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


def test_a_refused_move_without_a_name_of_its_own_says_where_it_was_going(p: Personas) -> None:
    audit = planned_audit(p)
    with pytest.raises(Refused) as refused:
        _audit_transition(audit, AuditStatus.COMPLETED, None, "audit.moved")
    assert str(refused.value) == "An audit that is planned cannot be moved to completed."


# Each move stamps its own moment and no other; a return to work keeps when it first started.
STAMPS: dict[tuple[str, str], str | None] = {
    (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS): "started_at",
    (AuditStatus.IN_PROGRESS, AuditStatus.SUBMITTED): "submitted_at",
    (AuditStatus.SUBMITTED, AuditStatus.COMPLETED): "completed_at",
    (AuditStatus.SUBMITTED, AuditStatus.IN_PROGRESS): None,
}
EARLIER = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(("start", "to"), sorted(ALLOWED))
def test_each_move_stamps_its_own_time_and_leaves_the_others(
    p: Personas, start: str, to: str
) -> None:
    audit = planned_audit(p)
    audit.status = start
    # Earlier moves' stamps, as they would be by now (none yet for a planned audit).
    earlier = {
        "started_at": EARLIER if start != AuditStatus.PLANNED else None,
        "submitted_at": EARLIER if start == AuditStatus.SUBMITTED else None,
        "completed_at": None,
    }
    for field, value in earlier.items():
        setattr(audit, field, value)
    audit.save()
    before = timezone.now()
    _audit_transition(audit, to, p.moderator, "audit.moved")
    after = timezone.now()
    audit.refresh_from_db()
    stamped = STAMPS[start, to]
    for field, value in earlier.items():
        if field == stamped:
            moment = getattr(audit, field)
            assert moment is not None, field
            assert before <= moment <= after, field
        else:
            assert getattr(audit, field) == value, field


def test_a_move_writes_only_the_status_and_its_stamp(p: Personas) -> None:
    audit = planned_audit(p)
    # An edit held in memory, never saved: the move must not write it behind the editor's back.
    audit.strengths = "Not saved."
    _audit_transition(audit, AuditStatus.IN_PROGRESS, p.moderator, "audit.started")
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.strengths == ""


@pytest.mark.parametrize(
    ("verb", "summary"),
    [
        ("audit.started", "Audit started"),
        ("audit.submitted", "Audit submitted"),
        ("audit.returned", "Audit returned"),
        ("audit.completed", "Audit completed"),
        ("audit.moved", "Audit moved"),
    ],
)
def test_the_event_names_who_moved_the_audit_and_the_move(
    p: Personas, verb: str, summary: str
) -> None:
    audit = planned_audit(p)
    _audit_transition(audit, AuditStatus.IN_PROGRESS, p.moderator, verb)
    event = Event.objects.filter(target_id=str(audit.public_id)).latest("id")
    assert (event.actor, event.verb, event.summary) == (p.moderator.user, verb, summary)
