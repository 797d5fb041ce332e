"""What every part of the demo history shares: the council it is built for, the one seeded
random-number stream (each part draws from it in turn, so the build repeats exactly), the
default tools, who audits, and the audit drafts passed between the parts."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from auditloop.accounts.models import Role
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    AuditTool,
    Escalation,
    Grade,
    Question,
    ToolVersion,
)
from auditloop.core.models import Notification
from auditloop.demo.council import CaseRef, Council
from auditloop.sampling.models import Cycle

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


def _version(slug: str) -> ToolVersion:
    version = AuditTool.objects.get(slug=slug).current_version
    if version is None:
        raise RuntimeError(f"The default audit tool {slug!r} has no published version.")
    return version


class History:
    """The state of one history build, passed explicitly to each part of it."""

    def __init__(
        self,
        *,
        council: Council,
        rng: random.Random,
        today: dt.date,
        cycles: int,
        audits_per_cycle: int,
    ) -> None:
        self.council = council
        self.rng = rng
        self.today = today
        self.now = dt.datetime.combine(today, dt.time(9, 0), dt.UTC)
        self.cycles = cycles
        self.audits_per_cycle = audits_per_cycle
        self.compliance = _version("compliance-dip-sample")
        self.quality = _version("quality-deep-dive")
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
        # The cycle being built; after the past cycles, the latest one.
        self.cycle: Cycle | None = None

    # --- choosing -----------------------------------------------------------------------

    def auditor_for(self, case: CaseRef, exclude: frozenset[int] = frozenset()) -> int:
        for _ in range(50):
            candidate = self.rng.choices(self.pool, self.pool_weights)[0]
            if candidate not in exclude and self.council.may_audit(candidate, case):
                return candidate
        # A small scaled-down council can run short of independent auditors: take any one.
        for candidate in self.pool:
            if candidate not in exclude and self.council.may_audit(candidate, case):
                return candidate
        raise RuntimeError("No independent auditor for a demo case.")

    def grade(self, t: float) -> str:
        # Slightly better cycle on cycle: from about 9/42/37/12 to 11/48/33/8 per cent.
        weights = [9 + 2 * t, 42 + 6 * t, 37 - 4 * t, 12 - 4 * t]
        return self.rng.choices(GRADE_CODES, weights)[0]

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))
