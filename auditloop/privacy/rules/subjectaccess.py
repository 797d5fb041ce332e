"""Subject access: what an export holds, what it deliberately leaves out and why, and which
third parties' names are taken out of its free text. Pure: no ORM.

The export's JSON says what it is (`format`) and which shape it has (`version`); the README's
"Subject access" section documents the shape. A change that removes or renames a key raises
the version."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Protocol

EXPORT_FORMAT = "auditloop subject access export"
EXPORT_VERSION = 1


class SubjectKind(StrEnum):
    CHILD = "child"
    STAFF = "staff"


# Every model that points at a child's case (or at one of the child's audits), and where the
# export holds it. `test_subjectaccess_coverage` walks the models: a new model with such a
# link fails it until it is named here or in CHILD_LEFT_OUT.
CHILD_EXPORTED: dict[str, str] = {
    "cases.childcase": "case",
    "audits.audit": "audits",
    "audits.answer": "audits[].answers",
    "audits.participant": "audits[].participants",
    "audits.escalation": "audits[].flags",
    "audits.action": "audits[].actions",
    "audits.feedbackreply": "audits[].feedback_replies",
    "audits.familycontact": "audits[].family_contacts",
    "audits.partnershare": "audits[].partner_share",
    "learning.learningpoint": "audits[].learning_points",
    "assurance.moderation": "audits[].moderation",
    "assurance.moderationrequest": "audits[].moderation_requests",
    "sampling.sampledrawcase": "sample_draws",
    "assurance.calibrationexercise": "calibration_exercises",
    "core.accesslog": "access_log",
    "core.event": "events",
}
CHILD_LEFT_OUT: dict[str, str] = {
    "audits.familylink": "A link to the online family form: a hash of its token and its dates; "
    "the answers it brought are exported with the audit's family contacts.",
    "assurance.experienceasked": "That the practitioner was asked how being audited felt: "
    "about the member of staff, not the child.",
    "sampling.lateescalation": "That a late audit was escalated to a manager or the audit "
    "lead: the auditor's workload, not information about the child.",
    "sampling.cycleaudit": "Which cycle planned the audit and in which month: the council's "
    "planning, nothing about the child beyond the audit's own dates, which are exported.",
    "sampling.sampledrawpopulation": "That the case was among the open cases a sample was "
    "drawn from: the council's planning, recorded for every case that matched the filters; "
    "the draws that chose the child's case are exported.",
    "sampling.remindersent": "That a reminder was emailed to the auditor: the auditor's "
    "workload, not information about the child.",
    "assurance.meetingitem": "A moderation meeting's notes about the audit compare auditors' "
    "practice; the moderation's outcome (grades, reasons) is exported with the audit.",
    "assurance.calibrationentry": "Links a calibration audit to its exercise; the audit itself "
    "and the exercise are exported.",
    "privacy.accessreview": "A search of who has read the child's records: the reads it shows "
    "are exported from the access log, and the search itself is among the events.",
    "privacy.legalhold": "Whether the case is held for legal proceedings: the DPO decides case "
    "by case whether to disclose it (an exemption for legal proceedings may apply), from the "
    "hold's events, which the export lists.",
    "privacy.anonymouscase": "A stand-in with no link to any child, for audits whose child was "
    "removed by retention: they no longer belong to anyone.",
}

# Every model that points at a member of staff or their login, and where the export holds it.
STAFF_EXPORTED: dict[str, str] = {
    "accounts.staffmember": "staff_member",
    "accounts.accessrequest": "role_history",
    "accounts.service": "staff_member.head_of_services",
    "cases.childcase": "cases_allocated",
    "audits.audit": "audits",
    "audits.participant": "deep_dive_participation",
    "audits.escalation": "flags",
    "audits.action": "actions",
    "audits.feedbackreply": "feedback_replies",
    "assurance.experienceasked": "experience_asked",
    "sampling.lateescalation": "late_audits_escalated_to_them",
    "learning.learningpoint": "learning_points",
    "learning.keymessage": "key_messages",
    "learning.keymessagerecipient": "key_messages_received",
    "learning.trainingattendance": "training_attended",
    "assurance.moderation": "moderations",
    "assurance.moderationrequest": "moderation_requests",
    "assurance.moderationmeeting": "moderation_meetings",
    "assurance.calibrationexercise": "calibration_exercises_set",
    "sampling.sampledrawcase": "sample_allocations",
    "sampling.cycle": "cycles_auditing",
    "core.event": "events_caused",
    "core.accesslog": "reads",
    "core.failedsignin": "sign_ins.failed",
    "core.refusedrequest": "refused_requests",
    "core.notification": "notifications",
    "api.apitoken": "api_tokens",
}
STAFF_LEFT_OUT: dict[str, str] = {
    "audits.familycontact": "What a child or family said for an audit, which this member of "
    "staff recorded: the child's and family's information; that they recorded it is in the "
    "events they caused.",
    "audits.familylink": "A link to the online family form they made: the family's, not "
    "theirs; that they made it is in the events they caused.",
    "audits.partnershare": "What they shared of a case with a partner agency's auditor: the "
    "child's information; that they shared it is in the events they caused.",
    "admin.logentry": "Django's admin site is not mounted: the table stays empty. Changes "
    "are in the event log, exported as the events they caused.",
    "audits.toolversion": "An audit tool version is the council's form; that they created "
    "one is in the events they caused.",
    "imports.importrun": "A case-list import is the council's data about children; that "
    "they ran one is in the events they caused.",
    "sampling.sampledraw": "A sample draw is the council's planning; that they drew one is in "
    "the events they caused.",
    "assurance.moderationsample": "A moderation sample is the council's planning; that they "
    "drew one is in the events they caused.",
    "learning.theme": "A theme is the council's vocabulary; that they added one is in the "
    "events they caused.",
    "learning.themesuggestion": "A theme suggestion is decided on learning points, not on "
    "the person; their decision is in the events they caused.",
    "learning.trainingrule": "A training rule is the council's configuration; that they set "
    "one is in the events they caused.",
    "learning.trainingevent": "A training event is the council's calendar; their attendance "
    "at events is exported, and that they created one is in the events they caused.",
    "learning.trainingneed": "A training need is a team's or a domain's, never one person's; "
    "their decision on one is in the events they caused.",
    "reports.target": "A target is a service's figure; that they set one is in the events "
    "they caused.",
    "reports.cyclereview": "A cycle review is an anonymised report; that they asked for one is "
    "in the events they caused.",
    "privacy.accessreview": "A search they made of who has read a child's records: in the "
    "events they caused and their reads.",
    "privacy.legalhold": "A hold on a child's case; that they set or removed one is in the "
    "events they caused.",
    "privacy.readingthresholds": "The council's thresholds; a change they made is in the events "
    "they caused.",
    "privacy.retentionrule": "The council's retention schedule; a change they made is in the "
    "events they caused.",
    "accounts.passkey": "A second factor's credential: that they added or removed one is in "
    "the events they caused; its key is a credential, not information about them.",
    "otp_totp.totpdevice": "A second factor's secret: that they set one up is in the events "
    "they caused; the secret is a credential, not information about them.",
    "otp_static.staticdevice": "Recovery codes: that they were made or used is in the events "
    "they caused; the codes are credentials.",
    "otp_static.statictoken": "A recovery code: a credential (see the device above).",
    "accounts.signedinsession": "A signed-in session lasts at most a working day; the person "
    "sees and ends their own on their sessions page, and sign-ins are in the export.",
}


class SpanLike(Protocol):
    """A span of the redaction engine (`learning.redaction.engine.Span`)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def label(self) -> str: ...
    @property
    def placeholder(self) -> str: ...


# Staff named in an audit's text are named in their professional role: UK practice (the
# ICO's guidance on third-party information in subject access) is to disclose them. Every
# other person (a parent, a sibling, another child) and every identifier (another child's
# ID, a phone number, an address) is a third party and is redacted.
KEPT_LABELS = frozenset({"staff"})


def third_parties_redacted(
    text: str, spans: Iterable[SpanLike], *, kept_labels: frozenset[str] = KEPT_LABELS
) -> str:
    """`text` with each span replaced by its placeholder, except spans whose label is in
    `kept_labels` (left as written). `spans` are the redaction engine's, in the text's order,
    not overlapping."""
    parts: list[str] = []
    at = 0
    for span in spans:
        if span.label in kept_labels:
            continue
        parts.append(text[at : span.start])
        parts.append(span.placeholder)
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


def export_filename(*, kind: SubjectKind, public_id: str, on: str) -> str:
    """The zip's name: the kind of subject, the first eight characters of the case's or staff
    member's public id, and the day. Never a child's ID nor a person's name."""
    return f"subject-access-{kind}-{public_id.replace('-', '')[:8]}-{on}.zip"


# -- the readable document: the JSON laid out as headed sections of labelled rows -----------

_WORDS = {
    "la": "LA",
    "id": "ID",
    "ids": "IDs",
    "cp": "CP",
    "swe": "SWE",
    "api": "API",
    "ip": "IP",
}
NOTHING_HELD = "None held"
# The header's keys: shown on the document's first page, not as sections.
HEADER_KEYS = ("format", "version", "kind", "produced_at", "produced_by")


def label_for(key: str) -> str:
    """A JSON key as a heading or a row's label: "la_child_id" is "LA child ID"."""
    words = [_WORDS.get(w, w) for w in key.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _cell(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    return str(value)


class Record:
    """One item: its rows (label, value) and the lists inside it, as sections."""

    def __init__(self, title: str, rows: list[tuple[str, str]], sections: list[Section]) -> None:
        self.title = title
        self.rows = rows
        self.sections = sections


class Section:
    def __init__(self, title: str, records: list[Record]) -> None:
        self.title = title
        self.records = records

    @property
    def is_empty(self) -> bool:
        return not self.records


def _record(title: str, data: dict[str, object]) -> Record:
    rows: list[tuple[str, str]] = []
    sections: list[Section] = []
    for key, value in data.items():
        if isinstance(value, dict):
            sections.append(Section(label_for(key), [_record(label_for(key), value)]))
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            sections.append(_section(key, value))
        else:
            rows.append((label_for(key), _cell(value)))
    return Record(title, rows, sections)


def _section(key: str, value: object) -> Section:
    title = label_for(key)
    if isinstance(value, dict):
        return Section(title, [_record(title, value)])
    if isinstance(value, list):
        if value and not any(isinstance(v, dict) for v in value):
            return Section(title, [Record(title, [(title, _cell(value))], [])])
        return Section(
            title,
            [_record(f"{title}: {n} of {len(value)}", v) for n, v in enumerate(value, 1)],
        )
    if value is None:
        return Section(title, [])
    return Section(title, [Record(title, [(title, _cell(value))], [])])


def document_sections(data: dict[str, object]) -> list[Section]:
    """The export's JSON as the readable document's sections, in the JSON's order: the PDF
    shows the same data as the JSON, nothing more or less."""
    return [_section(key, value) for key, value in data.items() if key not in HEADER_KEYS]
