"""`auditloop redact`: JSON lines in, one JSON line out for each, bad lines reported."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from auditloop.accounts.models import Role, StaffMember

pytestmark = pytest.mark.django_db


def run(lines: str) -> tuple[list[dict[str, object]], CommandError | None]:
    out = io.StringIO()
    failure = None
    try:
        call_command("redact", stdin=io.StringIO(lines), stdout=out)
    except CommandError as error:
        failure = error
    return [json.loads(line) for line in out.getvalue().splitlines()], failure


def test_each_line_is_redacted_with_the_staff_names_the_database_knows() -> None:
    StaffMember.objects.create(name="Sarah Jones", role=Role.PRACTITIONER)
    results, failure = run('{"id": 7, "text": "Sarah visited; her postcode is LS6 2AB."}\n')
    assert failure is None
    assert results == [
        {
            "id": 7,
            "redacted": "[social worker] visited; her postcode is [postcode].",
            "spans": [
                {"start": 0, "end": 5, "label": "staff"},
                {"start": 31, "end": 38, "label": "identifier:postcode"},
            ],
        }
    ]


def test_a_bad_line_gets_an_error_line_and_the_others_go_on() -> None:
    lines = 'not json\n\n{"id": "b"}\n{"id": "c", "text": 5}\n{"id": "d", "text": "fine"}\n'
    results, failure = run(lines)
    assert failure is not None and failure.returncode == 1
    assert results[0]["line"] == 1 and "Not valid JSON" in str(results[0]["error"])
    assert results[1] == {"line": 3, "error": 'The object has no "text".', "id": "b"}
    assert results[2] == {"line": 4, "error": '"text" must be a string.', "id": "c"}
    assert results[3] == {"id": "d", "redacted": "fine", "spans": []}
