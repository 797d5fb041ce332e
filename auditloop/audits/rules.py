"""The audits' pure rules: which status moves are allowed, who is independent of a case, when
a deep dive's meeting can have been held. No database writes and no services: the services,
the forms, the pages and sampling's draws all ask these same functions."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django.utils import formats, timezone

from auditloop.accounts.models import Role, StaffMember
from auditloop.audits.models import (
    ActionStatus,
    Audit,
    AuditStatus,
    AuditType,
    ComplianceAnswer,
    FamilyReply,
    FamilyViewAsked,
    Grade,
    QuestionKind,
    ToolKind,
)
from auditloop.cases.models import ChildCase

# The one table of allowed moves. Anything not here is refused by the services.
AUDIT_TRANSITIONS: dict[str, frozenset[str]] = {
    AuditStatus.PLANNED: frozenset({AuditStatus.IN_PROGRESS}),
    AuditStatus.IN_PROGRESS: frozenset({AuditStatus.SUBMITTED}),
    AuditStatus.SUBMITTED: frozenset({AuditStatus.COMPLETED, AuditStatus.IN_PROGRESS}),
    AuditStatus.COMPLETED: frozenset(),
}

# What each move is called, for the refusal message ("... cannot be submitted").
MOVE_WORDS = {
    "audit.started": "started",
    "audit.submitted": "submitted",
    "audit.returned": "returned",
    "audit.completed": "completed",
}

WRITABLE_STATUSES = frozenset({AuditStatus.PLANNED, AuditStatus.IN_PROGRESS})


def status_words(status: str) -> str:
    return str(AuditStatus(status).label).lower()


# The status machine: every allowed move. Anything else is refused by the action services.
# The owner marks an open action done (completed: waiting for sign-off); a team manager signs
# it off (closed, the only state that counts as done) or sends it back (open again).
ACTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.COMPLETED, ActionStatus.CANCELLED}),
    ActionStatus.COMPLETED: frozenset({ActionStatus.CLOSED, ActionStatus.OPEN}),
    ActionStatus.CLOSED: frozenset(),
    ActionStatus.CANCELLED: frozenset(),
}

# What each move is called, for the refusal message ("... it cannot be signed off").
ACTION_MOVE_WORDS: dict[str, str] = {
    ActionStatus.COMPLETED: "marked as done",
    ActionStatus.CLOSED: "signed off",
    ActionStatus.OPEN: "sent back",
    ActionStatus.CANCELLED: "cancelled",
}


def action_move_problem(status: str, to: str) -> str | None:
    """Why an action at `status` cannot move to `to`, or None when the table allows it."""
    if to in ACTION_TRANSITIONS[status]:
        return None
    return (
        f"This action is {ActionStatus(status).label.lower()}: "
        f"it cannot be {ACTION_MOVE_WORDS[to]}."
    )


def needs_action(*, kind: str, compliance: str, grade_needs_action: bool) -> bool:
    """Whether an answer is a weakness that needs an action (or a reason why none is needed)
    before its audit is submitted: a "No" on a compliance check, or a graded question whose
    grade that counts is one its scale marks as needing an action."""
    if kind == QuestionKind.COMPLIANCE:
        return compliance == ComplianceAnswer.NO
    return grade_needs_action


def may_sign_off(
    *,
    signer_id: int,
    signer_role: str,
    signer_team_id: int | None,
    owner_id: int,
    owner_role: str,
    owner_team_id: int | None,
    owner_manager_id: int | None,
    audit_team_id: int | None,
    head_of_service_id: int | None,
) -> bool:
    """Who signs off a completed action, on ids alone, so that one action (the pages and the
    services) and a whole list (the home page's "waiting for your sign-off") are judged alike.

    Nobody signs off their own action. A team manager of the audit's team signs off the
    actions of everyone else. An action owned by a team manager of the audit's team is signed
    off by their own line manager or the head of the audit team's service instead, never by a
    fellow team manager. An audit with no team has no team manager: the owner's line manager
    signs off."""
    if signer_id == owner_id:
        return False
    if audit_team_id is None:
        return owner_manager_id is not None and signer_id == owner_manager_id
    if owner_role == Role.TEAM_MANAGER and owner_team_id == audit_team_id:
        return signer_id in {owner_manager_id, head_of_service_id}
    return signer_role == Role.TEAM_MANAGER and signer_team_id == audit_team_id


def holds_or_manages(
    *,
    auditor_id: int | None,
    auditor_role: str,
    auditor_team_id: int | None,
    worker_id: int | None,
    worker_manager_id: int | None,
    case_team_id: int | None,
) -> bool:
    """The one statement of the independence rule, on ids alone, so that a single case
    (`auditor_is_independent`) and a whole population filtered at once (sampling's draws) are
    judged by the same code. True when the auditor is the case's allocated worker, that
    worker's line manager, or a team manager of the case's allocated team."""
    if worker_id is not None and worker_id == auditor_id:
        return True
    if worker_manager_id is not None and worker_manager_id == auditor_id:
        return True
    return (
        auditor_role == Role.TEAM_MANAGER
        and case_team_id is not None
        and auditor_team_id == case_team_id
    )


def auditor_is_independent(*, auditor: StaffMember, case: ChildCase) -> bool:
    """False when the auditor holds the case or manages it (see `holds_or_manages`).

    Reads `case.allocated_worker`; select_related it when checking many cases."""
    worker = case.allocated_worker if case.allocated_worker_id is not None else None
    return not holds_or_manages(
        auditor_id=auditor.pk,
        auditor_role=auditor.role,
        auditor_team_id=auditor.team_id,
        worker_id=case.allocated_worker_id,
        worker_manager_id=worker.manager_id if worker is not None else None,
        case_team_id=case.allocated_team_id,
    )


def independent_of_audit(*, staff: StaffMember, audit: Audit) -> bool:
    """False when `staff` holds or manages the audit's case now (`auditor_is_independent`), or
    held or managed the work the audit judged: the audit's practitioner (who held the case when
    it was audited), that practitioner's line manager, or a team manager of the audit's team.
    The same rule (`holds_or_manages`) both ways, so that a case moved to another team since
    does not make its former worker's manager independent of the audit of their work.

    For whoever judges a finished audit (its moderator, whoever decides a disagreement about
    it); a new audit of the case is judged against the case alone. Reads
    `audit.case.allocated_worker` and `audit.practitioner`: select_related them when judging
    many people."""
    if not auditor_is_independent(auditor=staff, case=audit.case):
        return False
    practitioner = audit.practitioner if audit.practitioner_id is not None else None
    return not holds_or_manages(
        auditor_id=staff.pk,
        auditor_role=staff.role,
        auditor_team_id=staff.team_id,
        worker_id=audit.practitioner_id,
        worker_manager_id=practitioner.manager_id if practitioner is not None else None,
        case_team_id=audit.team_id,
    )


def meeting_date_problem(audit: Audit, meeting_date: datetime.date) -> str | None:
    """Why `meeting_date` cannot be the day of this deep dive's meeting, or None if it can: the
    meeting is held once the audit is planned, and cannot be recorded before it is held."""
    planned = timezone.localdate(audit.created_at)
    if meeting_date > timezone.localdate():
        return "The date of the deep dive meeting must be today or in the past"
    if meeting_date < planned:
        return (
            "The date of the deep dive meeting must be the same as or after "
            f"{formats.date_format(planned, 'j F Y')}, when the audit was planned"
        )
    return None


# Codes appear in URLs and in the descriptors' keys: letters, digits, hyphens, underscores.
CODE_PATTERN = re.compile(r"\A[A-Za-z0-9_-]+\Z")


# Which question kinds each kind of tool takes.
KINDS_FOR_TOOL: dict[str, tuple[str, ...]] = {
    ToolKind.COMPLIANCE: (QuestionKind.COMPLIANCE,),
    ToolKind.QUALITY: (QuestionKind.GRADED,),
    ToolKind.MIXED: (QuestionKind.COMPLIANCE, QuestionKind.GRADED),
}


# Grades are counted apart in places on their scale, never in values: a grade's value is a free
# integer (a council's scale may run 0, 5, 10), so one step up the scale is one grade however far
# apart the values lie. `grade_places` is the one rule for a grade's place; the moderation's
# comparison and the revisits' changes both count with it.
def grade_places(scale: Iterable[Grade]) -> dict[int, int]:
    """Each grade of one scale (by id) with its place on it: 0 for the lowest value, one more
    for each grade above."""
    return {g.pk: n for n, g in enumerate(sorted(scale, key=lambda g: g.value))}


def grades_apart(first: Grade | None, second: Grade | None, scale: Iterable[Grade]) -> int | None:
    """How many grades `second` is above `first` on their scale (negative when below), counted
    in places on the scale (`grade_places`), not in values; None when either is missing or off
    the scale."""
    places = grade_places(scale)
    if first is None or second is None or first.pk not in places or second.pk not in places:
        return None
    return places[second.pk] - places[first.pk]


# Revisits: a compliance check places Yes one above No; "not applicable" and a blank have no
# place. A graded answer stands at its grade's place on the scale (`grades_apart`).
COMPLIANCE_PLACE: dict[str, int] = {ComplianceAnswer.YES: 1, ComplianceAnswer.NO: 0}


def answer_steps(
    *,
    before_compliance: str = "",
    before_grade: Grade | None = None,
    after_compliance: str = "",
    after_grade: Grade | None = None,
    scale: Iterable[Grade] = (),
) -> int | None:
    """How many steps better (positive) or worse (negative) the later answer to a question
    stands than the earlier; None when the two cannot be compared (either is not applicable or
    not answered, a grade stands beside a check, or a grade is not on `scale`, the earlier
    grade's). Grades are counted in places on their scale; a check moves one step."""
    if before_grade is not None or after_grade is not None:
        return grades_apart(before_grade, after_grade, scale)
    return change_steps(
        COMPLIANCE_PLACE.get(before_compliance), COMPLIANCE_PLACE.get(after_compliance)
    )


def change_steps(before: int | None, after: int | None) -> int | None:
    """How many steps better (positive) or worse (negative) the later place is; None when
    either is missing, so the two cannot be compared."""
    if before is None or after is None:
        return None
    return after - before


def change_direction(steps: int | None) -> str:
    """ "better", "the same", "worse", or "" when the answers cannot be compared."""
    if steps is None:
        return ""
    if steps > 0:
        return "better"
    return "worse" if steps < 0 else "the same"


def change_words(*, steps: int | None, before: str, after: str, graded: bool) -> str:
    """The change in a sentence: "Better by 2 grades (Inadequate, now Good)", "The same (Yes
    both times)", "Worse (Yes, now No)". `before` and `after` are the answers' labels."""
    direction = change_direction(steps)
    if not direction:
        if before == after:
            return f"Cannot be compared ({before or 'not answered'} both times)"
        return f"Cannot be compared ({before or 'not answered'}, now {after or 'not answered'})"
    if steps == 0:
        return f"The same ({after} both times)"
    size = abs(steps or 0)
    by = f" by {size} grade{'s' if size != 1 else ''}" if graded else ""
    return f"{direction.capitalize()}{by} ({before}, now {after})"


# The child's and the family's view -----------------------------------------------------------

# The questions every tool asks the child and their family until its audit lead changes them:
# (text, kind, whether its answers are set beside the auditor's judgement of impact).
DEFAULT_FAMILY_QUESTIONS: tuple[tuple[str, str, bool], ...] = (
    ("Did you understand why children's services were involved?", "agreement", False),
    ("Did you feel listened to?", "agreement", False),
    ("Have things got better since we have been involved?", "agreement", True),
    ("What would have helped?", "text", False),
)
# A tool keeps a short set: the form must stay quick for a child to answer.
MAX_FAMILY_QUESTIONS = 8
MAX_QUESTION_LENGTH = 300
MAX_ANSWER_LENGTH = 5000
# How long an online family form link works, and how many uses of family form links (good,
# used, expired or guessed) one address may make in a window before it is refused for a while.
FAMILY_LINK_DAYS = 28
FAMILY_FORM_TRIES = 20
FAMILY_FORM_WINDOW = datetime.timedelta(minutes=15)


def family_view_asked(*, audit_type: str, asked: str) -> bool:
    """Whether an audit of this type asks the family's view, under its tool version's
    `family_view_asked`: every deep dive, and any audit where the tool says so. A calibration
    audit is an exercise on a case already audited: the family is never asked again for it."""
    if audit_type == AuditType.CALIBRATION:
        return False
    return audit_type == AuditType.DEEP_DIVE or asked == FamilyViewAsked.EVERY_AUDIT


def audit_asks_family(audit: Audit) -> bool:
    """Whether this audit asks the family's view (reads its tool version)."""
    return family_view_asked(
        audit_type=audit.audit_type, asked=audit.tool_version.family_view_asked
    )


class FamilyAgreement:
    """How the family's answer to the impact question sits beside the audit's overall grade
    that counts (Good or better, or not)."""

    AGREE = "Family and auditor agree"
    FAMILY_MORE_POSITIVE = "Family more positive than the auditor"
    FAMILY_LESS_POSITIVE = "Family less positive than the auditor"
    MIXED = "Family said partly or not sure"

    ORDER = (AGREE, FAMILY_MORE_POSITIVE, FAMILY_LESS_POSITIVE, MIXED)


def family_agreement(*, reply: str, good_or_better: bool) -> str:
    """One family answer to "have things got better?" against the auditor's judgement."""
    if reply == FamilyReply.YES:
        return FamilyAgreement.AGREE if good_or_better else FamilyAgreement.FAMILY_MORE_POSITIVE
    if reply == FamilyReply.NO:
        return FamilyAgreement.FAMILY_LESS_POSITIVE if good_or_better else FamilyAgreement.AGREE
    return FamilyAgreement.MIXED
