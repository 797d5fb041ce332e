"""A partner agency auditor's audit is moderated at the audit group's multi-agency meeting, not
in the blind moderation sample (whose pages the partner cannot reach, so it would wait on them
for ever): the draw passes it over, nobody asks for it or adds it, and the lead records the
meeting."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.assurance.access.moderation_samples import (
    PARTNER_AUDIT_MODERATED_AT_MEETING,
    moderation_add_refusal,
)
from auditloop.assurance.models import MeetingKind, MeetingOutcome, Moderation
from auditloop.assurance.selectors.moderation_samples import moderation_population
from auditloop.assurance.services.meetings import ItemInput, meeting_record
from auditloop.assurance.services.moderation_samples import (
    NOTHING_TO_MODERATE,
    moderation_add,
    moderation_sample_draw,
)
from auditloop.assurance.tests.moderation_sample_factories import cycle_audit, north_cycle
from auditloop.audits.models import Audit, AuditStatus, AuditType
from auditloop.audits.services.partners import partner_audit_create
from auditloop.core.refusals import Refused
from auditloop.sampling.models import CycleAudit
from auditloop.testing import Personas

LAST_WEEK = timezone.localdate() - datetime.timedelta(days=7)


def submitted_partner_audit(p: Personas) -> Audit:
    lead_audit = cycle_audit(p, None, audit_type=AuditType.THEMATIC)
    given = partner_audit_create(
        audit=lead_audit,
        partner=p.partner,
        case_summary="What the police need to know",
        share_child_id=False,
        share_cohort=False,
        due_date=None,
        by=p.moderator,
    )
    Audit.objects.filter(pk=given.pk).update(
        status=AuditStatus.SUBMITTED, submitted_at=lead_audit.submitted_at
    )
    given.refresh_from_db()
    return given


def test_the_moderation_draw_passes_over_a_partners_audit(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=100)
    given = submitted_partner_audit(p)
    CycleAudit.objects.create(cycle=cycle, audit=given, planned_month=cycle.starts_on)
    ours = cycle_audit(p, cycle)
    assert [a.audit_id for a in moderation_population(cycle)] == [ours.pk]
    moderation_sample_draw(cycle=cycle, by=p.moderator, seed=1)
    assert not Moderation.objects.filter(audit=given).exists()
    assert Moderation.objects.filter(audit=ours).exists()


def test_a_draw_of_nothing_but_partners_audits_has_nothing_to_moderate(p: Personas) -> None:
    cycle = north_cycle(p, moderation_percent=100)
    given = submitted_partner_audit(p)
    CycleAudit.objects.create(cycle=cycle, audit=given, planned_month=cycle.starts_on)
    with pytest.raises(Refused) as refused:
        moderation_sample_draw(cycle=cycle, by=p.moderator, seed=1)
    assert refused.value.message == NOTHING_TO_MODERATE


def test_the_lead_cannot_add_a_partners_audit_to_blind_moderation(p: Personas) -> None:
    given = submitted_partner_audit(p)
    assert moderation_add_refusal(p.moderator, given) == PARTNER_AUDIT_MODERATED_AT_MEETING
    with pytest.raises(Refused, match="moderated at the audit group's multi-agency meeting"):
        moderation_add(audit=given, by=p.moderator, reason="A second view")
    assert not Moderation.objects.filter(audit=given).exists()
    client = p.client_for(p.moderator)
    page = client.get(reverse("audits:detail", args=[given.public_id])).content.decode()
    assert "not drawn for the blind moderation sample" in page
    assert reverse("assurance:moderation_add", args=[given.public_id]) not in page
    assert reverse("assurance:meeting_create") in page
    # Its add page, opened by hand, says why.
    refused = client.get(reverse("assurance:moderation_add", args=[given.public_id]))
    assert "moderated at the audit group&#x27;s multi-agency meeting" in refused.content.decode()


def test_the_lead_records_a_partners_audit_at_the_audit_groups_meeting(p: Personas) -> None:
    given = submitted_partner_audit(p)
    meeting = meeting_record(
        by=p.moderator,
        kind=MeetingKind.AUDIT_GROUP,
        service=None,
        held_on=LAST_WEEK,
        attendees=[p.moderator, p.partner],
        items=[ItemInput(audit=given, outcome=MeetingOutcome.GRADE_CONFIRMED)],
    )
    assert [i.audit for i in meeting.items.all()] == [given]


def test_managers_moderation_does_not_take_a_partners_audit(p: Personas) -> None:
    given = submitted_partner_audit(p)
    with pytest.raises(Refused, match="moderated at the audit group's multi-agency meeting"):
        meeting_record(
            by=p.team_manager,
            kind=MeetingKind.MANAGERS,
            service=p.north,
            held_on=LAST_WEEK,
            attendees=[p.team_manager],
            items=[ItemInput(audit=given, outcome=MeetingOutcome.GRADE_CONFIRMED)],
        )
