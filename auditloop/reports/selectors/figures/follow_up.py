"""What follows an audit: its actions, and its revisit."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce

from auditloop.audits.access.audits import grades_hidden_filter
from auditloop.audits.models import SHARED_STATUSES, Action, ActionStatus, Audit
from auditloop.audits.rules import WRITABLE_STATUSES
from auditloop.audits.selectors.actions import today as actions_today
from auditloop.audits.selectors.audits import overall_grade_counted
from auditloop.reports.blocks import Block
from auditloop.reports.selectors.figures.parts import (
    counted_audits,
    derived_share,
    group_field,
    group_names,
    rows_by,
    scoped_table,
    sorted_groups,
    stacked_chart,
)
from auditloop.reports.selectors.scope import BLIND, ReportScope

ACTION_COLUMNS = ["Open, not yet due", "Overdue", "Waiting for sign-off", "Done"]


def overdue_actions(scope: ReportScope) -> list[Block]:
    """The actions of the scope's audits (cancelled ones left out): open, overdue (open and
    past their due date), waiting for sign-off and done, by team (or service). Three
    queries."""
    heading = "Actions"
    counted = counted_audits(scope)
    group = f"audit__{group_field(scope)}"
    on = actions_today()
    open_ = Q(status=ActionStatus.OPEN)
    counts = {
        row[group]: [row["due"], row["overdue"], row["waiting"], row["done"]]
        for row in Action.objects.filter(audit_id__in=counted.ids)
        .exclude(status=ActionStatus.CANCELLED)
        .values(group)
        .annotate(
            due=Count("pk", filter=open_ & Q(due_date__gte=on)),
            overdue=Count("pk", filter=open_ & Q(due_date__lt=on)),
            waiting=Count("pk", filter=Q(status=ActionStatus.COMPLETED)),
            done=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
        )
        .order_by()
    }
    if not counts:
        words = "No action has been set from this cycle's audits yet."
        return [Block(key="actions", heading=heading, words=[words])]
    names = group_names(scope, list(counts))
    groups = sorted_groups(counts, names)
    ending, row_heading = rows_by(scope)
    table = scoped_table(
        scope,
        caption="Actions from the audits" + ending,
        row_heading=row_heading,
        columns=ACTION_COLUMNS,
        rows=[(names.get(g, ""), counts[g]) for g in groups],
        row_groups=[counted.sizes[g][0] for g in groups],
        row_people=[counted.sizes[g][1] for g in groups],
        total_heading="Actions",
        derived_heading="Overdue (of those open)",
        derive=derived_share([1], [0, 1], "None open"),
    )
    return [Block(key="actions", heading=heading, table=table, chart=stacked_chart(table))]


REVISIT_COLUMNS = ["Improved", "The same", "Worse", "Due", "Overdue"]


def revisit_outcomes(scope: ReportScope) -> list[Block]:
    """The revisits of the scope's audits: those done, by how the revisit's overall grade that
    counts compares with the earlier audit's (improved, the same, worse), and those due and
    overdue, by team (or service). A revisit whose grades the reader is regrading blind is
    left out (as `assurance.selectors.revisits` does). Three queries."""
    heading = "Revisit outcomes"
    counted = counted_audits(scope)
    group = f"revisit_of__{group_field(scope)}"
    on = actions_today()
    after = overall_grade_counted("value")
    before = Coalesce("revisit_of__agreed_overall_grade__value", "revisit_of__overall_grade__value")
    # Compared on one scale only (grade values of two scales are not comparable).
    done = Q(status__in=SHARED_STATUSES) & Q(
        tool_version__grading_scale_id=F("revisit_of__tool_version__grading_scale_id")
    )
    waiting = Q(status__in=WRITABLE_STATUSES)
    # "Is a revisit" first: few audits are, and the index on it finds them without reading
    # every audit to match them against the scope's.
    revisits = Audit.objects.filter(revisit_of__isnull=False, revisit_of_id__in=counted.ids)
    revisits = revisits.exclude(
        grades_hidden_filter(scope.reader) if scope.reader is not None else BLIND
    )
    counts = {
        row[group]: [row["improved"], row["same"], row["worse"], row["due"], row["overdue"]]
        for row in revisits.alias(after=after, before=before)
        .values(group)
        .annotate(
            improved=Count("pk", filter=done & Q(after__gt=F("before"))),
            same=Count("pk", filter=done & Q(after=F("before"))),
            worse=Count("pk", filter=done & Q(after__lt=F("before"))),
            due=Count("pk", filter=waiting & (Q(due_date__gte=on) | Q(due_date__isnull=True))),
            overdue=Count("pk", filter=waiting & Q(due_date__lt=on)),
        )
        .order_by()
    }
    if not any(map(sum, counts.values())):
        words = "No audit of this cycle has been revisited, or has a revisit planned, yet."
        return [Block(key="revisits", heading=heading, words=[words])]
    names = group_names(scope, list(counts))
    groups = sorted_groups(counts, names)
    ending, row_heading = rows_by(scope)
    table = scoped_table(
        scope,
        caption="Revisits of the audits" + ending,
        row_heading=row_heading,
        columns=REVISIT_COLUMNS,
        rows=[(names.get(g, ""), counts[g]) for g in groups],
        row_groups=[counted.sizes[g][0] for g in groups],
        row_people=[counted.sizes[g][1] for g in groups],
        total_heading="Revisits",
        derived_heading="Improved (of those done)",
        derive=derived_share([0], [0, 1, 2], "None done"),
    )
    notes = [
        "A revisit done compares its overall grade that counts with the earlier audit's. "
        "Due and overdue revisits are not yet done."
    ]
    return [
        Block(key="revisits", heading=heading, table=table, chart=stacked_chart(table), words=notes)
    ]
