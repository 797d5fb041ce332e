"""The demo council's calibration exercises, then its moderation meetings (`meetings`).

One exercise compared (four auditors, grades mostly the same or one apart, one domain two
grades apart), one still in progress (some entries submitted, the demo audit lead among the
auditors, so blind to the others).

Built after the rest of the council, from the build's seeded generator, so the same seed gives
the same rows and nothing built before them moves. Rows are written directly, with past
timestamps, like the rest of the seed; no child, family member or worker is named in the text.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.urls import reverse

from auditloop.accounts.models import Role
from auditloop.assurance.models import (
    CalibrationEntry,
    CalibrationExercise,
)
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditTool,
    AuditType,
    Grade,
    Question,
    QuestionKind,
    ToolVersion,
)
from auditloop.core.models import Notification
from auditloop.demo import phrases
from auditloop.demo.council import CaseRef, Council, at, new_uuid
from auditloop.demo.history.meetings import meetings_history

COHORT_WORDS = {
    "CIN": "child in need",
    "CP": "child protection",
    "CLA": "child in care",
    "CL": "care leaver",
}


@dataclass(frozen=True)
class _Tool:
    version: ToolVersion
    questions: list[Question]
    grades: dict[int, Grade]  # by value, 1 (Inadequate) to 4 (Outstanding)


def calibration_history(*, council: Council, rng: random.Random, today: dt.date) -> None:
    """The exercises, then the meetings (the builder's one call for this part)."""
    version = AuditTool.objects.get(slug="quality-deep-dive").current_version
    if version is None:
        raise RuntimeError("The default quality deep dive has no published version.")
    tool = _Tool(
        version=version,
        questions=list(
            Question.objects.filter(section__version=version, kind=QuestionKind.GRADED).order_by(
                "section__order", "order"
            )
        ),
        grades={g.value: g for g in Grade.objects.filter(scale_id=version.grading_scale_id)},
    )
    _CalibrationBuilder(council, rng, today, tool).build()
    meetings_history(council=council, rng=rng, today=today)


def _clamp(value: int) -> int:
    return min(4, max(1, value))


class _CalibrationBuilder:
    def __init__(self, c: Council, rng: random.Random, today: dt.date, tool: _Tool) -> None:
        self.c, self.rng, self.today, self.tool = c, rng, today, tool
        self.now = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
        self.notifications: list[Notification] = []

    def build(self) -> None:
        lead, auditor = self.c.demo["moderator"], self.c.demo["auditor"]
        compared_case = self._case("CP")
        others = self._auditors(compared_case, exclude={lead, auditor}, count=3)
        self._exercise(
            case=compared_case,
            set_by=lead,
            auditors=[auditor, *others],
            set_on=self.today - dt.timedelta(days=self.rng.randint(49, 63)),
            progress=["submitted"] * 4,
        )
        waiting_case = self._case("CLA")
        others = self._auditors(waiting_case, exclude={lead, auditor}, count=2)
        self._exercise(
            case=waiting_case,
            set_by=lead,
            auditors=[lead, others[0], auditor, others[1]],
            set_on=self.today - dt.timedelta(days=self.rng.randint(8, 12)),
            progress=["submitted", "submitted", "part", "planned"],
        )
        Notification.objects.bulk_create(self.notifications)

    def _case(self, cohort: str) -> CaseRef:
        """A case of `cohort` in a practice service, that both demo auditors may audit."""
        demo = {self.c.demo["moderator"], self.c.demo["auditor"]}
        cases = [
            case
            for case in self.c.cases
            if case.cohort == cohort and all(self.c.may_audit(s, case) for s in demo)
        ] or [case for case in self.c.cases if all(self.c.may_audit(s, case) for s in demo)]
        return self.rng.choice(cases)

    def _auditors(self, case: CaseRef, *, exclude: set[int], count: int) -> list[int]:
        """QA officers first, then team managers of other teams, all independent of `case`."""
        by_role = sorted(
            (sid for sid, role in self.c.role_of.items() if sid not in exclude),
            key=lambda sid: (self.c.role_of[sid] != Role.AUDITOR, sid),
        )
        able = [
            sid
            for sid in by_role
            if self.c.role_of[sid] in {Role.AUDITOR, Role.TEAM_MANAGER}
            and self.c.may_audit(sid, case)
        ]
        qa = [sid for sid in able if self.c.role_of[sid] == Role.AUDITOR]
        managers = [sid for sid in able if self.c.role_of[sid] == Role.TEAM_MANAGER]
        chosen = self.rng.sample(qa, min(count - 1, len(qa)))
        rest = [sid for sid in [*managers, *qa] if sid not in chosen]
        chosen += self.rng.sample(rest, count - len(chosen))
        return chosen

    def _exercise(
        self,
        *,
        case: CaseRef,
        set_by: int,
        auditors: list[int],
        set_on: dt.date,
        progress: list[str],
    ) -> None:
        rng, created = self.rng, at(set_on, self.rng)
        exercise = CalibrationExercise.objects.create(
            public_id=new_uuid(rng),
            title=f"{set_on:%B %Y} calibration: a {COHORT_WORDS[case.cohort]} case",
            case_id=case.pk,
            tool_version=self.tool.version,
            set_by_id=set_by,
            due_date=set_on + dt.timedelta(days=21),
            created_at=created,
        )
        grades = self._grades(len(auditors))
        audits: list[Audit] = []
        answers: list[Answer] = []
        for auditor, stage, theirs in zip(auditors, progress, grades, strict=True):
            audit = self._audit(case, auditor, exercise, stage, theirs[-1])
            audits.append(audit)
        Audit.objects.bulk_create(audits)
        for audit, stage, theirs in zip(audits, progress, grades, strict=True):
            answers += self._answers(audit, stage, theirs[:-1])
        Answer.objects.bulk_create(answers)
        CalibrationEntry.objects.bulk_create(
            CalibrationEntry(exercise=exercise, audit=audit) for audit in audits
        )
        url = reverse("assurance:calibration_detail", args=[exercise.public_id])
        self.notifications += [
            Notification(
                public_id=new_uuid(self.rng),
                recipient_id=self.c.user_of[auditor],
                message=(
                    "You have been set a calibration audit. Audit the case on your own: you "
                    "will see the other auditors' answers once everyone has submitted."
                ),
                url=url,
                created_at=created,
                read_at=created + dt.timedelta(hours=2) if stage != "planned" else None,
            )
            for auditor, stage in zip(auditors, progress, strict=True)
            if auditor != set_by
        ]

    def _grades(self, auditors: int) -> list[list[int]]:
        """Each auditor's grade value for each domain, then overall: the same as the others or
        one grade apart on every domain but one, where two auditors are two grades apart."""
        rng, domains = self.rng, len(self.tool.questions)
        base = rng.choice([2, 3])
        consensus = [_clamp(base + rng.choice([-1, 0, 0, 1])) for _ in range(domains)]
        middling = [d for d, v in enumerate(consensus) if v in {2, 3}] or [0]
        wide = rng.choice(middling)
        if consensus[wide] not in {2, 3}:
            consensus[wide] = 2
        values = [list(consensus) for _ in range(auditors)]
        for d in range(domains):
            if d == wide:
                high, low = rng.sample(range(auditors), 2)
                values[high][d] += 1
                values[low][d] -= 1
                continue
            # One direction per domain, so that no two auditors are more than one apart.
            step = 1 if consensus[d] < 4 and (consensus[d] == 1 or rng.random() < 0.5) else -1
            for a in range(auditors):
                if rng.random() < 0.25:
                    values[a][d] = _clamp(values[a][d] + step)
        overall = round(sum(consensus) / domains)
        odd_one = rng.randrange(auditors)
        for a in range(auditors):
            nudge = (1 if overall < 3 else -1) if a == odd_one else 0
            values[a].append(_clamp(overall + nudge))
        return values

    def _audit(
        self, case: CaseRef, auditor: int, exercise: CalibrationExercise, stage: str, overall: int
    ) -> Audit:
        rng = self.rng
        started = exercise.created_at + dt.timedelta(days=rng.randint(1, 5), hours=1)
        submitted = started + dt.timedelta(days=rng.randint(1, 9))
        audit = Audit(
            public_id=new_uuid(rng),
            case_id=case.pk,
            tool_version=self.tool.version,
            audit_type=AuditType.CALIBRATION,
            auditor_id=auditor,
            practitioner_id=case.worker_id,
            team_id=case.team_id,
            due_date=exercise.due_date,
            created_by_id=self.c.user_of[exercise.set_by_id],
            created_at=exercise.created_at,
            status=AuditStatus.PLANNED,
        )
        if stage in {"part", "submitted"}:
            audit.status = AuditStatus.IN_PROGRESS
            audit.started_at = min(started, self.now - dt.timedelta(days=1))
        if stage == "submitted":
            audit.status = AuditStatus.SUBMITTED
            audit.submitted_at = min(submitted, self.now - dt.timedelta(hours=3))
            audit.overall_grade = self.tool.grades[overall]
            audit.strengths = " ".join(rng.sample(phrases.STRENGTHS, 2))
            audit.areas_for_development = " ".join(
                rng.sample(phrases.AREAS_FOR_DEVELOPMENT, max(1, 4 - overall))
            )
            audit.impact_on_child = rng.choice(phrases.IMPACT_ON_CHILD)
        return audit

    def _answers(self, audit: Audit, stage: str, values: list[int]) -> list[Answer]:
        if stage == "planned":
            return []
        questions = self.tool.questions
        if stage == "part":
            questions = questions[: len(questions) // 2]
        stamp = audit.submitted_at or audit.started_at or self.now
        out: list[Answer] = []
        for q, value in zip(questions, values, strict=False):
            answer = Answer(
                audit=audit, question=q, grade=self.tool.grades[value], updated_at=stamp
            )
            well, worried = phrases.DOMAIN_NOTES.get(q.code, ([], []))
            if well and value >= 3:
                answer.working_well = self.rng.choice(well)
            if worried and value <= 2:
                answer.worried_about = self.rng.choice(worried)
            out.append(answer)
        return out
