"""Cycles, counted audits with graded answers, and learning points, for key messages' tests."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.utils import timezone

from auditloop.accounts.models import Role, Service, StaffMember, Team
from auditloop.audits.models import (
    Answer,
    Audit,
    AuditStatus,
    AuditType,
    Grade,
    Question,
    QuestionKind,
)
from auditloop.learning.models import KeyMessage, LearningPoint, LearningPointKind, Theme
from auditloop.learning.rules.key_messages import (
    STARTER_WHAT_GOOD_LOOKS_LIKE,
    STARTER_WHAT_TO_DO_NEXT,
    STARTER_WHY_IT_MATTERS,
)
from auditloop.learning.selectors.key_messages import Scope
from auditloop.learning.services.key_messages import key_message_compile, key_message_submit
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.testing import Personas, make_staff


def make_cycle(name: str, starts_on: datetime.date, services: Iterable[Service]) -> Cycle:
    cycle = Cycle.objects.create(
        name=name, starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=180)
    )
    cycle.services.set(list(services))
    return cycle


def graded_questions(p: Personas) -> list[Question]:
    return list(
        Question.objects.filter(section__version=p.quality_tool, kind=QuestionKind.GRADED).order_by(
            "section__order", "order"
        )
    )


def grade(p: Personas, code: str) -> Grade:
    return Grade.objects.get(scale=p.quality_tool.grading_scale, code=code)


# Audits are spread over three people's cases by default (the practitioner's and two former
# colleagues', who receive no key message): a scope whose audits are of fewer than
# `MIN_PEOPLE` people's cases has its figures withheld whole.
FORMER_COLLEAGUES = ("Former practitioner one", "Former practitioner two")


def practitioner_for(p: Personas, team: Team, n: int) -> StaffMember:
    """The practitioner of a team's `n`th audit: the practitioner, then two former colleagues
    in turn."""
    if n % 3 == 0:
        return p.practitioner
    staff, _ = StaffMember.objects.get_or_create(
        name=FORMER_COLLEAGUES[n % 3 - 1],
        defaults={"role": Role.PRACTITIONER, "team": team, "is_active": False},
    )
    return staff


def make_counted_audit(
    p: Personas,
    cycle: Cycle,
    *,
    team: Team | None = None,
    overall: str = "good",
    answers: Sequence[str] = (),
    agreed: Sequence[str | None] = (),
    status: AuditStatus = AuditStatus.SUBMITTED,
    audit_type: AuditType = AuditType.DEEP_DIVE,
    practitioner: StaffMember | None = None,
) -> Audit:
    """A deep dive in `cycle`, of `team` (North A by default), its overall grade `overall` and
    its first graded questions graded `answers` (codes), moderation's agreed grades `agreed`."""
    team = team or p.north_a
    audit = Audit.objects.create(
        case=p.case if team.service_id == p.north.pk else p.outsider_case,
        tool_version=p.quality_tool,
        audit_type=audit_type,
        status=status,
        auditor=p.auditor,
        practitioner=practitioner
        or practitioner_for(p, team, Audit.objects.filter(team=team).count()),
        team=team,
        overall_grade=grade(p, overall),
        submitted_at=timezone.now()
        if status in (AuditStatus.SUBMITTED, AuditStatus.COMPLETED)
        else None,
    )
    CycleAudit.objects.create(cycle=cycle, audit=audit, planned_month=cycle.starts_on)
    for n, (question, code) in enumerate(zip(graded_questions(p), answers, strict=False)):
        agreed_code = agreed[n] if n < len(agreed) else None
        Answer.objects.create(
            audit=audit,
            question=question,
            grade=grade(p, code),
            agreed_grade=grade(p, agreed_code) if agreed_code else None,
        )
    return audit


def make_point(
    audit: Audit,
    *,
    kind: str = LearningPointKind.GOOD_PRACTICE,
    text: str = "The child's wishes were recorded in their own words.",
    question: Question | None = None,
    themes: Iterable[str] = (),
) -> LearningPoint:
    point = LearningPoint.objects.create(
        audit=audit, question=question, kind=kind, text=text, author=audit.auditor
    )
    point.themes.set([Theme.objects.get_or_create(name=name)[0] for name in themes])
    return point


def counted_team(p: Personas, cycle: Cycle, n: int = 5, **kwargs: object) -> list[Audit]:
    return [make_counted_audit(p, cycle, **kwargs) for _ in range(n)]  # type: ignore[arg-type]


def draft_for(p: Personas, cycle: Cycle | None = None, **scope: object) -> KeyMessage:
    """A draft compiled by the personas' audit lead for North A (or the scope given)."""
    if cycle is None:
        cycle = make_cycle("Spring 2026", datetime.date(2026, 3, 1), [p.north])
        counted_team(p, cycle, answers=["good", "requires_improvement"])
    team = scope.get("team", p.north_a if "service" not in scope else None)
    return key_message_compile(
        by=p.moderator,
        scope=Scope(cycle=cycle, team=team, service=scope.get("service")),  # type: ignore[arg-type]
    )


def parts_written(message: KeyMessage) -> KeyMessage:
    """The draft with each starter prompt replaced by the author's own words, as it must be
    before it is sent for review (a part the test already wrote is kept)."""
    starters = {
        "why_it_matters": STARTER_WHY_IT_MATTERS,
        "what_good_looks_like": STARTER_WHAT_GOOD_LOOKS_LIKE,
        "what_to_do_next": STARTER_WHAT_TO_DO_NEXT,
    }
    for key, starter in starters.items():
        if starter in getattr(message, key):
            setattr(message, key, f"In our own words: {key.replace('_', ' ')}.")
    message.save()
    return message


def in_review(p: Personas, **kwargs: object) -> KeyMessage:
    message = draft_for(p, **kwargs)  # type: ignore[arg-type]
    return key_message_submit(key_message=parts_written(message), by=p.moderator)


def second_lead(p: Personas) -> StaffMember:
    """Another audit lead over North: the reviewer."""
    return make_staff("lead2", "Robin Reviewer", Role.MODERATOR, services=[p.north])
