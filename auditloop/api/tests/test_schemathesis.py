"""Schemathesis against the API's own OpenAPI schema, every endpoint, as an audit lead with a
working token on a council with audits, actions, a cycle with figures and issued reviews: no
answer is a server error, and every answer (a refusal too) is one the schema declares, with
the body its schema describes.

Kept to well under a minute: a few examples an operation, generated the same way every run
(derandomized) so that a failure here fails again on the next run.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings

from auditloop.api.api import api
from auditloop.api.services import api_token_create
from auditloop.api.tests.dashboard_factories import (
    cycle_of,
    graded_audits,
    review_issued,
)
from auditloop.audits.tests.followup_factories import make_action, make_audit
from auditloop.reports.models import Audience
from auditloop.testing import Personas

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

pytestmark = pytest.mark.django_db


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """Django's WSGI handler closes the database connection at the end of each request (the
    test client does not): on PostgreSQL that would end the test's transaction, and the next
    call would find its connection closed. As the test client, keep it for the test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(p: Personas, _connection_kept: None) -> dict[str, str]:
    """The audit lead's token, on a council with something behind every endpoint."""
    cycle = cycle_of([p.north])
    audits = graded_audits(p, cycle, team=p.north_a, grades=["good", "inadequate"] * 3)
    make_action(p, audit=audits[0], owner=p.practitioner)
    make_audit(p)
    review_issued(p, cycle)
    review_issued(p, cycle, audience=Audience.LEADERS)
    _, key = api_token_create(by=p.moderator, name="Schemathesis")
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_answer_of_the_api_is_one_its_schema_declares(
    case: Any, bearer: dict[str, str]
) -> None:
    case.call_and_validate(headers=bearer)
