"""The child's and the family's view: the questions a tool version asks them, the auditor's
contacts with them, and the online family form (single-use, expiring links, of which only a
hash of the token is kept; every use logged, and too many from one address refused).

Answers are the family's words about their own case: events name the fields that changed,
never what was said.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.audits.access.audits import can_lead_audit
from auditloop.audits.access.family import can_send_family_form
from auditloop.audits.models import (
    Audit,
    AuditType,
    ContactMethod,
    FamilyAnswer,
    FamilyAnswerKind,
    FamilyContact,
    FamilyLink,
    FamilyLinkOutcome,
    FamilyLinkUse,
    FamilyQuestion,
    FamilyReply,
    FamilyViewAsked,
    Respondent,
    ToolVersion,
)
from auditloop.audits.rules import (
    DEFAULT_FAMILY_QUESTIONS,
    FAMILY_FORM_TRIES,
    FAMILY_FORM_WINDOW,
    FAMILY_LINK_DAYS,
    MAX_ANSWER_LENGTH,
    MAX_FAMILY_QUESTIONS,
    MAX_QUESTION_LENGTH,
    WRITABLE_STATUSES,
    audit_asks_family,
)
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused


@dataclass(frozen=True)
class FamilyQuestionDraft:
    """A family question as a lead writes it, before it is saved."""

    text: str
    kind: str
    about_impact: bool = False


def family_questions_default(version: ToolVersion) -> None:
    """Give a new tool version the default family questions (no event: part of its creation,
    which records its own)."""
    FamilyQuestion.objects.bulk_create(
        FamilyQuestion(version=version, order=order, text=text, kind=kind, about_impact=impact)
        for order, (text, kind, impact) in enumerate(DEFAULT_FAMILY_QUESTIONS, start=1)
    )


def family_questions_copy(*, source: ToolVersion, version: ToolVersion) -> None:
    """Copy a version's family questions, and when they are asked, to its new draft."""
    version.family_view_asked = source.family_view_asked
    version.save(update_fields=["family_view_asked"])
    FamilyQuestion.objects.bulk_create(
        FamilyQuestion(
            version=version, order=q.order, text=q.text, kind=q.kind, about_impact=q.about_impact
        )
        for q in source.family_questions.order_by("order")
    )


def _check_questions(questions: Sequence[FamilyQuestionDraft]) -> list[FamilyQuestionDraft]:
    cleaned = [
        FamilyQuestionDraft(text=" ".join(q.text.split()), kind=q.kind, about_impact=q.about_impact)
        for q in questions
        if q.text.strip()
    ]
    if not cleaned:
        raise Refused("Keep at least one question for the child and their family.", field="text_1")
    if len(cleaned) > MAX_FAMILY_QUESTIONS:
        raise Refused(f"Keep to {MAX_FAMILY_QUESTIONS} questions or fewer.")
    for number, q in enumerate(cleaned, start=1):
        if len(q.text) > MAX_QUESTION_LENGTH:
            raise Refused(
                f"Question {number} must be {MAX_QUESTION_LENGTH} characters or fewer.",
                field=f"text_{number}",
            )
        if q.kind not in FamilyAnswerKind.values:
            raise Refused(f"Choose how question {number} is answered.", field=f"kind_{number}")
        if q.about_impact and q.kind != FamilyAnswerKind.AGREEMENT:
            raise Refused(
                f"Question {number} is answered in their own words, so it cannot be the one set "
                "beside the auditor's judgement of impact: choose a yes, partly or no question.",
                field="impact",
            )
    if sum(q.about_impact for q in cleaned) > 1:
        raise Refused("Choose one question to set beside the auditor's judgement of impact.")
    return cleaned


@transaction.atomic
def tool_version_family_change(
    *,
    version: ToolVersion,
    asked: str,
    questions: Sequence[FamilyQuestionDraft],
    by: StaffMember | None,
) -> ToolVersion:
    """Set when a draft version asks the family's view and the questions it asks. Refused on a
    published version: audits already answered it."""
    version = ToolVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise Refused(
            f"Version {version.number} is published: start a new draft to change its questions."
        )
    if asked not in FamilyViewAsked.values:
        raise Refused("Choose when the family's view is asked.", field="asked")
    cleaned = _check_questions(questions)
    before = {
        "family_view_asked": version.family_view_asked,
        "family_questions": version.family_questions.count(),
    }
    version.family_view_asked = asked
    version.save(update_fields=["family_view_asked"])
    version.family_questions.all().delete()
    FamilyQuestion.objects.bulk_create(
        FamilyQuestion(
            version=version, order=order, text=q.text, kind=q.kind, about_impact=q.about_impact
        )
        for order, q in enumerate(cleaned, start=1)
    )
    event_record(
        actor=actor_login(by),
        verb="tool_version.family_questions_changed",
        target=version,
        summary=f"{version.tool.name}, version {version.number}: the family's questions changed",
        before=before,
        after={"family_view_asked": asked, "family_questions": len(cleaned)},
    )
    return version


def _answers(
    contact: FamilyContact,
    questions: Sequence[FamilyQuestion],
    replies: Mapping[int, str],
    texts: Mapping[int, str],
) -> list[FamilyAnswer]:
    answers = []
    for question in questions:
        if question.kind == FamilyAnswerKind.AGREEMENT:
            reply = replies.get(question.pk, "")
            if reply and reply not in FamilyReply.values:
                raise Refused("Choose one of the answers given.", field=f"q{question.pk}")
            if reply:
                answers.append(FamilyAnswer(contact=contact, question=question, reply=reply))
        else:
            text = texts.get(question.pk, "").strip()
            if len(text) > MAX_ANSWER_LENGTH:
                raise Refused(
                    f"Answers must be {MAX_ANSWER_LENGTH} characters or fewer.",
                    field=f"q{question.pk}",
                )
            if text:
                answers.append(FamilyAnswer(contact=contact, question=question, text=text))
    return answers


@transaction.atomic
def family_contact_record(
    *,
    audit: Audit,
    by: StaffMember,
    respondent: str,
    made: bool,
    method: str = "",
    not_made_reason: str = "",
    own_words: str = "",
    replies: Mapping[int, str] | None = None,
    texts: Mapping[int, str] | None = None,
) -> FamilyContact:
    """The auditor records a contact (or an attempt) with the child or a parent or carer, and
    their answers to the tool version's family questions. Only the audit's auditor, while the
    audit is theirs to change, and only where the audit asks the family's view."""
    audit = Audit.objects.select_for_update().select_related("tool_version").get(pk=audit.pk)
    if audit.auditor_id != by.pk or audit.status not in WRITABLE_STATUSES:
        raise Refused("Only the auditor can record contact with the family while auditing.")
    if not audit_asks_family(audit):
        raise Refused("This audit's tool does not ask for the family's view.")
    if respondent not in Respondent.values:
        raise Refused("Choose who the contact was with.", field="respondent")
    own_words = own_words.strip()
    not_made_reason = not_made_reason.strip()
    replies = replies or {}
    texts = texts or {}
    if made:
        if method not in ContactMethod.values or method == ContactMethod.ONLINE_FORM:
            raise Refused("Choose how contact was made.", field="method")
        not_made_reason = ""
    else:
        if not not_made_reason:
            raise Refused("Say why contact was not made.", field="not_made_reason")
        if own_words or any(replies.values()) or any(t.strip() for t in texts.values()):
            raise Refused(
                "Contact was not made, so there are no answers to record: clear them, or say "
                "that contact was made.",
                field="made",
            )
        method = ""
    if len(own_words) > MAX_ANSWER_LENGTH:
        raise Refused(f"Keep their words to {MAX_ANSWER_LENGTH} characters.", field="own_words")
    contact = FamilyContact.objects.create(
        audit=audit,
        respondent=respondent,
        made=made,
        method=method,
        not_made_reason=not_made_reason,
        own_words=own_words,
        recorded_by=by,
    )
    questions = list(audit.tool_version.family_questions.order_by("order"))
    answers = _answers(contact, questions, replies, texts)
    FamilyAnswer.objects.bulk_create(answers)
    event_record(
        actor=actor_login(by),
        verb="family_contact.recorded",
        target=audit,
        summary=f"Contact with the {contact.get_respondent_display().lower()} recorded",
        after={
            "respondent": respondent,
            "made": made,
            "method": method,
            "answers_given": len(answers),
        },
        content_changed=[
            name
            for name, value in (
                ("own_words", own_words),
                ("not_made_reason", not_made_reason),
                ("answers", answers),
            )
            if value
        ],
    )
    return contact


@transaction.atomic
def family_contact_remove(*, contact: FamilyContact, by: StaffMember) -> None:
    """The auditor removes a contact they recorded by mistake, while the audit is theirs to
    change. A family's own answers through the online form are never removed."""
    audit = Audit.objects.select_for_update().get(pk=contact.audit_id)
    if audit.auditor_id != by.pk or audit.status not in WRITABLE_STATUSES:
        raise Refused("Only the auditor can remove a contact while auditing.")
    if contact.recorded_by_id is None:
        raise Refused("The family's own answers through the online form cannot be removed.")
    event_record(
        actor=actor_login(by),
        verb="family_contact.removed",
        target=audit,
        summary=f"A contact with the {contact.get_respondent_display().lower()} removed",
        before={"respondent": contact.respondent, "made": contact.made},
        content_changed=["own_words", "answers"],
    )
    contact.delete()


# The online family form --------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def client_key(address: str | None) -> str:
    """A keyed hash of the address a request came from: the same address gives the same key
    (so that tries can be counted), but the address itself is never kept."""
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, (address or "unknown").encode("utf-8"), hashlib.sha256).hexdigest()


@transaction.atomic
def family_link_create(
    *, audit: Audit, respondent: str, by: StaffMember, days: int = FAMILY_LINK_DAYS
) -> tuple[FamilyLink, str]:
    """A new single-use link to the online family form for `audit`, and its token: the only
    time the token exists outside the family's hands. Only its hash is kept."""
    if not can_send_family_form(by, audit):
        raise Refused("Only the audit's lead can send the family an online form.")
    if audit.audit_type == AuditType.CALIBRATION:
        raise Refused("A calibration audit does not ask the family's view.")
    if respondent not in Respondent.values:
        raise Refused("Choose who the form is for.", field="respondent")
    token = secrets.token_urlsafe(32)
    link = FamilyLink.objects.create(
        audit=audit,
        respondent=respondent,
        token_hash=token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=days),
        created_by=by,
    )
    event_record(
        actor=actor_login(by),
        verb="family_link.created",
        target=link,
        summary=f"An online form link for the {link.get_respondent_display().lower()}",
        after={"audit": str(audit.public_id), "expires_at": link.expires_at.isoformat()},
    )
    return link, token


@transaction.atomic
def family_link_withdraw(*, link: FamilyLink, by: StaffMember) -> FamilyLink:
    """Stop an unused link working (sent to the wrong address, say)."""
    link = (
        FamilyLink.objects.select_for_update().select_related("audit__tool_version").get(pk=link.pk)
    )
    if not can_lead_audit(by, link.audit):
        raise Refused("Only the audit's lead can withdraw a family form link.")
    if link.used_at is not None:
        raise Refused("The family has already answered through this link.")
    if link.withdrawn_at is not None:
        raise Refused("This link has already been withdrawn.")
    link.withdrawn_at = timezone.now()
    link.save(update_fields=["withdrawn_at"])
    event_record(
        actor=actor_login(by),
        verb="family_link.withdrawn",
        target=link,
        summary="An online form link withdrawn",
        after={"withdrawn_at": link.withdrawn_at.isoformat()},
    )
    return link


def _use(link: FamilyLink | None, outcome: str, client: str) -> None:
    FamilyLinkUse.objects.create(link=link, outcome=outcome, client=client, at=timezone.now())


def family_form_too_many(client: str) -> bool:
    """Whether this address has used (or guessed at) family form links too often lately."""
    since = timezone.now() - FAMILY_FORM_WINDOW
    return FamilyLinkUse.objects.filter(client=client, at__gte=since).count() >= FAMILY_FORM_TRIES


def _outcome(link: FamilyLink | None) -> str | None:
    """Why a link cannot be used, or None when it can."""
    if link is None:
        return FamilyLinkOutcome.UNKNOWN
    if link.used_at is not None:
        return FamilyLinkOutcome.USED
    if link.withdrawn_at is not None:
        return FamilyLinkOutcome.WITHDRAWN
    if link.expires_at <= timezone.now():
        return FamilyLinkOutcome.EXPIRED
    return None


@dataclass(frozen=True)
class FamilyFormOpened:
    """The link a visitor holds, if it may be used now (`link`), and what the log says."""

    link: FamilyLink | None
    outcome: str


@transaction.atomic
def family_form_open(*, token: str, client: str) -> FamilyFormOpened:
    """The link a visitor holds, with the use logged: `link` is None (and the log says why)
    for a link that is unknown, used, withdrawn or expired, or when this address has tried
    too often. The caller shows the same plain page for all of those but the last."""
    if family_form_too_many(client):
        _use(None, FamilyLinkOutcome.TOO_MANY, client)
        return FamilyFormOpened(link=None, outcome=FamilyLinkOutcome.TOO_MANY)
    link = (
        FamilyLink.objects.select_related("audit__tool_version")
        .filter(token_hash=token_hash(token))
        .first()
    )
    refused = _outcome(link)
    _use(link, refused or FamilyLinkOutcome.SHOWN, client)
    return FamilyFormOpened(link=None if refused else link, outcome=refused or "shown")


@dataclass(frozen=True)
class FamilyFormSent:
    """What came of the family's answers: the contact they made, or the problem with them
    (`problem`, for the form), or neither when the link stopped working meanwhile."""

    contact: FamilyContact | None = None
    problem: Refused | None = None


@transaction.atomic
def family_form_submit(
    *,
    link: FamilyLink,
    client: str,
    replies: Mapping[int, str],
    texts: Mapping[int, str],
    own_words: str,
) -> FamilyFormSent:
    """The family's answers join the audit, as a contact made through the online form, and
    the link is used up. Answers that cannot be taken leave the link as it was, with the
    problem; a link that stopped working since it was opened (answered in another window,
    withdrawn or expired) takes nothing. Every try is logged."""
    link = (
        FamilyLink.objects.select_for_update().select_related("audit__tool_version").get(pk=link.pk)
    )
    refused = _outcome(link)
    if refused:
        _use(link, refused, client)
        return FamilyFormSent()
    own_words = own_words.strip()
    questions = list(link.audit.tool_version.family_questions.order_by("order"))
    contact = FamilyContact(
        audit=link.audit,
        respondent=link.respondent,
        made=True,
        method=ContactMethod.ONLINE_FORM,
        own_words=own_words,
    )
    try:
        if len(own_words) > MAX_ANSWER_LENGTH:
            raise Refused(
                f"Your answer must be {MAX_ANSWER_LENGTH} characters or fewer.", field="own_words"
            )
        answers = _answers(contact, questions, replies, texts)
        if not answers and not own_words:
            raise Refused("Answer at least one question before you send your answers.")
    except Refused as problem:
        _use(link, FamilyLinkOutcome.NOT_VALID, client)
        return FamilyFormSent(problem=problem)
    contact.save()
    FamilyAnswer.objects.bulk_create(answers)
    link.used_at = timezone.now()
    link.contact = contact
    link.save(update_fields=["used_at", "contact"])
    _use(link, FamilyLinkOutcome.ANSWERED, client)
    event_record(
        actor=None,
        verb="family_link.answered",
        target=link,
        summary="The family answered through an online form link",
        after={"audit": str(link.audit.public_id), "answers_given": len(answers)},
        content_changed=["answers", *(["own_words"] if own_words else [])],
    )
    return FamilyFormSent(contact=contact)
