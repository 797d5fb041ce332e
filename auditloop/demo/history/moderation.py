"""The demo council's moderation history: for each cycle, moderation samples drawn as the
product draws them (the same rules, seeds and stored populations, so that each sample's page
checks out), requests from auditors and team managers, and the second look itself in every
state, from waiting for a moderator to decided by the head of service.

Moderators are independent (`Council.may_audit`, the product's one rule), never the audit's
auditor, and never the head of the audit's service, who decides the disagreements. Their blind
grades differ from the auditors' as a real audit group's do: mostly the same, often one grade
apart, rarely two, and a moderator who tends to be stricter stays so. Agreed grades are written
to the audit beside the auditor's, with the reasons on the moderation.

Built after the rest of the history, from the rows it wrote, with a random stream of its own
drawn from the demo seed, so that it neither moves nor is moved by the other parts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Max, Min

from auditloop.accounts.models import Role, Service
from auditloop.assurance.access.regrade import moderation_deciders
from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationSample,
    ModerationStatus,
    ModeratorGrade,
)
from auditloop.assurance.rules.moderation_samples import (
    PopulationAudit,
    WaitingRequest,
    moderation_sample_choose,
)
from auditloop.assurance.services.moderation_samples import moderation_url
from auditloop.assurance.services.regrade import escalated_message
from auditloop.audits.models import (
    SHARED_STATUSES,
    Action,
    ActionStatus,
    Answer,
    Audit,
    AuditType,
    Grade,
    QuestionKind,
)
from auditloop.core.models import Notification
from auditloop.demo import phrases
from auditloop.demo.council import BATCH, CaseRef, Council, at, batched, new_uuid
from auditloop.demo.history.actions import signer
from auditloop.sampling.models import Cycle

# Who moderates, and how often: audit leads and QA officers most, managers and heads some.
MODERATOR_SHARE = {
    Role.MODERATOR: 3.0,
    Role.AUDITOR: 3.0,
    Role.TEAM_MANAGER: 1.0,
    Role.SENIOR_LEADER: 0.5,
}
# How far a moderator's blind grade lands from the auditor's: 0, 1 or 2 grades apart.
type Gaps = tuple[list[int], list[int]]
QUESTION_GAPS: Gaps = ([0, 1, 2], [64, 32, 4])
OVERALL_GAPS: Gaps = ([0, 1, 2], [70, 27, 3])
# How often a moderator's difference is the stricter way: each moderator has their habit.
STRICTNESS = [0.5, 0.55, 0.6, 0.75, 0.85]
# The share of moderations whose disagreement goes to the head of service.
ESCALATED_SHARE = 0.08
# Days from one step to the next: regraded after being given, then agreed (or escalated),
# then decided.
STEP_DAYS = [(5, 20), (4, 16), (3, 10)]
# The share of the latest sample still waiting for a moderator.
UNASSIGNED_SHARE = 0.2
# The latest cycle's sample was drawn this long ago: its second looks are still going on.
LATEST_DRAW_DAYS_AGO = 21

STAGES: list[str] = [
    ModerationStatus.UNASSIGNED,
    ModerationStatus.REGRADING,
    ModerationStatus.AGREEING,
    ModerationStatus.AGREED,
]
ESCALATED_STAGES: list[str] = [*STAGES[:3], ModerationStatus.ESCALATED, ModerationStatus.DECIDED]

REQUEST_REASONS = [
    "The overall grade feels generous for what the chronology shows. A second look, please.",
    "I graded this one with little to compare it with and would value a moderator's view.",
    "The family have complained about the plan; I want the grade checked before the panel.",
    "Visits are in time but the child's voice is missing; I am not sure Good is right.",
    "The worker disagrees with the grade and has asked for it to be looked at again.",
    "I think the impact on the child is better than the grade says.",
]
MODERATOR_NOTES = [
    "Read the last three months of case notes and the plan; the plan's actions are not SMART.",
    "The child's voice is clear in the assessment but not in the review minutes.",
    "Management oversight is recorded but does not say what should change.",
    "Good direct work; the chronology stops in the spring.",
    "Safety planning is specific and reviewed; the family's network is well used.",
]
# The agreed grade's reason, by whose overall grade was agreed (as `DECISION_REASONS`).
AGREED_REASONS: dict[str, list[str]] = {
    "same": [
        "Agreed with the auditor at the moderation meeting: the evidence supports the grade.",
        "Agreed after reading the review minutes together: the impact on the child is clear.",
    ],
    "moderator": [
        "We agreed the moderator's grade: the plan was not reviewed after the second incident.",
    ],
    "auditor": [
        "Agreed the auditor's grade once the supervision notes were found in another folder.",
    ],
    "between": [
        "Agreed a grade between ours: strong direct work, weak recording of the child's views.",
    ],
}
QUESTION_REASONS = [
    "The plan's actions have no dates or owners.",
    "The child was seen alone at every visit since May.",
    "Supervision records a decision but not the reasons for it.",
    "The chronology was updated after the audit was started.",
    "The voice of the child is recorded in their own words.",
]
# Why a moderation went to the head of service: where the overall grades differ ("{auditor}"
# and "{moderator}" are their labels), or where they agree overall and differ on questions.
ESCALATION_REASONS = [
    "The auditor graded {auditor} and the moderator {moderator}; we read the drift in the plan "
    "differently and could not agree.",
    "We could not agree whether practice is {auditor} or {moderator}: we read the management "
    "oversight differently.",
    "We disagree on the impact on the child, {auditor} or {moderator}; the head of service "
    "should decide.",
]
QUESTION_ESCALATION_REASONS = [
    "We agree the overall grade but not the grade for management oversight; the head of "
    "service should decide.",
    "We agree overall but read the child's lived experience differently and could not agree "
    "its grade.",
]
ADDED_REASONS = [
    "Added after the complaint from the child's family: the panel meets next month.",
    "Added because the team has had three changes of worker on this case this year.",
]
ACTION_DONE = [
    "The plan now has dates and owners for each action; checked in supervision.",
    "The child's views are now recorded in their own words and shape the plan.",
    "Management oversight now records the decision and the reasons for it.",
]
# The head of service's decision, by whose overall grade stood ("{grade}" is its label).
DECISION_REASONS: dict[str, list[str]] = {
    "moderator": [
        "Decided on the evidence of the plan and the last two reviews: the moderator's grade "
        "stands.",
        "Decided {grade}, the moderator's grade: the plan was not reviewed after the incident.",
    ],
    "auditor": [
        "Decided after meeting both: the auditor's grade stands, with a note on recording.",
        "Decided {grade}, the auditor's grade: the supervision notes show the oversight.",
    ],
    "between": [
        "Decided {grade}, between the two grades: the direct work is good but the plan has "
        "drifted.",
    ],
    "same": [
        "Decided the questions in dispute on the evidence of the last review; the overall grade "
        "both gave, {grade}, stands.",
    ],
}


@dataclass
class AuditRow:
    """What the moderation history needs of one of a cycle's audits."""

    pk: int
    auditor_id: int
    case: CaseRef
    team_id: int | None
    submitted_at: dt.datetime
    overall: int | None  # the auditor's overall grade, as its value on the scale
    inadequate: bool
    top: bool
    scale_id: int | None
    practitioner_id: int | None = None
    # A revisit, or an audit revisited: its grades stand as the auditor gave them, so that the
    # revisit history (built earlier, from those grades) tells the same story.
    pinned: bool = False
    answers: list[tuple[int, int, int]] = field(default_factory=list)  # (pk, question, value)


@dataclass
class Asked:
    """A request for moderation, before it is written."""

    request: ModerationRequest
    audit: AuditRow


@dataclass
class Plan:
    """One moderation as it will be written."""

    moderation: Moderation
    audit: AuditRow
    asked: Asked | None
    escalates: bool
    stage: str = ModerationStatus.UNASSIGNED
    # Once regraded: the moderator's blind overall grade, the agreed one once settled (values
    # on the scale), and whether any blind grade differs from the auditor's.
    moderator_overall: int | None = None
    agreed_overall: int | None = None
    differs: bool = False


def _by_grade(rows: Iterable[tuple[int, int]]) -> dict[int, list[int]]:
    """Row ids by the grade to write to them."""
    out: dict[int, list[int]] = {}
    for pk, grade_id in rows:
        out.setdefault(grade_id, []).append(pk)
    return out


class ModerationHistory:
    def __init__(self, *, council: Council, seed: int, today: dt.date) -> None:
        self.c = council
        # Seeded on purpose, apart from the other parts' stream: the demo must repeat exactly.
        self.rng = random.Random(f"{seed}:moderation")  # noqa: S311
        self.now = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
        self.cases = {case.pk: case for case in council.cases}
        self.grade_of: dict[tuple[int | None, int], Grade] = {
            (g.scale_id, g.value): g for g in Grade.objects.all()
        }
        bounds = Grade.objects.values("scale_id").annotate(low=Min("value"), top=Max("value"))
        self.bounds: dict[int | None, tuple[int, int]] = {
            b["scale_id"]: (int(b["low"]), int(b["top"])) for b in bounds
        }
        pool = [
            (sid, MODERATOR_SHARE[Role(role)])
            for sid, role in sorted(council.role_of.items())
            if role in MODERATOR_SHARE
        ]
        self.pool = [sid for sid, _ in pool]
        self.pool_weights = [w for _, w in pool]
        self.strictness = {sid: self.rng.choice(STRICTNESS) for sid in self.pool}
        self.lead_user = council.user_of[council.demo["moderator"]]
        self.notifications: list[Notification] = []
        # Answers whose agreed grade needs an action: (answer id, its moderation's plan).
        self.agreed_weak: list[tuple[int, Plan]] = []

    def build(self) -> None:
        cycles = list(Cycle.objects.order_by("starts_on", "pk"))
        for n, cycle in enumerate(cycles):
            self._cycle(cycle, latest=n == len(cycles) - 1)
        Notification.objects.bulk_create(self.notifications, batch_size=BATCH)

    # --- one cycle ----------------------------------------------------------------------

    def _cycle(self, cycle: Cycle, *, latest: bool) -> None:
        audits = self._audits(cycle)
        if latest:
            draws = [self.now - dt.timedelta(days=LATEST_DRAW_DAYS_AGO)]
        else:
            middle = cycle.starts_on + (cycle.ends_on - cycle.starts_on) / 2
            draws = [at(middle, self.rng), at(cycle.ends_on + dt.timedelta(days=7), self.rng)]
        draws = [d for d in draws if d < self.now]
        if not audits or not draws:
            return
        asked = self._requests(audits, draws[-1])
        plans: list[Plan] = []
        moderated: set[int] = set()
        considered: set[int] = set()
        for drawn_at in draws:
            plans += self._draw(cycle, audits, asked, considered, moderated, drawn_at, latest)
        if latest:
            asked += self._requests_since(audits, asked, moderated, draws[-1])
            self._every_state_shown(plans)
            self._demo_logins_moderate(plans)
            plans += self._added_directly(audits, asked, moderated)
        self._write(asked, plans)

    def _audits(self, cycle: Cycle) -> list[AuditRow]:
        """The cycle's audits that can be moderated, with their graded answers."""
        rows = (
            Audit.objects.filter(cycle_link__cycle=cycle, status__in=SHARED_STATUSES)
            .exclude(audit_type=AuditType.CALIBRATION)
            .order_by("pk")
            .values_list(
                "pk",
                "auditor_id",
                "case_id",
                "team_id",
                "submitted_at",
                "overall_grade__value",
                "overall_grade__is_inadequate",
                "overall_grade__scale_id",
                "practitioner_id",
                "audit_type",
            )
        )
        revisited = set(
            Audit.objects.filter(revisit_of__cycle_link__cycle=cycle).values_list(
                "revisit_of_id", flat=True
            )
        )
        audits = [
            AuditRow(
                pk=pk,
                auditor_id=auditor_id,
                case=self.cases[case_id],
                team_id=team_id,
                submitted_at=submitted_at,
                overall=value,
                inadequate=bool(inadequate),
                top=value is not None and value == self.bounds.get(scale_id, (0, 0))[1],
                scale_id=scale_id,
                practitioner_id=practitioner,
                pinned=kind == AuditType.REVISIT or pk in revisited,
            )
            for (
                pk,
                auditor_id,
                case_id,
                team_id,
                submitted_at,
                value,
                inadequate,
                scale_id,
                practitioner,
                kind,
            ) in rows
            if submitted_at is not None
        ]
        by_pk = {a.pk: a for a in audits}
        graded = (
            Answer.objects.filter(
                audit_id__in=list(by_pk), question__kind=QuestionKind.GRADED, grade__isnull=False
            )
            .order_by("audit_id", "question__section__order", "question__order")
            .values_list("pk", "audit_id", "question_id", "grade__value")
        )
        for pk, audit_id, question_id, value in graded:
            by_pk[audit_id].answers.append((pk, question_id, value))
        return audits

    # --- requests and draws -------------------------------------------------------------

    def _asker(self, audit: AuditRow) -> int:
        """A team manager of the audit's team, or its auditor: who may ask."""
        manager = self.c.team_manager_of_team.get(audit.team_id or 0)
        if manager is not None and self.rng.random() < 0.6:
            return manager
        return audit.auditor_id

    def _asked(self, audit: AuditRow, by: int, when: dt.datetime) -> Asked:
        return Asked(
            ModerationRequest(
                public_id=new_uuid(self.rng),
                audit_id=audit.pk,
                requested_by_id=by,
                reason=self.rng.choice(REQUEST_REASONS),
                status=ModerationRequestStatus.WAITING,
                created_at=when,
            ),
            audit,
        )

    def _requests(self, audits: list[AuditRow], last: dt.datetime) -> list[Asked]:
        """A few requests, each made days after its audit was submitted and before the last
        draw, oldest first."""
        rng = self.rng
        plain = [a for a in audits if not (a.inadequate or a.top)]
        early = [a for a in plain if a.submitted_at < last - dt.timedelta(days=2)]
        out: list[Asked] = []
        for audit in rng.sample(early, min(len(early), max(2, len(audits) // 40))):
            when = audit.submitted_at + dt.timedelta(hours=rng.randint(2, 240))
            when = min(when, last - dt.timedelta(hours=1))
            out.append(self._asked(audit, self._asker(audit), when))
        out.sort(key=lambda a: (a.request.created_at, a.audit.pk))
        return out

    def _requests_since(
        self, audits: list[AuditRow], asked: list[Asked], moderated: set[int], last: dt.datetime
    ) -> list[Asked]:
        """Requests made since the latest draw, for audits not moderated: the demo manager's
        and another still waiting for the next sample, and one withdrawn."""
        rng = self.rng
        taken = {a.audit.pk for a in asked} | moderated
        later = [a for a in audits if not (a.inadequate or a.top) and a.pk not in taken]
        rng.shuffle(later)
        manager = self.c.demo.get("manager")
        out: list[Asked] = []
        mine = [a for a in later if self.c.team_manager_of_team.get(a.team_id or 0) == manager]
        if mine and manager is not None:
            out.append(self._asked(mine[0], manager, self._since(last, mine[0])))
        for n, audit in enumerate([a for a in later if a not in mine[:1]][:2]):
            extra = self._asked(audit, self._asker(audit), self._since(last, audit))
            if n == 1:
                extra.request.status = ModerationRequestStatus.WITHDRAWN
            out.append(extra)
        return out

    def _since(self, last: dt.datetime, audit: AuditRow) -> dt.datetime:
        """A time after the last draw (and the audit's submission), before now."""
        when = max(last, audit.submitted_at) + dt.timedelta(hours=self.rng.randint(2, 72))
        return min(when, self.now - dt.timedelta(hours=1))

    def _draw(
        self,
        cycle: Cycle,
        audits: list[AuditRow],
        asked: list[Asked],
        considered: set[int],
        moderated: set[int],
        drawn_at: dt.datetime,
        latest: bool,
    ) -> list[Plan]:
        """A sample drawn at `drawn_at` by the product's rules, as the audit lead drew it then:
        the audits submitted by then that no earlier sample considered, and the requests
        waiting then (a request for an audit moderated before it was made is dropped: the
        product would have refused it)."""
        for a in asked:
            if a.request.status == ModerationRequestStatus.WAITING and a.audit.pk in moderated:
                a.request.status = ""  # never written
        waiting = [
            (n, a)
            for n, a in enumerate(asked)
            if a.request.status == ModerationRequestStatus.WAITING
            and a.request.created_at <= drawn_at
        ]
        population = [
            PopulationAudit(a.pk, inadequate=a.inadequate, top_grade=a.top)
            for a in audits
            if a.submitted_at <= drawn_at and a.pk not in considered and a.pk not in moderated
        ]
        if not population and not waiting:
            return []
        seed = self.rng.randrange(1_000_000)
        choice = moderation_sample_choose(
            population=population,
            # The requests' places in time stand for their ids, as the product's ids would.
            requests=[WaitingRequest(n, a.audit.pk) for n, a in waiting],
            percent=cycle.moderation_percent,
            seed=seed,
        )
        considered.update(choice.population)
        sample = ModerationSample.objects.create(
            public_id=new_uuid(self.rng),
            cycle=cycle,
            seed=seed,
            percent=cycle.moderation_percent,
            population_size=len(choice.population),
            population_ids=list(choice.population),
            created_by_id=self.lead_user,
            created_at=drawn_at,
        )
        for n in choice.requests_taken:
            asked[n].request.status = ModerationRequestStatus.TAKEN
        by_pk = {a.pk: a for a in audits}
        plans = []
        for chosen in choice.chosen:
            moderated.add(chosen.audit_id)
            plans.append(
                self._plan(
                    sample,
                    by_pk[chosen.audit_id],
                    chosen.reason,
                    asked[chosen.request_id] if chosen.request_id is not None else None,
                    drawn_at,
                    latest,
                )
            )
        return plans

    # --- the second look ----------------------------------------------------------------

    def _may_moderate(self, staff_id: int, audit: AuditRow) -> bool:
        head = self._head_of(audit)
        return (
            staff_id != audit.auditor_id
            and staff_id != head
            and self.c.may_audit(staff_id, audit.case)
        )

    def _head_of(self, audit: AuditRow) -> int | None:
        return self.c.head_of_service.get(self.c.service_of_team.get(audit.team_id or 0, 0))

    def _may_escalate(self, audit: AuditRow) -> bool:
        """Whether the head of the audit's service may decide a disagreement about it: not when
        they wrote it themselves."""
        head = self._head_of(audit)
        # A disagreement the demo can show needs an overall grade to differ on.
        return head is not None and head != audit.auditor_id and audit.overall is not None

    def _moderator_for(self, audit: AuditRow, *, latest: bool) -> int | None:
        """Someone independent, drawn by their share. Not the demo moderator in the latest
        sample, which they drew: regrading any of it blind would hide its workings from them
        (they moderate audits added since instead, see `_added_directly`)."""
        barred = {self.c.demo["moderator"]} if latest else set()
        for _ in range(50):
            candidate = self.rng.choices(self.pool, self.pool_weights)[0]
            if candidate not in barred and self._may_moderate(candidate, audit):
                return candidate
        return next(
            (s for s in self.pool if s not in barred and self._may_moderate(s, audit)), None
        )

    def _plan(
        self,
        sample: ModerationSample,
        audit: AuditRow,
        reason: str,
        asked: Asked | None,
        drawn_at: dt.datetime,
        latest: bool,
    ) -> Plan:
        """The moderation, and how far it has gone by now."""
        rng = self.rng
        moderation = Moderation(
            public_id=new_uuid(rng),
            audit_id=audit.pk,
            sample=sample,
            reason=reason,
            created_at=drawn_at,
        )
        escalates = rng.random() < ESCALATED_SHARE and self._may_escalate(audit)
        plan = Plan(moderation, audit, asked, escalates=escalates)
        if latest and rng.random() < UNASSIGNED_SHARE:
            return plan
        moderator = self._moderator_for(audit, latest=latest)
        if moderator is None:
            return plan
        moderation.moderator_id = moderator
        # Each step a few days after the one before; the stage is the last one reached by now.
        times = [drawn_at + dt.timedelta(days=rng.randint(0, 7), hours=rng.randint(1, 8))]
        steps = ESCALATED_STAGES if plan.escalates else STAGES
        for low, high in STEP_DAYS[: len(steps) - 2]:
            times.append(
                times[-1] + dt.timedelta(days=rng.randint(low, high), hours=rng.randint(1, 8))
            )
        reached = [t for t in times if t <= self.now]
        plan.stage = steps[len(reached)] if reached else ModerationStatus.UNASSIGNED
        if not reached:
            moderation.moderator_id = None
        self._timestamps(plan, times)
        return plan

    def _timestamps(self, plan: Plan, times: list[dt.datetime]) -> None:
        """Set the moderation's times from `times` (assigned, regraded, then agreed, or
        escalated and decided), as far as its stage goes."""
        m = plan.moderation
        m.assigned_at = m.regraded_at = m.agreed_at = m.escalated_at = m.decided_at = None
        steps = ESCALATED_STAGES if plan.escalates else STAGES
        reached = steps.index(plan.stage)
        fields = ["assigned_at", "regraded_at"]
        fields += ["escalated_at", "decided_at"] if plan.escalates else ["agreed_at"]
        for name, when in zip(fields[:reached], times, strict=False):
            setattr(m, name, when)
        if plan.stage == ModerationStatus.DECIDED:
            m.agreed_at = m.decided_at

    def _every_state_shown(self, plans: list[Plan]) -> None:
        """Make sure the latest sample shows every state at least once, however small the
        council: a missing state is given to a moderation of the commonest state, its steps
        put in the last days."""
        order = [*ModerationStatus.values[1:], ModerationStatus.UNASSIGNED]
        for status in order:
            if any(p.stage == status for p in plans):
                continue
            counts = {s: sum(1 for p in plans if p.stage == s) for s in ModerationStatus.values}
            commonest = max(counts, key=lambda s: counts[s])
            if counts[commonest] < 2:
                return
            escalates = status in {ModerationStatus.ESCALATED, ModerationStatus.DECIDED}
            for plan in reversed([p for p in plans if p.stage == commonest]):
                if escalates and not self._may_escalate(plan.audit):
                    continue
                moderator = plan.moderation.moderator_id or self._moderator_for(
                    plan.audit, latest=True
                )
                if moderator is None:
                    continue
                plan.escalates = escalates
                plan.stage = status
                unassigned = status == ModerationStatus.UNASSIGNED
                plan.moderation.moderator_id = None if unassigned else moderator
                self._recent(plan)
                break

    def _recent(self, plan: Plan) -> None:
        """Steps up to the plan's stage, two days apart and ending yesterday."""
        steps = ESCALATED_STAGES if plan.escalates else STAGES
        count = steps.index(plan.stage)
        start = self.now - dt.timedelta(days=2 * count + 1)
        times = [start + dt.timedelta(days=2 * n) for n in range(count)]
        self._timestamps(plan, times)

    def _demo_logins_moderate(self, plans: list[Plan]) -> None:
        """The demo moderator has an audit of the latest sample to agree, and the demo auditor
        and manager one to regrade each: their home pages show them. (The demo moderator's
        audits to regrade were added by another lead: see `_added_directly`.) The demo leader,
        a head of service, has a disagreement to decide."""
        leader = self.c.demo.get("leader")
        if not any(
            p.stage == ModerationStatus.ESCALATED and self._head_of(p.audit) == leader
            for p in plans
        ):
            order: list[str] = [
                ModerationStatus.AGREEING,
                ModerationStatus.AGREED,
                ModerationStatus.REGRADING,
            ]
            candidates = sorted(
                (
                    p
                    for p in plans
                    if p.stage in order
                    and self._head_of(p.audit) == leader
                    and self._may_escalate(p.audit)
                ),
                key=lambda p: order.index(p.stage),
            )
            if candidates:
                plan = candidates[0]
                plan.escalates, plan.stage = True, ModerationStatus.ESCALATED
                self._recent(plan)
        wanted = [
            ("moderator", ModerationStatus.AGREEING),
            ("auditor", ModerationStatus.REGRADING),
            ("manager", ModerationStatus.REGRADING),
        ]
        taken: set[int] = set()
        for login, status in wanted:
            staff = self.c.demo.get(login)
            for plan in plans:
                if plan.stage != status or id(plan) in taken or staff is None:
                    continue
                if not self._may_moderate(staff, plan.audit):
                    continue
                plan.moderation.moderator_id = staff
                taken.add(id(plan))
                break

    def _added_directly(
        self, audits: list[AuditRow], asked: list[Asked], moderated: set[int]
    ) -> list[Plan]:
        """Two audits another audit lead added to moderation since the latest sample, with
        their reason, and gave the demo moderator to regrade. (Had the demo moderator been
        given audits of the sample to regrade, its page would hide from them, the lead who
        drew it, why each audit was chosen, as it does for anyone regrading blind.)"""
        demo = self.c.demo["moderator"]
        leads = {
            sid: set(Service.objects.filter(overseers__pk=sid).values_list("pk", flat=True))
            for sid, role in sorted(self.c.role_of.items())
            if role == Role.MODERATOR and sid != demo
        }
        busy = {a.audit.pk for a in asked if a.request.status} | moderated
        out: list[Plan] = []
        for audit in audits:
            if len(out) == 2:
                break
            service = self.c.service_of_team.get(audit.team_id or 0)
            lead = next(
                (
                    sid
                    for sid, services in leads.items()
                    if service in services and sid != audit.auditor_id
                ),
                None,
            )
            if audit.pk in busy or lead is None or not self._may_moderate(demo, audit):
                continue
            added = self.now - dt.timedelta(
                days=self.rng.randint(2, 9), hours=self.rng.randint(1, 6)
            )
            extra = self._asked(audit, lead, max(added, audit.submitted_at))
            extra.request.reason = self.rng.choice(ADDED_REASONS)
            extra.request.status = ModerationRequestStatus.TAKEN
            asked.append(extra)
            moderation = Moderation(
                public_id=new_uuid(self.rng),
                audit_id=audit.pk,
                reason=ModerationReason.REQUESTED,
                moderator_id=demo,
                created_at=extra.request.created_at,
            )
            plan = Plan(moderation, audit, extra, escalates=False, stage=ModerationStatus.REGRADING)
            self._timestamps(plan, [extra.request.created_at + dt.timedelta(hours=2)])
            moderated.add(audit.pk)
            out.append(plan)
        return out

    # --- grades, and writing ------------------------------------------------------------

    def _blind(self, value: int, moderator: int, scale_id: int | None, gaps: Gaps) -> int:
        """The moderator's grade for what the auditor graded `value`."""
        low, top = self.bounds.get(scale_id, (value, value))
        values, weights = gaps
        gap = self.rng.choices(values, weights)[0]
        if gap == 0:
            return value
        stricter = self.rng.random() < self.strictness[moderator]
        moved = value - gap if stricter else value + gap
        if not low <= moved <= top:
            moved = value + gap if stricter else value - gap
        return min(top, max(low, moved))

    def _settled(self, auditor: int, moderator: int, *, pinned: bool = False) -> int:
        """The grade they agree (or the head of service decides)."""
        if auditor == moderator or pinned:
            return auditor
        if abs(auditor - moderator) == 2 and self.rng.random() < 0.3:
            return (auditor + moderator) // 2
        return moderator if self.rng.random() < 0.6 else auditor

    def _grades(
        self,
        plan: Plan,
        answers: list[tuple[int, int]],
        audits: list[tuple[int, int]],
    ) -> list[ModeratorGrade]:
        """The moderator's blind grades once they have regraded, and the agreed grades once
        agreed or decided (written to the audit's answers and the audit)."""
        m, audit, rng = plan.moderation, plan.audit, self.rng
        if m.moderator_id is None or plan.stage in {
            ModerationStatus.UNASSIGNED,
            ModerationStatus.REGRADING,
        }:
            return []
        settled = plan.stage in {ModerationStatus.AGREED, ModerationStatus.DECIDED}
        out: list[ModeratorGrade] = []
        for answer_id, question_id, value in audit.answers:
            mine = self._blind(value, m.moderator_id, audit.scale_id, QUESTION_GAPS)
            grade = ModeratorGrade(
                moderation=m,
                question_id=question_id,
                grade=self.grade_of[(audit.scale_id, mine)],
                notes=rng.choice(MODERATOR_NOTES) if mine != value and rng.random() < 0.5 else "",
            )
            if settled:
                agreed = self._settled(value, mine, pinned=audit.pinned)
                answers.append((answer_id, self.grade_of[(audit.scale_id, agreed)].pk))
                if self.grade_of[(audit.scale_id, agreed)].needs_action:
                    self.agreed_weak.append((answer_id, plan))
                if mine != value:
                    grade.agreed_reason = rng.choice(QUESTION_REASONS)
            plan.differs |= mine != value
            out.append(grade)
        if audit.overall is not None:
            mine = self._blind(audit.overall, m.moderator_id, audit.scale_id, OVERALL_GAPS)
            if plan.escalates and not plan.differs and mine == audit.overall:
                # Only a disagreement goes to the head of service: the moderator's overall
                # grade is one apart, their usual way.
                mine = self._one_apart(audit.overall, m.moderator_id, audit.scale_id)
            plan.differs |= mine != audit.overall
            plan.moderator_overall = mine
            m.moderator_overall_grade = self.grade_of[(audit.scale_id, mine)]
            if settled:
                agreed = self._settled(audit.overall, mine, pinned=audit.pinned)
                plan.agreed_overall = agreed
                audits.append((audit.pk, self.grade_of[(audit.scale_id, agreed)].pk))
        m.moderator_notes = rng.choice(MODERATOR_NOTES)
        return out

    def _one_apart(self, value: int, moderator: int, scale_id: int | None) -> int:
        """A grade one from `value` on its scale, the stricter way if the moderator tends to be
        stricter (and the scale allows)."""
        low, top = self.bounds.get(scale_id, (value, value))
        stricter = self.rng.random() < self.strictness[moderator]
        moved = value - 1 if stricter else value + 1
        return moved if low <= moved <= top else (value + 1 if stricter else value - 1)

    def _label(self, audit: AuditRow, value: int | None) -> str:
        return str(self.grade_of[(audit.scale_id, value)].label) if value is not None else ""

    def _escalation(self, plan: Plan) -> None:
        """Why it went to the head of service, in words that fit the grades given, and the
        head's decision naming whose grade stood."""
        m, audit, rng = plan.moderation, plan.audit, self.rng
        if plan.stage not in {ModerationStatus.ESCALATED, ModerationStatus.DECIDED}:
            return
        given, theirs = audit.overall, plan.moderator_overall
        if given != theirs:
            m.escalation_reason = rng.choice(ESCALATION_REASONS).format(
                auditor=self._label(audit, given), moderator=self._label(audit, theirs)
            )
        else:
            m.escalation_reason = rng.choice(QUESTION_ESCALATION_REASONS)
        m.escalated_by_id = rng.choice([m.moderator_id, audit.auditor_id])
        if plan.stage == ModerationStatus.DECIDED:
            m.decided_by_id = self._head_of(audit)
            m.agreed_reason = rng.choice(DECISION_REASONS[self._stood(plan)]).format(
                grade=self._label(audit, plan.agreed_overall)
            )

    @staticmethod
    def _stood(plan: Plan) -> str:
        """Whose overall grade was agreed or decided: "same" where both gave it, else the
        "moderator"'s, the "auditor"'s, or one "between" theirs."""
        given, theirs, settled = plan.audit.overall, plan.moderator_overall, plan.agreed_overall
        if given == theirs:
            return "same"
        if settled == theirs:
            return "moderator"
        return "auditor" if settled == given else "between"

    def _write(self, asked: list[Asked], plans: list[Plan]) -> None:
        requests = [a.request for a in asked if a.request.status]
        ModerationRequest.objects.bulk_create(requests, batch_size=BATCH)
        # (row id, agreed grade id) for the answers and audits settled.
        answers: list[tuple[int, int]] = []
        audits: list[tuple[int, int]] = []
        grades: list[ModeratorGrade] = []
        for plan in plans:
            m = plan.moderation
            m.status = plan.stage
            if plan.asked is not None and plan.asked.request.status:
                m.request = plan.asked.request
            grades += self._grades(plan, answers, audits)
            self._escalation(plan)
            if plan.stage == ModerationStatus.AGREED:
                m.agreed_reason = self.rng.choice(AGREED_REASONS[self._stood(plan)])
        Moderation.objects.bulk_create([p.moderation for p in plans], batch_size=BATCH)
        for grade in grades:
            grade.moderation_id = grade.moderation.pk
        ModeratorGrade.objects.bulk_create(grades, batch_size=BATCH)
        # One UPDATE per agreed grade: far quicker than bulk_update's CASE over every row.
        for grade_id, ids in _by_grade(answers).items():
            for chunk in batched(ids):
                Answer.objects.filter(pk__in=chunk).update(agreed_grade_id=grade_id)
        for grade_id, ids in _by_grade(audits).items():
            for chunk in batched(ids):
                Audit.objects.filter(pk__in=chunk).update(agreed_overall_grade_id=grade_id)
        self._agreed_weaknesses_actioned()
        self._tell_moderators(plans)
        self._tell_deciders(plans)

    def _agreed_weaknesses_actioned(self) -> None:
        """An agreed grade that needs an action, where the auditor's did not and so the audit
        has none: the team takes an action from the moderation, as a real audit group asks,
        done and signed off by whom the product's rule names once its date has passed."""
        weak, self.agreed_weak = self.agreed_weak, []
        ids = [answer_id for answer_id, _ in weak]
        covered: set[int] = set()
        for chunk in batched(ids):
            covered |= set(
                Action.objects.filter(answer_id__in=chunk)
                .exclude(status=ActionStatus.CANCELLED)
                .values_list("answer_id", flat=True)
            )
            covered |= set(
                Answer.objects.filter(pk__in=chunk)
                .exclude(no_action_reason="")
                .values_list("pk", flat=True)
            )
        actions: list[Action] = []
        for answer_id, plan in weak:
            if answer_id in covered:
                continue
            covered.add(answer_id)
            actions.append(self._action_from_moderation(answer_id, plan))
        Action.objects.bulk_create(actions, batch_size=BATCH)

    def _action_from_moderation(self, answer_id: int, plan: Plan) -> Action:
        audit, m = plan.audit, plan.moderation
        agreed_at = m.decided_at or m.agreed_at or self.now
        team = audit.team_id
        owner = audit.practitioner_id or (
            self.c.team_manager_of_team[team] if team is not None else audit.auditor_id
        )
        action = Action(
            public_id=new_uuid(self.rng),
            audit_id=audit.pk,
            answer_id=answer_id,
            description="Agreed at moderation: " + self.rng.choice(phrases.ACTIONS),
            owner_id=owner,
            due_date=(agreed_at + dt.timedelta(days=self.rng.randint(21, 42))).date(),
            created_by_id=self.c.user_of.get(m.moderator_id) if m.moderator_id else None,
            created_at=agreed_at,
        )
        done = action.due_date - dt.timedelta(days=self.rng.randint(1, 7))
        if team is not None and done + dt.timedelta(days=7) < self.now.date():
            action.status = ActionStatus.CLOSED
            action.completion_evidence = self.rng.choice(ACTION_DONE)
            action.completed_at = at(done, self.rng)
            action.signed_off_by_id = signer(self.c, owner, team)
            action.signed_off_at = action.completed_at + dt.timedelta(days=self.rng.randint(1, 6))
        return action

    def _tell_deciders(self, plans: list[Plan]) -> None:
        """The notice whoever decides each disagreement still waiting had when it was escalated,
        as `moderation_escalate` sends it: the deciders by the product's own rule
        (`moderation_deciders`), so the demo leader is told of the one they must decide."""
        waiting = [p.moderation.pk for p in plans if p.stage == ModerationStatus.ESCALATED]
        moderations = Moderation.objects.filter(pk__in=waiting).select_related(
            "audit__team__service__head_of_service",
            "audit__case__allocated_worker",
            "audit__practitioner",
        )
        for m in moderations:
            for staff in moderation_deciders(m).staff:
                if staff.user_id is None:
                    continue
                self.notifications.append(
                    Notification(
                        public_id=new_uuid(self.rng),
                        recipient_id=staff.user_id,
                        message=escalated_message(m.audit),
                        url=moderation_url(m),
                        created_at=m.escalated_at or self.now,
                    )
                )

    def _tell_moderators(self, plans: list[Plan]) -> None:
        """The notice each demo login had when they were given an audit to moderate, as the
        product sends it (never the child's ID)."""
        demo = set(self.c.demo.values())
        teams = dict(
            Audit.objects.filter(pk__in=[p.audit.pk for p in plans]).values_list("pk", "team__name")
        )
        kinds = dict(
            Audit.objects.filter(pk__in=[p.audit.pk for p in plans]).values_list("pk", "audit_type")
        )
        for plan in plans:
            m = plan.moderation
            if m.moderator_id not in demo or m.assigned_at is None:
                continue
            kind = str(AuditType(kinds[plan.audit.pk]).label).lower()
            team = teams.get(plan.audit.pk)
            where = f"a case in {team}" if team else "a case"
            self.notifications.append(
                Notification(
                    public_id=new_uuid(self.rng),
                    recipient_id=self.c.user_of[m.moderator_id],
                    message=(
                        f"An audit lead asked you to moderate a {kind} audit of {where}. Give "
                        "your own grades first: you will see the auditor's once you have given "
                        "yours."
                    ),
                    url=moderation_url(m),
                    created_at=m.assigned_at,
                    read_at=None if plan.stage == ModerationStatus.REGRADING else m.regraded_at,
                )
            )
