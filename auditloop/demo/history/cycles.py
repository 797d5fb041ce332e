"""The past six-month cycles: each one's plan, its dip samples, deep dives and thematic audits,
then their revisits (`revisits`)."""

from __future__ import annotations

import datetime as dt

from auditloop.accounts.models import Role
from auditloop.audits.models import AuditType
from auditloop.demo import phrases
from auditloop.demo.council import BATCH, at, new_uuid
from auditloop.demo.history.audits import audits_save, draft
from auditloop.demo.history.revisits import revisits_of_cycle
from auditloop.demo.history.state import CYCLE_MONTHS, Draft, History
from auditloop.sampling.models import Cycle, CycleAudit, Quota, QuotaKind


def window(h: History, k: int) -> tuple[dt.date, dt.date]:
    """Cycle k's first and last day: six whole months, the last cycle ending with this
    month."""
    months = h.today.year * 12 + h.today.month - 1 - CYCLE_MONTHS * (h.cycles - k - 1)
    first = months - (CYCLE_MONTHS - 1)
    start = dt.date(first // 12, first % 12 + 1, 1)
    after = months + 1
    return start, dt.date(after // 12, after % 12 + 1, 1) - dt.timedelta(days=1)


def cycle_plan(h: History, start: dt.date, end: dt.date) -> Cycle:
    """The cycle's plan as the audit lead wrote it: services, tools, types, quotas and the
    auditors."""
    cycle = Cycle.objects.create(
        public_id=new_uuid(h.rng),
        name=f"{start:%B %Y} to {end:%B %Y}",
        starts_on=start,
        ends_on=end,
        audit_types=[AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE, AuditType.THEMATIC],
        created_by_id=h.lead_users[0] if h.lead_users else None,
        created_at=at(start - dt.timedelta(days=14), h.rng),
    )
    cycle.services.set(h.council.services)
    cycle.tools.set([h.compliance, h.quality])
    cycle.auditors.set(h.pool)
    Quota.objects.bulk_create(
        [
            Quota(
                public_id=new_uuid(h.rng),
                cycle=cycle,
                kind=QuotaKind.PER_TEAM,
                audit_type=AuditType.DIP_SAMPLE,
                per_month=1,
            ),
            Quota(
                public_id=new_uuid(h.rng),
                cycle=cycle,
                kind=QuotaKind.PER_AUDITOR,
                audit_type=AuditType.DEEP_DIVE,
                per_month=1,
                role=Role.AUDITOR,
            ),
        ]
    )
    return cycle


def cycle_link(cycle: Cycle, drafts: list[Draft]) -> None:
    """Place the audits in the cycle, each in the month it was created."""
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


def cycle_build(h: History, k: int) -> None:
    """Cycle k: its plan, its audits spread over its months, then the revisits."""
    rng = h.rng
    start, end = window(h, k)
    h.cycle = cycle = cycle_plan(h, start, end)
    span = (min(end, h.today - dt.timedelta(days=3)) - start).days
    theme = phrases.THEMES[k % len(phrases.THEMES)]
    chosen = rng.sample(h.council.cases, min(h.audits_per_cycle, len(h.council.cases)))
    drafts: list[Draft] = []
    for case in chosen:
        audit_type = rng.choices(
            [AuditType.DIP_SAMPLE, AuditType.DEEP_DIVE, AuditType.THEMATIC], [65, 25, 10]
        )[0]
        offset = rng.randint(0, span)
        drafts.append(
            draft(
                h,
                case,
                h.auditor_for(case),
                audit_type,
                start + dt.timedelta(days=offset),
                t=(k + offset / (end - start).days) / h.cycles,
                theme=theme if audit_type == AuditType.THEMATIC else "",
            )
        )
    audits_save(h, drafts)
    cycle_link(cycle, drafts)
    revisits_of_cycle(h, k, drafts)
