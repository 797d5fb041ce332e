"""The demo council's targets: no more than 10% Inadequate and at least 40% Good or better,
council-wide, set by the demo audit lead through the product's service."""

from __future__ import annotations

import pytest

from auditloop.core.models import Event
from auditloop.reports.models import Target, TargetMeasure

pytestmark = pytest.mark.django_db


def test_the_demo_council_sets_its_council_wide_targets(small: None) -> None:
    targets = {
        (t.measure, t.percent, t.service_id, t.set_by.user.username)  # type: ignore[union-attr]
        for t in Target.objects.select_related("set_by__user")
    }
    assert targets == {
        (TargetMeasure.INADEQUATE_AT_MOST, 10, None, "moderator"),
        (TargetMeasure.GOOD_AT_LEAST, 40, None, "moderator"),
    }
    assert Event.objects.filter(verb="target.set").count() == 2
