"""Case files in bulk for the sampling tests."""

from __future__ import annotations

from auditloop.accounts.models import StaffMember, Team
from auditloop.cases.models import ChildCase, Cohort


def cases_make(
    n: int,
    *,
    team: Team,
    prefix: str,
    cohort: str = Cohort.CP,
    worker: StaffMember | None = None,
    is_open: bool = True,
) -> list[ChildCase]:
    return ChildCase.objects.bulk_create(
        ChildCase(
            la_child_id=f"{prefix}{i:05}",
            cohort=cohort,
            allocated_team=team,
            allocated_worker=worker,
            is_open=is_open,
        )
        for i in range(n)
    )
