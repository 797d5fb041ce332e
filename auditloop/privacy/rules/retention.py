"""Retention, as pure decisions: the kinds of record a council keeps, the events a period may
be counted from, what may happen at its end, the defaults, and the date arithmetic. No ORM.

The defaults follow the guidance councils commonly follow, in this project's own words (a
council must confirm its own schedule with its records manager and Data Protection Officer):

- Children's social care records are commonly kept until the child's 25th birthday (the
  Information and Records Management Society's retention guidelines for local government;
  longer, to the 75th birthday, for the case record of a looked-after child, which is the
  council's case management system's to keep, not this product's). An unsafe-child flag is
  part of that safeguarding story: by default it is kept to the child's 25th birthday.
- Quality assurance and performance monitoring records (the audits, their answers and actions,
  replies to feedback) are the council's own business records: six years after the audit is
  completed, the period the Limitation Act 1980 gives for most claims and the IRMS guidelines
  use for such records. Audits and answers are then anonymised, not deleted: the figures of
  reports already issued keep counting them, with no child or worker named and no free text.
- Logs: the event log is kept six years (the trail of who changed what, for as long as a
  decision may be challenged); the access log two years (long enough to answer a complaint
  about who read a child's record, and to review unusual reading); notifications one year;
  the problems found in imported files (which quote children's IDs) one year; the log of the
  family form's links being used (a keyed hash of the address, never the address) two years,
  as the access log, to answer a family's question about who used their link.
- The practitioner's experience of being audited: that someone answered (or declined) the
  questions about an audit is needed only while they would otherwise be asked again (eight
  weeks from the audit's completion), and is kept a year after it; the answers themselves name
  nobody and carry no date, so they are counted from the end of their cycle and kept, like the
  audits, six years for the reports' trend, their free text then removed.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from enum import StrEnum

# What the free text of a kept record says once its period has ended.
REMOVED_TEXT = "Removed under the council's retention schedule."
# A case file made to stand in for a child's, once their audits are anonymised: it keeps the
# cohort and team the figures need, and names nobody.
ANONYMOUS_CASE_PREFIX = "ANON-"


class RecordKind(StrEnum):
    AUDITS = "audits"
    ANSWERS = "answers"
    ACTIONS = "actions"
    FLAGS = "flags"
    REPLIES = "replies"
    NOTIFICATIONS = "notifications"
    EVENT_LOG = "event_log"
    ACCESS_LOG = "access_log"
    IMPORT_FILES = "import_files"
    FAMILY_FORM_USES = "family_form_uses"
    EXPERIENCE_ASKED = "experience_asked"
    EXPERIENCE_ANSWERS = "experience_answers"


KIND_LABELS = {
    RecordKind.AUDITS: "Audits",
    RecordKind.ANSWERS: "Audit answers",
    RecordKind.ACTIONS: "Actions",
    RecordKind.FLAGS: "Unsafe-child flags",
    RecordKind.REPLIES: "Replies to feedback",
    RecordKind.NOTIFICATIONS: "Notifications",
    RecordKind.EVENT_LOG: "Event log",
    RecordKind.ACCESS_LOG: "Access log",
    RecordKind.IMPORT_FILES: "Imported files and their problems",
    RecordKind.FAMILY_FORM_USES: "Uses of family form links",
    RecordKind.EXPERIENCE_ASKED: "Who answered the questions about being audited",
    RecordKind.EXPERIENCE_ANSWERS: "Answers about being audited",
}

# What each kind's records are, and which of them the schedule touches (said on the pages).
KIND_NOTES = {
    RecordKind.AUDITS: (
        "Audits of a case. Anonymising one moves it to a case file naming no child and removes "
        "every free-text finding, contribution, reason and note (its answers', moderation's "
        "and learning points' too, and the child's and family's own words); grades, checks, "
        "dates, teams and the staff who took part stay, so the reports' figures (which "
        "withhold groups of too few workers) do not change."
    ),
    RecordKind.ANSWERS: (
        "The evidence and comments written against each question. Anonymising removes the "
        "text; the grade or Yes/No answer stays for the figures."
    ),
    RecordKind.ACTIONS: "Closed or cancelled actions: their descriptions and evidence.",
    RecordKind.FLAGS: "Acknowledged unsafe-child flags: the reason given and the response.",
    RecordKind.REPLIES: "Practitioners' replies to the feedback on their audits.",
    RecordKind.NOTIFICATIONS: "The in-app messages sent to people.",
    RecordKind.EVENT_LOG: "Who changed what and when (no audit content is copied into it).",
    RecordKind.ACCESS_LOG: "Who read which child's audit or case file, and when.",
    RecordKind.IMPORT_FILES: (
        "Finished imports of case and staff lists, and the problems found in each file (which "
        "quote the rows' values)."
    ),
    RecordKind.FAMILY_FORM_USES: (
        "Each time a family form link was opened, answered or refused, and each guessed link: "
        "when, what came of it and a keyed hash of the address (never the address)."
    ),
    RecordKind.EXPERIENCE_ASKED: (
        "That a person answered, or chose not to answer, the questions about an audit of their "
        "work (so that they are not asked again), never what they said. People are asked for "
        "eight weeks after an audit is completed, so the period is at least two months."
    ),
    RecordKind.EXPERIENCE_ANSWERS: (
        "The answers about being audited, kept with no name, audit or date: counted from the "
        "end of their cycle (answers about an audit in no cycle have no date to count from, "
        "and are kept until removed by hand). Anonymising removes what they wrote; their "
        "choices stay for the reports' figures."
    ),
}


class Anchor(StrEnum):
    """The event a period is counted from."""

    CREATED = "created"
    AUDIT_COMPLETED = "audit_completed"
    CASE_CLOSED = "case_closed"
    CHILD_BORN = "child_born"
    CYCLE_ENDED = "cycle_ended"


ANCHOR_LABELS = {
    Anchor.CREATED: "the record's creation",
    Anchor.AUDIT_COMPLETED: "the audit's completion",
    Anchor.CASE_CLOSED: "the case's closure",
    Anchor.CHILD_BORN: "the child's date of birth",
    Anchor.CYCLE_ENDED: "the end of its audit cycle",
}


class Outcome(StrEnum):
    DELETE = "delete"
    ANONYMISE = "anonymise"


OUTCOME_LABELS = {
    Outcome.DELETE: "Delete",
    Outcome.ANONYMISE: "Anonymise (keep what the figures need, remove identities and free text)",
}
OUTCOME_DONE = {Outcome.DELETE: "deleted", Outcome.ANONYMISE: "anonymised"}

_ABOUT_A_CASE = (Anchor.AUDIT_COMPLETED, Anchor.CASE_CLOSED, Anchor.CHILD_BORN, Anchor.CREATED)

# The events each kind's period may count from: only those the kind's records have.
ANCHORS: dict[RecordKind, tuple[Anchor, ...]] = {
    RecordKind.AUDITS: _ABOUT_A_CASE,
    RecordKind.ANSWERS: _ABOUT_A_CASE[:3],
    RecordKind.ACTIONS: _ABOUT_A_CASE,
    RecordKind.FLAGS: _ABOUT_A_CASE,
    RecordKind.REPLIES: _ABOUT_A_CASE,
    RecordKind.NOTIFICATIONS: (Anchor.CREATED,),
    RecordKind.EVENT_LOG: (Anchor.CREATED,),
    RecordKind.ACCESS_LOG: (Anchor.CREATED,),
    RecordKind.IMPORT_FILES: (Anchor.CREATED,),
    RecordKind.FAMILY_FORM_USES: (Anchor.CREATED,),
    RecordKind.EXPERIENCE_ASKED: (Anchor.AUDIT_COMPLETED, Anchor.CREATED),
    RecordKind.EXPERIENCE_ANSWERS: (Anchor.CYCLE_ENDED,),
}

# What may happen at the end. Audits and answers are the figures of reports already issued:
# they are anonymised, never deleted. Logs and notifications hold no figure: they go.
OUTCOMES: dict[RecordKind, tuple[Outcome, ...]] = {
    RecordKind.AUDITS: (Outcome.ANONYMISE,),
    RecordKind.ANSWERS: (Outcome.ANONYMISE,),
    RecordKind.ACTIONS: (Outcome.ANONYMISE, Outcome.DELETE),
    RecordKind.FLAGS: (Outcome.ANONYMISE, Outcome.DELETE),
    RecordKind.REPLIES: (Outcome.DELETE, Outcome.ANONYMISE),
    RecordKind.NOTIFICATIONS: (Outcome.DELETE,),
    RecordKind.EVENT_LOG: (Outcome.DELETE,),
    RecordKind.ACCESS_LOG: (Outcome.DELETE,),
    RecordKind.IMPORT_FILES: (Outcome.DELETE, Outcome.ANONYMISE),
    RecordKind.FAMILY_FORM_USES: (Outcome.DELETE,),
    RecordKind.EXPERIENCE_ASKED: (Outcome.DELETE,),
    RecordKind.EXPERIENCE_ANSWERS: (Outcome.ANONYMISE, Outcome.DELETE),
}


@dataclass(frozen=True)
class Default:
    years: int
    months: int
    anchor: Anchor
    outcome: Outcome
    guidance: str


DEFAULTS: dict[RecordKind, Default] = {
    RecordKind.AUDITS: Default(
        6,
        0,
        Anchor.AUDIT_COMPLETED,
        Outcome.ANONYMISE,
        "Quality assurance records: six years after completion (IRMS guidelines; Limitation "
        "Act 1980).",
    ),
    RecordKind.ANSWERS: Default(
        6,
        0,
        Anchor.AUDIT_COMPLETED,
        Outcome.ANONYMISE,
        "As their audit: six years after completion.",
    ),
    RecordKind.ACTIONS: Default(
        6,
        0,
        Anchor.AUDIT_COMPLETED,
        Outcome.ANONYMISE,
        "As their audit: six years after completion.",
    ),
    RecordKind.FLAGS: Default(
        25,
        0,
        Anchor.CHILD_BORN,
        Outcome.ANONYMISE,
        "Safeguarding concerns about a child: to the child's 25th birthday, as children's "
        "social care records (IRMS guidelines).",
    ),
    RecordKind.REPLIES: Default(
        6,
        0,
        Anchor.AUDIT_COMPLETED,
        Outcome.DELETE,
        "As their audit: six years after completion.",
    ),
    RecordKind.NOTIFICATIONS: Default(
        1, 0, Anchor.CREATED, Outcome.DELETE, "Working messages: one year."
    ),
    RecordKind.EVENT_LOG: Default(
        6,
        0,
        Anchor.CREATED,
        Outcome.DELETE,
        "The trail of changes: six years, as long as a decision may be challenged.",
    ),
    RecordKind.ACCESS_LOG: Default(
        2,
        0,
        Anchor.CREATED,
        Outcome.DELETE,
        "Reads of children's records: two years, to answer complaints and review reading.",
    ),
    RecordKind.IMPORT_FILES: Default(
        1,
        0,
        Anchor.CREATED,
        Outcome.DELETE,
        "Imported files' problems quote children's IDs: one year.",
    ),
    RecordKind.FAMILY_FORM_USES: Default(
        2,
        0,
        Anchor.CREATED,
        Outcome.DELETE,
        "Uses of a family's link: two years, as the access log, to answer who used it.",
    ),
    RecordKind.EXPERIENCE_ASKED: Default(
        1,
        0,
        Anchor.AUDIT_COMPLETED,
        Outcome.DELETE,
        "Needed while people are asked (eight weeks from completion): one year after it.",
    ),
    RecordKind.EXPERIENCE_ANSWERS: Default(
        6,
        0,
        Anchor.CYCLE_ENDED,
        Outcome.ANONYMISE,
        "As the audits they report on: six years after their cycle ends, then without the "
        "free text.",
    ),
}

# The shortest period a kind may have, in months: someone is asked about an audit for eight
# weeks after its completion (`auditloop.assurance.rules.experience.ASK_WITHIN_DAYS`), and a
# record of their answer gone sooner would ask them again.
MIN_MONTHS: dict[RecordKind, int] = {RecordKind.EXPERIENCE_ASKED: 2}

MAX_YEARS = 100


class RetentionRefused(ValueError):
    """The rules refuse this change to the schedule; `field` names the form field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def rule_check(*, kind: RecordKind, years: int, months: int, anchor: str, outcome: str) -> None:
    """Refuse a rule the kind cannot have: a period of nothing or of more than a lifetime, an
    event its records do not have, or an end its records may not come to."""
    if years < 0 or months < 0:
        raise RetentionRefused("A period cannot be negative.", field="years")
    if months > 11:
        raise RetentionRefused(
            "Months must be between 0 and 11; count whole years in years.", field="months"
        )
    if years == 0 and months == 0:
        raise RetentionRefused("Enter a period of at least one month.", field="years")
    if years > MAX_YEARS:
        raise RetentionRefused(f"Enter a period of at most {MAX_YEARS} years.", field="years")
    least = MIN_MONTHS.get(kind, 0)
    if years * 12 + months < least:
        raise RetentionRefused(
            f"{KIND_LABELS[kind]} must be kept at least {period_words(0, least)}: people are "
            "asked about an audit for eight weeks after it is completed, and would be asked "
            "again.",
            field="years",
        )
    if anchor not in ANCHORS[kind]:
        if anchor not in {a.value for a in Anchor}:
            raise RetentionRefused("Choose the event the period is counted from.", field="anchor")
        raise RetentionRefused(
            f"{KIND_LABELS[kind]} cannot be counted from {ANCHOR_LABELS[Anchor(anchor)]}.",
            field="anchor",
        )
    if outcome not in OUTCOMES[kind]:
        raise RetentionRefused(
            f"{KIND_LABELS[kind]} are kept for the reports' figures: they can only be anonymised.",
            field="outcome",
        )


def period_words(years: int, months: int) -> str:
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " and ".join(parts)


def _shift(day: datetime.date, months: int) -> datetime.date:
    """`day` moved by whole months, on the same day of the month or the last day the month
    has (31 January plus one month is 28 or 29 February)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: datetime.date, *, years: int, months: int) -> datetime.date:
    """The day a period counted from `start` ends: the record is due on that day."""
    return _shift(start, years * 12 + months)


def latest_due_start(today: datetime.date, *, years: int, months: int) -> datetime.date:
    """The latest start whose period has ended by `today`: a record counted from any day up to
    this one is due, and from any later day is not. (Period ends clamp to a month's last day,
    so several starts can end on one day: all of them are found.)"""
    candidate = _shift(today, -(years * 12 + months))
    while period_end(candidate + datetime.timedelta(days=1), years=years, months=months) <= today:
        candidate += datetime.timedelta(days=1)
    return candidate
