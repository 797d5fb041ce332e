"""The demo council's targets: no more than 10% Inadequate and at least 40% Good or better,
council-wide, set by the demo audit lead through the product's service."""

from __future__ import annotations

import datetime

import pytest

from auditloop.core.models import Event
from auditloop.demo.builder import demo_council_build
from auditloop.reports.models import Target, TargetMeasure

pytestmark = pytest.mark.django_db


def test_the_demo_council_sets_its_council_wide_targets() -> None:
    demo_council_build(size="small", seed=1, today=datetime.date(2026, 11, 26))
    targets = {
        (t.measure, t.percent, t.service_id, t.set_by.user.username)  # type: ignore[union-attr]
        for t in Target.objects.select_related("set_by__user")
    }
    assert targets == {
        (TargetMeasure.INADEQUATE_AT_MOST, 10, None, "moderator"),
        (TargetMeasure.GOOD_AT_LEAST, 40, None, "moderator"),
    }
    assert Event.objects.filter(verb="target.set").count() == 2
