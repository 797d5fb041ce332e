"""The child's and the family's view of an audit: the questions a tool keeps, the auditor's
record of a contact, and the lead's online form links (the form itself is tested in
test_family_form.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from auditloop.audits.models import (
    AuditStatus,
    AuditType,
    FamilyAnswer,
    FamilyAnswerKind,
    FamilyContact,
    FamilyLink,
    FamilyReply,
    FamilyViewAsked,
    Respondent,
)
from auditloop.audits.rules import DEFAULT_FAMILY_QUESTIONS
from auditloop.audits.services.family import (
    FamilyQuestionDraft,
    family_contact_record,
    family_link_create,
    family_link_withdraw,
    token_hash,
    tool_version_family_change,
)
from auditloop.audits.services.tools import audit_tool_create, tool_version_draft_create
from auditloop.audits.tests.followup_factories import make_audit
from auditloop.core.models import AccessLog, Event
from auditloop.core.refusals import Refused
from auditloop.testing import Personas


def _deep_dive(p: Personas, status: AuditStatus = AuditStatus.IN_PROGRESS):  # type: ignore[no-untyped-def]
    audit = make_audit(p, status=status, audit_type=AuditType.DEEP_DIVE)
    audit.tool_version = p.quality_tool
    audit.save(update_fields=["tool_version"])
    return audit


def _questions(p: Personas) -> dict[str, int]:
    return {q.text: q.pk for q in p.quality_tool.family_questions.all()}


# The questions a tool keeps ----------------------------------------------------------------


def test_every_shipped_tool_asks_the_default_family_questions(p: Personas) -> None:
    for version in (p.compliance_tool, p.quality_tool):
        asked = [(q.text, q.kind, q.about_impact) for q in version.family_questions.all()]
        assert asked == list(DEFAULT_FAMILY_QUESTIONS)
        assert version.family_view_asked == FamilyViewAsked.DEEP_DIVES


def test_a_new_tool_starts_with_the_default_family_questions(p: Personas) -> None:
    tool = audit_tool_create(
        name="Neglect",
        kind="quality",
        grading_scale=p.quality_tool.grading_scale,
        by=p.moderator,
    )
    draft = tool.versions.get()
    assert draft.family_questions.count() == len(DEFAULT_FAMILY_QUESTIONS)


def test_a_lead_changes_the_family_questions_in_a_draft_and_the_next_draft_keeps_them(
    p: Personas,
) -> None:
    draft = tool_version_draft_create(tool=p.compliance_tool.tool, by=p.moderator)
    tool_version_family_change(
        version=draft,
        asked=FamilyViewAsked.EVERY_AUDIT,
        questions=[
            FamilyQuestionDraft(
                text="Did we help?", kind=FamilyAnswerKind.AGREEMENT, about_impact=True
            ),
            FamilyQuestionDraft(text="  ", kind=FamilyAnswerKind.TEXT),
            FamilyQuestionDraft(text="Anything else?", kind=FamilyAnswerKind.TEXT),
        ],
        by=p.moderator,
    )
    draft.refresh_from_db()
    assert draft.family_view_asked == FamilyViewAsked.EVERY_AUDIT
    assert [(q.order, q.text, q.about_impact) for q in draft.family_questions.all()] == [
        (1, "Did we help?", True),
        (2, "Anything else?", False),
    ]
    assert Event.objects.filter(verb="tool_version.family_questions_changed").exists()
    # The published version keeps its own questions.
    assert p.compliance_tool.family_questions.count() == len(DEFAULT_FAMILY_QUESTIONS)


def test_a_published_versions_family_questions_are_frozen(p: Personas) -> None:
    with pytest.raises(Refused, match="published"):
        tool_version_family_change(
            version=p.quality_tool,
            asked=FamilyViewAsked.DEEP_DIVES,
            questions=[FamilyQuestionDraft(text="Q?", kind=FamilyAnswerKind.AGREEMENT)],
            by=p.moderator,
        )


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], "at least one question"),
        (
            [FamilyQuestionDraft(text="Tell us", kind=FamilyAnswerKind.TEXT, about_impact=True)],
            "cannot be the one set beside",
        ),
        (
            [
                FamilyQuestionDraft(text="A?", kind=FamilyAnswerKind.AGREEMENT, about_impact=True),
                FamilyQuestionDraft(text="B?", kind=FamilyAnswerKind.AGREEMENT, about_impact=True),
            ],
            "Choose one question",
        ),
    ],
)
def test_family_questions_that_cannot_be_kept_are_refused(
    p: Personas, questions: list[FamilyQuestionDraft], message: str
) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    with pytest.raises(Refused, match=message):
        tool_version_family_change(
            version=draft, asked=FamilyViewAsked.DEEP_DIVES, questions=questions, by=p.moderator
        )


# The auditor's record of a contact ---------------------------------------------------------


def test_the_auditor_records_the_childs_answers_and_own_words(p: Personas) -> None:
    audit = _deep_dive(p)
    ids = _questions(p)
    contact = family_contact_record(
        audit=audit,
        by=p.auditor,
        respondent=Respondent.CHILD,
        made=True,
        method="visit",
        own_words="My worker came to see me at school and listened.",
        replies={ids["Did you feel listened to?"]: FamilyReply.YES},
        texts={ids["What would have helped?"]: "Seeing the same worker."},
    )
    assert contact.recorded_by == p.auditor
    assert {(a.question.text, a.reply, a.text) for a in contact.answers.all()} == {
        ("Did you feel listened to?", "yes", ""),
        ("What would have helped?", "", "Seeing the same worker."),
    }
    event = Event.objects.get(verb="family_contact.recorded")
    # The event names what changed, never what the child said.
    assert "school" not in str(event.after) + event.summary
    assert "own_words" in event.content_changed


def test_contact_not_made_needs_a_reason_and_takes_no_answers(p: Personas) -> None:
    audit = _deep_dive(p)
    with pytest.raises(Refused, match="why contact was not made"):
        family_contact_record(
            audit=audit, by=p.auditor, respondent=Respondent.PARENT_CARER, made=False
        )
    with pytest.raises(Refused, match="no answers to record"):
        family_contact_record(
            audit=audit,
            by=p.auditor,
            respondent=Respondent.PARENT_CARER,
            made=False,
            not_made_reason="No answer to three calls.",
            own_words="Something",
        )
    contact = family_contact_record(
        audit=audit,
        by=p.auditor,
        respondent=Respondent.PARENT_CARER,
        made=False,
        not_made_reason="No answer to three calls.",
    )
    assert not contact.made and contact.method == ""


def test_a_dip_sample_does_not_ask_the_family_unless_its_tool_says_so(p: Personas) -> None:
    audit = make_audit(p, audit_type=AuditType.DIP_SAMPLE)
    with pytest.raises(Refused, match="does not ask"):
        family_contact_record(
            audit=audit, by=p.auditor, respondent=Respondent.CHILD, made=True, method="call"
        )
    p.compliance_tool.family_view_asked = FamilyViewAsked.EVERY_AUDIT
    p.compliance_tool.save()
    audit.refresh_from_db()
    family_contact_record(
        audit=audit, by=p.auditor, respondent=Respondent.CHILD, made=True, method="call"
    )
    assert FamilyContact.objects.filter(audit=audit).count() == 1


@pytest.mark.parametrize("status", [AuditStatus.SUBMITTED, AuditStatus.COMPLETED])
def test_no_contact_is_recorded_once_the_audit_is_submitted(
    p: Personas, status: AuditStatus
) -> None:
    with pytest.raises(Refused, match="Only the auditor"):
        family_contact_record(
            audit=_deep_dive(p, status),
            by=p.auditor,
            respondent=Respondent.CHILD,
            made=True,
            method="visit",
        )


def test_only_the_auditor_records_contact(p: Personas) -> None:
    with pytest.raises(Refused, match="Only the auditor"):
        family_contact_record(
            audit=_deep_dive(p),
            by=p.moderator,
            respondent=Respondent.CHILD,
            made=True,
            method="visit",
        )


def test_the_auditor_records_contact_on_the_page_and_readers_of_the_audit_see_it(
    p: Personas,
) -> None:
    audit = _deep_dive(p)
    ids = _questions(p)
    client = p.client_for(p.auditor)
    url = reverse("audits:family_contact_add", args=[audit.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "respondent": "parent_carer",
            "made": "yes",
            "method": "call",
            f"q{ids['Have things got better since we have been involved?']}": "partly",
            "own_words": "Better since the new worker started.",
        },
    )
    assert response.status_code == 302
    answer = FamilyAnswer.objects.get()
    assert answer.reply == FamilyReply.PARTLY
    # Submitted, the practitioner reads it; every read of it is logged.
    audit.status = AuditStatus.SUBMITTED
    audit.save()
    page = p.client_for(p.practitioner).get(reverse("audits:family", args=[audit.public_id]))
    assert page.status_code == 200
    assert "Better since the new worker started." in page.content.decode()
    assert AccessLog.objects.filter(
        user=p.practitioner.user, target_id=str(audit.public_id)
    ).exists()
    # Someone who may not read the audit gets nothing.
    assert (
        p.client_for(p.outsider).get(reverse("audits:family", args=[audit.public_id])).status_code
        == 404
    )


def test_a_contact_made_without_saying_how_is_refused_on_the_page(p: Personas) -> None:
    audit = _deep_dive(p)
    response = p.client_for(p.auditor).post(
        reverse("audits:family_contact_add", args=[audit.public_id]),
        {"respondent": "child", "made": "yes"},
    )
    assert response.status_code == 200
    assert "Choose how contact was made" in response.content.decode()
    assert not FamilyContact.objects.exists()


# The lead's online form links --------------------------------------------------------------


def test_the_lead_makes_a_link_shown_once_and_only_its_hash_is_kept(p: Personas) -> None:
    audit = _deep_dive(p, AuditStatus.SUBMITTED)
    response = p.client_for(p.moderator).post(
        reverse("audits:family_link_add", args=[audit.public_id]), {"respondent": "child"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    link = FamilyLink.objects.get()
    url = response.context["url"]
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert link.token_hash == token_hash(token)
    assert token not in link.token_hash
    assert token not in str(list(Event.objects.values_list("summary", "after")))
    # The family's page lists it, but never the link again.
    page = p.client_for(p.moderator).get(reverse("audits:family", args=[audit.public_id]))
    assert "Waiting for an answer" in page.content.decode()
    assert token not in page.content.decode()


@pytest.mark.parametrize("who", ["auditor", "practitioner", "team_manager", "senior_leader"])
def test_only_an_audit_lead_makes_a_link(p: Personas, who: str) -> None:
    audit = _deep_dive(p, AuditStatus.SUBMITTED)
    response = p.client_for(getattr(p, who)).post(
        reverse("audits:family_link_add", args=[audit.public_id]), {"respondent": "child"}
    )
    assert response.status_code in {403, 404}
    with pytest.raises(Refused, match="Only the audit's lead"):
        family_link_create(audit=audit, respondent=Respondent.CHILD, by=getattr(p, who))
    assert not FamilyLink.objects.exists()


def test_a_lead_withdraws_an_unused_link_but_not_a_used_one(p: Personas) -> None:
    audit = _deep_dive(p, AuditStatus.SUBMITTED)
    link, _ = family_link_create(audit=audit, respondent=Respondent.CHILD, by=p.moderator)
    response = p.client_for(p.moderator).post(
        reverse("audits:family_link_withdraw", args=[audit.public_id, link.public_id])
    )
    assert response.status_code == 302
    link.refresh_from_db()
    assert link.withdrawn_at is not None
    with pytest.raises(Refused, match="already been withdrawn"):
        family_link_withdraw(link=link, by=p.moderator)


def test_a_lead_changes_the_family_questions_on_the_drafts_page(p: Personas) -> None:
    draft = tool_version_draft_create(tool=p.quality_tool.tool, by=p.moderator)
    url = reverse("audits:tool_version_family", args=[draft.public_id])
    client = p.client_for(p.moderator)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "asked": "every_audit",
            "text_1": "Were you listened to?",
            "kind_1": "agreement",
            "text_2": "Did things get better?",
            "kind_2": "agreement",
            "impact": "2",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.family_view_asked == FamilyViewAsked.EVERY_AUDIT
    assert [(q.text, q.about_impact) for q in draft.family_questions.all()] == [
        ("Were you listened to?", False),
        ("Did things get better?", True),
    ]
    # A published version's page sends the lead back, frozen.
    published = client.get(reverse("audits:tool_version_family", args=[p.quality_tool.public_id]))
    assert published.status_code == 302
    assert p.quality_tool.family_questions.count() == len(DEFAULT_FAMILY_QUESTIONS)
