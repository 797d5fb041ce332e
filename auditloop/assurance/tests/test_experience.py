"""The practitioner's (and a deep dive's manager's) experience of being audited: asked once an
audit is completed, answered on their own, kept with no name on it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from auditloop.assurance.access.experience import asked_since
from auditloop.assurance.models import ExperienceAsked, ExperienceResponse
from auditloop.assurance.rules.experience import ASK_WITHIN_DAYS
from auditloop.assurance.selectors.experience import experience_asks_for, experience_asks_query
from auditloop.assurance.services.experience import experience_answer, experience_decline
from auditloop.audits.models import Audit, AuditStatus, AuditType, Participant, ParticipantRole
from auditloop.core.models import Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas

AGREE_ALL = {"supportive": "agree", "feedback_useful": "strongly_agree", "alongside": "agree"}


def completed(p: Personas, *, audit_type: str = AuditType.DIP_SAMPLE, days_ago: int = 1) -> Audit:
    return Audit.objects.create(
        case=p.case,
        tool_version=p.compliance_tool,
        audit_type=audit_type,
        status=AuditStatus.COMPLETED,
        auditor=p.auditor,
        practitioner=p.practitioner,
        team=p.north_a,
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago + 1),
        completed_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def test_the_practitioner_is_asked_about_a_completed_audit_of_their_case(p: Personas) -> None:
    audit = completed(p)

    assert experience_asks_for(p.practitioner, now=timezone.now()) == [audit]
    assert experience_asks_for(p.team_manager, now=timezone.now()) == []
    assert experience_asks_for(p.auditor, now=timezone.now()) == []


def test_an_audit_not_yet_completed_or_completed_long_ago_is_not_asked_about(
    p: Personas,
) -> None:
    completed(p, days_ago=60)
    audit = completed(p)
    audit.status = AuditStatus.SUBMITTED
    audit.save()

    assert experience_asks_for(p.practitioner, now=timezone.now()) == []


def test_the_manager_who_took_part_in_a_deep_dive_is_asked_too(p: Personas) -> None:
    audit = completed(p, audit_type=AuditType.DEEP_DIVE)
    Participant.objects.create(audit=audit, staff=p.team_manager, role=ParticipantRole.MANAGER)

    assert experience_asks_for(p.team_manager, now=timezone.now()) == [audit]
    experience_answer(audit=audit, by=p.team_manager, answers=AGREE_ALL)

    assert ExperienceResponse.objects.get().role == "manager"


def test_answers_are_kept_with_no_person_audit_or_time_on_them(p: Personas) -> None:
    audit = completed(p)

    experience_answer(
        audit=audit, by=p.practitioner, answers=AGREE_ALL, do_differently="Update chronologies"
    )

    response = ExperienceResponse.objects.get()
    assert (response.service, response.audit_type, response.role) == (
        p.north,
        "dip_sample",
        "practitioner",
    )
    assert (response.supportive, response.feedback_useful, response.alongside) == (
        "agree",
        "strongly_agree",
        "agree",
    )
    names = {f.name for f in ExperienceResponse._meta.get_fields()}
    assert names.isdisjoint({"audit", "staff", "practitioner", "created_at", "answered_at"})
    event = Event.objects.get(verb="audit.experience_answered")
    assert "agree" not in str(event.after) and "chronologies" not in str(event.after)
    assert experience_asks_for(p.practitioner, now=timezone.now()) == []


def test_a_second_answer_or_an_answer_by_someone_not_asked_is_refused(p: Personas) -> None:
    audit = completed(p)
    experience_answer(audit=audit, by=p.practitioner, answers=AGREE_ALL)

    with pytest.raises(Refused, match="not asked about this audit"):
        experience_answer(audit=audit, by=p.practitioner, answers=AGREE_ALL)
    with pytest.raises(Refused, match="not asked about this audit"):
        experience_answer(audit=audit, by=p.auditor, answers=AGREE_ALL)
    assert ExperienceResponse.objects.count() == 1


def test_every_statement_needs_an_answer(p: Personas) -> None:
    with pytest.raises(Refused, match="alongside me"):
        experience_answer(
            audit=completed(p), by=p.practitioner, answers=AGREE_ALL | {"alongside": "maybe"}
        )


def test_declining_stops_the_question_and_records_no_answer(p: Personas) -> None:
    audit = completed(p)

    experience_decline(audit=audit, by=p.practitioner)

    assert experience_asks_for(p.practitioner, now=timezone.now()) == []
    assert not ExperienceResponse.objects.exists()
    assert ExperienceAsked.objects.get().answered is False


def test_the_practitioner_answers_from_their_home_page(p: Personas) -> None:
    audit = completed(p)
    client = p.client_for(p.practitioner)
    url = reverse("assurance:experience", args=[audit.public_id])

    home = client.get(reverse("home")).content.decode()
    assert url in home
    assert p.case.la_child_id not in client.get(url).content.decode()
    response = client.post(url, AGREE_ALL)

    assert response.status_code == 302
    assert ExperienceResponse.objects.count() == 1
    assert url not in client.get(reverse("home")).content.decode()


def test_a_form_sent_without_answers_says_what_is_missing(p: Personas) -> None:
    audit = completed(p)
    url = reverse("assurance:experience", args=[audit.public_id])

    page = p.client_for(p.practitioner).post(url, {"supportive": "agree"}).content.decode()

    assert "Say how far you agree: The auditor worked alongside me, not against me." in page
    assert not ExperienceResponse.objects.exists()


@pytest.mark.parametrize("who", ["auditor", "team_manager", "moderator", "outsider"])
def test_no_one_else_reaches_the_questions_about_an_audit(p: Personas, who: str) -> None:
    audit = completed(p)
    client = p.client_for(p.all_roles()[who])

    assert client.get(reverse("assurance:experience", args=[audit.public_id])).status_code == 404
    decline = reverse("assurance:experience_decline", args=[audit.public_id])
    assert client.post(decline).status_code == 404
    assert not ExperienceAsked.objects.exists()


def test_the_home_pages_statement_asks_about_the_audits_the_orms_query_finds(
    p: Personas,
) -> None:
    """`experience_asks_for` sends a statement written once per connection: it must find what
    the ORM's query finds, for every reader, at any time, in the same order."""
    audits = [completed(p, days_ago=days) for days in (1, 5, ASK_WITHIN_DAYS - 1, 60)]
    deep_dive = completed(p, audit_type=AuditType.DEEP_DIVE, days_ago=3)
    Participant.objects.create(audit=deep_dive, staff=p.team_manager, role=ParticipantRole.MANAGER)
    experience_decline(audit=audits[1], by=p.practitioner)
    found: dict[str, int] = {}
    for role, staff in p.all_roles().items():
        for days_on in (0, 4, 60):
            now = timezone.now() + datetime.timedelta(days=days_on)
            kept = experience_asks_for(staff, now=now)
            assert kept == list(experience_asks_query(staff.pk, asked_since(now))), (role, days_on)
            found[f"{role} {days_on}"] = len(kept)
    assert found["practitioner 0"] == 3  # the declined one and the one long ago are not asked
    assert found["practitioner 4"] == 2
    assert found["team_manager 0"] == 1
    assert found["practitioner 60"] == found["auditor 0"] == 0
