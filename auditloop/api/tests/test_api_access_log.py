"""The API logs a read of every audit it returns, the same way as the pages: each item of a
list, the audit behind each action, and an audit fetched by its id."""

from __future__ import annotations

from django.test import Client

from auditloop.api.services import api_token_create
from auditloop.audits.models import AuditStatus
from auditloop.audits.tests.followup_factories import make_action, make_audit
from auditloop.core.models import AccessLog
from auditloop.testing import Personas


def _bearer(p: Personas) -> Client:
    assert p.moderator.user is not None
    _, key = api_token_create(by=p.moderator, name="Power BI")
    return Client(headers={"Authorization": f"Bearer {key}"})


def _reads(p: Personas, purpose: str) -> list[str]:
    return sorted(
        AccessLog.objects.filter(user=p.moderator.user, purpose=purpose).values_list(
            "target_id", flat=True
        )
    )


def test_the_audits_list_logs_each_audit_it_returns_and_only_those(p: Personas) -> None:
    for _ in range(5):
        make_audit(p, status=AuditStatus.SUBMITTED)
    body = _bearer(p).get("/api/v1/audits", {"limit": 3, "offset": 1}).json()
    assert _reads(p, "api") == sorted(item["id"] for item in body["items"])
    assert len(body["items"]) == 3


def test_the_actions_list_logs_the_audit_behind_each_action_it_returns(p: Personas) -> None:
    actions = [make_action(p) for _ in range(2)]
    body = _bearer(p).get("/api/v1/actions").json()
    assert sorted(item["audit_id"] for item in body) == _reads(p, "api")
    assert _reads(p, "api") == sorted(str(a.audit.public_id) for a in actions)


def test_an_empty_list_logs_nothing(p: Personas) -> None:
    client = _bearer(p)
    assert client.get("/api/v1/audits").json()["count"] == 0
    assert client.get("/api/v1/actions").json() == []
    assert client.get("/api/v1/tools").status_code == 200
    assert not AccessLog.objects.exists()


def test_one_audit_fetched_by_its_id_is_logged_as_a_view(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    assert _bearer(p).get(f"/api/v1/audits/{audit.public_id}").status_code == 200
    assert _reads(p, "view") == [str(audit.public_id)]
