from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.audits.models import AuditStatus, AuditType, FeedbackReply
from auditloop.audits.services.feedback import feedback_ready_notify, feedback_reply
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff


@pytest.mark.parametrize("status", [AuditStatus.SUBMITTED, AuditStatus.COMPLETED])
def test_practitioner_replies_to_feedback_and_the_auditor_is_told(
    p: Personas, status: AuditStatus
) -> None:
    audit = make_audit(p, status=status)
    reply = feedback_reply(audit=audit, by=p.practitioner, text="Thank you, agreed.")
    assert reply.author == p.practitioner
    assert Notification.objects.filter(recipient=p.auditor.user).count() == 1
    assert Event.objects.filter(verb="feedback.replied", target_id=str(audit.public_id)).exists()


@pytest.mark.parametrize("status", [AuditStatus.PLANNED, AuditStatus.IN_PROGRESS])
def test_no_reply_before_the_audit_is_submitted(p: Personas, status: AuditStatus) -> None:
    with pytest.raises(Refused, match="once the audit has been submitted"):
        feedback_reply(audit=make_audit(p, status=status), by=p.practitioner, text="Hi")
    assert not FeedbackReply.objects.exists()


@pytest.mark.parametrize("who", ["team_manager", "auditor", "moderator"])
def test_only_the_practitioner_can_reply(p: Personas, who: str) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    with pytest.raises(Refused, match="Only the practitioner"):
        feedback_reply(audit=audit, by=getattr(p, who), text="Hi")


def test_a_reply_needs_text(p: Personas) -> None:
    with pytest.raises(Refused) as refusal:
        feedback_reply(
            audit=make_audit(p, status=AuditStatus.SUBMITTED), by=p.practitioner, text=""
        )
    assert refusal.value.field == "text"


def test_the_practitioner_is_told_when_feedback_is_ready(
    p: Personas,
    django_capture_on_commit_callbacks: Any,
) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED, audit_type=AuditType.DEEP_DIVE)
    with django_capture_on_commit_callbacks(execute=True):
        feedback_ready_notify(audit=audit)
    note = Notification.objects.get()
    assert note.recipient == p.practitioner.user
    assert note.url == reverse("audits:detail", args=[audit.public_id])
    assert mail.outbox[0].to == [p.practitioner.email]
    assert p.case.la_child_id not in mail.outbox[0].body


def test_no_feedback_notice_for_an_audit_without_a_practitioner(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    audit.practitioner = None
    feedback_ready_notify(audit=audit)
    assert not Notification.objects.exists()


# --- pages --------------------------------------------------------------------------------------


def test_practitioner_replies_on_the_reply_page(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.practitioner)
    url = reverse("audits:feedback_reply", args=[audit.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "I will visit this week."})
    assert response.status_code == 302
    assert response["Location"].endswith("#replies")
    assert FeedbackReply.objects.get().text == "I will visit this week."


def test_an_empty_reply_shows_the_error_summary(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    response = p.client_for(p.practitioner).post(
        reverse("audits:feedback_reply", args=[audit.public_id]), {"text": ""}
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_the_team_manager_sees_the_audit_but_cannot_reply(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.team_manager)
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == 200
    url = reverse("audits:feedback_reply", args=[audit.public_id])
    assert client.post(url, {"text": "x"}).status_code == 403


def test_a_colleague_in_the_same_team_gets_404_on_another_workers_audit(p: Personas) -> None:
    colleague = make_staff("colleague", "Cal Colleague", Role.PRACTITIONER, p.north_a)
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(colleague)
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == 404
    url = reverse("audits:feedback_reply", args=[audit.public_id])
    assert client.get(url).status_code == 404


def test_the_practitioner_cannot_read_an_audit_before_it_is_submitted(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    url = reverse("audits:feedback_reply", args=[audit.public_id])
    assert p.client_for(p.practitioner).get(url).status_code == 404


def test_reply_page_sends_anonymous_visitors_to_sign_in(p: Personas, anon: Client) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    response = anon.get(reverse("audits:feedback_reply", args=[audit.public_id]))
    assert response.status_code == 302


# --- the audit page's follow-up sections ---------------------------------------------------------


def test_practitioner_sees_the_reply_form_on_the_audit_page(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    text = p.client_for(p.practitioner).get(reverse("audits:detail", args=[audit.public_id]))
    page = text.content.decode()
    assert reverse("audits:feedback_reply", args=[audit.public_id]) in page
    assert 'id="reply_text"' in page


def test_team_manager_reads_replies_but_gets_no_reply_form(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    feedback_reply(audit=audit, by=p.practitioner, text="Agreed, thank you.")
    page = p.client_for(p.team_manager).get(reverse("audits:detail", args=[audit.public_id]))
    text = page.content.decode()
    assert "Agreed, thank you." in text
    assert reverse("audits:feedback_reply", args=[audit.public_id]) not in text


def test_audit_page_query_count_does_not_grow_with_flags_actions_and_replies(
    p: Personas,
    django_assert_max_num_queries: Any,
) -> None:
    from auditloop.audits.tests.followup_factories import make_action, make_escalation

    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    client = p.client_for(p.team_manager)
    url = reverse("audits:detail", args=[audit.public_id])
    make_escalation(p, audit)
    make_action(p, audit=audit)
    feedback_reply(audit=audit, by=p.practitioner, text="One.")
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n in range(8):
        make_escalation(p, audit)
        make_action(p, audit=audit)
        feedback_reply(audit=audit, by=p.practitioner, text=f"Reply {n}.")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Acknowledge the flag raised") == 9
