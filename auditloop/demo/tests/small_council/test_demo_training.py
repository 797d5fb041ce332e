"""The demo council's training history: rules, needs with their decisions, events with who
attended, and an event whose impact page has real numbers."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.demo.tests.small_council import TODAY
from auditloop.learning.models import (
    TrainingEvent,
    TrainingNeed,
    TrainingNeedStatus,
    TrainingRule,
)
from auditloop.learning.rules.training_impact import impact_compare
from auditloop.learning.selectors.training import impact_data
from auditloop.sampling.models import Cycle

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_issues_example_rules_and_one_switched_off(small: None) -> None:
    rules = {r.name: r for r in TrainingRule.objects.all()}
    voice = rules["Voice of the child: Requires improvement or worse in more than 30%"]
    assert (voice.grade_value, voice.percent, voice.question.code) == (2, 30, "D1")  # type: ignore[union-attr]
    assert rules["Any theme in more than 3 audits"].count == 3
    assert [r.name for r in rules.values() if not r.is_active] == [
        "Management oversight: Requires improvement or worse in more than 50%"
    ]


def test_needs_are_raised_for_the_past_cycle_only_with_some_planned_met_and_dismissed(
    small: None,
) -> None:
    latest = Cycle.objects.order_by("-starts_on").first()
    needs = TrainingNeed.objects.all()
    assert needs.exists() and not needs.filter(cycle=latest).exists()
    statuses = set(needs.values_list("status", flat=True))
    assert statuses == {
        TrainingNeedStatus.OPEN,
        TrainingNeedStatus.PLANNED,
        TrainingNeedStatus.MET,
        TrainingNeedStatus.DISMISSED,
    }
    for need in needs.exclude(status=TrainingNeedStatus.OPEN):
        assert need.decided_at is not None and need.decided_at >= need.raised_at
        assert need.events.exists() or need.status == TrainingNeedStatus.DISMISSED
    # Each need's evidence is what the rule saw, at or past its threshold.
    for need in needs:
        e = need.evidence
        if e["kind"] == "domain_share":
            assert 100 * e["low"] > e["percent"] * e["graded"]
            assert e["graded"] >= e["minimum"]
        else:
            assert e["with_theme"] > e["count"] and e["audits"] >= e["minimum"]


def test_the_refresher_has_attendance_and_an_impact_page_with_real_numbers(small: None) -> None:
    event = TrainingEvent.objects.get(title="Practice standards refresher")
    assert event.attendance.count() >= 50
    data = impact_data(event, today=TODAY)
    impact = impact_compare(data.attendees, data.others, places=len(data.labels), threshold=5)
    # Both groups are large enough to show, and so is the comparison.
    periods = [g for f in (impact.attendees, impact.others) for g in (f.before, f.after)]
    assert all(p.audits is not None and p.audits >= 40 for p in periods)
    assert not impact.too_few
    assert impact.difference is not None and impact.difference_interval is not None
    lead = StaffMember.objects.get(user__username="moderator")
    assert lead.user is not None
    client = Client()
    client.force_login(lead.user)
    page = client.get(reverse("learning:training_impact", args=[event.public_id]))
    assert page.status_code == 200
    assert "observational comparison, not proof" in page.content.decode()
