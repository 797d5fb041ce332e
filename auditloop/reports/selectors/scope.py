"""Whose audits a report counts, and how it may show them.

A `ReportScope` is decided once per request by `auditloop.reports.access.scopes` (from who is
reading) or per review (the cycle's services, for the committee or the leaders), and every
figure function takes one. The audits counted are those that count anywhere (submitted or
completed, never calibration; the grade that counts is the agreed one), less any the reader
is moderating blind, narrowed to the scope. A stored cycle review has no reader: it leaves
out every audit still under a blind moderation, whoever issues or reads it (`BLIND`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.audits.models import SHARED_STATUSES, Audit
from auditloop.audits.selectors.audits import audits_matching
from auditloop.learning.selectors.team_picture import audits_counted
from auditloop.sampling.models import Cycle

# The audits under a blind moderation, whoever moderates them: a moderator has it and has not
# regraded it yet (`auditloop.audits.access.audits.grades_hidden_filter`, for everyone).
BLIND = Q(moderation__moderator__isnull=False, moderation__regraded_at__isnull=True)


@dataclass(frozen=True)
class ReportScope:
    """`reader`: who reads (their blind moderations are left out; None for a cycle review,
    which leaves out every blind moderation, so that its figures are the same whoever issues
    it and no reader can recover a blind audit's grade from them). `cycle`: the cycle the
    figures are for. `service_ids`: the services covered. `team_ids`: narrowed to these teams
    (None: every team of the services). `practitioner_id`: narrowed to one person's own
    audits (their own dashboard). `names_teams`: rows may be teams by name (leaders, a team
    manager); when False (the committee) figures go by service and no team or person is
    named. `small_counts`: suppress small counts as well as small groups, for readers who may
    not read every audit behind a figure (the committee)."""

    reader: StaffMember | None
    cycle: Cycle
    service_ids: tuple[int, ...]
    team_ids: tuple[int, ...] | None = None
    practitioner_id: int | None = None
    names_teams: bool = True
    small_counts: bool = False
    # What the figures of one page or review share, asked once (the audits that count, the
    # names of the scope's teams or services): see `auditloop.reports.selectors.figures.parts`.
    # Not copied by `dataclasses.replace`, so a scope changed to another cycle asks again.
    memo: dict[str, Any] = field(
        init=False, default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def is_own(self) -> bool:
        return self.practitioner_id is not None


def audits_in_scope(
    scope: ReportScope, *, cycle: Cycle | None = None, cycle_ids: Sequence[int] | None = None
) -> QuerySet[Audit]:
    """The audits that count in `scope` (in its cycle, or in `cycle` when given, e.g. the
    last cycle to compare with, or in any of `cycle_ids`, for a trend)."""
    base = (
        audits_counted(scope.reader)
        if scope.reader is not None
        else audits_matching(Audit.objects.filter(status__in=SHARED_STATUSES)).exclude(
            pk__in=Audit.objects.filter(BLIND).values("pk")
        )
    )
    audits = base.filter(team__service_id__in=scope.service_ids)
    if cycle_ids is not None:
        audits = audits.filter(cycle_link__cycle_id__in=list(cycle_ids))
    else:
        audits = audits.filter(cycle_link__cycle=cycle or scope.cycle)
    if scope.team_ids is not None:
        audits = audits.filter(team_id__in=scope.team_ids)
    if scope.practitioner_id is not None:
        audits = audits.filter(practitioner_id=scope.practitioner_id)
    return audits
