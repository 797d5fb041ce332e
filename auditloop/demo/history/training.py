"""The demo council's training history: the audit lead's training rules, the needs they raised
from each past cycle (some planned, some met, one dismissed), three training events with who
attended, and later audits of the attendees' cases a little better, so that the impact page of
the largest event has real numbers.

- Rules: Voice and lived experience graded Requires improvement or worse in more than 30% of a
  team's audits (the issue's example); any graded domain Inadequate in more than 30%; any theme
  in more than 3 audits (it fires once learning points carry themes); and one switched off.
- Needs: the rules are evaluated by the product's own code (`rule_findings`, `need_built`) on
  every cycle but the latest, which is left for the audit lead to check from the needs page.
  The demo manager's team always has one (a few of its Voice answers in the last past cycle
  are Requires improvement, enough for the voice rule), still planned, whatever the day.
- Events: a practice standards refresher early in the latest cycle, attended by about 60% of
  the practitioners of every practice service (its impact page reads the overall grade); a
  workshop on hearing the child's voice, for the teams the voice rule raised a need for; and a
  chronology session in the earlier cycle for one team (its impact page shows a small group
  suppressed and the caveat).
- Later audits: after the refresher, about two in five of the attendees' audits graded
  Requires improvement overall, and their Voice answers so graded after the workshop, are
  graded Good instead. Only audits nobody moderated, revisited, discussed at a meeting or
  calibrated, and answers with no action attached, are touched, so every other figure of the
  demo holds; the auditor's findings text was written for the grade given, as before.

Drawn from a generator seeded by one draw of the build's, so nothing built before moves, and
written in bulk with past timestamps. No child and no worker is named in any text here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import CalibrationEntry, MeetingItem, Moderation
from auditloop.audits.models import (
    SHARED_STATUSES,
    Action,
    Answer,
    Audit,
    AuditTool,
    AuditType,
    Grade,
    Question,
    QuestionKind,
)
from auditloop.demo.council import Council, at, new_uuid
from auditloop.learning.models import (
    AttendanceSource,
    TrainingAttendance,
    TrainingEvent,
    TrainingNeed,
    TrainingNeedStatus,
    TrainingRule,
    TrainingRuleKind,
)
from auditloop.learning.selectors.training import default_scale_domains, team_figures
from auditloop.learning.services.training import Subjects, need_built, rule_findings
from auditloop.sampling.models import Cycle

REQUIRES_IMPROVEMENT, GOOD = 2, 3
ATTENDING = 0.6
BETTER_AFTER = 0.4
# The voice rule's threshold: Requires improvement or worse in more than this share.
VOICE_SHARE = 0.3
VOICE_WORRIES = [
    "The child's views are summarised by the worker; their own words are not recorded.",
    "The child was not seen alone at the last two visits.",
]
VOICE_NO_ACTION = [
    "Covered by the team's training need on hearing the child's voice.",
    "Discussed in supervision the week of the audit; the notes are on file.",
]
DISMISSED_REASON = (
    "The team manager is taking this through group supervision this quarter; the team's "
    "next audits will show whether more is needed."
)


def training_history(*, council: Council, rng: random.Random, today: dt.date) -> None:
    """Rules, needs, events, attendance and the later audits (the builder's one call)."""
    _TrainingBuilder(council, random.Random(rng.getrandbits(64)), today).build()  # noqa: S311


class _TrainingBuilder:
    def __init__(self, c: Council, rng: random.Random, today: dt.date) -> None:
        self.c, self.rng, self.today = c, rng, today
        self.lead = StaffMember.objects.get(pk=c.demo["moderator"])
        version = AuditTool.objects.get(slug="quality-deep-dive").current_version
        graded = Question.objects.filter(section__version=version, kind=QuestionKind.GRADED)
        self.questions = {q.code: q for q in graded}
        self.grades = {
            g.value: g for g in Grade.objects.filter(scale__slug="ofsted-four").order_by("value")
        }
        self.cycles = list(Cycle.objects.order_by("starts_on", "id"))

    def build(self) -> None:
        if len(self.cycles) < 2:
            return
        rules = self._rules()
        self._demo_team_voice()
        needs = self._needs(rules)
        latest = self.cycles[-1]
        refresher = self._event(
            "Practice standards refresher",
            latest.starts_on + dt.timedelta(days=30),
            provider="Northshire Workforce Academy",
            description="Half a day on what good looks like across the audit tool's domains, "
            "with anonymised examples from last cycle's audits.",
        )
        voice = self._event(
            "Hearing the child's voice",
            latest.starts_on + dt.timedelta(days=45),
            provider="Northshire Workforce Academy",
            description="Direct work tools, recording the child's words, and showing how "
            "their views changed the plan.",
            question=self.questions["D1"],
        )
        earlier = self.cycles[-2]
        chronology = self._event(
            "Chronologies that tell the story",
            earlier.starts_on + dt.timedelta(days=60),
            provider="In-house: quality assurance team",
            description="Building a chronology that shows patterns, not a list of contacts.",
            question=self.questions["D6"],
        )
        TrainingEvent.objects.bulk_create([refresher, voice, chronology])
        practice = [t.pk for t in self.c.practice_teams]
        voice_teams = sorted(
            {n.team_id for n in needs if n.question_id == voice.question_id and n.team_id}
        )
        chronology_team = [practice[0]]
        attended = {
            refresher.pk: self._attendance(refresher, practice),
            voice.pk: self._attendance(voice, voice_teams),
            chronology.pk: self._attendance(chronology, chronology_team),
        }
        self._decide(needs, refresher, voice)
        self._better_after(refresher, attended[refresher.pk], question=None)
        self._better_after(voice, attended[voice.pk], question=voice.question)

    # --- rules and needs -------------------------------------------------------------------

    def _rules(self) -> list[TrainingRule]:
        created = at(self.cycles[0].starts_on - dt.timedelta(days=14), self.rng)

        def rule(name: str, kind: str, **terms: object) -> TrainingRule:
            return TrainingRule(
                public_id=new_uuid(self.rng),
                name=name,
                kind=kind,
                created_by=self.lead,
                created_at=created,
                **terms,
            )

        domain, theme = TrainingRuleKind.DOMAIN_SHARE, TrainingRuleKind.THEME_COUNT
        ri = REQUIRES_IMPROVEMENT
        return TrainingRule.objects.bulk_create(
            [
                rule(
                    "Voice of the child: Requires improvement or worse in more than 30%",
                    domain,
                    question=self.questions["D1"],
                    grade_value=ri,
                    percent=30,
                ),
                rule("Any domain: Inadequate in more than 30%", domain, grade_value=1, percent=30),
                rule("Any theme in more than 3 audits", theme, count=3),
                rule(
                    "Management oversight: Requires improvement or worse in more than 50%",
                    domain,
                    question=self.questions["D5"],
                    grade_value=ri,
                    percent=50,
                    is_active=False,
                ),
            ]
        )

    def _demo_team_voice(self) -> None:
        """The demo manager's team heard too little of its children's voices in the last past
        cycle: enough of its Good answers on Voice of the child become Requires improvement
        (with the reason no action was needed) that the voice rule raises its need on any day
        the demo is built, and the manager finds their team's training need. Only answers
        nobody moderated, discussed, calibrated or attached an action to are touched."""
        team_id = self.c.team_of.get(self.c.demo["manager"])
        if team_id is None:
            return
        question = self.questions["D1"]
        counted = Audit.objects.filter(
            cycle_link__cycle=self.cycles[-2],
            status__in=SHARED_STATUSES,
            team_id=team_id,
            agreed_overall_grade__isnull=True,
        ).exclude(audit_type=AuditType.CALIBRATION)
        answers = Answer.objects.filter(
            audit__cycle_link__cycle=self.cycles[-2],
            audit__status__in=SHARED_STATUSES,
            audit__team_id=team_id,
            question=question,
            grade__isnull=False,
        )
        values = list(answers.values_list("grade__value", flat=True))
        low = sum(1 for v in values if v <= REQUIRES_IMPROVEMENT)
        wanted = int(VOICE_SHARE * len(values)) + 1
        with_action = Action.objects.filter(answer__isnull=False).values("answer_id")
        good = (
            answers.filter(
                audit__in=counted.exclude(self._untouchable()),
                grade__value=GOOD,
                agreed_grade__isnull=True,
            )
            .exclude(pk__in=with_action)
            .order_by("id")
        )
        worse = list(good.values_list("pk", flat=True)[: max(0, wanted - low)])
        # Phrases in turn, not drawn: the training's generator is left as it was for the rest.
        for i, pk in enumerate(worse):
            Answer.objects.filter(pk=pk).update(
                grade=self.grades[REQUIRES_IMPROVEMENT],
                worried_about=VOICE_WORRIES[i % len(VOICE_WORRIES)],
                no_action_reason=VOICE_NO_ACTION[i % len(VOICE_NO_ACTION)],
            )

    def _needs(self, rules: list[TrainingRule]) -> list[TrainingNeed]:
        """Each active rule on every cycle but the latest, raised a few days after it ended."""
        minimum = settings.AUDITLOOP_SMALL_GROUP_MIN
        any_domain = default_scale_domains()
        needs: list[TrainingNeed] = []
        for cycle in self.cycles[:-1]:
            teams = team_figures(cycle)
            raised = at(cycle.ends_on + dt.timedelta(days=5), self.rng)
            for rule in rules:
                if not rule.is_active:
                    continue
                findings = rule_findings(rule, teams, minimum=minimum, any_domain=any_domain)
                subjects = Subjects.of(findings.findings)
                for finding in findings.findings:
                    need = need_built(
                        rule=rule, cycle=cycle, finding=finding, subjects=subjects, minimum=minimum
                    )
                    need.public_id = new_uuid(self.rng)
                    need.raised_at = raised
                    needs.append(need)
        return TrainingNeed.objects.bulk_create(needs)

    def _decide(
        self, needs: list[TrainingNeed], refresher: TrainingEvent, voice: TrainingEvent
    ) -> None:
        """Voice needs answered by the workshop (half of them met since, half still planned);
        a third of the rest met by the refresher, as are all of any older cycle's; one need of
        the latest past cycle dismissed, with its reason; the others still open."""
        last_past = self.cycles[-2]
        links = []
        dismissed = False
        for i, need in enumerate(needs):
            event: TrainingEvent | None
            if need.question_id == voice.question_id:
                event = voice
                # The demo manager's team's is still planned: they find it on the needs page.
                met = i % 2 and need.team_id != self.c.team_of.get(self.c.demo["manager"])
                need.status = TrainingNeedStatus.MET if met else TrainingNeedStatus.PLANNED
            elif need.cycle_id != last_past.pk or i % 3 == 0:
                need.status, event = TrainingNeedStatus.MET, refresher
            elif not dismissed and need.evidence.get("kind") == TrainingRuleKind.DOMAIN_SHARE:
                need.status, event, dismissed = TrainingNeedStatus.DISMISSED, None, True
                need.decision_note = DISMISSED_REASON
            else:
                continue
            if need.status == TrainingNeedStatus.MET and event is not None:
                when = event.held_on + dt.timedelta(days=30)
            elif event is not None:
                when = event.held_on - dt.timedelta(days=14)
            else:
                when = last_past.ends_on + dt.timedelta(days=12)
            need.decided_by = self.lead
            need.decided_at = max(need.raised_at, at(min(when, self.today), self.rng))
            if event is not None:
                links.append(
                    TrainingNeed.events.through(trainingneed_id=need.pk, trainingevent_id=event.pk)
                )
        TrainingNeed.objects.bulk_update(
            needs, ["status", "decided_by", "decided_at", "decision_note"]
        )
        TrainingNeed.events.through.objects.bulk_create(links)

    # --- events and attendance ------------------------------------------------------------

    def _event(self, title: str, held_on: dt.date, **fields: object) -> TrainingEvent:
        return TrainingEvent(
            public_id=new_uuid(self.rng),
            title=title,
            held_on=held_on,
            created_by=self.lead,
            created_at=at(min(held_on + dt.timedelta(days=2), self.today), self.rng),
            **fields,
        )

    def _attendance(self, event: TrainingEvent, team_ids: list[int]) -> set[int]:
        """About 60% of each team's practitioners, the register imported two days later."""
        chosen: set[int] = set()
        for team_id in team_ids:
            workers = self.c.practitioners_by_team.get(team_id, [])
            chosen |= set(self.rng.sample(workers, round(ATTENDING * len(workers))))
        recorded = at(min(event.held_on + dt.timedelta(days=2), self.today), self.rng)
        TrainingAttendance.objects.bulk_create(
            TrainingAttendance(
                event=event,
                staff_id=pk,
                source=AttendanceSource.IMPORT,
                recorded_by_id=self.c.user_of.get(self.lead.pk),
                recorded_at=recorded,
            )
            for pk in sorted(chosen)
        )
        return chosen

    # --- later audits ----------------------------------------------------------------------

    def _untouchable(self) -> Q:
        """Audits whose grades other parts of the demo rely on."""
        return (
            Q(pk__in=Moderation.objects.values("audit_id"))
            | Q(pk__in=MeetingItem.objects.values("audit_id"))
            | Q(pk__in=CalibrationEntry.objects.values("audit_id"))
            | Q(revisit_of__isnull=False)
            | Q(revisits__isnull=False)
            | Q(audit_type=AuditType.CALIBRATION)
        )

    def _better_after(
        self, event: TrainingEvent, attendees: set[int], *, question: Question | None
    ) -> None:
        after = (
            Audit.objects.filter(
                status__in=SHARED_STATUSES,
                practitioner_id__in=attendees,
                submitted_at__date__gt=event.held_on,
                agreed_overall_grade__isnull=True,
            )
            .exclude(self._untouchable())
            .distinct()
            .order_by("id")
        )
        ri, good = self.grades[REQUIRES_IMPROVEMENT], self.grades[GOOD]
        if question is None:
            ids = list(after.filter(overall_grade=ri).values_list("id", flat=True))
            better = [pk for pk in ids if self.rng.random() < BETTER_AFTER]
            Audit.objects.filter(pk__in=better).update(overall_grade=good)
            return
        with_action = Action.objects.filter(answer__isnull=False).values("answer_id")
        answers = (
            Answer.objects.filter(
                audit__in=after, question=question, grade=ri, agreed_grade__isnull=True
            )
            .exclude(pk__in=with_action)
            .order_by("id")
        )
        by_audit: dict[int, list[int]] = defaultdict(list)
        for pk, audit_id in answers.values_list("id", "audit_id"):
            by_audit[audit_id].append(pk)
        better = [
            pk
            for audit_id in sorted(by_audit)
            for pk in by_audit[audit_id]
            if self.rng.random() < BETTER_AFTER
        ]
        Answer.objects.filter(pk__in=better).update(grade=good, no_action_reason="")
