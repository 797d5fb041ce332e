"""A key message's texts as its reviewer and readers see them: each part (title, the four
briefing parts, each example) through the redactor, with the reviewer's additions and kept
strings, and what publishing it would write."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from auditloop.learning.models import BRIEFING_PARTS, KeyMessage
from auditloop.learning.redaction import Redaction, Redactor, Span

PART_HEADINGS = {
    "title": "Title",
    "what_we_found": "What we found",
    "why_it_matters": "Why it matters",
    "what_good_looks_like": "What good looks like",
    "what_to_do_next": "What to do next",
}

# The labels a reviewer may redact a string with, in the order the form offers them.
REDACTION_LABELS = {
    "staff": "A member of staff",
    "person": "Another person (child, family member, professional)",
    "identifier:address": "An address",
    "identifier:date_of_birth": "A date of birth",
    "identifier:phone_number": "A phone number",
    "identifier:school": "A school or setting",
    "identifier:other": "Another identifying detail",
}


def label_words(label: str) -> str:
    """A span's label in words, for the highlight."""
    if label == "staff":
        return "staff name"
    if label == "person":
        return "person\u2019s name"
    kind = label.partition(":")[2].replace("_", " ") or "identifier"
    return f"identifier: {kind}"


@dataclass(frozen=True)
class Segment:
    text: str
    span: Span | None = None

    @property
    def label(self) -> str:
        return label_words(self.span.label) if self.span else ""


@dataclass(frozen=True)
class PartRedaction:
    key: str
    heading: str
    redaction: Redaction
    kind: str = ""
    domain: str = ""

    @property
    def segments(self) -> list[Segment]:
        """The original text cut at each redacted span, for the highlight."""
        text = self.redaction.text
        out: list[Segment] = []
        at = 0
        for span in self.redaction.spans:
            if span.start > at:
                out.append(Segment(text[at : span.start]))
            out.append(Segment(text[span.start : span.end], span))
            at = span.end
        if at < len(text):
            out.append(Segment(text[at:]))
        return out

    def placeholder_ranges(self) -> list[tuple[int, int]]:
        """Where each placeholder stands in the redacted text (start, end)."""
        ranges = []
        shift = 0
        for span in self.redaction.spans:
            start = span.start + shift
            ranges.append((start, start + len(span.placeholder)))
            shift += len(span.placeholder) - (span.end - span.start)
        return ranges

    @property
    def undoable(self) -> list[Segment]:
        """The redacted spans a reviewer may undo: all but known staff names."""
        return [seg for seg in self.segments if seg.span and seg.span.label != "staff"]


def reviewer_changes(message: KeyMessage) -> tuple[list[tuple[str, str]], list[str]]:
    added = [(str(a["text"]), str(a["label"])) for a in message.redaction_added]
    kept = [str(k["text"]) for k in message.redaction_kept]
    return added, kept


def parts_redacted(message: KeyMessage, redactor: Redactor) -> list[PartRedaction]:
    """Every text of the message through the redactor, title first, examples last."""
    added, kept = reviewer_changes(message)

    def redact(text: str) -> Redaction:
        return redactor.redact(text, added=added, kept=kept)

    parts = [PartRedaction("title", PART_HEADINGS["title"], redact(message.title))]
    parts += [
        PartRedaction(key, PART_HEADINGS[key], redact(getattr(message, key)))
        for key in BRIEFING_PARTS
    ]
    for n, example in enumerate(message.examples, start=1):
        parts.append(
            PartRedaction(
                f"example-{n}",
                f"Example {n}",
                redact(str(example.get("text", ""))),
                kind=str(example.get("kind", "")),
                domain=str(example.get("domain", "")),
            )
        )
    return parts


def withdrawn_reason_shown(message: KeyMessage, redactor: Redactor) -> str:
    """Why the message was withdrawn, as its readers see it: written by a lead when withdrawing
    and never reviewed, so redacted when shown (with the reviewer's additions and kept
    strings), as the briefing does; the stored reason is the lead's own words."""
    if not message.withdrawn_reason:
        return ""
    added, kept = reviewer_changes(message)
    return redactor.redact(message.withdrawn_reason, added=added, kept=kept).redacted


def text_to_publish(parts: list[PartRedaction]) -> dict[str, Any]:
    """What publishing writes to `published_text`: the redacted parts and examples."""
    published: dict[str, Any] = {"examples": []}
    for part in parts:
        if part.key.startswith("example-"):
            published["examples"].append(
                {"kind": part.kind, "domain": part.domain, "text": part.redaction.redacted}
            )
        else:
            published[part.key] = part.redaction.redacted
    return published


def text_digest(published: dict[str, Any]) -> str:
    """A fingerprint of the text a reviewer read, so that publishing publishes exactly that."""
    encoded = json.dumps(published, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()
