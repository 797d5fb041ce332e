"""The API lists calibration audits only when asked for by type, as the audit list page does:
each is an exercise, not a judgement on practice, and counts in no figure a BI tool draws."""

from __future__ import annotations

import pytest
from django.test import Client

from auditloop.api.services import api_token_create
from auditloop.assurance.tests.calibration_factories import (
    answer_and_submit,
    entry_of,
    set_exercise,
)
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def test_the_api_leaves_calibration_audits_out_unless_asked_for(p: Personas) -> None:
    ordinary = answer_fully(planned_audit(p))
    exercise = set_exercise(p, [p.auditor, p.senior_leader])
    calibration = answer_and_submit(entry_of(exercise, p.auditor))
    _, key = api_token_create(by=p.moderator, name="BI")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    body = api.get("/api/v1/audits").json()
    assert body["count"] == 1
    assert [i["id"] for i in body["items"]] == [str(ordinary.public_id)]
    asked = api.get("/api/v1/audits?audit_type=calibration").json()
    assert str(calibration.public_id) in {i["id"] for i in asked["items"]}
