"""Reads for the feedback pages: a worker's audits with their feedback, as the reader may read
them, and the key messages published to the reader.

The audits are those of cases the worker held when audited (`Audit.practitioner`), submitted
or completed (a draft is the auditor's until submitted), never a calibration exercise's, and
only those the reader may read under the audits' own rule (`audits_visible_to`, which also
keeps the moderation blind). The page shows a fixed number of queries however many audits:
the learning points, their themes and the worker's actions come in one query each.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import SHARED_STATUSES, Action, ActionStatus, Audit
from auditloop.audits.selectors.audits import audit_keys_visible_to, audits_matching
from auditloop.learning.models import (
    KeyMessageRecipient,
    KeyMessageStatus,
    LearningPoint,
    LearningPointKind,
)

# The key messages the page links to at most (newest first).
KEY_MESSAGES_SHOWN = 10


# The order of the feedback pages: newest submitted first.
FEEDBACK_ORDER = ("-submitted_at", "-id")


def feedback_audit_keys(reader: StaffMember, worker: StaffMember) -> QuerySet[Audit]:
    """The worker's audits that `reader` may read, with nothing joined: the page counts them and
    cuts a page of their keys in `FEEDBACK_ORDER`, then `audits_page_shown_to` fetches that
    page's audits with their grades and cases (`page_of_keys`). Cut to a page with all that
    joined, PostgreSQL sorted every one of the worker's audits with its grades and every column
    (500 for the national council's busiest practitioner) to show twenty."""
    return audits_matching(
        audit_keys_visible_to(reader).filter(practitioner=worker, status__in=SHARED_STATUSES)
    )


@dataclass(frozen=True)
class Feedback:
    """One audit's feedback as the page shows it."""

    audit: Audit
    good_practice: list[LearningPoint]
    development: list[LearningPoint]
    actions: list[Action]


def feedback_of(
    audits: Iterable[Audit], worker: StaffMember, *, reader: StaffMember
) -> list[Feedback]:
    """Each audit (a page of `feedback_audit_keys`, as `audits_page_shown_to` fetches it) with
    its learning points (question and themes) and the worker's own actions on it (not the
    cancelled ones). Three queries.

    The learning points keep the moderation blind as on the audit's own page
    (`learning_points_shown`): on an audit `reader` is moderating blind (`grades_hidden`, set
    by `audits_page_shown_to`) they read only the points they wrote themselves."""
    audits = list(audits)
    ids = [audit.pk for audit in audits]
    blind = {audit.pk for audit in audits if getattr(audit, "grades_hidden", False)}
    points: dict[int, list[LearningPoint]] = defaultdict(list)
    for point in (
        LearningPoint.objects.filter(audit_id__in=ids)
        .exclude(Q(audit_id__in=blind) & ~Q(author=reader))
        .select_related("question")
        .prefetch_related("themes")
        .order_by("created_at", "id")
    ):
        points[point.audit_id].append(point)
    actions: dict[int, list[Action]] = defaultdict(list)
    for action in (
        Action.objects.filter(audit_id__in=ids, owner=worker)
        .exclude(status=ActionStatus.CANCELLED)
        .select_related("answer__question")
        .order_by("due_date", "id")
    ):
        actions[action.audit_id].append(action)
    return [
        Feedback(
            audit=audit,
            good_practice=[
                p for p in points[audit.pk] if p.kind == LearningPointKind.GOOD_PRACTICE
            ],
            development=[p for p in points[audit.pk] if p.kind == LearningPointKind.CONCERN],
            actions=actions[audit.pk],
        )
        for audit in audits
    ]


@dataclass(frozen=True)
class KeyMessageLink:
    title: str
    cycle: str
    published_at: object
    acknowledged: bool
    url: str


def key_message_url(public_id: uuid.UUID) -> str:
    """The key message's page, or "" while no page for key messages is routed."""
    try:
        return reverse("learning:key_message_detail", kwargs={"public_id": public_id})
    except NoReverseMatch:
        return ""


def key_messages_published_to(staff: StaffMember) -> list[KeyMessageLink]:
    """The key messages published to `staff` (for their team, their service or the council),
    newest first, with whether they have acknowledged each. One query."""
    rows = (
        KeyMessageRecipient.objects.filter(
            staff=staff, key_message__status=KeyMessageStatus.PUBLISHED
        )
        .select_related("key_message__cycle")
        .order_by("-key_message__published_at", "-key_message_id")[:KEY_MESSAGES_SHOWN]
    )
    return [
        KeyMessageLink(
            # The published (redacted) title, as every reader sees it: the draft's own title may
            # still name someone.
            title=str(row.key_message.published_text.get("title") or "Key message"),
            cycle=row.key_message.cycle.name,
            published_at=row.key_message.published_at,
            acknowledged=row.acknowledged_at is not None,
            url=key_message_url(row.key_message.public_id),
        )
        for row in rows
    ]


def line_reports(staff: StaffMember) -> QuerySet[StaffMember]:
    """The active members of staff `staff` line-manages, by name."""
    return StaffMember.objects.filter(manager=staff, is_active=True).order_by("name", "pk")
