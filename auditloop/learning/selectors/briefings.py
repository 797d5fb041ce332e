"""The briefing of a key message: its text redacted, its figures suppressed, its scope in words.

A published (or withdrawn) message's briefing is made only from `published_text`, the redacted
text its readers were given. A draft or one in review (read only by audit leads and senior
leaders) is made from the draft text passed through the redactor with the reviewer's additions
and kept strings, and is marked "Draft — not for circulation": no export ever carries a name
the redaction would take out. A message marked published without a published text (which the
publishing service never leaves) is treated as a draft: redacted and marked, never shown raw."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from auditloop.learning.models import BRIEFING_PARTS, KeyMessage, KeyMessageStatus
from auditloop.learning.redaction import Redactor, redactor_for_database
from auditloop.learning.rules.briefing import (
    Briefing,
    Example,
    example_from,
    headline_figures,
)
from auditloop.sampling.models import Cycle


def cycle_months(cycle: Cycle, *, joiner: str = "\u2013") -> str:
    """The cycle's months, "April" and "September 2026" joined by an en dash, or "October 2026"
    and "March 2027" across a new year."""
    starts, ends = cycle.starts_on, cycle.ends_on
    if starts.year == ends.year:
        return f"{starts:%B}{joiner}{ends:%B %Y}"
    return f"{starts:%B %Y}{joiner}{ends:%B %Y}"


def key_message_audience(key_message: KeyMessage) -> str:
    """Whom the message is for, in words: "North A team, North service", "North service", or
    the services the cycle covers."""
    if key_message.team is not None:
        return f"{key_message.team.name} team, {key_message.team.service.name} service"
    if key_message.service is not None:
        return f"{key_message.service.name} service"
    names = [service.name for service in key_message.cycle.services.all()]
    if not names:
        return "All services"
    if len(names) == 1:
        return f"{names[0]} service"
    return f"{', '.join(names[:-1])} and {names[-1]} services"


def briefing_filename_stem(key_message: KeyMessage, *, on: datetime.date) -> str:
    """A download's name (less its extension) from the audience, the cycle and a date, never a
    person's name or a child's ID: "briefing-north-a-team-north-service-april-to-september-
    2026-2026-11-30", with "draft-" or "withdrawn-" in front where it is one."""
    status = {
        KeyMessageStatus.DRAFT: "draft ",
        KeyMessageStatus.IN_REVIEW: "draft ",
        KeyMessageStatus.WITHDRAWN: "withdrawn ",
    }.get(KeyMessageStatus(key_message.status), "")
    words = (
        f"{status}briefing {key_message_audience(key_message)} "
        f"{cycle_months(key_message.cycle, joiner=' to ')} {on.isoformat()}"
    )
    return slugify(words)[:150]


def _reviewer_changes(
    key_message: KeyMessage,
) -> tuple[list[tuple[str, str]], list[str]]:
    """The reviewer's added redactions as (text, label) pairs and kept strings, read
    defensively from their JSON."""
    added = [
        (str(item["text"]), str(item.get("label") or "person"))
        for item in key_message.redaction_added
        if isinstance(item, Mapping) and item.get("text")
    ]
    kept = [
        str(item["text"]) if isinstance(item, Mapping) else str(item)
        for item in key_message.redaction_kept
        if (isinstance(item, Mapping) and item.get("text")) or isinstance(item, str)
    ]
    return added, kept


class _DraftText:
    """Redacts each piece of a draft with the reviewer's changes, with one redactor."""

    def __init__(self, key_message: KeyMessage, redactor: Redactor) -> None:
        self._redactor = redactor
        self._added, self._kept = _reviewer_changes(key_message)

    def __call__(self, text: str) -> str:
        return self._redactor.redact(text, added=self._added, kept=self._kept).redacted


def _examples(values: Iterable[Any], fallbacks: list[Any]) -> tuple[Example, ...]:
    examples = []
    for index, value in enumerate(values):
        fallback = fallbacks[index] if index < len(fallbacks) else None
        example = example_from(value, fallback=fallback)
        if example is not None:
            examples.append(example)
    return tuple(examples)


def briefing_for_key_message(
    key_message: KeyMessage, *, today: datetime.date, redactor: Redactor | None = None
) -> Briefing:
    """The briefing of `key_message`, as the reader may be given it (see the module's note).
    The caller has decided the reader may read the message (`get_key_message_for_user`)."""
    status = key_message.status
    published = status in {KeyMessageStatus.PUBLISHED, KeyMessageStatus.WITHDRAWN} and bool(
        key_message.published_text
    )
    draft_examples = key_message.examples if isinstance(key_message.examples, list) else []
    text: dict[str, str]
    if published:
        source = key_message.published_text
        text = {part: str(source.get(part) or "") for part in BRIEFING_PARTS}
        title = str(source.get("title") or "Key messages")
        raw_examples = source.get("examples")
        examples = _examples(raw_examples if isinstance(raw_examples, list) else [], draft_examples)
    else:
        redact = _DraftText(key_message, redactor or redactor_for_database())
        text = {part: redact(getattr(key_message, part)) for part in BRIEFING_PARTS}
        title = redact(key_message.title)
        examples = _examples(
            (
                {**item, "text": redact(str(item.get("text") or ""))}
                for item in draft_examples
                if isinstance(item, Mapping)
            ),
            [],
        )
    withdrawn = status == KeyMessageStatus.WITHDRAWN
    withdrawn_reason = ""
    if withdrawn and key_message.withdrawn_reason:
        # Written by a lead when withdrawing, never reviewed: redacted like a draft.
        withdrawn_reason = _DraftText(key_message, redactor or redactor_for_database())(
            key_message.withdrawn_reason
        )
    audience = key_message_audience(key_message)
    scope = f"{settings.COUNCIL_NAME}, {audience}, cycle {cycle_months(key_message.cycle)}"
    published_on = (
        timezone.localdate(key_message.published_at)
        if published and key_message.published_at
        else None
    )
    return Briefing(
        council=settings.COUNCIL_NAME,
        title=title,
        scope=scope,
        published_on=published_on,
        examples=examples,
        figures=headline_figures(key_message.figures, minimum=settings.AUDITLOOP_SMALL_GROUP_MIN),
        draft=not published,
        withdrawn=withdrawn,
        withdrawn_on=(
            timezone.localdate(key_message.withdrawn_at) if key_message.withdrawn_at else None
        ),
        withdrawn_reason=withdrawn_reason,
        filename_stem=briefing_filename_stem(key_message, on=published_on or today),
        **text,
    )
