"""The blind regrade's pure rules: the moderation's status machine, how far apart two grades
are in words (counted in places on their scale by `auditloop.audits.rules.grades_apart`), and
which questions are in dispute. No database writes and no services."""

from __future__ import annotations

from auditloop.assurance.models import ModerationStatus
from auditloop.audits.models import Grade

# The one table of allowed moves. Anything not here is refused by the services.
MODERATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ModerationStatus.UNASSIGNED: frozenset({ModerationStatus.REGRADING}),
    ModerationStatus.REGRADING: frozenset({ModerationStatus.AGREEING}),
    ModerationStatus.AGREEING: frozenset({ModerationStatus.AGREED, ModerationStatus.ESCALATED}),
    ModerationStatus.ESCALATED: frozenset({ModerationStatus.DECIDED}),
    ModerationStatus.AGREED: frozenset(),
    ModerationStatus.DECIDED: frozenset(),
}

# What each step is called, for the refusal message ("... cannot be regraded").
STEP_WORDS: dict[str, str] = {
    ModerationStatus.REGRADING: "given a moderator",
    ModerationStatus.AGREEING: "regraded",
    ModerationStatus.AGREED: "agreed",
    ModerationStatus.ESCALATED: "sent to the head of service",
    ModerationStatus.DECIDED: "decided",
}


def moderation_move_refusal(status: str, to: str) -> str | None:
    """Why a moderation at `status` cannot move to `to`, or None when it can."""
    if to in MODERATION_TRANSITIONS[status]:
        return None
    where = str(ModerationStatus(status).label).lower()
    return f"A moderation that is at '{where}' cannot be {STEP_WORDS.get(to, 'moved')}."


def in_dispute(*grades: Grade | None) -> bool:
    """Whether the grades given for one question (the auditor's, the moderator's and any
    agreed grade the moderator recorded) are not all the same. A missing grade (no agreed grade
    recorded yet) is left out."""
    return len({g.pk for g in grades if g is not None}) > 1


def apart_words(apart: int | None) -> str:
    """`grades_apart` in words, as the comparison shows it: "Same", "1 grade higher"."""
    if apart is None:
        return "Not compared"
    if apart == 0:
        return "Same"
    noun = "grade" if abs(apart) == 1 else "grades"
    return f"{abs(apart)} {noun} {'higher' if apart > 0 else 'lower'}"
