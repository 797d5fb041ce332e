"""Writes for training: rules, raising needs from a cycle, deciding needs, recording training
events and their attendance (on the form, or from a CSV register). Each writes one event row
per change; no event row quotes a need's evidence or a decision's reason."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from auditloop.accounts.models import StaffMember, Team, User
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import Question
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.imports.matching import normalise_name
from auditloop.imports.parsers.base import Issue, IssueLog
from auditloop.learning.access.training import (
    EVENT_NOT_YOURS,
    LEADS_ONLY_NEEDS,
    can_change_event,
    can_decide_need,
)
from auditloop.learning.models import (
    AttendanceSource,
    Theme,
    TrainingAttendance,
    TrainingEvent,
    TrainingNeed,
    TrainingNeedStatus,
    TrainingRule,
    TrainingRuleKind,
)
from auditloop.learning.rules.attendance_csv import AttendanceRow, ParsedAttendance
from auditloop.learning.rules.training import (
    Domain,
    Evaluation,
    Finding,
    RuleTerms,
    TeamFigures,
    rule_evaluate,
)
from auditloop.learning.selectors.training import (
    attendance_candidates,
    default_scale_domains,
    domain_of,
    grade_words,
    team_figures,
)
from auditloop.sampling.models import Cycle

# Rules ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDetails:
    name: str
    kind: str
    question: Question | None = None
    grade_value: int | None = None
    percent: int | None = None
    theme: Theme | None = None
    count: int | None = None


def _rule_checked(details: RuleDetails) -> RuleDetails:
    """The details with the other kind's fields cleared; Refused when a threshold is missing
    or out of range."""
    if details.kind == TrainingRuleKind.DOMAIN_SHARE:
        if details.grade_value is None:
            raise Refused("Choose the grade at or below which a domain counts", field="grade_value")
        if details.percent is None or not 0 <= details.percent < 100:
            raise Refused("Enter a percentage from 0 to 99", field="percent")
        return RuleDetails(
            details.name, details.kind, details.question, details.grade_value, details.percent
        )
    if details.kind == TrainingRuleKind.THEME_COUNT:
        if details.count is None:
            raise Refused(
                "Enter the number of audits the theme must be in more than", field="count"
            )
        return RuleDetails(details.name, details.kind, theme=details.theme, count=details.count)
    raise Refused("Choose the kind of rule", field="kind")


def _rule_facts(rule: TrainingRule) -> dict[str, object]:
    return {
        "kind": rule.kind,
        "question": rule.question_id,
        "grade_value": rule.grade_value,
        "percent": rule.percent,
        "theme": rule.theme_id,
        "count": rule.count,
        "is_active": rule.is_active,
    }


@transaction.atomic
def training_rule_create(*, details: RuleDetails, by: StaffMember) -> TrainingRule:
    if not by.is_audit_lead:
        raise Refused("Only an audit lead sets training rules.")
    d = _rule_checked(details)
    rule = TrainingRule.objects.create(
        name=d.name,
        kind=d.kind,
        question=d.question,
        grade_value=d.grade_value,
        percent=d.percent,
        theme=d.theme,
        count=d.count,
        created_by=by,
    )
    event_record(
        actor=by.user,
        verb="training_rule.created",
        target=rule,
        summary=rule.name,
        after=_rule_facts(rule),
    )
    return rule


@transaction.atomic
def training_rule_update(
    *, rule: TrainingRule, details: RuleDetails, by: StaffMember
) -> TrainingRule:
    """Change a rule. Needs it raised before keep the evidence they were raised with."""
    if not by.is_audit_lead:
        raise Refused("Only an audit lead sets training rules.")
    d = _rule_checked(details)
    before = _rule_facts(rule)
    rule.name, rule.kind, rule.question, rule.grade_value = (
        d.name,
        d.kind,
        d.question,
        d.grade_value,
    )
    rule.percent, rule.theme, rule.count = d.percent, d.theme, d.count
    rule.save()
    event_record(
        actor=by.user,
        verb="training_rule.changed",
        target=rule,
        summary=rule.name,
        before=before,
        after=_rule_facts(rule),
    )
    return rule


@transaction.atomic
def training_rule_activate(*, rule: TrainingRule, active: bool, by: StaffMember) -> TrainingRule:
    """Switch a rule off (it raises no more needs; those it raised stay) or on again."""
    if not by.is_audit_lead:
        raise Refused("Only an audit lead sets training rules.")
    if rule.is_active == active:
        raise Refused(f"This rule is already {'active' if active else 'switched off'}.")
    rule.is_active = active
    rule.save(update_fields=["is_active"])
    event_record(
        actor=by.user,
        verb="training_rule.activated" if active else "training_rule.deactivated",
        target=rule,
        summary=rule.name,
        after={"is_active": active},
    )
    return rule


# Raising needs --------------------------------------------------------------------------------


@dataclass
class RaiseOutcome:
    """What checking the rules for a cycle did: the needs raised now, how many were raised
    before (unchanged), and the teams each rule could not judge (too few audits)."""

    raised: list[TrainingNeed] = field(default_factory=list)
    already: int = 0
    too_few: dict[str, list[str]] = field(default_factory=dict)


def _need_title(rule: TrainingRule, finding: Finding, subject: str, grade: str) -> str:
    e = finding.evidence
    if rule.kind == TrainingRuleKind.DOMAIN_SHARE:
        return f"{subject}: {grade} in {e['share']:g}% of audits (more than {e['percent']}%)"
    return f"{subject}: in {e['with_theme']} audits (more than {e['count']})"


@dataclass(frozen=True)
class Subjects:
    """The domains and themes findings name, and their teams' names, read once."""

    questions: dict[Domain, Question]
    themes: dict[int, Theme]
    team_names: dict[int, str]

    @classmethod
    def of(cls, findings: list[Finding]) -> Subjects:
        domains = {f.domain for f in findings if f.domain is not None}
        rows = Question.objects.filter(
            code__in={code for _, code in domains},
            section__version__tool_id__in={tool for tool, _ in domains},
        ).select_related("section__version")
        # Each domain's question in the newest published version (else the newest).
        newest = sorted(
            rows, key=lambda q: (q.section.version.is_published, q.section.version.number)
        )
        return cls(
            questions={domain_of(q): q for q in newest if domain_of(q) in domains},
            themes=Theme.objects.in_bulk({f.theme_id for f in findings if f.theme_id}),
            team_names=dict(
                Team.objects.filter(pk__in={f.team_id for f in findings}).values_list("id", "name")
            ),
        )


def need_built(
    *, rule: TrainingRule, cycle: Cycle, finding: Finding, subjects: Subjects, minimum: int
) -> TrainingNeed:
    """The need (not saved) that `finding` raises, titled, with its evidence: the counts and
    thresholds the rule saw, the rule's and the cycle's names; never a child or a worker."""
    question = rule.question or (subjects.questions.get(finding.domain) if finding.domain else None)
    theme = subjects.themes.get(finding.theme_id) if finding.theme_id else None
    subject = question.text[:90] if question else theme.name if theme else ""
    domain = rule.kind == TrainingRuleKind.DOMAIN_SHARE
    grade = grade_words(question, rule.grade_value) if domain else ""
    return TrainingNeed(
        rule=rule,
        cycle=cycle,
        team_id=finding.team_id,
        question=question,
        theme=theme,
        title=_need_title(rule, finding, subject, grade)[:200],
        evidence={
            **finding.evidence,
            "rule": rule.name,
            "cycle": cycle.name,
            "grade_words": grade,
            "minimum": minimum,
        },
    )


def rule_findings(
    rule: TrainingRule, teams: dict[int, TeamFigures], *, minimum: int, any_domain: list[Domain]
) -> Evaluation:
    """What `rule` finds in these teams' figures (the pure rule, given the rule's terms)."""
    terms = RuleTerms(
        kind=rule.kind,
        domain=domain_of(rule.question) if rule.question else None,
        grade_value=rule.grade_value,
        percent=rule.percent,
        theme_id=rule.theme_id,
        count=rule.count,
    )
    return rule_evaluate(terms, teams, minimum=minimum, graded_domains=any_domain)


def _existing_need(rule: TrainingRule, cycle: Cycle, finding: Finding) -> bool:
    """Whether this rule already raised this need, on the same domain in any version of its tool
    (the unique constraint does not hold where a column is empty: SQL counts two NULLs as
    different)."""
    match = Q(rule=rule, cycle=cycle, team_id=finding.team_id)
    if finding.domain is not None:
        tool, code = finding.domain
        match &= Q(question__section__version__tool_id=tool, question__code=code)
    else:
        match &= Q(question__isnull=True)
    match &= Q(theme_id=finding.theme_id) if finding.theme_id is not None else Q(theme__isnull=True)
    return TrainingNeed.objects.filter(match).exists()


@transaction.atomic
def training_needs_raise(*, cycle: Cycle, by: StaffMember | None) -> RaiseOutcome:
    """Check every active rule against the cycle's counted audits, team by team, and raise a
    need for each rule that fires for a team and a subject, with its evidence (counts, shares
    and thresholds: never a child or a worker). Raising again changes nothing: a need already
    raised is left as it is, whatever was decided about it. `by` is None for the nightly run.
    Teams with fewer than the small-group minimum of counted audits raise nothing. An audit
    lead's check covers the teams of the services they oversee; the nightly run, every team."""
    if by is not None and not by.is_audit_lead:
        raise Refused("Only an audit lead checks the training rules.")
    # One check of a cycle at a time: the constraint cannot stop two checks both raising a need
    # whose domain or theme is empty (SQL counts two NULLs as different).
    Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
    minimum = settings.AUDITLOOP_SMALL_GROUP_MIN
    teams = team_figures(cycle)
    in_reach = Team.objects.filter(pk__in=teams)
    if by is not None:
        # An audit lead raises needs for the teams of the services they oversee only.
        in_reach = in_reach.filter(service_id__in=services_overseen(by))
    team_names = dict(in_reach.values_list("id", "name"))
    teams = {pk: figures for pk, figures in teams.items() if pk in team_names}
    any_domain = default_scale_domains()
    outcome = RaiseOutcome()
    rules = list(
        TrainingRule.objects.filter(is_active=True).select_related(
            "question__section__version", "theme"
        )
    )
    for rule in rules:
        evaluation = rule_findings(rule, teams, minimum=minimum, any_domain=any_domain)
        if evaluation.too_few:
            outcome.too_few[rule.name] = [team_names[t] for t in evaluation.too_few]
        subjects = Subjects.of(evaluation.findings)
        for finding in evaluation.findings:
            if _existing_need(rule, cycle, finding):
                outcome.already += 1
                continue
            need = need_built(
                rule=rule, cycle=cycle, finding=finding, subjects=subjects, minimum=minimum
            )
            need.save()
            event_record(
                actor=by.user if by else None,
                verb="training_need.raised",
                target=need,
                summary=f"Raised by the rule '{rule.name}' for {team_names[finding.team_id]}.",
                after={"rule": rule.name, "cycle": cycle.name, "team": finding.team_id},
            )
            outcome.raised.append(need)
    return outcome


# Deciding needs -------------------------------------------------------------------------------

# The one table of what a need may become from each status.
NEED_TRANSITIONS: dict[str, frozenset[str]] = {
    TrainingNeedStatus.OPEN: frozenset(
        {TrainingNeedStatus.PLANNED, TrainingNeedStatus.MET, TrainingNeedStatus.DISMISSED}
    ),
    TrainingNeedStatus.PLANNED: frozenset(
        {TrainingNeedStatus.PLANNED, TrainingNeedStatus.MET, TrainingNeedStatus.DISMISSED}
    ),
    TrainingNeedStatus.MET: frozenset(),
    TrainingNeedStatus.DISMISSED: frozenset(),
}


def _transition(need: TrainingNeed, to: str) -> None:
    if to not in NEED_TRANSITIONS[need.status]:
        raise Refused(
            f"This need is {need.get_status_display().lower()}, so it cannot be marked "
            f"{TrainingNeedStatus(to).label.lower()}."
        )


@transaction.atomic
def training_need_decide(
    *,
    need: TrainingNeed,
    status: str,
    by: StaffMember,
    note: str = "",
    event: TrainingEvent | None = None,
) -> TrainingNeed:
    """Mark a need planned (linking the training event that answers it), met, or dismissed
    (with a reason). Met and dismissed are final."""
    if not can_decide_need(by, need):
        raise Refused(LEADS_ONLY_NEEDS)
    _transition(need, status)
    if status == TrainingNeedStatus.PLANNED and event is None:
        raise Refused("Choose the training event that answers this need", field="event")
    if status == TrainingNeedStatus.DISMISSED and not note.strip():
        raise Refused("Say why this need is dismissed", field="note")
    before = {"status": need.status}
    need.status = status
    need.decided_by = by
    need.decided_at = timezone.now()
    need.decision_note = note.strip()
    need.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if event is not None:
        need.events.add(event)
    event_record(
        actor=by.user,
        verb=f"training_need.{status}",
        target=need,
        summary=f"Marked {need.get_status_display().lower()}.",
        before=before,
        after={"status": status, "event": str(event.public_id) if event else ""},
        content_changed=["decision_note"] if note.strip() else [],
    )
    return need


# Events and attendance ------------------------------------------------------------------------


@dataclass(frozen=True)
class EventDetails:
    title: str
    held_on: datetime.date
    provider: str = ""
    description: str = ""
    question: Question | None = None
    theme: Theme | None = None


@transaction.atomic
def training_event_create(
    *,
    details: EventDetails,
    by: StaffMember,
    needs: Iterable[TrainingNeed] = (),
    attendees: Iterable[StaffMember] = (),
) -> TrainingEvent:
    """Record a training event, the needs it answers (each marked planned) and who attended."""
    if not by.is_audit_lead:
        raise Refused("Only an audit lead records training events.")
    event = TrainingEvent.objects.create(
        title=details.title,
        held_on=details.held_on,
        provider=details.provider,
        description=details.description,
        question=details.question,
        theme=details.theme,
        created_by=by,
    )
    event_record(
        actor=by.user,
        verb="training_event.created",
        target=event,
        summary=event.title,
        after={"held_on": event.held_on.isoformat()},
    )
    for need in needs:
        if not can_decide_need(by, need):
            raise Refused(LEADS_ONLY_NEEDS, field="needs")
        if need.status == TrainingNeedStatus.OPEN:
            training_need_decide(need=need, status=TrainingNeedStatus.PLANNED, by=by, event=event)
        else:
            need.events.add(event)
    people = list(attendees)
    if people:
        training_attendance_set(event=event, staff=people, by=by)
    return event


@dataclass(frozen=True)
class AttendanceChange:
    added: int
    removed: int
    unchanged: int


def _user(by: StaffMember) -> User | None:
    return by.user


@transaction.atomic
def training_attendance_set(
    *, event: TrainingEvent, staff: Iterable[StaffMember], by: StaffMember
) -> AttendanceChange:
    """Make the register exactly `staff`: add those missing, remove those no longer ticked."""
    if not can_change_event(by, event):
        raise Refused(EVENT_NOT_YOURS)
    wanted = {s.pk for s in staff}
    present = set(TrainingAttendance.objects.filter(event=event).values_list("staff_id", flat=True))
    add, remove = wanted - present, present - wanted
    return _attendance_apply(
        event=event,
        add=add,
        remove=remove,
        unchanged=len(wanted & present),
        by=by,
        source=AttendanceSource.FORM,
    )


def _attendance_apply(
    *,
    event: TrainingEvent,
    add: set[int],
    remove: set[int],
    unchanged: int,
    by: StaffMember,
    source: str,
    record: bool = True,
) -> AttendanceChange:
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(event=event, staff_id=pk, source=source, recorded_by=_user(by))
        for pk in sorted(add)
    )
    TrainingAttendance.objects.filter(event=event, staff_id__in=remove).delete()
    change = AttendanceChange(added=len(add), removed=len(remove), unchanged=unchanged)
    if record and (add or remove):
        event_record(
            actor=by.user,
            verb="training_event.attendance_changed",
            target=event,
            summary=f"Attendance: {len(add)} added, {len(remove)} removed ({source}).",
            after={"added": len(add), "removed": len(remove), "source": source},
        )
    return change


@dataclass
class ImportOutcome:
    """An attendance import: the problems found, and the change made (None when the file had
    an error, so nothing was written)."""

    issues: IssueLog
    change: AttendanceChange | None


NOT_IN_REACH = (
    "Only active staff of the teams in the services you oversee can be marked as attending."
)


def _match(row: AttendanceRow, name: str, issues: IssueLog, index: _StaffIndex) -> int | None:
    def error(column: str, value: str, message: str) -> None:
        issues.append(Issue(name, row.row, column, value, message, "error"))

    if row.email:
        found = index.by_email.get(row.email)
        if found is None:
            error(
                "email",
                row.email,
                "No member of staff you can mark has this email address. Check it against the "
                f"staff list, or add them to the staff list first; nobody was guessed. "
                f"{NOT_IN_REACH}",
            )
        return found
    if row.swe_number:
        found = index.by_swe.get(row.swe_number)
        if found is None:
            error(
                "swe_number",
                row.swe_number,
                "No member of staff you can mark has this SWE number. Check it, or give their "
                f"email address. {NOT_IN_REACH}",
            )
        return found
    candidates = index.by_name.get(normalise_name(row.name), [])
    if len(candidates) == 1:
        return candidates[0]
    error(
        "name",
        row.name,
        "More than one member of staff has this name: give their email address instead."
        if candidates
        else "No member of staff you can mark has this name. Check the spelling, or give their "
        f"email address; nobody was guessed. {NOT_IN_REACH}",
    )
    return None


class _StaffIndex:
    """The staff an import may mark: the same people the attendance form offers the lead."""

    def __init__(self, by: StaffMember) -> None:
        self.by_email: dict[str, int] = {}
        self.by_swe: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        rows = attendance_candidates(by).order_by().values_list("id", "email", "swe_number", "name")
        for pk, email, swe, person in rows:
            if email:
                self.by_email[email.casefold()] = pk
            if swe:
                self.by_swe[swe.strip().upper()] = pk
            self.by_name.setdefault(normalise_name(person), []).append(pk)


def _import_recorded(
    *, event: TrainingEvent, by: StaffMember, status: str, after: dict[str, int]
) -> None:
    """One event row per import, whatever came of it (counts and the outcome, never a row of
    the file: the file name is the lead's and may name anyone, so it is not kept either)."""
    event_record(
        actor=by.user,
        verb=f"training_event.attendance_import_{status}",
        target=event,
        summary=f"Attendance import {status}.",
        after={"status": status, **after},
    )


@transaction.atomic
def training_attendance_import_rejected(*, event: TrainingEvent, by: StaffMember) -> None:
    """Record a register rejected whole (not a CSV, not UTF-8, no column naming who)."""
    if not can_change_event(by, event):
        raise Refused(EVENT_NOT_YOURS)
    _import_recorded(event=event, by=by, status="rejected", after={"errors": 1})


@transaction.atomic
def training_attendance_import(
    *, event: TrainingEvent, parsed: ParsedAttendance, name: str, by: StaffMember
) -> ImportOutcome:
    """Apply a parsed register to the event, all or nothing: any error (in the file, or a
    person who matches nobody) and nothing is written. People marked attended are added,
    those marked not attended taken off; importing the same file again changes nothing."""
    if not can_change_event(by, event):
        raise Refused(EVENT_NOT_YOURS)
    issues = IssueLog(parsed.issues)
    index = _StaffIndex(by)
    yes: dict[int, int] = {}
    no: set[int] = set()
    for row in parsed.rows:
        pk = _match(row, name, issues, index)
        if pk is None:
            continue
        if pk in yes or pk in no:
            column = "email" if row.email else "swe_number" if row.swe_number else "name"
            value = row.email or row.swe_number or row.name
            if (pk in yes) == row.attended:
                message = (
                    "This is the same person as an earlier row (named another way); this row "
                    "was ignored."
                )
                issues.append(Issue(name, row.row, column, value, message))
            else:
                message = (
                    "This is the same person as an earlier row (named another way), with the "
                    "other answer to whether they attended. Keep one row for them."
                )
                issues.append(Issue(name, row.row, column, value, message, "error"))
            continue
        if row.attended:
            yes[pk] = row.row
        else:
            no.add(pk)
    counts = {"rows": len(parsed.rows), "errors": issues.errors}
    if issues.errors:
        _import_recorded(event=event, by=by, status="rejected", after=counts)
        return ImportOutcome(issues=issues, change=None)
    present = set(TrainingAttendance.objects.filter(event=event).values_list("staff_id", flat=True))
    change = _attendance_apply(
        event=event,
        add=set(yes) - present,
        remove=no & present,
        unchanged=len(set(yes) & present),
        by=by,
        source=AttendanceSource.IMPORT,
        record=False,
    )
    _import_recorded(
        event=event,
        by=by,
        status="applied" if change.added or change.removed else "unchanged",
        after={
            **counts,
            "added": change.added,
            "removed": change.removed,
            "unchanged": change.unchanged,
        },
    )
    return ImportOutcome(issues=issues, change=change)
