from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from auditloop.audits.models import (
    Action,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    FeedbackReply,
    ParticipantRole,
    Question,
)
from auditloop.audits.services.audits import audit_submit, participant_add
from auditloop.audits.tests.audit_factories import answer_fully, planned_audit
from auditloop.cases.models import ChildCase, Cohort
from auditloop.core.models import AccessLog
from auditloop.testing import Personas

DETAIL_LINK = re.compile(r'href="/audits/[0-9a-f-]{36}/"')


def _url(name: str, audit: Audit) -> str:
    return reverse(f"audits:{name}", args=[audit.public_id])


def _submitted(p: Personas, **kwargs: Any) -> Audit:
    return audit_submit(audit=answer_fully(planned_audit(p, **kwargs)), by=p.auditor)


def _text(response: Any) -> str:
    return str(response.content.decode())


# The audit list


def test_auditor_sees_the_audits_assigned_to_them(p: Personas) -> None:
    audit = planned_audit(p)
    response = p.client_for(p.auditor).get(reverse("audits:list"))
    assert response.status_code == 200
    assert _url("detail", audit) in _text(response)
    assert "Alex Auditor" in _text(response)


def test_practitioner_does_not_see_an_audit_of_their_case_before_submission(
    p: Personas,
) -> None:
    audit = planned_audit(p)
    response = p.client_for(p.practitioner).get(reverse("audits:list"))
    assert _url("detail", audit) not in _text(response)
    audit_submit(audit=answer_fully(audit), by=p.auditor)
    response = p.client_for(p.practitioner).get(reverse("audits:list"))
    assert _url("detail", audit) in _text(response)


def test_the_list_filters_by_status_and_type(p: Personas) -> None:
    planned = planned_audit(p)
    submitted = _submitted(p)
    deep = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    client = p.client_for(p.moderator)
    text = _text(client.get(reverse("audits:list"), {"status": "submitted"}))
    assert _url("detail", submitted) in text
    assert _url("detail", planned) not in text
    text = _text(client.get(reverse("audits:list"), {"audit_type": "deep_dive"}))
    assert _url("detail", deep) in text
    assert _url("detail", planned) not in text


def test_the_list_shows_no_audits_to_an_outsider(p: Personas) -> None:
    audit = planned_audit(p)
    response = p.client_for(p.outsider).get(reverse("audits:list"))
    assert response.status_code == 200
    assert _url("detail", audit) not in _text(response)
    assert "There are no audits to show" in _text(response)


def test_anonymous_visitor_is_sent_to_sign_in_from_the_list(anon: Client) -> None:
    response = anon.get(reverse("audits:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def _cases(p: Personas, n: int, start: int) -> list[ChildCase]:
    return ChildCase.objects.bulk_create(
        ChildCase(
            la_child_id=f"N{start + i:05d}",
            cohort=Cohort.CIN,
            allocated_team=p.north_a,
            allocated_worker=p.practitioner,
        )
        for i in range(n)
    )


def _list_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("audits:list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_rows(p: Personas) -> None:
    client = p.client_for(p.moderator)
    for case in _cases(p, 3, 0):
        _submitted(p, case=case)
    few = _list_queries(client)
    for case in _cases(p, 30, 100):
        _submitted(p, case=case)
    assert _list_queries(client) == few


def test_the_list_is_paginated_50_a_page_keeping_filters(p: Personas) -> None:
    for case in _cases(p, 51, 0):
        planned_audit(p, case=case)
    client = p.client_for(p.auditor)
    first = _text(client.get(reverse("audits:list"), {"status": "planned"}))
    assert len(DETAIL_LINK.findall(first)) == 50
    assert "?status=planned&amp;page=2" in first
    second = _text(client.get(reverse("audits:list"), {"status": "planned", "page": "2"}))
    assert len(DETAIL_LINK.findall(second)) == 1


# Planning an audit: see test_audit_create.py (the two question pages).


# Reading an audit


def test_auditor_reads_their_audit_and_the_read_is_logged(p: Personas) -> None:
    audit = planned_audit(p)
    response = p.client_for(p.auditor).get(_url("detail", audit))
    assert response.status_code == 200
    text = _text(response)
    assert "Start the audit" in text
    assert "Last statutory visit" in text
    assert AccessLog.objects.filter(target_id=str(audit.public_id), purpose="view").exists()


def test_submitted_audit_shows_answers_descriptors_and_followup(p: Personas) -> None:
    audit = _submitted(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    text = _text(p.client_for(p.practitioner).get(_url("detail", audit)))
    assert "D1 Voice and lived experience" in text
    good = Question.objects.get(section__version=p.quality_tool, code="D1").descriptors["good"]
    assert good in text
    assert "Talked through the child&#x27;s week." in text
    assert "Replies to the feedback" in text
    assert "Actions" in text
    assert "escalations" in text


@pytest.mark.parametrize("who", ["outsider", "practitioner", "team_manager", "board_member"])
def test_a_planned_audit_is_missing_for_those_who_may_not_see_it(p: Personas, who: str) -> None:
    audit = planned_audit(p)
    response = p.client_for(getattr(p, who)).get(_url("detail", audit))
    assert response.status_code == 404


def test_audit_lead_sees_return_and_complete_on_a_submitted_audit(p: Personas) -> None:
    audit = _submitted(p)
    text = _text(p.client_for(p.moderator).get(_url("detail", audit)))
    assert _url("complete", audit) in text
    assert _url("return", audit) in text
    text = _text(p.client_for(p.senior_leader).get(_url("detail", audit)))
    assert _url("complete", audit) not in text


# Answering an audit


def test_auditor_sees_every_question_with_its_hints(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    text = _text(p.client_for(p.auditor).get(_url("edit", audit)))
    d2 = Question.objects.get(section__version=p.quality_tool, code="D2")
    assert d2.descriptors["inadequate"] in text
    assert "not an average" in text
    assert "Who took part" in text
    assert "The practitioner&#x27;s reflection" in text
    compliance = _text(p.client_for(p.auditor).get(_url("edit", planned_audit(p))))
    assert "Applies to: CIN, CP, CLA." in compliance
    assert "Not applicable" in compliance


def _form_data(audit: Audit, compliance: str = "yes") -> dict[str, str]:
    data = {
        "overall_grade": "good",
        "strengths": "Visits on time",
        "areas_for_development": "Chronology",
        "impact_on_child": "Safer",
    }
    for q in Question.objects.filter(section__version=audit.tool_version):
        if q.kind == "compliance":
            data[f"q{q.pk}_compliance"] = compliance
        else:
            data[f"q{q.pk}_grade"] = "good"
    return data


def test_auditor_saves_a_draft(p: Personas) -> None:
    audit = planned_audit(p)
    a1 = Question.objects.get(section__version=audit.tool_version, code="A1")
    response = p.client_for(p.auditor).post(
        _url("edit", audit), {f"q{a1.pk}_compliance": "no", "action": "save"}
    )
    assert response.status_code == 302
    assert response["Location"] == _url("edit", audit)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.answers.get().compliance == ComplianceAnswer.NO


def test_submitting_an_incomplete_audit_shows_what_is_missing_and_keeps_the_draft(
    p: Personas,
) -> None:
    audit = planned_audit(p)
    data = _form_data(audit, compliance="no")
    del data["strengths"]
    data["action"] = "submit"
    response = p.client_for(p.auditor).post(_url("edit", audit), data)
    assert response.status_code == 200
    text = _text(response)
    assert "There is a problem" in text
    assert "Add an evidence note for the &#x27;No&#x27; on A1" in text
    assert "Record the strengths" in text
    a1 = Question.objects.get(section__version=audit.tool_version, code="A1")
    assert f'href="#id_q{a1.pk}_evidence"' in text
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    assert audit.answers.count() == 15


def test_auditor_submits_from_the_answer_page(p: Personas) -> None:
    audit = planned_audit(p)
    response = p.client_for(p.auditor).post(
        _url("edit", audit), {**_form_data(audit), "action": "submit"}
    )
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED
    assert audit.overall_grade is not None
    assert audit.overall_grade.code == "good"


def test_the_answer_page_is_missing_for_outsiders_and_forbidden_to_readers(
    p: Personas,
) -> None:
    audit = planned_audit(p)
    assert p.client_for(p.outsider).get(_url("edit", audit)).status_code == 404
    assert p.client_for(p.moderator).get(_url("edit", audit)).status_code == 403
    assert p.client_for(p.moderator).post(_url("edit", audit), {}).status_code == 403


def test_a_submitted_audit_cannot_be_answered_again(p: Personas) -> None:
    audit = _submitted(p)
    assert p.client_for(p.auditor).get(_url("edit", audit)).status_code == 403


# Submit, return, complete (POST only)


def test_submit_is_post_only(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    assert p.client_for(p.auditor).get(_url("submit", audit)).status_code == 405


def test_auditor_submits_from_the_audit_page(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    response = p.client_for(p.auditor).post(_url("submit", audit))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_submitting_an_incomplete_audit_from_the_audit_page_shows_the_answer_page(
    p: Personas,
) -> None:
    audit = planned_audit(p)
    p.client_for(p.auditor).post(_url("edit", audit), {"action": "save"})
    response = p.client_for(p.auditor).post(_url("submit", audit))
    assert response.status_code == 200
    text = _text(response)
    assert "Answer A15 with yes, no or not applicable" in text
    assert "Choose an overall grade" in text


def test_submitting_a_planned_audit_explains_why_not(p: Personas) -> None:
    audit = planned_audit(p)
    response = p.client_for(p.auditor).post(_url("submit", audit), follow=True)
    assert "An audit that is planned cannot be submitted." in _text(response)


def test_submit_is_missing_for_outsiders_and_forbidden_to_readers(p: Personas) -> None:
    audit = answer_fully(planned_audit(p))
    assert p.client_for(p.outsider).post(_url("submit", audit)).status_code == 404
    assert p.client_for(p.moderator).post(_url("submit", audit)).status_code == 403


def test_audit_lead_returns_an_audit_with_a_reason(p: Personas) -> None:
    audit = _submitted(p)
    response = p.client_for(p.moderator).post(_url("return", audit), {"reason": "Grade D3"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.IN_PROGRESS
    text = _text(p.client_for(p.auditor).get(_url("detail", audit)))
    assert "Grade D3" in text


def test_returning_without_a_reason_shows_an_error(p: Personas) -> None:
    audit = _submitted(p)
    response = p.client_for(p.moderator).post(_url("return", audit), {"reason": ""})
    assert response.status_code == 200
    assert "Say why the audit is being returned" in _text(response)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


def test_audit_lead_completes_an_audit(p: Personas) -> None:
    audit = _submitted(p)
    response = p.client_for(p.moderator).post(_url("complete", audit))
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.status == AuditStatus.COMPLETED


def test_completing_twice_explains_why_not(p: Personas) -> None:
    audit = _submitted(p)
    client = p.client_for(p.moderator)
    client.post(_url("complete", audit))
    response = client.post(_url("complete", audit), follow=True)
    assert "An audit that is completed cannot be completed." in _text(response)


@pytest.mark.parametrize("name", ["return", "complete"])
def test_return_and_complete_are_for_the_audit_lead_only(p: Personas, name: str) -> None:
    audit = _submitted(p)
    data = {"reason": "x"}
    assert p.client_for(p.outsider).post(_url(name, audit), data).status_code == 404
    assert p.client_for(p.senior_leader).post(_url(name, audit), data).status_code == 403
    assert p.client_for(p.auditor).post(_url(name, audit), data).status_code == 403
    assert p.client_for(p.moderator).get(_url(name, audit)).status_code == 405
    audit.refresh_from_db()
    assert audit.status == AuditStatus.SUBMITTED


# Who took part


def test_auditor_adds_and_removes_someone_who_took_part(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    client = p.client_for(p.auditor)
    response = client.post(
        _url("participant_add", audit),
        {
            "participant-staff": str(p.practitioner.public_id),
            "participant-role": ParticipantRole.PRACTITIONER,
            "participant-contribution": "We talked about school.",
        },
    )
    assert response.status_code == 302
    assert audit.participants.get().staff == p.practitioner
    remove = reverse("audits:participant_remove", args=[audit.public_id, p.practitioner.public_id])
    assert client.post(remove).status_code == 302
    assert not audit.participants.exists()


def test_adding_someone_twice_shows_an_error(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    participant_add(audit=audit, by=p.auditor, staff=p.practitioner, role=ParticipantRole.OTHER)
    response = p.client_for(p.auditor).post(
        _url("participant_add", audit),
        {
            "participant-staff": str(p.practitioner.public_id),
            "participant-role": ParticipantRole.PRACTITIONER,
        },
    )
    assert response.status_code == 200
    assert "Pat Practitioner is already recorded as taking part." in _text(response)


def test_participants_are_changed_by_the_auditor_only(p: Personas) -> None:
    audit = planned_audit(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    data = {
        "participant-staff": str(p.practitioner.public_id),
        "participant-role": ParticipantRole.PRACTITIONER,
    }
    remove = reverse("audits:participant_remove", args=[audit.public_id, p.practitioner.public_id])
    for url in (_url("participant_add", audit), remove):
        assert p.client_for(p.outsider).post(url, data).status_code == 404
        assert p.client_for(p.moderator).post(url, data).status_code == 403
    assert not audit.participants.exists()


def test_the_audit_page_query_count_does_not_grow_with_followup_rows(p: Personas) -> None:
    audit = _submitted(p, tool=p.quality_tool, audit_type=AuditType.DEEP_DIVE)
    client = p.client_for(p.moderator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url("detail", audit)).status_code == 200
        return len(captured)

    def add(n: int) -> None:
        Action.objects.create(
            audit=audit, description=f"Action {n}", owner=p.team_manager, due_date="2026-12-01"
        )
        FeedbackReply.objects.create(audit=audit, author=p.practitioner, text=f"Reply {n}")

    # From one row of each (the page asks which actions the reader may open only when there
    # are some) to six.
    add(0)
    before = queries()
    for n in range(1, 6):
        add(n)
    assert queries() == before
