"""Key messages: compiled by an audit lead, edited, reviewed by a second person with every
redaction in view, published to the practitioners and managers concerned, acknowledged by
each, and withdrawn if need be. One transaction and one event per change; events name the
fields that changed, never their content."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.learning.access.key_message_roles import (
    compile_refusal,
    edit_refusal,
    review_refusal,
    withdraw_refusal,
)
from auditloop.learning.models import (
    BRIEFING_PARTS,
    KeyMessage,
    KeyMessageRecipient,
    KeyMessageStatus,
)
from auditloop.learning.redaction import (
    Redactor,
    Span,
    known_staff_spans,
    redactor_for_database,
)
from auditloop.learning.rules.key_messages import (
    STARTER_WHAT_GOOD_LOOKS_LIKE,
    STARTER_WHAT_TO_DO_NEXT,
    STARTER_WHY_IT_MATTERS,
    counts_figures,
    example_shortened,
    examples_chosen,
    transition_refusal,
    trend_figures,
    what_we_found_text,
)
from auditloop.learning.selectors.key_message_texts import (
    REDACTION_LABELS,
    PartRedaction,
    parts_redacted,
    text_digest,
    text_to_publish,
)
from auditloop.learning.selectors.key_messages import (
    Scope,
    example_candidates,
    previous_cycle,
    recipients_for,
    reviewers_for,
    scope_counts,
    scope_of,
)


def key_message_url(message: KeyMessage) -> str:
    return reverse("learning:key_message_detail", kwargs={"public_id": message.public_id})


def _move(message: KeyMessage, wanted: str) -> str:
    """Check the transition; the status before it."""
    if refusal := transition_refusal(message.status, wanted):
        raise Refused(refusal)
    before = message.status
    message.status = wanted
    return before


def scope_figures(scope: Scope) -> dict[str, Any]:
    """The figures of `scope` and its trend against the previous cycle covering the same
    service(s), as frozen in a key message."""
    small = settings.AUDITLOOP_SMALL_GROUP_MIN
    figures = counts_figures(scope_counts(scope), small_group_min=small)
    earlier = previous_cycle(scope)
    before = (
        counts_figures(
            scope_counts(
                Scope(
                    cycle=earlier,
                    service=scope.service,
                    team=scope.team,
                    only_services=tuple(scope.service_ids()),
                    compiled_by=scope.compiled_by,
                )
            ),
            small_group_min=small,
        )
        if earlier is not None
        else None
    )
    figures["previous"] = before
    figures["trend"] = trend_figures(figures, before)
    figures["scope"] = scope.label
    return figures


@transaction.atomic
def key_message_compile(*, by: StaffMember, scope: Scope) -> KeyMessage:
    """Compile a draft for `scope` from its counted audits and their learning points: the
    figures (frozen), the first part written from them, starter text for the other three, and
    a few examples of each kind across domains, redacted as they are drawn."""
    if refusal := compile_refusal(by, scope.service_ids()):
        raise Refused(refusal, field="scope")
    # Nothing is drawn from the audits `by` is moderating blind.
    scope = replace(scope, compiled_by=by)
    figures = scope_figures(scope)
    redactor = redactor_for_database()
    chosen = examples_chosen(example_candidates(scope))
    examples = [
        {
            "kind": c.kind,
            "domain": c.domain,
            "text": example_shortened(redactor.redact(c.text).redacted),
        }
        for c in chosen
    ]
    message = KeyMessage.objects.create(
        title=f"Key messages from {scope.cycle.name}: {scope.label}",
        cycle=scope.cycle,
        service=scope.service if scope.team is None else None,
        team=scope.team,
        figures=figures,
        what_we_found=what_we_found_text(figures, scope.label),
        why_it_matters=STARTER_WHY_IT_MATTERS,
        what_good_looks_like=STARTER_WHAT_GOOD_LOOKS_LIKE,
        what_to_do_next=STARTER_WHAT_TO_DO_NEXT,
        examples=examples,
        author=by,
    )
    message.source_points.set([c.point_id for c in chosen])
    event_record(
        actor=by.user,
        verb="key_message.compiled",
        target=message,
        summary=f"Key message compiled for {scope.label}, {scope.cycle.name}.",
        after={
            "status": message.status,
            "suppressed": bool(figures.get("suppressed")),
            "example_count": len(examples),
        },
        content_changed=["title", *BRIEFING_PARTS, "examples"],
    )
    return message


@dataclass(frozen=True)
class ExampleEdit:
    """One example as the author leaves it: its text, or removed."""

    text: str
    removed: bool = False


@transaction.atomic
def key_message_update(
    *,
    key_message: KeyMessage,
    by: StaffMember,
    title: str,
    parts: dict[str, str],
    examples: list[ExampleEdit],
) -> KeyMessage:
    """The author changes the draft's title, parts and examples (an example's text, or removes
    it). The event names the fields that changed."""
    message = key_message
    if refusal := edit_refusal(by, message):
        raise Refused(refusal)
    title = title.strip()
    if not title:
        raise Refused("Enter a title.", field="title")
    if len(examples) != len(message.examples):
        raise Refused("The examples changed while you were editing: open the draft again.")
    changed: list[str] = []
    if title != message.title:
        message.title = title
        changed.append("title")
    for key in BRIEFING_PARTS:
        value = parts.get(key, "").strip()
        if value != getattr(message, key):
            setattr(message, key, value)
            changed.append(key)
    kept_examples = []
    for old, edit in zip(message.examples, examples, strict=True):
        if edit.removed:
            continue
        text = edit.text.strip()
        if not text:
            raise Refused(
                "Enter the example\u2019s text, or choose to remove the example.", field="examples"
            )
        kept_examples.append({**old, "text": text})
    if kept_examples != message.examples:
        message.examples = kept_examples
        changed.append("examples")
    if not changed:
        return message
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.edited",
        target=message,
        summary="Key message draft changed.",
        after={"example_count": len(kept_examples)},
        content_changed=changed,
    )
    return message


@transaction.atomic
def key_message_submit(*, key_message: KeyMessage, by: StaffMember) -> KeyMessage:
    """The author sends the draft for review; the possible reviewers are told in the product."""
    message = key_message
    if message.author_id != by.pk:
        raise Refused("Only the key message\u2019s author can send it for review.")
    for key in ("title", *BRIEFING_PARTS):
        if not getattr(message, key).strip():
            raise Refused("Fill in every part of the briefing before sending it for review.")
    starters = {
        "why_it_matters": (STARTER_WHY_IT_MATTERS, "why it matters"),
        "what_good_looks_like": (STARTER_WHAT_GOOD_LOOKS_LIKE, "what good looks like"),
        "what_to_do_next": (STARTER_WHAT_TO_DO_NEXT, "what to do next"),
    }
    unwritten = [
        words for key, (starter, words) in starters.items() if starter in getattr(message, key)
    ]
    if unwritten:
        raise Refused(
            "Replace the prompts with your own words before sending it for review: "
            + ", ".join(unwritten)
            + "."
        )
    reviewers = list(reviewers_for(message))
    if not reviewers:
        raise Refused(
            "Nobody else can review this key message: a reviewer must be an audit lead or a "
            "senior leader over every service it covers. Ask an administrator to give someone "
            "those services, or compile it for a single service."
        )
    before = _move(message, KeyMessageStatus.IN_REVIEW)
    message.submitted_at = timezone.now()
    message.return_reason = ""
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.submitted",
        target=message,
        summary="Key message sent for review.",
        before={"status": before},
        after={"status": message.status},
    )
    notification_send(
        recipients=reviewers,
        message=f"A key message for {scope_of(message).label} waits for a second person to "
        "review it.",
        # Its page, which offers the review while it waits for one (and says what became of
        # it afterwards).
        url=key_message_url(message),
    )
    return message


def _reviewing(message: KeyMessage, by: StaffMember) -> None:
    if refusal := review_refusal(by, message):
        raise Refused(refusal)
    if message.status != KeyMessageStatus.IN_REVIEW:
        raise Refused("Only a key message in review can be reviewed.")


@transaction.atomic
def key_message_redaction_add(
    *, key_message: KeyMessage, by: StaffMember, text: str, label: str
) -> KeyMessage:
    """The reviewer redacts a string the automatic redaction missed, wherever it occurs."""
    message = key_message
    _reviewing(message, by)
    text = " ".join(text.split())
    if len(text) < 2:
        raise Refused("Enter the words to redact, as they appear in the text.", field="text")
    if label not in REDACTION_LABELS:
        raise Refused("Choose what the words are.", field="label")
    if text.lower() in {a["text"].lower() for a in message.redaction_added}:
        raise Refused("Those words are already redacted.", field="text")
    message.redaction_added = [*message.redaction_added, {"text": text, "label": label}]
    # Redacting them again undoes having kept them.
    message.redaction_kept = [
        k for k in message.redaction_kept if k["text"].lower() != text.lower()
    ]
    message.reviewer = by
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.redaction_added",
        target=message,
        summary="Reviewer redacted more words.",
        after={"label": label, "added": len(message.redaction_added)},
        content_changed=["redaction_added"],
    )
    return message


@transaction.atomic
def key_message_redaction_keep(
    *, key_message: KeyMessage, by: StaffMember, text: str, label: str
) -> KeyMessage:
    """The reviewer undoes a redaction: the string is not identifying here. A known staff name
    can never be kept."""
    message = key_message
    _reviewing(message, by)
    text = " ".join(text.split())
    if not text:
        raise Refused("Choose the redaction to undo.")
    redactor = redactor_for_database()
    if known_staff_spans(redactor, text):
        raise Refused(
            "That is the name of a member of staff the product knows: it is always redacted "
            "and cannot be kept."
        )
    if text.lower() in {k["text"].lower() for k in message.redaction_kept}:
        raise Refused("That redaction is already undone.")
    message.redaction_kept = [*message.redaction_kept, {"text": text, "label": label}]
    # Undoing one of the reviewer's own additions takes the addition away.
    message.redaction_added = [
        a for a in message.redaction_added if a["text"].lower() != text.lower()
    ]
    message.reviewer = by
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.redaction_kept",
        target=message,
        summary="Reviewer undid a redaction.",
        after={"label": label, "kept": len(message.redaction_kept)},
        content_changed=["redaction_kept"],
    )
    return message


@transaction.atomic
def key_message_redaction_restore(
    *, key_message: KeyMessage, by: StaffMember, text: str
) -> KeyMessage:
    """The reviewer redacts again a string they had kept."""
    message = key_message
    _reviewing(message, by)
    kept = [k for k in message.redaction_kept if k["text"].lower() != text.strip().lower()]
    if len(kept) == len(message.redaction_kept):
        raise Refused("That redaction was not undone.")
    message.redaction_kept = kept
    message.reviewer = by
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.redaction_restored",
        target=message,
        summary="Reviewer redacted again words they had kept.",
        after={"kept": len(kept)},
        content_changed=["redaction_kept"],
    )
    return message


@transaction.atomic
def key_message_send_back(*, key_message: KeyMessage, by: StaffMember, reason: str) -> KeyMessage:
    """The reviewer sends the draft back to its author, saying why."""
    message = key_message
    _reviewing(message, by)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why you are sending it back, for its author.", field="reason")
    before = _move(message, KeyMessageStatus.DRAFT)
    message.return_reason = reason
    message.reviewer = by
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.sent_back",
        target=message,
        summary="Key message sent back to its author.",
        before={"status": before},
        after={"status": message.status},
        content_changed=["return_reason"],
    )
    notification_send(
        recipients=[message.author],
        message="Your key message was sent back to you by its reviewer: read why and change it.",
        url=key_message_url(message),
    )
    return message


def _staff_names_left(redactor: Redactor, part: PartRedaction) -> list[Span]:
    """The known staff names in a part's final (redacted) text, other than words of the
    placeholders themselves ("[team manager]" is no one's name, whoever is called Manager)."""
    placeholders = part.placeholder_ranges()
    return [
        span
        for span in known_staff_spans(redactor, part.redaction.redacted)
        if not any(start <= span.start and span.end <= end for start, end in placeholders)
    ]


CHANGED_SINCE_READ = (
    "The redacted text has changed since you opened this page (for example a name was added to "
    "the staff list, or the redactions changed): read it again before you publish."
)


@transaction.atomic
def key_message_publish(*, key_message: KeyMessage, by: StaffMember, seen: str) -> KeyMessage:
    """The reviewer publishes the redacted text they read (`seen` is its digest). Refused while
    any text still holds a name the product knows; then every practitioner and team manager of
    the teams concerned gets it, in the product and by email (which names no one)."""
    message = KeyMessage.objects.select_for_update().get(pk=key_message.pk)
    _reviewing(message, by)
    redactor = redactor_for_database()
    parts = parts_redacted(message, redactor)
    published = text_to_publish(parts)
    if any(_staff_names_left(redactor, part) for part in parts):
        raise Refused(
            "The text still contains the name of a member of staff the product knows: redact it "
            "before publishing."
        )
    if text_digest(published) != seen:
        raise Refused(CHANGED_SINCE_READ)
    before = _move(message, KeyMessageStatus.PUBLISHED)
    now = timezone.now()
    message.published_text = published
    message.published_at = now
    message.reviewer = by
    message.save()
    people = recipients_for(scope_of(message))
    KeyMessageRecipient.objects.bulk_create(
        [
            KeyMessageRecipient(key_message=message, staff=s, emailed_at=now if s.email else None)
            for s in people
        ],
        ignore_conflicts=True,
    )
    event_record(
        actor=by.user,
        verb="key_message.published",
        target=message,
        summary=f"Key message published to {len(people)} people.",
        before={"status": before},
        after={"status": message.status, "recipients": len(people)},
        content_changed=["published_text"],
    )
    notification_send(
        recipients=people,
        message="A key message from the case-file audits has been published for your team: "
        "read it and confirm you have read it.",
        url=key_message_url(message),
        email_subject="A key message from the case-file audits has been published",
    )
    return message


@transaction.atomic
def key_message_withdraw(*, key_message: KeyMessage, by: StaffMember, reason: str) -> KeyMessage:
    """An audit lead withdraws a published message; its readers see it marked withdrawn."""
    message = key_message
    if refusal := withdraw_refusal(by, message):
        raise Refused(refusal)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why it is withdrawn, for its readers.", field="reason")
    before = _move(message, KeyMessageStatus.WITHDRAWN)
    message.withdrawn_at = timezone.now()
    message.withdrawn_reason = reason
    message.save()
    event_record(
        actor=by.user,
        verb="key_message.withdrawn",
        target=message,
        summary="Key message withdrawn.",
        before={"status": before},
        after={"status": message.status},
        content_changed=["withdrawn_reason"],
    )
    return message


@transaction.atomic
def key_message_acknowledge(*, key_message: KeyMessage, by: StaffMember) -> KeyMessageRecipient:
    """A recipient records that they have read the message. Once: a second time changes
    nothing and records nothing."""
    if key_message.status != KeyMessageStatus.PUBLISHED:
        raise Refused("Only a published key message can be acknowledged.")
    row = (
        KeyMessageRecipient.objects.select_for_update()
        .filter(key_message=key_message, staff=by)
        .first()
    )
    if row is None:
        raise Refused("This key message was not sent to you, so there is nothing to confirm.")
    if row.acknowledged_at is not None:
        return row
    row.acknowledged_at = timezone.now()
    row.save(update_fields=["acknowledged_at"])
    event_record(
        actor=by.user,
        verb="key_message.acknowledged",
        target=key_message,
        summary="Key message read and acknowledged.",
        after={"acknowledged_at": row.acknowledged_at.isoformat()},
    )
    return row
