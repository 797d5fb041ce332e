"""Drawing a cycle's moderation sample: what it considers, what it chooses and why, what it
stores, and drawing again later."""

from __future__ import annotations

import pytest

from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationSample,
    ModerationStatus,
)
from auditloop.assurance.rules.moderation_samples import random_share_draw
from auditloop.assurance.services.moderation_samples import (
    moderation_request_create,
    moderation_sample_draw,
)
from auditloop.assurance.tests.moderation_sample_factories import (
    cycle_audit,
    moderation_of,
    north_cycle,
)
from auditloop.audits.models import AuditStatus, AuditType
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def _reasons(sample: ModerationSample) -> dict[int, str]:
    return dict(sample.moderations.values_list("audit_id", "reason"))


def test_every_inadequate_and_outstanding_audit_is_chosen_with_its_reason(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    inadequate = cycle_audit(p, cycle, grade_code="inadequate")
    outstanding = cycle_audit(p, cycle, grade_code="outstanding", status=AuditStatus.COMPLETED)
    good = cycle_audit(p, cycle, grade_code="good")
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=7)
    assert _reasons(sample) == {
        inadequate.pk: ModerationReason.INADEQUATE,
        outstanding.pk: ModerationReason.OUTSTANDING,
    }
    assert sorted(sample.population_ids) == sorted([inadequate.pk, outstanding.pk, good.pk])
    assert (sample.seed, sample.percent, sample.population_size) == (7, 0, 3)
    assert set(sample.moderations.values_list("status", flat=True)) == {ModerationStatus.UNASSIGNED}


def test_the_random_share_is_the_cycles_percent_of_the_rest_rounded_up(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=15)
    rest = [cycle_audit(p, cycle, grade_code="good").pk for _ in range(10)]
    cycle_audit(p, cycle, grade_code="inadequate")
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=42)
    drawn = [a for a, r in _reasons(sample).items() if r == ModerationReason.RANDOM]
    # 15% of 10 is 1.5: two are drawn.
    assert len(drawn) == 2
    assert set(drawn) <= set(rest)
    assert set(drawn) == set(random_share_draw(rest=rest, percent=15, seed=42))


def test_drafts_calibration_audits_and_audits_already_moderated_are_not_considered(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=100)
    considered = cycle_audit(p, cycle)
    cycle_audit(p, cycle, status=AuditStatus.IN_PROGRESS)
    cycle_audit(p, cycle, status=AuditStatus.PLANNED, grade_code=None)
    cycle_audit(p, cycle, audit_type=AuditType.CALIBRATION, grade_code="inadequate")
    moderation_of(cycle_audit(p, cycle, grade_code="inadequate"))
    cycle_audit(p, None, grade_code="inadequate")  # in no cycle
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=1)
    assert sample.population_ids == [considered.pk]
    assert _reasons(sample) == {considered.pk: ModerationReason.RANDOM}


def test_an_audit_asked_for_is_chosen_with_the_askers_reason_and_the_request_taken(
    p: Personas,
) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    audit = cycle_audit(p, cycle, grade_code="good")
    request = moderation_request_create(
        audit=audit, by=p.team_manager, reason="The grade does not fit the chronology."
    )
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=3)
    moderation = Moderation.objects.get(sample=sample)
    assert (moderation.audit, moderation.reason, moderation.request) == (
        audit,
        ModerationReason.REQUESTED,
        request,
    )
    assert moderation.request is not None
    assert moderation.request.reason == "The grade does not fit the chronology."
    request.refresh_from_db()
    assert request.status == ModerationRequestStatus.TAKEN


def test_a_request_waits_while_its_audit_is_back_with_its_auditor(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    audit = cycle_audit(p, cycle, grade_code="good")
    request = moderation_request_create(audit=audit, by=p.auditor, reason="A second look, please.")
    audit.status = AuditStatus.IN_PROGRESS
    audit.save(update_fields=["status"])
    cycle_audit(p, cycle, grade_code="inadequate")
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=3)
    assert audit.pk not in _reasons(sample)
    request.refresh_from_db()
    assert request.status == ModerationRequestStatus.WAITING


def test_drawing_again_later_takes_only_audits_submitted_since(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=50)
    first_audits = [cycle_audit(p, cycle).pk for _ in range(4)]
    first = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=5)
    assert sorted(first.population_ids) == sorted(first_audits)
    later = [cycle_audit(p, cycle).pk, cycle_audit(p, cycle, grade_code="inadequate").pk]
    second = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=5)
    assert sorted(second.population_ids) == sorted(later)
    assert set(_reasons(second)) <= set(later)
    assert Moderation.objects.filter(audit_id=later[1], sample=second).exists()


def test_a_draw_with_nothing_new_to_consider_is_refused_and_stores_nothing(p: Personas) -> None:
    cycle = north_cycle(p)
    cycle_audit(p, cycle)
    moderation_sample_draw(cycle=cycle, by=p.moderator, seed=5)
    with pytest.raises(Refused, match="nothing to moderate"):
        moderation_sample_draw(cycle=cycle, by=p.moderator, seed=6)
    assert ModerationSample.objects.count() == 1


def test_only_an_audit_lead_who_plans_the_cycle_draws_its_moderation_sample(p: Personas) -> None:
    cycle = north_cycle(p)
    cycle_audit(p, cycle, grade_code="inadequate")
    for staff in (p.senior_leader, p.auditor, p.team_manager):
        with pytest.raises(Refused, match="audit lead"):
            moderation_sample_draw(cycle=cycle, by=staff, seed=1)
    assert not ModerationSample.objects.exists()


def test_a_seed_out_of_range_is_refused_on_its_field(p: Personas) -> None:
    cycle = north_cycle(p)
    cycle_audit(p, cycle)
    with pytest.raises(Refused) as refused:
        moderation_sample_draw(cycle=cycle, by=p.moderator, seed=-1)
    assert refused.value.field == "seed"


def test_a_draw_writes_one_event_with_the_seed_and_counts_and_no_content(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=0)
    cycle_audit(p, cycle, grade_code="inadequate")
    audit = cycle_audit(p, cycle)
    moderation_request_create(audit=audit, by=p.auditor, reason="A second look, please.")
    before = Event.objects.count()
    sample = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=11)
    assert Event.objects.count() == before + 1
    event = Event.objects.get(verb="moderation_sample.drawn")
    assert event.target_id == str(sample.public_id)
    assert event.after["seed"] == 11
    assert event.after["population"] == 2
    assert event.after["reasons"]["inadequate"] == 1
    assert event.after["reasons"]["requested"] == 1
    assert event.after["requests_taken"] == 1
    assert "second look" not in str(event.after) + event.summary


def test_the_same_seed_and_audits_choose_the_same_sample_when_drawn_again(p: Personas) -> None:
    """A sample drawn, undone and drawn again from the same audits with the same seed."""
    cycle = north_cycle(p, moderation_percent=30)
    for code in ["good"] * 12 + ["requires_improvement"] * 8 + ["inadequate"]:
        cycle_audit(p, cycle, grade_code=code)
    first = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=2026)
    chosen = _reasons(first)
    first.moderations.all().delete()
    first.delete()
    again = moderation_sample_draw(cycle=cycle, by=p.moderator, seed=2026)
    assert _reasons(again) == chosen
    assert ModerationRequest.objects.count() == 0
