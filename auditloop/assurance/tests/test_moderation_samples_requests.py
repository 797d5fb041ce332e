"""Asking for an audit to be moderated, withdrawing the request, and an audit lead adding an
audit to moderation directly: who may, what is stored, and the pages that do it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationStatus,
)
from auditloop.assurance.services.moderation_samples import (
    moderation_add,
    moderation_request_create,
    moderation_request_withdraw,
)
from auditloop.assurance.tests.moderation_sample_factories import (
    asker_words_read,
    cycle_audit,
    moderation_of,
    north_cycle,
)
from auditloop.audits.models import AuditStatus, AuditType
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas, make_staff

REASON = "The overall grade does not fit what the chronology shows."


# Asking ---------------------------------------------------------------------------------------


def test_a_team_manager_of_the_audits_team_asks_and_the_reason_is_stored(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    request = moderation_request_create(audit=audit, by=p.team_manager, reason=f"  {REASON}  ")
    request.refresh_from_db()
    assert (request.audit, request.requested_by, request.reason, request.status) == (
        audit,
        p.team_manager,
        REASON,
        ModerationRequestStatus.WAITING,
    )
    event = Event.objects.get(verb="moderation.asked_for")
    assert event.target_id == str(request.public_id)
    assert event.content_changed == ["reason"]
    assert REASON not in str(event.after) + event.summary


def test_the_audits_own_auditor_may_ask_for_a_second_look(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    assert moderation_request_create(audit=audit, by=p.auditor, reason=REASON).pk


def test_a_team_manager_of_another_team_is_refused(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    other_team_manager = make_staff("northbmanager", "Nia North B", Role.TEAM_MANAGER, p.north_b)
    for staff in (other_team_manager, p.outsider_manager, p.practitioner, p.senior_leader):
        with pytest.raises(Refused, match="auditor or a team manager of its team"):
            moderation_request_create(audit=audit, by=staff, reason=REASON)
    assert not ModerationRequest.objects.exists()


@pytest.mark.parametrize(
    ("status", "audit_type", "message"),
    [
        (AuditStatus.IN_PROGRESS, AuditType.DIP_SAMPLE, "submitted or completed"),
        (AuditStatus.PLANNED, AuditType.DIP_SAMPLE, "submitted or completed"),
        (AuditStatus.SUBMITTED, AuditType.CALIBRATION, "calibration"),
    ],
)
def test_a_draft_or_a_calibration_audit_cannot_be_asked_for(
    p: Personas, status: str, audit_type: str, message: str
) -> None:
    audit = cycle_audit(p, north_cycle(p), status=status, audit_type=audit_type)
    with pytest.raises(Refused, match=message):
        moderation_request_create(audit=audit, by=p.auditor, reason=REASON)


def test_an_audit_already_moderated_or_already_asked_for_is_refused(p: Personas) -> None:
    cycle = north_cycle(p)
    moderated = cycle_audit(p, cycle)
    moderation_of(moderated)
    with pytest.raises(Refused, match="already being moderated"):
        moderation_request_create(audit=moderated, by=p.auditor, reason=REASON)
    asked = cycle_audit(p, cycle)
    moderation_request_create(audit=asked, by=p.auditor, reason=REASON)
    with pytest.raises(Refused, match="Alex Auditor has already asked"):
        moderation_request_create(audit=asked, by=p.team_manager, reason=REASON)


def test_an_audit_in_no_cycle_is_refused_with_what_to_do_instead(p: Personas) -> None:
    audit = cycle_audit(p, None)
    with pytest.raises(Refused, match="Ask an audit lead to add it to moderation"):
        moderation_request_create(audit=audit, by=p.auditor, reason=REASON)


def test_a_request_without_a_reason_is_refused_on_its_field(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    with pytest.raises(Refused) as refused:
        moderation_request_create(audit=audit, by=p.auditor, reason="   ")
    assert refused.value.field == "reason"


def test_the_ask_page_stores_the_request_and_goes_back_to_the_audit(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    client = p.client_for(p.team_manager)
    url = reverse("assurance:moderation_ask", args=[audit.public_id])
    assert "Why should this audit be moderated?" in client.get(url).content.decode()
    response = client.post(url, {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("audits:detail", args=[audit.public_id])
    assert ModerationRequest.objects.get().reason == REASON
    page = client.get(response["Location"]).content.decode()
    assert "You asked for this audit to be moderated" in page
    assert "Withdraw your request" in page


def test_the_ask_page_shows_an_empty_reason_as_an_error(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    response = p.client_for(p.auditor).post(
        reverse("assurance:moderation_ask", args=[audit.public_id]), {"reason": ""}
    )
    assert response.status_code == 200
    assert "Enter why you want this audit moderated" in response.content.decode()
    assert not ModerationRequest.objects.exists()


def test_the_ask_page_refuses_a_team_manager_of_another_team(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    manager = make_staff("northbmanager", "Nia North B", Role.TEAM_MANAGER, p.north_b)
    url = reverse("assurance:moderation_ask", args=[audit.public_id])
    # They cannot read the audit at all: not found, as for a missing one.
    assert p.client_for(manager).get(url).status_code == 404
    # The senior leader may read it, but not ask.
    assert p.client_for(p.senior_leader).get(url).status_code == 403
    assert p.client_for(p.senior_leader).post(url, {"reason": REASON}).status_code == 403


def test_the_audit_page_offers_asking_to_those_who_may_and_nobody_else(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    url = reverse("audits:detail", args=[audit.public_id])
    for staff, offered in [
        (p.auditor, True),
        (p.team_manager, True),
        (p.practitioner, False),
        (p.senior_leader, False),
    ]:
        page = p.client_for(staff).get(url).content.decode()
        assert ("Ask for this audit to be moderated" in page) is offered, staff.name


def test_the_audit_page_shows_and_reads_the_askers_words_only_for_the_leads_and_the_asker(
    p: Personas,
) -> None:
    waiting = cycle_audit(p, north_cycle(p))
    moderation_request_create(audit=waiting, by=p.team_manager, reason=REASON)
    added = cycle_audit(p, waiting.cycle_link.cycle)
    moderation_add(audit=added, by=p.moderator, reason="A complaint from the family.")
    pages = {audit: reverse("audits:detail", args=[audit.public_id]) for audit in (waiting, added)}
    for staff in (p.senior_leader, p.auditor):
        client = p.client_for(staff)
        with asker_words_read() as read:
            shown = [client.get(url).content.decode() for url in pages.values()]
        assert read == [], staff.name
        assert not any(REASON in page or "A complaint" in page for page in shown), staff.name
    lead = p.client_for(p.moderator)
    with asker_words_read() as read:
        assert REASON in lead.get(pages[waiting]).content.decode()
        assert "A complaint from the family." in lead.get(pages[added]).content.decode()
    assert sorted(read) == ["A complaint from the family.", REASON]
    asker = p.client_for(p.team_manager)
    assert REASON in asker.get(pages[waiting]).content.decode()


# Withdrawing ----------------------------------------------------------------------------------


def test_the_asker_withdraws_their_request_while_it_waits(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    request = moderation_request_create(audit=audit, by=p.team_manager, reason=REASON)
    response = p.client_for(p.team_manager).post(
        reverse("assurance:moderation_request_withdraw", args=[request.public_id])
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == ModerationRequestStatus.WITHDRAWN
    assert Event.objects.filter(verb="moderation.request_withdrawn").count() == 1
    # Withdrawn, the audit can be asked for again.
    assert moderation_request_create(audit=audit, by=p.auditor, reason=REASON).pk


def test_only_the_asker_may_withdraw_and_only_while_it_waits(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    request = moderation_request_create(audit=audit, by=p.team_manager, reason=REASON)
    url = reverse("assurance:moderation_request_withdraw", args=[request.public_id])
    assert p.client_for(p.auditor).post(url).status_code == 404
    with pytest.raises(Refused, match="Only the person who asked"):
        moderation_request_withdraw(request=request, by=p.auditor)
    request.status = ModerationRequestStatus.TAKEN
    request.save(update_fields=["status"])
    with pytest.raises(Refused, match="no longer waiting"):
        moderation_request_withdraw(request=request, by=p.team_manager)


# Adding directly ------------------------------------------------------------------------------


def test_an_audit_lead_adds_an_audit_to_moderation_with_a_reason(p: Personas) -> None:
    audit = cycle_audit(p, None)
    waiting_cycle_audit = cycle_audit(p, north_cycle(p))
    moderation_request_create(audit=waiting_cycle_audit, by=p.team_manager, reason=REASON)
    moderation = moderation_add(audit=audit, by=p.moderator, reason="A complaint from the family.")
    assert moderation.reason == ModerationReason.REQUESTED
    assert moderation.status == ModerationStatus.UNASSIGNED
    assert moderation.sample is None
    assert moderation.request is not None
    assert moderation.request.requested_by == p.moderator
    assert moderation.request.reason == "A complaint from the family."
    assert moderation.request.status == ModerationRequestStatus.TAKEN
    event = Event.objects.get(verb="moderation.added")
    assert "complaint" not in str(event.after) + event.summary


def test_adding_an_audit_takes_the_requests_waiting_for_it(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    asked = moderation_request_create(audit=audit, by=p.team_manager, reason=REASON)
    moderation_add(audit=audit, by=p.moderator, reason="Add it now, before the panel.")
    asked.refresh_from_db()
    assert asked.status == ModerationRequestStatus.TAKEN
    assert Moderation.objects.get(audit=audit).request != asked


def test_only_a_lead_over_the_service_adds_an_audit_and_never_their_own(p: Personas) -> None:
    audit = cycle_audit(p, north_cycle(p))
    south_lead = make_staff("southlead", "Sol South Lead", Role.MODERATOR, services=[p.south])
    for staff in (south_lead, p.senior_leader, p.team_manager):
        with pytest.raises(Refused, match="audit lead over the audit's service"):
            moderation_add(audit=audit, by=staff, reason=REASON)
    own = cycle_audit(p, None, auditor=p.moderator)
    with pytest.raises(Refused, match="never for an audit they wrote"):
        moderation_add(audit=own, by=p.moderator, reason=REASON)
    assert not Moderation.objects.exists()


def test_the_add_page_adds_the_audit_then_asks_for_its_moderator(p: Personas) -> None:
    audit = cycle_audit(p, None)
    client = p.client_for(p.moderator)
    page = client.get(reverse("audits:detail", args=[audit.public_id])).content.decode()
    assert "Add this audit to moderation" in page
    response = client.post(
        reverse("assurance:moderation_add", args=[audit.public_id]), {"reason": REASON}
    )
    moderation = Moderation.objects.get(audit=audit)
    assert response["Location"] == reverse(
        "assurance:moderation_assign", args=[moderation.public_id]
    )
    assert (
        p.client_for(p.senior_leader)
        .get(reverse("assurance:moderation_add", args=[audit.public_id]))
        .status_code
        == 403
    )
