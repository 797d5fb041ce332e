"""Choosing a cycle's moderation sample, and who may moderate an audit: pure rules, rows in and
a choice out, so that the properties an inspector relies on (the same seed and population give
the same sample; every Inadequate and Outstanding audit is chosen) can be tested with
hypothesis. `selectors.moderation_samples` fetches the rows in a fixed number of queries.

What is chosen, in this order (an audit is chosen once, for the first reason that applies):
1. every audit whose auditor graded it Inadequate overall;
2. every audit graded the top grade of its scale (Outstanding);
3. `percent` per cent of the rest, drawn at random with a seed. The number drawn is rounded UP
   to a whole audit (15% of 10 audits is 1.5, so 2 are drawn): any share above 0% of a
   non-empty rest moderates at least one audit, and 0% draws none;
4. every audit someone has asked to have moderated and that is not chosen already. A request
   for an audit chosen for another reason is taken with it, and its reason kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from auditloop.accounts.models import AUDITING_ROLES, StaffMember
from auditloop.assurance.models import ModerationReason, ModerationStatus
from auditloop.audits.models import Audit
from auditloop.audits.rules import independent_of_audit
from auditloop.sampling.rules.statistics import draw_cases, percentage_size

ROUNDING_RULE = (
    "The number drawn at random is rounded up to a whole audit: 15% of 10 audits is 1.5, so 2 "
    "are drawn. Any share above 0% of audits left to draw from moderates at least one."
)
_REST = "rest"

# A moderator is given (or changed, by an audit lead) until they have given their grades.
ASSIGNABLE_STATUSES = frozenset({ModerationStatus.UNASSIGNED, ModerationStatus.REGRADING})
# Waiting for the moderator to act (their home page and list show these first).
WAITING_FOR_MODERATOR = frozenset({ModerationStatus.REGRADING, ModerationStatus.AGREEING})
OPEN_STATUSES = frozenset(
    {
        ModerationStatus.UNASSIGNED,
        ModerationStatus.REGRADING,
        ModerationStatus.AGREEING,
        ModerationStatus.ESCALATED,
    }
)


@dataclass(frozen=True)
class PopulationAudit:
    """An audit the sample considers, and what the choice needs of its auditor's overall
    grade."""

    audit_id: int
    inadequate: bool = False
    top_grade: bool = False


@dataclass(frozen=True)
class WaitingRequest:
    request_id: int
    audit_id: int


@dataclass(frozen=True)
class ChosenAudit:
    audit_id: int
    reason: str
    # The request its moderation carries (the asker's reason), if anyone asked for it.
    request_id: int | None = None


@dataclass(frozen=True)
class SampleChoice:
    population: tuple[int, ...]  # the audits considered, by id
    chosen: tuple[ChosenAudit, ...]
    rest_size: int  # neither Inadequate nor Outstanding: what the random share is drawn from
    random_size: int
    requests_taken: tuple[int, ...]  # every request whose audit is chosen

    def reason_counts(self) -> dict[str, int]:
        counts = Counter(c.reason for c in self.chosen)
        return {reason: counts.get(reason, 0) for reason in ModerationReason.values}


def random_share_size(*, rest: int, percent: int) -> int:
    """How many of `rest` audits are drawn at random: `percent` per cent, rounded up (see
    ROUNDING_RULE)."""
    if not 0 <= percent <= 100:
        raise ValueError("The share moderated at random is from 0% to 100%.")
    if percent == 0 or rest == 0:
        return 0
    return percentage_size(population=rest, percentage=percent)


def random_share_draw(*, rest: Iterable[int], percent: int, seed: int) -> list[int]:
    """The audits drawn at random from `rest`, in the order drawn: sampling's seeded draw (the
    one a dip sample uses) over the rest in the order of their ids, so the order the rows
    came in does not matter."""
    ordered = sorted(set(rest))
    size = random_share_size(rest=len(ordered), percent=percent)
    drawn = draw_cases([(audit_id, _REST) for audit_id in ordered], {_REST: size}, seed)
    return [d.case_id for d in drawn]


def moderation_sample_choose(
    *,
    population: Sequence[PopulationAudit],
    requests: Sequence[WaitingRequest],
    percent: int,
    seed: int,
) -> SampleChoice:
    """Choose the sample (see the module's docstring). The same population, requests, share
    and seed always give the same choice, in whatever order the rows come."""
    by_id = {row.audit_id: row for row in population}
    ids = tuple(sorted(by_id))
    chosen: dict[int, ChosenAudit] = {}
    for audit_id in ids:
        if by_id[audit_id].inadequate:
            chosen[audit_id] = ChosenAudit(audit_id, ModerationReason.INADEQUATE)
    for audit_id in ids:
        if audit_id not in chosen and by_id[audit_id].top_grade:
            chosen[audit_id] = ChosenAudit(audit_id, ModerationReason.OUTSTANDING)
    rest = [audit_id for audit_id in ids if audit_id not in chosen]
    drawn = random_share_draw(rest=rest, percent=percent, seed=seed)
    for audit_id in drawn:
        chosen[audit_id] = ChosenAudit(audit_id, ModerationReason.RANDOM)
    taken: list[int] = []
    # The earliest request for an audit is the one its moderation carries.
    for request in sorted(requests, key=lambda r: r.request_id):
        taken.append(request.request_id)
        already = chosen.get(request.audit_id)
        if already is None:
            chosen[request.audit_id] = ChosenAudit(
                request.audit_id, ModerationReason.REQUESTED, request.request_id
            )
        elif already.request_id is None:
            chosen[request.audit_id] = ChosenAudit(
                request.audit_id, already.reason, request.request_id
            )
    return SampleChoice(
        population=ids,
        chosen=tuple(sorted(chosen.values(), key=lambda c: c.audit_id)),
        rest_size=len(rest),
        random_size=len(drawn),
        requests_taken=tuple(taken),
    )


def moderator_refusal(person: StaffMember, audit: Audit) -> str | None:
    """Why `person` may not moderate `audit`, or None if they may: an active audit lead,
    auditor, senior leader or team manager who did not write the audit, and neither holds nor
    manages the child's case now nor held or managed the work audited (the product's one
    independence rule, `independent_of_audit`).

    Reads `audit.case.allocated_worker` and `audit.practitioner`; select_related them when
    judging many people."""
    name = person.name
    if person.role not in AUDITING_ROLES:
        return (
            f"{name} cannot moderate: audit leads, auditors, senior leaders and team managers "
            "moderate audits."
        )
    if not person.is_active:
        return f"{name} has left, so cannot moderate."
    if person.pk == audit.auditor_id:
        return f"{name} wrote this audit, and nobody moderates their own audit."
    if not independent_of_audit(staff=person, audit=audit):
        return (
            f"{name} holds or manages this child's case, or held or managed it when it was "
            "audited, so cannot moderate its audit."
        )
    return None
