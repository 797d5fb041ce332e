"""The redaction engine: known names in one pass of an Aho-Corasick automaton, identifiers by
one pattern each, checked by their own validating rules where a library has them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
from stdnum.gb import nhs

from auditloop.accounts.models import Role, StaffMember
from auditloop.cases.models import ChildCase

STAFF_PLACEHOLDER: dict[str, str] = {
    Role.PRACTITIONER.value: "[social worker]",
    Role.TEAM_MANAGER.value: "[team manager]",
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    placeholder: str


@dataclass(frozen=True)
class Redaction:
    text: str
    redacted: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class KnownName:
    """A name (or identifier) the product knows, the label it is redacted with, and its
    placeholder."""

    text: str
    label: str
    placeholder: str


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


POSTCODE = re.compile(r"\b[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)
NHS_NUMBER = re.compile(r"\b\d{3}[ -]?\d{3}[ -]?\d{4}\b")
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")


class Redactor:
    """Redacts the names it was given and the identifiers it recognises."""

    def __init__(self, known: Iterable[KnownName]) -> None:
        self._automaton = ahocorasick.Automaton()
        for name in known:
            key = name.text.strip().lower()
            if len(key) < 2:
                continue
            existing = self._automaton.get(key, None)
            # A string known as staff stays staff whatever else it is known as.
            if existing is None or (existing[1] != "staff" and name.label == "staff"):
                self._automaton.add_word(key, (len(key), name.label, name.placeholder))
        self._has_words = len(self._automaton) > 0
        if self._has_words:
            self._automaton.make_automaton()

    def _known_spans(self, text: str) -> list[Span]:
        if not self._has_words:
            return []
        lowered = text.lower()
        spans = []
        for end_index, (length, label, placeholder) in self._automaton.iter(lowered):
            start, end = end_index - length + 1, end_index + 1
            if start > 0 and _is_word_char(lowered[start - 1]):
                continue
            if end < len(lowered) and _is_word_char(lowered[end]):
                continue
            spans.append(Span(start, end, label, placeholder))
        return spans

    @staticmethod
    def _identifier_spans(text: str) -> list[Span]:
        spans = [
            Span(m.start(), m.end(), "identifier:postcode", "[postcode]")
            for m in POSTCODE.finditer(text)
        ]
        spans += [
            Span(m.start(), m.end(), "identifier:email", "[email address]")
            for m in EMAIL.finditer(text)
        ]
        spans += [
            Span(m.start(), m.end(), "identifier:nhs_number", "[NHS number]")
            for m in NHS_NUMBER.finditer(text)
            if nhs.is_valid(m.group())
        ]
        return spans

    def redact(
        self, text: str, *, added: Iterable[tuple[str, str]] = (), kept: Iterable[str] = ()
    ) -> Redaction:
        """`added`: (string, label) pairs a reviewer redacts as well, wherever they occur;
        `kept`: strings the reviewer judged not identifying, left as written unless they are
        a known staff name (those are always redacted)."""
        candidates = self._known_spans(text) + self._identifier_spans(text)
        lowered = text.lower()
        for extra, label in added:
            needle = extra.strip().lower()
            if not needle:
                continue
            start = lowered.find(needle)
            while start != -1:
                candidates.append(Span(start, start + len(needle), label, placeholder_for(label)))
                start = lowered.find(needle, start + len(needle))
        keep = {k.strip().lower() for k in kept if k.strip()}
        if keep:
            candidates = [
                s for s in candidates if s.label == "staff" or lowered[s.start : s.end] not in keep
            ]
        # Longest first where spans overlap; then in order of the text.
        candidates.sort(key=lambda s: (s.start, -(s.end - s.start)))
        chosen: list[Span] = []
        for span in candidates:
            if chosen and span.start < chosen[-1].end:
                continue
            chosen.append(span)
        parts: list[str] = []
        at = 0
        for span in chosen:
            parts.append(text[at : span.start])
            parts.append(span.placeholder)
            at = span.end
        parts.append(text[at:])
        return Redaction(text=text, redacted="".join(parts), spans=tuple(chosen))


def known_staff_spans(redactor: Redactor, text: str) -> list[Span]:
    """The known staff names still in `text`: publishing is refused while there is one."""
    return [s for s in redactor.redact(text).spans if s.label == "staff"]


def placeholder_for(label: str) -> str:
    """The placeholder for a label a reviewer chose: `[staff member]`, `[person]`, or the
    identifier's kind (`identifier:postcode` -> `[postcode]`)."""
    if label == "staff":
        return "[staff member]"
    if label == "person":
        return "[person]"
    kind = label.partition(":")[2] or "identifier"
    return f"[{kind.replace('_', ' ')}]"


def known_names_from_database() -> list[KnownName]:
    """The staff names the product knows (the staff list, and workers named by the case-list
    imports), as full name, first name and surname; and the children's case ids."""
    known: list[KnownName] = []
    for name, role in StaffMember.objects.values_list("name", "role"):
        placeholder = STAFF_PLACEHOLDER.get(role, "[staff member]")
        parts = name.split()
        for variant in {name, *parts}:
            known.append(KnownName(variant, "staff", placeholder))
    workers = ChildCase.objects.exclude(allocated_worker_name="").values_list(
        "allocated_worker_name", flat=True
    )
    for name in set(workers):
        for variant in {name, *name.split()}:
            known.append(KnownName(variant, "staff", "[social worker]"))
    for child_id in ChildCase.objects.values_list("la_child_id", flat=True):
        known.append(KnownName(child_id, "identifier:child_id", "[child ID]"))
    return known


def redactor_for_database() -> Redactor:
    """A redactor that knows the names in the database in use, as they are now."""
    return Redactor(known_names_from_database())
