"""The demo council's moderation meetings: three or four audit group meetings over the past
cycles and a managers' moderation meeting in each practice service, each discussing audits
submitted in the weeks before it (Inadequate and Outstanding ones most likely), with outcomes
and learning in the words such records use. No child, family member or worker is named.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import Q

from auditloop.accounts.models import Role
from auditloop.assurance.models import (
    MeetingItem,
    MeetingKind,
    MeetingOutcome,
    Moderation,
    ModerationMeeting,
    ModerationStatus,
)
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditType, Grade
from auditloop.audits.rules import grades_apart
from auditloop.demo.council import Council, at, new_uuid

# What a moderation meeting writes against each audit it discussed, by outcome (a changed
# grade's note says which way it moved: `CHANGED_NOTES`).
OUTCOME_NOTES: dict[str, list[str]] = {
    MeetingOutcome.GRADE_CONFIRMED: [
        "The group agreed the evidence supports the grade.",
        "Grade confirmed: the analysis of risk is clear and well evidenced.",
        "Confirmed after talking through the chronology and the child's recent progress.",
        "Confirmed. The auditor's note on the child's voice was used as a good example.",
    ],
    MeetingOutcome.SENT_TO_HEAD: [
        "No agreement on whether drift has left the child at risk; sent to the head of "
        "service to decide.",
        "The auditor and moderator still differ on the impact on the child; for the head of "
        "service.",
    ],
    MeetingOutcome.MORE_WORK: [
        "The auditor will check the health assessment and the latest review before a grade "
        "is agreed.",
        "More evidence is needed on the father's involvement; back to the next meeting.",
        "The moderator will read the supervision record with the team manager first.",
    ],
}
# "Grade changed", by whether the agreed grade is above or below the auditor's: "{by}" is
# "one grade", "two grades"...
CHANGED_NOTES: dict[bool, list[str]] = {
    False: [
        "Agreed {by} lower: management oversight is recorded without reasons.",
        "Agreed {by} lower: the plan has drifted since the last review.",
    ],
    True: [
        "Agreed {by} higher: the recent direct work had not been given its weight.",
        "Agreed {by} higher once the latest review minutes were read.",
    ],
}
GRADES_IN_WORDS = {1: "one grade", 2: "two grades", 3: "three grades"}
# A moderation not yet agreed or decided: still with the moderator and auditor, or with the
# head of service.
UNSETTLED_OUTCOME = {
    ModerationStatus.UNASSIGNED: MeetingOutcome.MORE_WORK,
    ModerationStatus.REGRADING: MeetingOutcome.MORE_WORK,
    ModerationStatus.AGREEING: MeetingOutcome.MORE_WORK,
    ModerationStatus.ESCALATED: MeetingOutcome.SENT_TO_HEAD,
}

AUDIT_GROUP_LEARNING = [
    "Auditors are grading plans on their tasks rather than their outcomes; the group agreed "
    "to grade against the difference made for the child.",
    "Several audits credit management oversight where supervision records only 'agreed'. "
    "Auditors should look for reasons and timescales before grading Good.",
    "Grades for the child's lived experience vary most between auditors; the audit lead will "
    "set a calibration exercise on it.",
    "Fathers and male carers are rarely assessed; a practice briefing goes to all teams next "
    "month.",
    "Chronologies are often current but not analysed; auditors should say what the "
    "chronology tells us, not only that it exists.",
    "Identity needs are recorded but rarely explored; the group will take this as a theme "
    "next cycle.",
    "Evidence notes on 'No' answers are getting better: most now say where on the file the "
    "auditor looked.",
    "Deep dives where the manager took part gave the clearest picture of the work; the group "
    "will ask for managers to join every deep dive meeting.",
]
MANAGERS_LEARNING = [
    "Managers agreed to record the reasons for decisions in supervision, not only the decision.",
    "Drift between reviews is the common thread; managers will check each plan against the "
    "last review's actions at every supervision.",
    "Managers found the child's own words missing from most case summaries and will ask for "
    "them in case notes.",
    "Partners' absence from reviews is not being challenged; managers will escalate repeat "
    "absences to the service manager.",
]


def meetings_history(*, council: Council, rng: random.Random, today: dt.date) -> None:
    _MeetingsBuilder(council, rng, today).build()


class _MeetingsBuilder:
    def __init__(self, c: Council, rng: random.Random, today: dt.date) -> None:
        self.c, self.rng, self.today = c, rng, today
        # An audit is discussed at one meeting; learning is not noted twice.
        self.discussed: set[int] = set()
        self.group_learning = rng.sample(AUDIT_GROUP_LEARNING, len(AUDIT_GROUP_LEARNING))
        self.managers_learning = rng.sample(MANAGERS_LEARNING, len(MANAGERS_LEARNING))

    def build(self) -> None:
        lead = self.c.demo["moderator"]
        leads = sorted(sid for sid, role in self.c.role_of.items() if role == Role.MODERATOR)
        qa = sorted(sid for sid, role in self.c.role_of.items() if role == Role.AUDITOR)
        for k, days_ago in enumerate((150, 105, 60, 14)):
            held = self.today - dt.timedelta(days=days_ago + self.rng.randint(-6, 6))
            officers = self.rng.sample(qa, min(len(qa), self.rng.randint(3, 5)))
            # The demo auditor is at every other meeting, so their list has some to show.
            if k % 2 == 1 and self.c.demo["auditor"] not in officers:
                officers.append(self.c.demo["auditor"])
            self._meeting(
                kind=MeetingKind.AUDIT_GROUP,
                service_id=None,
                held=held,
                recorder=lead,
                attendees=[*leads, *officers],
                audits=self._discussed(held, Q(), self.rng.randint(3, 6)),
                learning=self._learning(self.group_learning, 2 * k, 2),
            )
        for k, service in enumerate(self.c.services):
            teams = [t.pk for t in self.c.practice_teams if t.service_id == service.pk]
            managers = [self.c.team_manager_of_team[t] for t in teams]
            head = self.c.head_of_service[service.pk]
            held = self.today - dt.timedelta(days=self.rng.randint(20, 70))
            self._meeting(
                kind=MeetingKind.MANAGERS,
                service_id=service.pk,
                held=held,
                recorder=head,
                attendees=[head, *managers],
                audits=self._discussed(held, Q(team__service_id=service.pk), 3),
                learning=self._learning(self.managers_learning, k, 1),
            )

    @staticmethod
    def _learning(bank: list[str], start: int, count: int) -> list[str]:
        return [bank[(start + i) % len(bank)] for i in range(count)]

    def _discussed(self, held: dt.date, where: Q, count: int) -> list[Audit]:
        """Audits submitted in the ten weeks before the meeting, moderated ones, Inadequate
        and Outstanding ones most likely (as a moderation sample would have them)."""
        since = dt.datetime.combine(held - dt.timedelta(weeks=10), dt.time(), dt.UTC)
        until = dt.datetime.combine(held, dt.time(), dt.UTC)
        candidates = list(
            Audit.objects.filter(
                where,
                status__in=SHARED_STATUSES,
                submitted_at__gte=since,
                submitted_at__lt=until,
                overall_grade__isnull=False,
            )
            .exclude(audit_type=AuditType.CALIBRATION)
            .exclude(pk__in=self.discussed)
            .select_related("overall_grade", "agreed_overall_grade", "tool_version")
            .order_by("pk")
        )
        # Moderated audits come to the meeting most: it is where moderation is reported.
        # Most of all those whose moderation has an outcome to report.
        moderated = dict(
            Moderation.objects.filter(audit__in=candidates).values_list("audit_id", "status")
        )
        reported = {ModerationStatus.AGREED, ModerationStatus.DECIDED, ModerationStatus.ESCALATED}
        weights = [
            (4 if a.overall_grade is not None and a.overall_grade.value in {1, 4} else 1)
            * (1 if a.pk not in moderated else 12 if moderated[a.pk] in reported else 4)
            for a in candidates
        ]
        chosen: list[Audit] = []
        while candidates and len(chosen) < count:
            pick = self.rng.choices(range(len(candidates)), weights)[0]
            chosen.append(candidates.pop(pick))
            weights.pop(pick)
        self.discussed |= {a.pk for a in chosen}
        return chosen

    def _meeting(
        self,
        *,
        kind: str,
        service_id: int | None,
        held: dt.date,
        recorder: int,
        attendees: list[int],
        audits: list[Audit],
        learning: list[str],
    ) -> None:
        rng = self.rng
        if not audits:
            return
        meeting = ModerationMeeting.objects.create(
            public_id=new_uuid(rng),
            kind=kind,
            service_id=service_id,
            held_on=held,
            learning=" ".join(learning),
            recorded_by_id=recorder,
            created_at=at(min(held + dt.timedelta(days=rng.randint(0, 3)), self.today), rng),
        )
        meeting.attendees.set(sorted(set(attendees)))
        moderations = {
            m.audit_id: m for m in Moderation.objects.filter(audit__in=audits).order_by("pk")
        }
        items = []
        for audit in audits:
            outcome, notes = self._outcome(audit, moderations.get(audit.pk))
            items.append(MeetingItem(meeting=meeting, audit=audit, outcome=outcome, notes=notes))
        MeetingItem.objects.bulk_create(items)

    def _outcome(self, audit: Audit, moderation: Moderation | None) -> tuple[str, str]:
        """What the meeting recorded for `audit`, as its moderation stands: "Grade changed"
        only where the agreed (or decided) grade differs from the auditor's, in the way it
        moved; "Grade confirmed" where it is the same, or where the audit was not moderated;
        otherwise more work, or sent to the head of service while escalated."""
        rng = self.rng
        if moderation is None:
            outcome = MeetingOutcome.GRADE_CONFIRMED
        elif moderation.status in UNSETTLED_OUTCOME:
            outcome = UNSETTLED_OUTCOME[ModerationStatus(moderation.status)]
        else:
            scale = Grade.objects.filter(scale_id=audit.tool_version.grading_scale_id)
            moved = grades_apart(audit.overall_grade, audit.agreed_overall_grade, scale)
            if moved:
                note = rng.choice(CHANGED_NOTES[moved > 0])
                by = GRADES_IN_WORDS.get(abs(moved), f"{abs(moved)} grades")
                return MeetingOutcome.GRADE_CHANGED, note.format(by=by)
            outcome = MeetingOutcome.GRADE_CONFIRMED
        return outcome, rng.choice(OUTCOME_NOTES[outcome])
