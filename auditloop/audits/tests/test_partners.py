"""Audits with partner agencies: the audit lead gives a partner agency auditor their own audit
of a thematic audit's case, sharing what they choose; the partner answers it on pages of their
own and reads nothing else."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import Role
from auditloop.audits.models import Audit, AuditStatus, AuditType, PartnerShare
from auditloop.audits.selectors.actions import action_owner_choices
from auditloop.audits.services.audits import audit_return
from auditloop.audits.services.feedback import feedback_reply
from auditloop.audits.services.partners import partner_audit_create, partner_share_update
from auditloop.core.models import AccessLog, Event, Notification
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff

SUMMARY = "Missing from home on three weekends; the school raised it in March."


def thematic(p: Personas, status: str = AuditStatus.IN_PROGRESS) -> Audit:
    return Audit.objects.create(
        case=p.case,
        tool_version=p.quality_tool,
        audit_type=AuditType.THEMATIC,
        theme="Exploitation",
        status=status,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        submitted_at=timezone.now() if status == AuditStatus.SUBMITTED else None,
    )


def give(p: Personas, audit: Audit, **share: bool) -> Audit:
    return partner_audit_create(
        audit=audit,
        partner=p.partner,
        case_summary=SUMMARY,
        share_child_id=share.get("share_child_id", False),
        share_cohort=share.get("share_cohort", False),
        due_date=None,
        by=p.moderator,
    )


def test_the_lead_gives_a_partner_their_own_audit_of_the_case_and_they_are_told(
    p: Personas,
) -> None:
    given = give(p, thematic(p), share_cohort=True)
    assert given.auditor == p.partner
    assert given.case == p.case
    assert given.audit_type == AuditType.THEMATIC and given.theme == "Exploitation"
    share = PartnerShare.objects.get(audit=given)
    assert share.case_summary == SUMMARY and share.share_cohort and not share.share_child_id
    assert Event.objects.filter(verb="audit.created", target_id=str(given.public_id)).count() == 1
    note = Notification.objects.get(recipient=p.partner.user)
    assert note.url == reverse("audits:partner_audit", args=[given.public_id])
    # Nothing of the case leaves in the email either.
    assert len(mail.outbox) == 0 or all("00123" not in m.body for m in mail.outbox)


@pytest.mark.parametrize("role", ["auditor", "team_manager", "senior_leader", "administrator"])
def test_only_an_audit_lead_over_the_service_gives_a_partner_an_audit(
    p: Personas, role: str
) -> None:
    with pytest.raises(Refused, match="Only an audit lead"):
        partner_audit_create(
            audit=thematic(p),
            partner=p.partner,
            case_summary=SUMMARY,
            share_child_id=False,
            share_cohort=False,
            due_date=None,
            by=p.all_roles()[role],
        )
    assert not Audit.objects.filter(auditor=p.partner).exists()


def test_a_partner_joins_only_a_thematic_audit(p: Personas) -> None:
    audit = thematic(p)
    Audit.objects.filter(pk=audit.pk).update(audit_type=AuditType.DIP_SAMPLE)
    audit.refresh_from_db()
    with pytest.raises(Refused, match="Only an audit lead"):
        give(p, audit)


def test_the_lead_must_say_what_is_shared_and_give_it_to_a_partner(p: Personas) -> None:
    audit = thematic(p)
    with pytest.raises(Refused, match="Enter what you share"):
        partner_audit_create(
            audit=audit,
            partner=p.partner,
            case_summary="   ",
            share_child_id=False,
            share_cohort=False,
            due_date=None,
            by=p.moderator,
        )
    with pytest.raises(Refused, match="Choose an active partner agency auditor"):
        partner_audit_create(
            audit=audit,
            partner=p.auditor,
            case_summary=SUMMARY,
            share_child_id=False,
            share_cohort=False,
            due_date=None,
            by=p.moderator,
        )


def test_a_partner_is_given_one_audit_of_a_case_in_a_theme(p: Personas) -> None:
    audit = thematic(p)
    give(p, audit)
    with pytest.raises(Refused, match="already has an audit of this case"):
        give(p, audit)


def test_the_invitation_page_gives_the_partner_an_audit(p: Personas) -> None:
    audit = thematic(p)
    client = p.client_for(p.moderator)
    url = reverse("audits:partner_invite", args=[audit.public_id])
    detail = client.get(reverse("audits:detail", args=[audit.public_id])).content.decode()
    assert url in detail
    assert "Ask a partner agency to join the audit" in client.get(url).content.decode()
    response = client.post(url, {"partner": str(p.partner.public_id), "case_summary": ""})
    assert response.status_code == 200
    assert "Enter what you share with the partner about the case" in response.content.decode()
    response = client.post(
        url,
        {"partner": str(p.partner.public_id), "case_summary": SUMMARY, "share_cohort": "on"},
    )
    given = Audit.objects.get(auditor=p.partner)
    assert response.status_code == 302
    assert given.partner_share.share_cohort and not given.partner_share.share_child_id


def test_the_partner_reads_what_was_shared_and_nothing_else_of_the_case(p: Personas) -> None:
    given = give(p, thematic(p))
    page = p.client_for(p.partner).get(reverse("audits:partner_audit", args=[given.public_id]))
    text = page.content.decode()
    assert page.status_code == 200
    assert SUMMARY in text
    assert p.case.la_child_id not in text
    assert "Child protection" not in text
    assert p.practitioner.name not in text and p.north_a.name not in text
    logged = AccessLog.objects.filter(user=p.partner.user)
    assert list(logged.values_list("target_id", flat=True)) == [str(given.public_id)]


def test_the_partner_sees_the_childs_id_and_cohort_only_when_the_lead_shares_them(
    p: Personas,
) -> None:
    given = give(p, thematic(p), share_child_id=True, share_cohort=True)
    url = reverse("audits:partner_audit", args=[given.public_id])
    text = p.client_for(p.partner).get(url).content.decode()
    assert p.case.la_child_id in text and "Child protection" in text
    # ... never in the page's title, which the browser keeps in its history.
    assert p.case.la_child_id not in text.split("<title>")[1].split("</title>")[0]


def test_the_partner_answers_and_submits_the_audit_without_raising_actions(
    p: Personas,
) -> None:
    given = give(p, thematic(p))
    client = p.client_for(p.partner)
    url = reverse("audits:partner_answer", args=[given.public_id])
    form = client.get(url)
    assert form.status_code == 200
    assert p.practitioner.name not in form.content.decode()  # no action owners offered
    # Requires improvement everywhere: a grade that would need an action from staff.
    data: dict[str, str] = {"action": "submit", "overall_grade": "requires_improvement"}
    for section in given.tool_version.sections.all():
        for question in section.questions.all():
            data[f"q{question.pk}_grade"] = "requires_improvement"
    data |= {"strengths": "x", "areas_for_development": "y", "impact_on_child": "z"}
    response = client.post(url, data)
    given.refresh_from_db()
    assert response.status_code == 302
    assert given.status == AuditStatus.SUBMITTED
    assert not given.actions.exists()
    # Submitted: the partner reads their answers and changes them no more.
    assert client.get(url).status_code == 403
    read = client.get(reverse("audits:partner_audit", args=[given.public_id]))
    assert "Your answers" in read.content.decode()


def test_a_partner_reads_no_audit_through_the_staff_pages_not_even_their_own(
    p: Personas,
) -> None:
    given = give(p, thematic(p))
    client = p.client_for(p.partner)
    assert client.get(reverse("audits:detail", args=[given.public_id])).status_code == 404
    assert client.get(reverse("audits:edit", args=[given.public_id])).status_code == 404
    assert client.get(f"/api/v1/audits/{given.public_id}").status_code == 404
    assert client.get(reverse("home"))["Location"] == reverse("audits:partner_list")


def test_a_partner_does_not_open_another_partners_audit(p: Personas) -> None:
    given = give(p, thematic(p))
    other = make_staff("partner2", "Hal Health", Role.PARTNER)
    client = p.client_for(other)
    for name in ("audits:partner_audit", "audits:partner_answer"):
        assert client.get(reverse(name, args=[given.public_id])).status_code == 404
    assert str(given.public_id) not in client.get(reverse("audits:partner_list")).content.decode()


def test_a_partner_does_not_open_the_case_file_of_the_case_they_audit(p: Personas) -> None:
    give(p, thematic(p))
    client = p.client_for(p.partner)
    assert client.get(reverse("cases:detail", args=[p.case.public_id])).status_code == 404
    assert client.get(reverse("cases:list")).status_code == 403


def test_a_returned_partner_audit_sends_them_to_their_own_page(p: Personas) -> None:
    given = give(p, thematic(p))
    Audit.objects.filter(pk=given.pk).update(status=AuditStatus.SUBMITTED)
    given.refresh_from_db()
    audit_return(audit=given, by=p.moderator, reason="Say more about the missing episodes.")
    note = Notification.objects.filter(recipient=p.partner.user).latest("id")
    assert note.url == reverse("audits:partner_audit", args=[given.public_id])
    page = p.client_for(p.partner).get(note.url).content.decode()
    assert "Say more about the missing episodes." in page


def test_a_partner_is_never_offered_as_an_action_owner(p: Personas) -> None:
    given = give(p, thematic(p))
    assert p.partner not in action_owner_choices(given)


def test_a_practitioners_reply_on_a_partners_audit_sends_the_partner_to_their_own_page(
    p: Personas,
) -> None:
    given = give(p, thematic(p))
    Audit.objects.filter(pk=given.pk).update(
        status=AuditStatus.SUBMITTED, submitted_at=timezone.now()
    )
    given.refresh_from_db()
    feedback_reply(audit=given, by=p.practitioner, text="Thank you: the school's view helped.")
    note = Notification.objects.filter(recipient=p.partner.user).latest("id")
    assert note.url == reverse("audits:partner_audit", args=[given.public_id])


def test_every_notification_a_partner_receives_opens_for_them(p: Personas) -> None:
    given = give(p, thematic(p))
    Audit.objects.filter(pk=given.pk).update(
        status=AuditStatus.SUBMITTED, submitted_at=timezone.now()
    )
    given.refresh_from_db()
    feedback_reply(audit=given, by=p.practitioner, text="Thank you.")
    audit_return(audit=given, by=p.moderator, reason="Say more.")
    client = p.client_for(p.partner)
    notes = Notification.objects.filter(recipient=p.partner.user)
    assert notes.count() == 3  # given, replied to, returned
    for note in notes:
        assert client.get(note.url).status_code == 200, note.message


def test_the_leads_page_of_a_partners_audit_shows_what_was_shared(p: Personas) -> None:
    given = give(p, thematic(p), share_cohort=True)
    page = p.client_for(p.moderator).get(reverse("audits:detail", args=[given.public_id]))
    text = page.content.decode()
    assert "Shared with the partner agency auditor" in text
    assert SUMMARY in text
    assert 'The child\'s LA child ID</dt><dd class="govuk-summary-list__value">Not shared' in text
    assert 'The cohort</dt><dd class="govuk-summary-list__value">Shared' in text
    assert reverse("audits:partner_share", args=[given.public_id]) in text


def test_the_lead_changes_what_is_shared_and_the_partner_sees_it(p: Personas) -> None:
    given = give(p, thematic(p))
    url = reverse("audits:partner_share", args=[given.public_id])
    lead = p.client_for(p.moderator)
    assert SUMMARY in lead.get(url).content.decode()
    changed = "The school now reports two more missing episodes."
    response = lead.post(url, {"case_summary": changed, "share_child_id": "on"})
    assert response.status_code == 302
    share = PartnerShare.objects.get(audit=given)
    assert share.case_summary == changed and share.share_child_id and not share.share_cohort
    events = Event.objects.filter(verb="partner_share.changed", target_id=str(given.public_id))
    assert events.count() == 1
    assert events.get().after == {"share_child_id": True, "share_cohort": False}
    page = p.client_for(p.partner).get(reverse("audits:partner_audit", args=[given.public_id]))
    assert changed in page.content.decode() and p.case.la_child_id in page.content.decode()
    note = Notification.objects.filter(recipient=p.partner.user).latest("id")
    assert note.url == reverse("audits:partner_audit", args=[given.public_id])
    # The same again changes nothing more.
    lead.post(url, {"case_summary": changed, "share_child_id": "on"})
    assert events.count() == 1


def test_only_the_audit_lead_changes_what_is_shared(p: Personas) -> None:
    given = give(p, thematic(p))
    url = reverse("audits:partner_share", args=[given.public_id])
    assert p.client_for(p.partner).get(url).status_code in (403, 404)
    assert p.client_for(p.auditor).get(url).status_code in (403, 404)
    with pytest.raises(Refused, match="Only an audit lead"):
        partner_share_update(
            share=PartnerShare.objects.get(audit=given),
            case_summary="x",
            share_child_id=True,
            share_cohort=True,
            by=p.auditor,
        )
    # An audit that is no partner's has nothing shared to change.
    own = thematic(p)
    assert (
        p.client_for(p.moderator)
        .get(reverse("audits:partner_share", args=[own.public_id]))
        .status_code
        == 404
    )


def test_the_lead_must_still_say_something_about_the_case(p: Personas) -> None:
    given = give(p, thematic(p))
    url = reverse("audits:partner_share", args=[given.public_id])
    response = p.client_for(p.moderator).post(url, {"case_summary": "   "})
    assert response.status_code == 200
    assert "Enter what you share with the partner about the case" in response.content.decode()
    assert PartnerShare.objects.get(audit=given).case_summary == SUMMARY


def test_a_partners_list_asks_as_many_queries_for_four_audits_as_for_one(p: Personas) -> None:
    from uuid import uuid4

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from auditloop.cases.models import ChildCase

    def given_on_a_new_case(n: int) -> None:
        case = ChildCase.objects.get(pk=p.case.pk)
        case.pk = None
        case.public_id = uuid4()
        case.la_child_id = f"P{n:05}"
        case.save()
        audit = thematic(p)
        Audit.objects.filter(pk=audit.pk).update(case=case)
        audit.refresh_from_db()
        give(p, audit)

    client = p.client_for(p.partner)
    url = reverse("audits:partner_list")

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    given_on_a_new_case(1)
    one = queries()
    for n in (2, 3, 4):
        given_on_a_new_case(n)
    four = queries()
    assert Audit.objects.filter(auditor=p.partner).count() == 4
    assert four == one
