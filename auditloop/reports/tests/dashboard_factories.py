"""Cycles, audits and issued reviews for the dashboard's tests."""

from __future__ import annotations

import datetime
import hashlib

from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.learning.models import KeyMessage, KeyMessageStatus
from auditloop.reports.models import Audience, CycleReview, ReviewFormat, ReviewStatus
from auditloop.sampling.models import Cycle


def issued_review(
    cycle: Cycle,
    requested_by: StaffMember,
    *,
    audience: str = Audience.COMMITTEE,
    status: str = ReviewStatus.ISSUED,
    fmt: str = ReviewFormat.PDF,
    issued_on: datetime.date | None = None,
) -> CycleReview:
    content = f"review of {cycle.name}".encode()
    return CycleReview.objects.create(
        cycle=cycle,
        audience=audience,
        format=fmt,
        status=status,
        progress=100 if status == ReviewStatus.ISSUED else 0,
        content=content if status == ReviewStatus.ISSUED else None,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        requested_by=requested_by,
        issued_at=(
            datetime.datetime.combine(issued_on, datetime.time(12), tzinfo=datetime.UTC)
            if issued_on
            else timezone.now()
        )
        if status == ReviewStatus.ISSUED
        else None,
    )


def published_message(
    title: str, cycle: Cycle, author: StaffMember, *, status: str = KeyMessageStatus.PUBLISHED
) -> KeyMessage:
    """A key message as published (written directly: publishing tells people)."""
    return KeyMessage.objects.create(
        title=title,
        cycle=cycle,
        status=status,
        published_text={"title": title, "examples": []},
        published_at=timezone.now() if status != KeyMessageStatus.DRAFT else None,
        author=author,
    )
