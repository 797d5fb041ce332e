"""Sampling's use of the independence rule: nobody audits a case they hold or manage.

The rule itself is stated once, in audits (`holds_or_manages`, on ids alone; the audit pages
and the demo judge by it too). This is the one place sampling reaches it: for one auditor and
one case (`auditor_is_independent`), and for a whole population read in one query
(`row_holds_or_manages`, fed from the rows below), so the two can never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from auditloop.accounts.models import StaffMember
from auditloop.audits.rules import auditor_is_independent, holds_or_manages

__all__ = [
    "AuditorRow",
    "CaseRow",
    "auditor_is_independent",
    "auditor_rows",
    "row_holds_or_manages",
]


class CaseRow(NamedTuple):
    """One case of a population, as a draw reads it. A named tuple, not a frozen dataclass:
    a national draw makes 400,000 of them, and a frozen dataclass's `__init__` sets each
    field through `object.__setattr__`, which made building them most of a draw's time."""

    pk: int
    la_child_id: str
    team_id: int | None
    team_name: str
    service_id: int | None
    service_name: str
    worker_id: int | None
    worker_manager_id: int | None


@dataclass(frozen=True)
class AuditorRow:
    pk: int
    role: str
    team_id: int | None


def auditor_rows(auditors: Iterable[StaffMember]) -> list[AuditorRow]:
    return [AuditorRow(a.pk, a.role, a.team_id) for a in auditors]


def row_holds_or_manages(auditor: AuditorRow, case: CaseRow) -> bool:
    """The independence rule for a whole population at once: the same function
    `auditor_is_independent` uses for one case, fed from the rows of one query."""
    return holds_or_manages(
        auditor_id=auditor.pk,
        auditor_role=auditor.role,
        auditor_team_id=auditor.team_id,
        worker_id=case.worker_id,
        worker_manager_id=case.worker_manager_id,
        case_team_id=case.team_id,
    )
