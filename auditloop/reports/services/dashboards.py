"""A dashboard's one write: a table downloaded, recorded in the event log."""

from __future__ import annotations

from django.db import transaction

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.reports.blocks import Block
from auditloop.reports.exports import block_csv, block_xlsx
from auditloop.reports.selectors.scope import ReportScope

FORMATS = ("csv", "xlsx")


@transaction.atomic
def dashboard_export(
    *, block: Block, scope: ReportScope, fmt: str, context: list[tuple[str, str]], by: StaffMember
) -> bytes:
    """One block of `by`'s dashboard as CSV or xlsx, suppressed exactly as the page shows it,
    with one event naming the block, the cycle and the format (no figure: the file holds
    them)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}")
    data = (
        block_csv(block, context=context).encode("utf-8")
        if fmt == "csv"
        else block_xlsx(block, context=context)
    )
    event_record(
        actor=actor_login(by),
        verb="dashboard.exported",
        target=scope.cycle,
        summary=f"Dashboard table \u201c{block.heading}\u201d downloaded as {fmt.upper()}.",
        after={"block": block.key, "format": fmt, "suppressed": block.suppressed},
    )
    return data
