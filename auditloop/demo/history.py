"""The demo council's audit history: past six-month cycles of dip samples, deep dives and
thematic audits with their answers, findings, revisits, actions, unsafe-child flags and
replies; then the work in hand today, placed so that each demo login has something to do.

Written with `bulk_create`, cycle by cycle, so memory stays flat however many years are built.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.audits.models import (
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditStatus,
    AuditTool,
    AuditType,
    ComplianceAnswer,
    Escalation,
    FeedbackReply,
    Grade,
    Participant,
    ParticipantRole,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.audits.selectors.escalations import escalation_raised_message, escalation_recipients
from auditloop.core.models import Notification
from auditloop.demo import phrases
from auditloop.demo.council import BATCH, CaseRef, Council, at, new_uuid
from auditloop.sampling.models import Cycle, CycleAudit, Quota, QuotaKind

CYCLE_MONTHS = 6
# How the audits are shared out: QA officers do most, audit leads and team managers some.
AUDIT_SHARE: dict[str, float] = {Role.AUDITOR: 4.0, Role.MODERATOR: 1.5, Role.TEAM_MANAGER: 1.0}
GRADE_CODES = ["outstanding", "good", "requires_improvement", "inadequate"]
GRADE_VALUE = {"outstanding": 4, "good": 3, "requires_improvement": 2, "inadequate": 1}
CODE_OF_VALUE = {v: k for k, v in GRADE_VALUE.items()}
# How often a compliance check is met, by the audit's overall grade.
P_YES = {"outstanding": 0.97, "good": 0.9, "requires_improvement": 0.78, "inadequate": 0.6}


@dataclass
class Draft:
    """An audit about to be written, and what should hang off it."""

    audit: Audit
    case: CaseRef
    grade: str | None = None
    answered: str = "none"  # "none", "part" or "all"
    derive_children: bool = True
    participants: bool = False
    actions: list[Action] = field(default_factory=list)
    escalation: Escalation | None = None
    reply_at: dt.datetime | None = None
    answers: list[Answer] = field(default_factory=list)


class HistoryBuilder:
    def __init__(
        self,
        *,
        council: Council,
        rng: random.Random,
        today: dt.date,
        cycles: int,
        audits_per_cycle: int,
    ) -> None:
        self.c = council
        self.rng = rng
        self.today = today
        self.now = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
        self.cycles = cycles
        self.audits_per_cycle = audits_per_cycle
        self.compliance = self._version("compliance-dip-sample")
        self.quality = self._version("quality-deep-dive")
        self.questions: dict[int, list[Question]] = {
            v.pk: list(
                Question.objects.filter(section__version=v).order_by("section__order", "order")
            )
            for v in (self.compliance, self.quality)
        }
        self.grades: dict[str, Grade] = {
            g.code: g for g in Grade.objects.filter(scale=self.compliance.grading_scale)
        }
        auditing = [
            (sid, AUDIT_SHARE.get(role, 0.0)) for sid, role in sorted(council.role_of.items())
        ]
        # Heads of service audit too (other services' cases); the director does not.
        heads = set(council.head_of_service.values())
        self.pool = [sid for sid, w in auditing if w or sid in heads]
        self.pool_weights = [w or 1.0 for sid, w in auditing if w or sid in heads]
        self.lead_users = [
            council.user_of[sid] for sid, role in council.role_of.items() if role == Role.MODERATOR
        ]
        self.lead_users.sort()
        self.notifications: list[Notification] = []
        self.cycle: Cycle | None = None

    @staticmethod
    def _version(slug: str) -> ToolVersion:
        version = AuditTool.objects.get(slug=slug).current_version
        if version is None:
            raise RuntimeError(f"The default audit tool {slug!r} has no published version.")
        return version

    def build(self) -> None:
        for k in range(self.cycles):
            self._cycle(k)
        self._work_in_hand()
        Notification.objects.bulk_create(self.notifications, batch_size=BATCH)

    # --- choosing -----------------------------------------------------------------------

    def _auditor_for(self, case: CaseRef, exclude: frozenset[int] = frozenset()) -> int:
        for _ in range(50):
            candidate = self.rng.choices(self.pool, self.pool_weights)[0]
            if candidate not in exclude and self.c.may_audit(candidate, case):
                return candidate
        # A small scaled-down council can run short of independent auditors: take any one.
        for candidate in self.pool:
            if candidate not in exclude and self.c.may_audit(candidate, case):
                return candidate
        raise RuntimeError("No independent auditor for a demo case.")

    def _grade(self, t: float) -> str:
        # Slightly better cycle on cycle: from about 9/42/37/12 to 11/48/33/8 per cent.
        weights = [9 + 2 * t, 42 + 6 * t, 37 - 4 * t, 12 - 4 * t]
        return self.rng.choices(GRADE_CODES, weights)[0]

    def _days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))

    # --- one audit ----------------------------------------------------------------------

    def _draft(
        self,
        case: CaseRef,
        auditor_id: int,
        audit_type: str,
        created: dt.date,
        *,
        t: float = 1.0,
        theme: str = "",
        revisit_of: Audit | None = None,
        grade: str | None = None,
    ) -> Draft:
        rng = self.rng
        if revisit_of is not None:
            version_id = revisit_of.tool_version_id
        elif audit_type == AuditType.DIP_SAMPLE:
            version_id = self.compliance.pk
        else:
            version_id = self.quality.pk
        created_at = at(created, rng)
        started = created_at + self._days(0, 10)
        submitted = started + self._days(1, 14)
        completed = submitted + self._days(2, 21)
        audit = Audit(
            public_id=new_uuid(rng),
            case_id=case.pk,
            tool_version_id=version_id,
            audit_type=audit_type,
            theme=theme,
            auditor_id=auditor_id,
            practitioner_id=case.worker_id,
            team_id=case.team_id,
            revisit_of=revisit_of,
            due_date=created + dt.timedelta(days=28),
            created_by_id=rng.choice(self.lead_users) if self.lead_users else None,
            created_at=created_at,
        )
        draft = Draft(audit=audit, case=case)
        if completed <= self.now:
            audit.status = AuditStatus.COMPLETED
            audit.completed_at = completed
        elif submitted <= self.now:
            audit.status = AuditStatus.SUBMITTED
        elif started <= self.now:
            audit.status = AuditStatus.IN_PROGRESS
            draft.answered = "part"
        else:
            audit.status = AuditStatus.PLANNED
        if started <= self.now:
            audit.started_at = started
        if submitted <= self.now:
            audit.submitted_at = submitted
            self._findings(draft, grade or self._grade(t))
        draft.participants = audit_type == AuditType.DEEP_DIVE
        return draft

    def _findings(self, draft: Draft, grade: str) -> None:
        rng, audit = self.rng, draft.audit
        draft.grade = grade
        draft.answered = "all"
        audit.overall_grade = self.grades[grade]
        value = GRADE_VALUE[grade]
        audit.strengths = " ".join(rng.sample(phrases.STRENGTHS, max(1, value - 1)))
        audit.areas_for_development = " ".join(
            rng.sample(phrases.AREAS_FOR_DEVELOPMENT, max(1, 4 - value))
        )
        audit.impact_on_child = " ".join(rng.sample(phrases.IMPACT_ON_CHILD, rng.randint(1, 2)))
        if audit.audit_type == AuditType.DEEP_DIVE:
            audit.practitioner_reflection = rng.choice(phrases.REFLECTIONS)
            # The meeting with the social worker is held the day the audit is started.
            if audit.started_at is not None:
                audit.meeting_date = audit.started_at.date()

    def _answers(self, draft: Draft) -> list[Answer]:
        if draft.answered == "none":
            return []
        rng, audit = self.rng, draft.audit
        questions = self.questions[audit.tool_version_id]
        if draft.answered == "part":
            questions = questions[: max(1, len(questions) // 2)]
        grade = draft.grade or "good"
        stamp = audit.submitted_at or audit.started_at or self.now
        out: list[Answer] = []
        for q in questions:
            answer = Answer(audit_id=audit.pk, question_id=q.pk, updated_at=stamp)
            if q.kind == QuestionKind.COMPLIANCE:
                applies = phrases.CHECK_APPLIES.get(q.code)
                if (
                    applies is not None and draft.case.cohort not in applies
                ) or rng.random() < 0.03:
                    answer.compliance = ComplianceAnswer.NOT_APPLICABLE
                elif rng.random() < P_YES[grade]:
                    answer.compliance = ComplianceAnswer.YES
                else:
                    answer.compliance = ComplianceAnswer.NO
                    answer.evidence = phrases.NO_EVIDENCE.get(q.code, "Not found on the file.")
            else:
                value = GRADE_VALUE[grade] + rng.choices([-1, 0, 1], [2, 6, 2])[0]
                value = min(4, max(1, value))
                answer.grade = self.grades[CODE_OF_VALUE[value]]
                well, worried = phrases.DOMAIN_NOTES.get(q.code, ([], []))
                if well and (value >= 3 or rng.random() < 0.4):
                    answer.working_well = rng.choice(well)
                if worried and (value <= 2 or rng.random() < 0.3):
                    answer.worried_about = rng.choice(worried)
            out.append(answer)
        return out

    def _derived_children(self, draft: Draft) -> None:
        """Actions, a flag and a reply, as the grade makes likely."""
        rng, audit, c = self.rng, draft.audit, self.c
        if audit.submitted_at is None or draft.grade is None:
            return
        submitted = audit.submitted_at
        team_manager = c.team_manager_of_team[draft.case.team_id]
        count = {
            "outstanding": 0,
            "good": 1 if rng.random() < 0.2 else 0,
            "requires_improvement": rng.choice([0, 1, 1, 2]),
            "inadequate": rng.choice([2, 2, 3]),
        }[draft.grade]
        noes = [a for a in draft.answers if a.compliance == ComplianceAnswer.NO]
        for _ in range(count):
            owner = draft.case.worker_id if rng.random() < 0.7 else team_manager
            due = submitted.date() + self._days(21, 56)
            action = self._action(audit, owner, due, created=submitted)
            if noes:
                action.answer = rng.choice(noes)
            if due < self.today:
                roll = rng.random()
                if roll < 0.8:
                    self._complete(action, submitted + self._days(7, (due - submitted.date()).days))
                elif roll < 0.85:
                    action.status = ActionStatus.CANCELLED
            elif rng.random() < 0.3 and submitted + dt.timedelta(days=7) <= self.now:
                self._complete(action, submitted + dt.timedelta(days=7))
            draft.actions.append(action)
        if draft.grade == "inadequate" and rng.random() < 0.25 and audit.started_at is not None:
            raised = audit.started_at + (submitted - audit.started_at) / 2
            acknowledger = (
                team_manager
                if rng.random() < 0.8
                else c.head_of_service[c.service_of_team[draft.case.team_id]]
            )
            escalation = self._escalation(audit, raised)
            escalation.acknowledged_by_id = acknowledger
            escalation.acknowledged_at = min(
                self.now, raised + dt.timedelta(hours=rng.randint(1, 20))
            )
            escalation.response = rng.choice(phrases.ESCALATION_RESPONSES)
            draft.escalation = escalation
        reply_at = submitted + self._days(1, 10)
        if rng.random() < 0.45 and reply_at <= self.now:
            draft.reply_at = reply_at

    def _action(self, audit: Audit, owner: int, due: dt.date, *, created: dt.datetime) -> Action:
        return Action(
            public_id=new_uuid(self.rng),
            audit=audit,
            description=self.rng.choice(phrases.ACTIONS),
            owner_id=owner,
            due_date=due,
            created_by_id=self.c.user_of[audit.auditor_id],
            created_at=created,
        )

    def _complete(self, action: Action, when: dt.datetime) -> None:
        action.status = ActionStatus.COMPLETED
        action.completed_at = min(when, self.now)
        action.completion_evidence = self.rng.choice(phrases.ACTION_EVIDENCE)

    def _escalation(self, audit: Audit, raised: dt.datetime) -> Escalation:
        return Escalation(
            public_id=new_uuid(self.rng),
            audit=audit,
            raised_by_id=audit.auditor_id,
            reason=self.rng.choice(phrases.ESCALATION_REASONS),
            raised_at=raised,
        )

    # --- writing ------------------------------------------------------------------------

    def _save(self, drafts: list[Draft]) -> None:
        Audit.objects.bulk_create([d.audit for d in drafts], batch_size=BATCH)
        answers: list[Answer] = []
        for d in drafts:
            d.answers = self._answers(d)
            answers.extend(d.answers)
        Answer.objects.bulk_create(answers, batch_size=BATCH)
        participants: list[Participant] = []
        actions: list[Action] = []
        escalations: list[Escalation] = []
        replies: list[FeedbackReply] = []
        for d in drafts:
            if d.derive_children:
                self._derived_children(d)
            if d.participants:
                participants.extend(self._participants(d))
            actions.extend(d.actions)
            if d.escalation is not None:
                escalations.append(d.escalation)
            if d.reply_at is not None:
                replies.append(
                    FeedbackReply(
                        audit=d.audit,
                        author_id=d.case.worker_id,
                        text=self.rng.choice(phrases.REPLIES),
                        created_at=d.reply_at,
                    )
                )
        Participant.objects.bulk_create(participants, batch_size=BATCH)
        Action.objects.bulk_create(actions, batch_size=BATCH)
        Escalation.objects.bulk_create(escalations, batch_size=BATCH)
        FeedbackReply.objects.bulk_create(replies, batch_size=BATCH)

    def _participants(self, draft: Draft) -> list[Participant]:
        worker = draft.case.worker_id
        out = [
            Participant(
                audit=draft.audit,
                staff_id=worker,
                role=ParticipantRole.PRACTITIONER,
                contribution=self.rng.choice(phrases.PRACTITIONER_CONTRIBUTIONS)
                if draft.audit.submitted_at
                else "",
            )
        ]
        manager = self.c.manager_of.get(worker)
        if manager is not None and manager != draft.audit.auditor_id:
            out.append(
                Participant(
                    audit=draft.audit,
                    staff_id=manager,
                    role=ParticipantRole.MANAGER,
                    contribution=self.rng.choice(phrases.MANAGER_CONTRIBUTIONS)
                    if draft.audit.submitted_at
                    else "",
                )
            )
        return out

    # --- the past cycles ----------------------------------------------------------------

    def _window(self, k: int) -> tuple[dt.date, dt.date]:
        """Cycle k's first and last day: six whole months, the last cycle ending with this
        month."""
        months = self.today.year * 12 + self.today.month - 1 - CYCLE_MONTHS * (self.cycles - k - 1)
        first = months - (CYCLE_MONTHS - 1)
        start = dt.date(first // 12, first % 12 + 1, 1)
        after = months + 1
        return start, dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)

    def _plan(self, start: dt.date, end: dt.date) -> Cycle:
        """The cycle's plan as the audit lead wrote it: services, tools, types, quotas and the
        auditors."""
        cycle = Cycle.objects.create(
            public_id=new_uuid(self.rng),
            name=f"{start:%B %Y} to {end:%B %Y}",
            starts_on=start,
            ends_on=end,
            audit_types=[AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE, AuditType.THEMATIC],
            created_by_id=self.lead_users[0] if self.lead_users else None,
            created_at=at(start - dt.timedelta(days=14), self.rng),
        )
        cycle.services.set(self.c.services)
        cycle.tools.set([self.compliance, self.quality])
        cycle.auditors.set(self.pool)
        Quota.objects.bulk_create(
            [
                Quota(
                    public_id=new_uuid(self.rng),
                    cycle=cycle,
                    kind=QuotaKind.PER_TEAM,
                    audit_type=AuditType.DIP_SAMPLE,
                    per_month=1,
                ),
                Quota(
                    public_id=new_uuid(self.rng),
                    cycle=cycle,
                    kind=QuotaKind.PER_AUDITOR,
                    audit_type=AuditType.DEEP_DIVE,
                    per_month=1,
                    role=Role.AUDITOR,
                ),
            ]
        )
        return cycle

    def _link(self, cycle: Cycle, drafts: list[Draft]) -> None:
        CycleAudit.objects.bulk_create(
            [
                CycleAudit(
                    cycle=cycle,
                    audit=d.audit,
                    planned_month=d.audit.created_at.date().replace(day=1),
                    created_at=d.audit.created_at,
                )
                for d in drafts
            ],
            batch_size=BATCH,
        )

    def _cycle(self, k: int) -> None:
        rng = self.rng
        start, end = self._window(k)
        self.cycle = cycle = self._plan(start, end)
        span = (min(end, self.today - dt.timedelta(days=3)) - start).days
        theme = phrases.THEMES[k % len(phrases.THEMES)]
        chosen = rng.sample(self.c.cases, min(self.audits_per_cycle, len(self.c.cases)))
        drafts: list[Draft] = []
        for case in chosen:
            audit_type = rng.choices(
                [AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE, AuditType.THEMATIC], [65, 25, 10]
            )[0]
            offset = rng.randint(0, span)
            drafts.append(
                self._draft(
                    case,
                    self._auditor_for(case),
                    audit_type,
                    start + dt.timedelta(days=offset),
                    t=(k + offset / (end - start).days) / self.cycles,
                    theme=theme if audit_type == AuditType.THEMATIC else "",
                )
            )
        self._save(drafts)
        self._link(cycle, drafts)
        # Inadequate audits are revisited six to eight weeks on; most have improved.
        revisits: list[Draft] = []
        for d in drafts:
            submitted = d.audit.submitted_at
            if d.grade != "inadequate" or submitted is None or rng.random() >= 0.8:
                continue
            created = submitted.date() + self._days(42, 56)
            if created > self.today:
                continue
            grade = rng.choices(["inadequate", "requires_improvement", "good"], [25, 50, 25])[0]
            revisits.append(
                self._draft(
                    d.case,
                    d.audit.auditor_id,
                    AuditType.REVISIT,
                    created,
                    revisit_of=d.audit,
                    grade=grade,
                )
            )
        self._save(revisits)

    # --- the work in hand today ---------------------------------------------------------

    def _work_in_hand(self) -> None:
        """Today's work for each demo login, in the latest cycle."""
        own = self.c.cases_by_worker.get(self.c.demo["practitioner"], [])
        if not own:
            raise RuntimeError("The demo practitioner holds no cases.")
        drafts: list[Draft] = []
        self._practitioners_work(drafts, own)
        self._managers_work(drafts)
        self._auditors_work(drafts)
        self._leaders_work(drafts)
        self._audit_leads_work(drafts)
        self._save(drafts)
        if self.cycle is not None:
            # The work in hand belongs to the latest cycle, which ends this month.
            self._link(self.cycle, drafts)

    def _current(
        self, drafts: list[Draft], case: CaseRef, by: int, audit_type: str, created: dt.date
    ) -> Draft:
        if not self.c.may_audit(by, case):
            raise RuntimeError("A demo audit must respect independence.")
        draft = self._draft(case, by, audit_type, created, grade=None)
        draft.derive_children = False
        drafts.append(draft)
        return draft

    def _set_status(self, draft: Draft, status: str, *, days_ago: int, grade: str | None) -> None:
        audit = draft.audit
        audit.status = status
        audit.started_at = audit.submitted_at = audit.completed_at = None
        audit.overall_grade = None
        audit.strengths = audit.areas_for_development = audit.impact_on_child = ""
        audit.practitioner_reflection = ""
        audit.meeting_date = None
        draft.answered, draft.grade = "none", None
        if status != AuditStatus.PLANNED:
            audit.started_at = self.now - dt.timedelta(days=days_ago + 3)
            draft.answered = "part"
        if grade is not None:
            self._findings(draft, grade)
        if status in {AuditStatus.SUBMITTED, AuditStatus.COMPLETED}:
            audit.submitted_at = self.now - dt.timedelta(days=days_ago)
        if status == AuditStatus.COMPLETED:
            audit.completed_at = self.now - dt.timedelta(days=max(0, days_ago - 7))

    def _practitioners_work(self, drafts: list[Draft], own: list[CaseRef]) -> None:
        c, today = self.c, self.today
        practitioner, manager, auditor = (
            c.demo["practitioner"],
            c.demo["manager"],
            c.demo["auditor"],
        )

        def own_case(i: int) -> CaseRef:
            return own[i % len(own)]

        # Two audits of their cases submitted this week, awaiting a reply.
        d = self._current(
            drafts, own_case(0), auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=12)
        )
        self._set_status(d, AuditStatus.SUBMITTED, days_ago=3, grade="requires_improvement")
        d.actions.append(
            self._action(d.audit, practitioner, today + dt.timedelta(days=25), created=self.now)
        )
        other = self._auditor_for(own_case(1), exclude=frozenset({auditor}))
        d = self._current(
            drafts, own_case(1), other, AuditType.DEEP_DIVE, today - dt.timedelta(days=15)
        )
        self._set_status(d, AuditStatus.SUBMITTED, days_ago=6, grade="good")
        # An audit completed last month: replied to, one action done and one overdue.
        other = self._auditor_for(own_case(2))
        d = self._current(
            drafts, own_case(2), other, AuditType.DIP_SAMPLE, today - dt.timedelta(days=60)
        )
        self._set_status(d, AuditStatus.COMPLETED, days_ago=40, grade="requires_improvement")
        submitted = self.now - dt.timedelta(days=40)
        d.reply_at = submitted + dt.timedelta(days=2)
        done = self._action(d.audit, practitioner, today - dt.timedelta(days=20), created=submitted)
        self._complete(done, self.now - dt.timedelta(days=25))
        d.actions += [
            done,
            self._action(d.audit, practitioner, today - dt.timedelta(days=10), created=submitted),
            self._action(d.audit, manager, today - dt.timedelta(days=5), created=submitted),
        ]
        # A deep dive of the practitioner's case, planned with them and their manager.
        d = self._current(
            drafts, own_case(3), auditor, AuditType.DEEP_DIVE, today - dt.timedelta(days=2)
        )
        self._set_status(d, AuditStatus.PLANNED, days_ago=0, grade=None)
        d.audit.due_date = today + dt.timedelta(days=10)

    def _managers_work(self, drafts: list[Draft]) -> None:
        c, today = self.c, self.today
        practitioner, manager, auditor = (
            c.demo["practitioner"],
            c.demo["manager"],
            c.demo["auditor"],
        )
        team_cases = [
            case
            for case in c.cases
            if case.team_id == c.team_of[manager] and case.worker_id != practitioner
        ] or c.cases_by_worker[practitioner]
        elsewhere = [case for case in c.cases if c.may_audit(manager, case)]
        # An open unsafe-child flag in their team, raised yesterday.
        d = self._current(
            drafts, team_cases[0], auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=5)
        )
        self._set_status(d, AuditStatus.IN_PROGRESS, days_ago=0, grade=None)
        d.escalation = self._escalation(d.audit, self.now - dt.timedelta(days=1))
        self._notify(d.escalation)
        # ...and audits of their own to do, outside their team.
        for i, status in enumerate([AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]):
            case = elsewhere[(i * 7919) % len(elsewhere)]
            d = self._current(
                drafts, case, manager, AuditType.DIP_SAMPLE, today - dt.timedelta(days=4)
            )
            self._set_status(d, status, days_ago=0, grade=None)
            d.audit.due_date = today + dt.timedelta(days=14 + 7 * i)

    def _auditors_work(self, drafts: list[Draft]) -> None:
        """Planned, in progress and returned audits."""
        c, rng, today = self.c, self.rng, self.today
        auditor = c.demo["auditor"]
        for i in range(3):
            case = rng.choice(c.cases)
            d = self._current(
                drafts, case, auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=2)
            )
            self._set_status(d, AuditStatus.PLANNED, days_ago=0, grade=None)
            d.audit.due_date = today + dt.timedelta(days=14 + 7 * i)
        for audit_type in (AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE):
            case = rng.choice(c.cases)
            d = self._current(drafts, case, auditor, audit_type, today - dt.timedelta(days=9))
            self._set_status(d, AuditStatus.IN_PROGRESS, days_ago=1, grade=None)
        case = rng.choice(c.cases)
        d = self._current(
            drafts, case, auditor, AuditType.DIP_SAMPLE, today - dt.timedelta(days=20)
        )
        self._set_status(d, AuditStatus.IN_PROGRESS, days_ago=5, grade="good")
        d.audit.return_reason = rng.choice(phrases.RETURN_REASONS)

    def _leaders_work(self, drafts: list[Draft]) -> None:
        c, rng, today = self.c, self.rng, self.today
        # The leader audits a case this month, one they neither hold nor line-manage.
        leader = c.demo["leader"]
        case = next(x for x in c.cases if c.may_audit(leader, x))
        d = self._current(drafts, case, leader, AuditType.DEEP_DIVE, today - dt.timedelta(days=3))
        self._set_status(d, AuditStatus.PLANNED, days_ago=0, grade=None)
        # The demo audit lead is part-way through a thematic audit of their own.
        moderator = c.demo["moderator"]
        case = rng.choice([x for x in c.cases if c.may_audit(moderator, x)])
        d = self._current(drafts, case, moderator, AuditType.THEMATIC, today - dt.timedelta(days=6))
        self._set_status(d, AuditStatus.IN_PROGRESS, days_ago=1, grade=None)
        d.audit.theme = phrases.THEMES[self.cycles % len(phrases.THEMES)]

    def _audit_leads_work(self, drafts: list[Draft]) -> None:
        """Audits submitted this week for the audit leads to complete, one with a flag still
        waiting for its acknowledgement."""
        c, rng, today = self.c, self.rng, self.today
        for i in range(4):
            case = rng.choice(c.cases)
            d = self._current(
                drafts,
                case,
                self._auditor_for(case),
                AuditType.DIP_SAMPLE,
                today - dt.timedelta(days=14),
            )
            self._set_status(d, AuditStatus.SUBMITTED, days_ago=1 + i, grade=self._grade(1.0))
            if i == 0:
                d.grade = "inadequate"
                d.audit.overall_grade = self.grades["inadequate"]
                d.escalation = self._escalation(d.audit, self.now - dt.timedelta(days=3))
                self._notify(d.escalation)

    def _notify(self, escalation: Escalation) -> None:
        """Tell those who must act, with the notice and the link the flag's service sends."""
        url = reverse("audits:escalation", kwargs={"public_id": escalation.public_id})
        message = escalation_raised_message(escalation)
        for staff in escalation_recipients(escalation):
            if staff.user_id is None:
                continue
            self.notifications.append(
                Notification(
                    public_id=new_uuid(self.rng),
                    recipient_id=staff.user_id,
                    message=message,
                    url=url,
                    is_urgent=True,
                    created_at=escalation.raised_at,
                )
            )
