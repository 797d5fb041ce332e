from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.audits.models import AuditStatus, Escalation
from auditloop.audits.services.audits import AuditRefused
from auditloop.audits.services.escalations import escalation_acknowledge, escalation_raise
from auditloop.audits.tests.followup_factories import make_audit, make_escalation, user_of
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.core.testing import Personas, make_staff


def _urgent_recipients() -> set[str]:
    return {
        n.recipient.username
        for n in Notification.objects.filter(is_urgent=True).select_related("recipient")
    }


# --- raising a flag ---------------------------------------------------------------------------


def test_auditor_raising_a_flag_tells_manager_head_of_service_and_audit_leads_at_once(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    audit = make_audit(p)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalation_raise(
            audit=audit, by=user_of(p.auditor), reason="Not seen for 3 months."
        )
    assert escalation.raised_by == p.auditor
    assert _urgent_recipients() == {"manager", "leader", "moderator"}
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {
        "manager@northshire.example",
        "leader@northshire.example",
        "moderator@northshire.example",
    }
    assert "Urgent" in mail.outbox[0].subject
    assert Event.objects.filter(
        verb="escalation.raised", target_id=str(escalation.public_id)
    ).exists()


def test_flag_messages_and_emails_never_carry_the_childs_id(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        escalation_raise(audit=make_audit(p), by=user_of(p.auditor), reason="Worried.")
    child_id = p.case.la_child_id
    assert all(
        child_id not in n.message and child_id not in n.url for n in Notification.objects.all()
    )
    assert child_id not in mail.outbox[0].body
    assert child_id not in mail.outbox[0].subject


def test_flag_can_be_raised_on_a_submitted_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    assert escalation_raise(audit=audit, by=user_of(p.auditor), reason="Worried.").pk


def test_flag_cannot_be_raised_on_a_completed_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.COMPLETED)
    with pytest.raises(AuditRefused, match="completed"):
        escalation_raise(audit=audit, by=user_of(p.auditor), reason="Worried.")
    assert not Escalation.objects.exists()


def test_only_the_audits_auditor_can_raise_a_flag(p: Personas) -> None:
    audit = make_audit(p)
    with pytest.raises(AuditRefused, match="auditor"):
        escalation_raise(audit=audit, by=user_of(p.moderator), reason="Worried.")
    assert not Escalation.objects.exists()


def test_a_flag_needs_a_reason(p: Personas) -> None:
    with pytest.raises(AuditRefused) as refusal:
        escalation_raise(audit=make_audit(p), by=user_of(p.auditor), reason="   ")
    assert refusal.value.field == "reason"


def test_the_flag_goes_to_the_cases_current_team_not_the_auditors(p: Personas) -> None:
    other_manager = make_staff("northbmanager", "Nora North-B", Role.TEAM_MANAGER, p.north_b)
    escalation_raise(audit=make_audit(p), by=user_of(p.auditor), reason="Worried.")
    assert "manager" in _urgent_recipients()
    assert other_manager.user.username not in _urgent_recipients()  # type: ignore[union-attr]
    assert "southmanager" not in _urgent_recipients()


# --- acknowledging ------------------------------------------------------------------------------


def test_team_manager_acknowledges_a_flag_once(p: Personas) -> None:
    escalation = make_escalation(p)
    escalation_acknowledge(
        escalation=escalation, by=user_of(p.team_manager), response="Visited today."
    )
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == p.team_manager
    assert escalation.acknowledged_at is not None
    assert escalation.response == "Visited today."
    assert Notification.objects.filter(recipient=p.auditor.user).exists()
    with pytest.raises(AuditRefused, match="already been acknowledged"):
        escalation_acknowledge(
            escalation=escalation, by=user_of(p.senior_leader), response="Again."
        )
    assert Event.objects.filter(verb="escalation.acknowledged").count() == 1


def test_head_of_service_can_acknowledge_a_flag(p: Personas) -> None:
    escalation = make_escalation(p)
    escalation_acknowledge(escalation=escalation, by=user_of(p.senior_leader), response="On it.")
    assert escalation.acknowledged_by == p.senior_leader


@pytest.mark.parametrize("who", ["auditor", "moderator", "practitioner", "outsider_manager"])
def test_others_cannot_acknowledge_a_flag(p: Personas, who: str) -> None:
    escalation = make_escalation(p)
    with pytest.raises(AuditRefused, match="team manager"):
        escalation_acknowledge(escalation=escalation, by=user_of(getattr(p, who)), response="Seen.")
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_an_acknowledgement_needs_a_response(p: Personas) -> None:
    escalation = make_escalation(p)
    with pytest.raises(AuditRefused) as refusal:
        escalation_acknowledge(escalation=escalation, by=user_of(p.team_manager), response="")
    assert refusal.value.field == "response"


# --- pages --------------------------------------------------------------------------------------


def test_auditor_raises_a_flag_from_the_audit(p: Personas) -> None:
    audit = make_audit(p)
    client = p.client_for(p.auditor)
    url = reverse("audits:escalation_raise", args=[audit.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "The child has not been seen."})
    escalation = Escalation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:escalation", args=[escalation.public_id])
    assert p.case.la_child_id not in response["Location"]


def test_raising_a_flag_without_a_reason_shows_the_error_summary(p: Personas) -> None:
    audit = make_audit(p)
    response = p.client_for(p.auditor).post(
        reverse("audits:escalation_raise", args=[audit.public_id]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()
    assert not Escalation.objects.exists()


def test_someone_who_sees_the_audit_but_is_not_its_auditor_cannot_raise_a_flag(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    url = reverse("audits:escalation_raise", args=[audit.public_id])
    assert p.client_for(p.moderator).get(url).status_code == 403
    assert p.client_for(p.outsider).get(url).status_code == 404


def test_team_manager_acknowledges_a_flag_on_its_page(p: Personas) -> None:
    escalation = make_escalation(p)
    client = p.client_for(p.team_manager)
    url = reverse("audits:escalation", args=[escalation.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Acknowledge the flag" in page.content.decode()
    assert AccessLog.objects.filter(purpose="escalation", user=p.team_manager.user).exists()
    response = client.post(url, {"response": "I visited the child today."})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == p.team_manager
    # A second try is refused on the page: the form is gone and a POST is forbidden.
    assert "Acknowledge the flag" not in client.get(url).content.decode()
    assert client.post(url, {"response": "Again"}).status_code == 403


def test_acknowledging_without_a_response_shows_the_error_summary(p: Personas) -> None:
    escalation = make_escalation(p)
    response = p.client_for(p.team_manager).post(
        reverse("audits:escalation", args=[escalation.public_id]), {"response": ""}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_moderator_sees_a_flag_but_cannot_acknowledge_it(p: Personas) -> None:
    escalation = make_escalation(p)
    client = p.client_for(p.moderator)
    url = reverse("audits:escalation", args=[escalation.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert "Acknowledge the flag" not in page.content.decode()
    assert client.post(url, {"response": "x"}).status_code == 403


@pytest.mark.parametrize(
    "who", ["practitioner", "outsider", "outsider_manager", "board_member", "administrator"]
)
def test_flag_is_missing_for_those_who_may_not_see_it(p: Personas, who: str) -> None:
    escalation = make_escalation(p)
    url = reverse("audits:escalation", args=[escalation.public_id])
    assert p.client_for(getattr(p, who)).get(url).status_code == 404


def test_flag_pages_send_anonymous_visitors_to_sign_in(p: Personas, anon: Client) -> None:
    escalation = make_escalation(p)
    for url in (
        reverse("audits:escalations"),
        reverse("audits:escalation", args=[escalation.public_id]),
        reverse("audits:escalation_raise", args=[escalation.audit.public_id]),
    ):
        response = anon.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_flag_list_shows_open_flags_first_and_only_in_scope(p: Personas) -> None:
    acknowledged = make_escalation(p)
    escalation_acknowledge(escalation=acknowledged, by=user_of(p.team_manager), response="Done.")
    open_flag = make_escalation(p)
    south_audit = make_audit(p)
    south_audit.case = p.outsider_case
    south_audit.team = p.south_a
    south_audit.save()
    south_flag = make_escalation(p, south_audit)
    page = p.client_for(p.team_manager).get(reverse("audits:escalations"))
    rows = list(page.context["page"].object_list)
    assert rows == [open_flag, acknowledged]
    assert south_flag not in rows
    assert (
        p.client_for(p.outsider_manager)
        .get(reverse("audits:escalations"))
        .context["page"]
        .object_list[0]
        == south_flag
    )


def test_practitioners_cannot_open_the_flag_list(p: Personas) -> None:
    assert p.client_for(p.practitioner).get(reverse("audits:escalations")).status_code == 403


def test_flag_list_query_count_does_not_grow_with_rows(
    p: Personas, django_assert_max_num_queries: Any
) -> None:
    client = p.client_for(p.senior_leader)
    make_escalation(p)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("audits:escalations"))
    for _ in range(15):
        make_escalation(p)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("audits:escalations"))
    assert len(response.context["page"].object_list) == 16


def test_auditor_sees_the_flag_form_on_the_audit_page(p: Personas) -> None:
    audit = make_audit(p)
    page = p.client_for(p.auditor).get(reverse("audits:detail", args=[audit.public_id]))
    text = page.content.decode()
    assert reverse("audits:escalation_raise", args=[audit.public_id]) in text
    assert 'id="flag_reason"' in text


def test_no_flag_form_on_a_completed_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.COMPLETED)
    page = p.client_for(p.auditor).get(reverse("audits:detail", args=[audit.public_id]))
    assert reverse("audits:escalation_raise", args=[audit.public_id]) not in page.content.decode()


def test_team_manager_acknowledges_from_the_audit_page(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    escalation = make_escalation(p, audit)
    url = reverse("audits:detail", args=[audit.public_id])
    text = p.client_for(p.team_manager).get(url).content.decode()
    assert reverse("audits:escalation", args=[escalation.public_id]) in text
    assert "Acknowledge the flag raised" in text
    assert "Acknowledge the flag raised" not in p.client_for(p.moderator).get(url).content.decode()
