"""A subject access export asks as many queries for a subject with one audit as for one with
many: each kind of record is read in one query, whatever their number."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from auditloop.learning.redaction.engine import redactor_for_database
from auditloop.privacy.selectors.subjectaccess import child_export, staff_export
from auditloop.privacy.tests.subjectaccess_factories import audit_in_full
from auditloop.testing import Personas

pytestmark = pytest.mark.django_db


def _queries_for_child(p: Personas) -> int:
    redactor_for_database()  # built once per process; its own queries are not the export's
    with CaptureQueriesContext(connection) as queries:
        child_export(case=p.case, by=p.administrator, at=timezone.now())
    return len(queries)


def _queries_for_staff(p: Personas) -> int:
    redactor_for_database()
    with CaptureQueriesContext(connection) as queries:
        staff_export(staff=p.practitioner, by=p.administrator, at=timezone.now())
    return len(queries)


def test_a_childs_export_asks_as_many_queries_for_three_audits_as_for_one(p: Personas) -> None:
    audit_in_full(p)
    one = _queries_for_child(p)
    audit_in_full(p)
    audit_in_full(p)
    assert _queries_for_child(p) == one


def test_a_staff_export_asks_as_many_queries_for_three_audits_as_for_one(p: Personas) -> None:
    audit_in_full(p)
    one = _queries_for_staff(p)
    audit_in_full(p)
    audit_in_full(p)
    assert _queries_for_staff(p) == one
