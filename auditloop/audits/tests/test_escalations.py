from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.audits.models import Answer, Audit, AuditStatus, Escalation, Grade, Question
from auditloop.audits.services.escalations import escalation_acknowledge, escalation_raise
from auditloop.audits.tests.followup_factories import make_audit, make_escalation, user_of
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff


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
        escalation = escalation_raise(audit=audit, by=p.auditor, reason="Not seen for 3 months.")
    assert escalation.raised_by == p.auditor
    assert _urgent_recipients() == {"manager", "leader", "moderator"}
    # One email each: nobody sees another recipient's address.
    assert all(len(email.to) == 1 for email in mail.outbox)
    assert {email.to[0] for email in mail.outbox} == {
        "manager@northshire.example",
        "leader@northshire.example",
        "moderator@northshire.example",
    }
    assert all("Urgent" in email.subject for email in mail.outbox)
    assert Event.objects.filter(
        verb="escalation.raised", target_id=str(escalation.public_id)
    ).exists()


def test_flag_messages_and_emails_never_carry_the_childs_id(
    p: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        escalation_raise(audit=make_audit(p), by=p.auditor, reason="Worried.")
    child_id = p.case.la_child_id
    assert all(
        child_id not in n.message and child_id not in n.url for n in Notification.objects.all()
    )
    assert child_id not in mail.outbox[0].body
    assert child_id not in mail.outbox[0].subject


def test_flag_can_be_raised_on_a_submitted_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.SUBMITTED)
    assert escalation_raise(audit=audit, by=p.auditor, reason="Worried.").pk


def test_flag_cannot_be_raised_on_a_completed_audit(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.COMPLETED)
    with pytest.raises(Refused, match="completed"):
        escalation_raise(audit=audit, by=p.auditor, reason="Worried.")
    assert not Escalation.objects.exists()


def test_only_the_audits_auditor_can_raise_a_flag(p: Personas) -> None:
    audit = make_audit(p)
    with pytest.raises(Refused, match="auditor"):
        escalation_raise(audit=audit, by=p.moderator, reason="Worried.")
    assert not Escalation.objects.exists()


def test_a_flag_needs_a_reason(p: Personas) -> None:
    with pytest.raises(Refused) as refusal:
        escalation_raise(audit=make_audit(p), by=p.auditor, reason="   ")
    assert refusal.value.field == "reason"


def test_the_flag_goes_to_the_cases_current_team_not_the_auditors(p: Personas) -> None:
    other_manager = make_staff("northbmanager", "Nora North-B", Role.TEAM_MANAGER, p.north_b)
    escalation_raise(audit=make_audit(p), by=p.auditor, reason="Worried.")
    assert "manager" in _urgent_recipients()
    assert other_manager.user.username not in _urgent_recipients()  # type: ignore[union-attr]
    assert "southmanager" not in _urgent_recipients()


# --- acknowledging ------------------------------------------------------------------------------


def test_team_manager_acknowledges_a_flag_once(p: Personas) -> None:
    escalation = make_escalation(p)
    escalation_acknowledge(escalation=escalation, by=p.team_manager, response="Visited today.")
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == p.team_manager
    assert escalation.acknowledged_at is not None
    assert escalation.response == "Visited today."
    assert Notification.objects.filter(recipient=p.auditor.user).exists()
    with pytest.raises(Refused, match="already been acknowledged"):
        escalation_acknowledge(escalation=escalation, by=p.senior_leader, response="Again.")
    assert Event.objects.filter(verb="escalation.acknowledged").count() == 1


def test_head_of_service_can_acknowledge_a_flag(p: Personas) -> None:
    escalation = make_escalation(p)
    escalation_acknowledge(escalation=escalation, by=p.senior_leader, response="On it.")
    assert escalation.acknowledged_by == p.senior_leader


@pytest.mark.parametrize("who", ["auditor", "moderator", "practitioner", "outsider_manager"])
def test_others_cannot_acknowledge_a_flag(p: Personas, who: str) -> None:
    escalation = make_escalation(p)
    with pytest.raises(Refused, match="team manager"):
        escalation_acknowledge(escalation=escalation, by=getattr(p, who), response="Seen.")
    escalation.refresh_from_db()
    assert escalation.acknowledged_at is None


def test_an_acknowledgement_needs_a_response(p: Personas) -> None:
    escalation = make_escalation(p)
    with pytest.raises(Refused) as refusal:
        escalation_acknowledge(escalation=escalation, by=p.team_manager, response="")
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
    escalation_acknowledge(escalation=acknowledged, by=p.team_manager, response="Done.")
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


# --- acting on a flag: the child, the flagged audit and the case file ---------------------------

ACTORS = ["team_manager", "senior_leader", "moderator"]
NOT_ACTORS = ["practitioner", "outsider", "outsider_manager", "board_member", "administrator"]


def _answers_behind_the_flag(audit: Audit) -> None:
    """A "No" with its evidence, a graded domain with a worry and a draft grade, and a "Yes"."""
    checks = list(Question.objects.filter(section__version=audit.tool_version).order_by("pk"))
    Answer.objects.create(
        audit=audit, question=checks[0], compliance="no", evidence="Last home visit was in June."
    )
    Answer.objects.create(
        audit=audit, question=checks[1], compliance="yes", evidence="Plan reviewed on time."
    )
    graded = Question.objects.filter(section__version__tool__slug="quality-deep-dive").first()
    assert graded is not None
    Answer.objects.create(
        audit=audit,
        question=graded,
        grade=Grade.objects.filter(scale=audit.tool_version.grading_scale).first(),
        working_well="Warm relationship with the child.",
        worried_about="A new adult in the home has not been checked.",
    )


@pytest.mark.parametrize("who", ACTORS)
def test_those_who_must_act_see_the_childs_id_on_the_flag(p: Personas, who: str) -> None:
    escalation = make_escalation(p)
    page = p.client_for(getattr(p, who)).get(
        reverse("audits:escalation", args=[escalation.public_id])
    )
    text = page.content.decode()
    assert p.case.la_child_id in text
    assert reverse("cases:detail", args=[p.case.public_id]) in text
    assert p.case.la_child_id not in text.split("<title>")[1].split("</title>")[0]


@pytest.mark.parametrize("who", ACTORS)
def test_those_who_must_act_open_the_case_file_of_a_flagged_child(p: Personas, who: str) -> None:
    escalation = make_escalation(p)
    staff = getattr(p, who)
    response = p.client_for(staff).get(reverse("cases:detail", args=[p.case.public_id]))
    assert response.status_code == 200
    assert AccessLog.objects.filter(
        user=staff.user, target_id=str(p.case.public_id), purpose="view"
    ).exists()
    assert escalation.audit.case == p.case


def test_the_team_manager_opens_the_case_file_of_a_flagged_child_with_no_team(
    p: Personas,
) -> None:
    # The flag belongs to the audit's team when the case has none: its manager must still act.
    p.case.allocated_team = None
    p.case.save()
    url = reverse("cases:detail", args=[p.case.public_id])
    assert p.client_for(p.team_manager).get(url).status_code == 404
    make_escalation(p)
    assert p.client_for(p.team_manager).get(url).status_code == 200
    assert p.client_for(p.outsider_manager).get(url).status_code == 404


def test_a_head_of_service_who_oversees_nothing_else_can_still_act(p: Personas) -> None:
    head = make_staff("northhead", "Hana Head", Role.SENIOR_LEADER)
    p.north.head_of_service = head
    p.north.save()
    escalation = make_escalation(p)
    client = p.client_for(head)
    flag = client.get(reverse("audits:escalation", args=[escalation.public_id]))
    assert p.case.la_child_id in flag.content.decode()
    assert "Acknowledge the flag" in flag.content.decode()
    assert client.get(reverse("cases:detail", args=[p.case.public_id])).status_code == 200
    flagged = reverse("audits:escalation_audit", args=[escalation.public_id])
    assert flagged in flag.content.decode()
    assert client.get(flagged).status_code == 200


def test_team_manager_opens_the_flagged_audit_while_it_is_still_in_progress(p: Personas) -> None:
    audit = make_audit(p, status=AuditStatus.IN_PROGRESS)
    _answers_behind_the_flag(audit)
    audit.strengths = "Draft strengths the auditor has not finished."
    audit.save()
    escalation = make_escalation(p, audit)
    client = p.client_for(p.team_manager)
    # The audit's own page stays closed to the manager until it is submitted...
    assert client.get(reverse("audits:detail", args=[audit.public_id])).status_code == 404
    flag = client.get(reverse("audits:escalation", args=[escalation.public_id])).content.decode()
    flagged = reverse("audits:escalation_audit", args=[escalation.public_id])
    assert flagged in flag
    # ...but the flag opens what the manager needs to act, and the read is logged.
    page = client.get(flagged)
    assert page.status_code == 200
    text = page.content.decode()
    assert p.case.la_child_id in text
    assert "No visit." in text  # the flag's reason
    assert "Last home visit was in June." in text
    assert "A new adult in the home has not been checked." in text
    assert reverse("cases:detail", args=[p.case.public_id]) in text
    assert AccessLog.objects.filter(
        user=p.team_manager.user, target_id=str(audit.public_id), purpose="flagged audit"
    ).exists()
    # Not the auditor's unfinished judgement: no grades, strengths or what works well.
    for unfinished in ("Plan reviewed on time.", "Warm relationship", "Draft strengths"):
        assert unfinished not in text
    assert p.case.la_child_id not in text.split("<title>")[1].split("</title>")[0]


def test_the_flag_links_to_the_full_audit_for_whoever_may_read_it(p: Personas) -> None:
    escalation = make_escalation(p)
    flag_url = reverse("audits:escalation", args=[escalation.public_id])
    full = reverse("audits:detail", args=[escalation.audit.public_id])
    text = p.client_for(p.moderator).get(flag_url).content.decode()
    assert f'href="{full}"' in text
    flagged = p.client_for(p.moderator).get(
        reverse("audits:escalation_audit", args=[escalation.public_id])
    )
    assert f'href="{full}"' in flagged.content.decode()
    escalation.audit.status = AuditStatus.SUBMITTED
    escalation.audit.save()
    assert f'href="{full}"' in p.client_for(p.team_manager).get(flag_url).content.decode()


@pytest.mark.parametrize("who", NOT_ACTORS)
def test_the_flagged_audit_is_missing_for_everyone_else(p: Personas, who: str) -> None:
    escalation = make_escalation(p)
    url = reverse("audits:escalation_audit", args=[escalation.public_id])
    assert p.client_for(getattr(p, who)).get(url).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "outsider_manager", "board_member"])
def test_a_flag_opens_no_case_file_for_those_who_may_not_act_on_it(p: Personas, who: str) -> None:
    make_escalation(p)
    url = reverse("cases:detail", args=[p.case.public_id])
    assert p.client_for(getattr(p, who)).get(url).status_code == 404


def test_the_flag_list_names_each_child_and_logs_the_read(p: Personas) -> None:
    escalation = make_escalation(p)
    page = p.client_for(p.team_manager).get(reverse("audits:escalations"))
    text = page.content.decode()
    assert "LA child ID" in text
    assert p.case.la_child_id in text
    assert AccessLog.objects.filter(
        user=p.team_manager.user,
        target_id=str(escalation.audit.public_id),
        purpose="escalation listed",
    ).exists()


# --- the notices of a flag ----------------------------------------------------------------------


def test_acknowledging_a_flag_marks_its_urgent_notices_read_for_every_recipient(
    p: Personas,
) -> None:
    escalation = escalation_raise(audit=make_audit(p), by=p.auditor, reason="Worried.")
    unrelated = Notification.objects.create(
        recipient=user_of(p.team_manager), message="Something else", url="/audits/"
    )
    assert Notification.objects.filter(is_urgent=True, read_at__isnull=True).count() == 3
    escalation_acknowledge(escalation=escalation, by=p.senior_leader, response="Seen.")
    assert not Notification.objects.filter(is_urgent=True, read_at__isnull=True).exists()
    unrelated.refresh_from_db()
    assert unrelated.read_at is None
    event = Event.objects.get(verb="escalation.acknowledged")
    assert event.after["notifications_marked_read"] == 3


def test_acknowledging_a_flag_tells_the_auditor_and_the_others_who_were_told(p: Personas) -> None:
    escalation = escalation_raise(audit=make_audit(p), by=p.auditor, reason="Worried.")
    escalation_acknowledge(escalation=escalation, by=p.team_manager, response="Seen.")
    told = {
        n.recipient.username: n.message
        for n in Notification.objects.filter(is_urgent=False, read_at__isnull=True)
    }
    assert set(told) == {"auditor", "leader", "moderator"}
    assert "acknowledged your unsafe-child flag" in told["auditor"]
    assert all(p.case.la_child_id not in message for message in told.values())


def test_the_home_page_names_the_child_of_each_open_flag_and_logs_the_read(p: Personas) -> None:
    escalation = make_escalation(p)
    page = p.client_for(p.team_manager).get(reverse("home")).content.decode()
    assert "LA child ID" in page
    assert p.case.la_child_id in page
    assert AccessLog.objects.filter(
        user=p.team_manager.user,
        target_id=str(escalation.audit.public_id),
        purpose="escalation listed",
    ).exists()
