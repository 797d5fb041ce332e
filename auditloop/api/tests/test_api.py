from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import User
from auditloop.api.services import api_token_create, api_token_revoke
from auditloop.audits.models import Action, Answer, Audit, AuditStatus, AuditType, Grade
from auditloop.audits.selectors.actions import today
from auditloop.audits.services.actions import action_create
from auditloop.audits.services.tools import tool_version_draft_create
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def _audit(
    p: Personas, *, case: ChildCase | None = None, status: str = AuditStatus.SUBMITTED
) -> Audit:
    case = case or p.case
    audit = Audit.objects.create(
        case=case,
        tool_version=p.quality_tool,
        audit_type=AuditType.DEEP_DIVE,
        status=status,
        auditor=p.auditor,
        practitioner=case.allocated_worker,
        team=case.allocated_team,
        overall_grade=Grade.objects.get(scale=p.quality_tool.grading_scale, code="good"),
    )
    for question in p.quality_tool.sections.get().questions.all():
        Answer.objects.create(
            audit=audit,
            question=question,
            grade=Grade.objects.get(
                scale=p.quality_tool.grading_scale, code="requires_improvement"
            ),
        )
    return audit


def _bearer(p: Personas, staff: Any) -> Client:
    _, key = api_token_create(by=staff, name="Power BI")
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_the_openapi_schema_describes_the_audit_endpoints(p: Personas) -> None:
    response = p.client_for(p.moderator).get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/audits",
        "/api/v1/audits/{audit_id}",
        "/api/v1/actions",
        "/api/v1/tools",
    } <= set(paths)


def test_a_call_without_a_token_or_session_is_refused(p: Personas, anon: Client) -> None:
    assert anon.get("/api/v1/audits").status_code == 401
    bogus = Client(headers={"Authorization": "Bearer al_not-a-real-token"})
    assert bogus.get("/api/v1/audits").status_code == 401


def test_a_token_sees_exactly_what_its_owner_sees(p: Personas) -> None:
    ours = _audit(p)
    _audit(p, case=p.outsider_case)
    body = _bearer(p, p.team_manager).get("/api/v1/audits").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == str(ours.public_id)
    assert body["items"][0]["overall_grade"] == "good"
    assert _bearer(p, p.board_member).get("/api/v1/audits").json()["count"] == 0


def test_the_api_never_returns_a_childs_id(p: Personas) -> None:
    audit = _audit(p)
    client = _bearer(p, p.moderator)
    for url in ("/api/v1/audits", f"/api/v1/audits/{audit.public_id}"):
        response = client.get(url)
        # The audit is there, with its case; only the child's ID is not.
        assert response.status_code == 200, url
        text = response.content.decode()
        assert str(audit.public_id) in text, url
        assert str(p.case.public_id) in text, url
        assert p.case.la_child_id not in text, url


def test_every_audit_read_through_the_api_is_logged(p: Personas) -> None:
    audit = _audit(p)
    client = _bearer(p, p.moderator)
    client.get("/api/v1/audits")
    response = client.get(f"/api/v1/audits/{audit.public_id}")
    assert response.status_code == 200
    assert len(response.json()["answers"]) == 8
    reads = AccessLog.objects.filter(target_id=str(audit.public_id), user=p.moderator.user)
    assert reads.count() == 2


def test_an_audit_the_token_owner_may_not_see_answers_404(p: Personas) -> None:
    audit = _audit(p, case=p.outsider_case)
    assert _bearer(p, p.practitioner).get(f"/api/v1/audits/{audit.public_id}").status_code == 404


def test_a_revoked_token_no_longer_works(p: Personas) -> None:
    token, key = api_token_create(by=p.moderator, name="Old report")
    api_token_revoke(token=token, by=p.moderator)
    client = Client(headers={"Authorization": f"Bearer {key}"})
    assert client.get("/api/v1/audits").status_code == 401
    with pytest.raises(Refused):
        api_token_revoke(token=token, by=p.moderator)


def test_the_service_refuses_to_revoke_someone_elses_token(p: Personas) -> None:
    token, _ = api_token_create(by=p.moderator, name="Report")
    with pytest.raises(Refused, match="Only the token's owner"):
        api_token_revoke(token=token, by=p.auditor)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_a_digest_of_the_key_is_stored_and_events_never_hold_it(p: Personas) -> None:
    token, key = api_token_create(by=p.moderator, name="Report")
    assert key not in token.key_digest
    assert not any(key in str(e.after) + e.summary for e in Event.objects.all())


def test_a_token_needs_a_name(p: Personas) -> None:
    with pytest.raises(Refused, match="Enter a name"):
        api_token_create(by=p.moderator, name="  ")


def test_the_audit_list_query_count_does_not_grow_with_rows(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    client = _bearer(p, p.moderator)
    _audit(p)
    # The token, its use, the staff member, the count, the page, the compliance scores and the
    # access log's one insert (inside a savepoint in a test).
    with django_assert_max_num_queries(11) as few:
        client.get("/api/v1/audits")
    for n in range(20):
        case = ChildCase.objects.create(
            la_child_id=f"X{n}",
            cohort=Cohort.CIN,
            allocated_team=p.north_a,
            allocated_worker=p.practitioner,
        )
        _audit(p, case=case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/api/v1/audits").json()
    assert body["count"] == 21


def test_a_person_makes_and_revokes_their_own_token_in_the_page(p: Personas) -> None:
    client = p.client_for(p.auditor)
    response = client.post("/api-tokens/", {"name": "Excel"})
    assert response.status_code == 200
    assert "it will not be shown again" in response.content.decode()
    token = p.auditor.user.api_tokens.get()  # type: ignore[union-attr]
    assert client.post(f"/api-tokens/{token.public_id}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_can_revoke_someone_elses_token(p: Personas) -> None:
    token, _ = api_token_create(by=p.moderator, name="Report")
    response = p.client_for(p.auditor).post(f"/api-tokens/{token.public_id}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_tools_list_every_version_with_its_questions(p: Personas) -> None:
    tools = _bearer(p, p.auditor).get("/api/v1/tools").json()
    by_slug = {t["slug"]: t for t in tools}
    assert len(by_slug["compliance-dip-sample"]["versions"][0]["questions"]) == 15
    assert by_slug["quality-deep-dive"]["versions"][0]["questions"][0]["descriptors"]["good"]


def test_a_practitioner_cannot_list_an_action_whose_page_they_cannot_open(p: Personas) -> None:
    """Their own audit, shared with them once submitted, with an action for its auditor: the
    action's page answers 404 to the practitioner, so the API must not list it either."""
    audit = _audit(p)
    assert audit.practitioner == p.practitioner
    action = action_create(
        audit=audit,
        by=p.moderator,
        description="Re-read the chronology.",
        owner=p.auditor,
        due_date=today() + datetime.timedelta(days=30),
    )
    page = p.client_for(p.practitioner).get(reverse("audits:action", args=[action.public_id]))
    assert page.status_code == 404
    listed = _bearer(p, p.practitioner).get("/api/v1/actions").json()
    assert listed == []
    owner_listed = _bearer(p, p.auditor).get("/api/v1/actions").json()
    assert [a["id"] for a in owner_listed] == [str(action.public_id)]


def test_the_action_filters_narrow_what_the_token_may_see(p: Personas) -> None:
    audit = _audit(p)
    made = {
        key: action_create(
            audit=audit,
            by=p.moderator,
            description=f"Action {key}.",
            owner=p.practitioner,
            due_date=datetime.date(2099, 1, 6),
        )
        for key in ("late", "later")
    }
    Action.objects.filter(pk=made["late"].pk).update(due_date=datetime.date(2020, 1, 6))
    Action.objects.filter(pk=made["later"].pk).update(status="cancelled")
    client = _bearer(p, p.practitioner)
    overdue = client.get("/api/v1/actions?overdue=true").json()
    assert [a["id"] for a in overdue] == [str(made["late"].public_id)]
    cancelled = client.get("/api/v1/actions?status=cancelled").json()
    assert [a["id"] for a in cancelled] == [str(made["later"].public_id)]


def test_tools_are_refused_to_a_role_whose_pages_refuse_them(p: Personas) -> None:
    for staff in (p.practitioner, p.board_member):
        assert p.client_for(staff).get(reverse("audits:tools")).status_code == 403
        response = _bearer(p, staff).get("/api/v1/tools")
        assert response.status_code == 403
        assert response.json() == {"detail": "Your role does not give you access to audit tools."}


def test_a_draft_tool_version_is_listed_only_to_those_who_may_change_tools(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)

    def version_ids(staff: Any) -> set[str]:
        tools = _bearer(p, staff).get("/api/v1/tools").json()
        return {v["id"] for t in tools for v in t["versions"]}

    assert str(draft.public_id) in version_ids(p.moderator)
    assert str(draft.public_id) in version_ids(p.administrator)
    assert str(draft.public_id) not in version_ids(p.auditor)
    assert str(p.quality_tool.public_id) in version_ids(p.auditor)


def test_a_login_without_a_staff_record_is_refused_as_the_pages_refuse_it(
    p: Personas,
) -> None:
    user = User.objects.create_user(username="nobody", password="x")
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/audits")
    assert response.status_code == 403
    assert "not linked to an active member of staff" in response.json()["detail"]
