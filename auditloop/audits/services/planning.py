"""Planning an audit: the case, the tool version, the type and an independent auditor."""

from __future__ import annotations

import datetime

from django.db import transaction

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.audits.models import (
    Audit,
    AuditType,
    ToolVersion,
)
from auditloop.audits.rules import (
    auditor_is_independent,
)
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.models import snapshot
from auditloop.core.refusals import Refused


@transaction.atomic
def audit_create(
    *,
    case: ChildCase,
    tool_version: ToolVersion,
    audit_type: str,
    auditor: StaffMember,
    by: StaffMember | None,
    due_date: datetime.date | None = None,
    theme: str = "",
    revisit_of: Audit | None = None,
) -> Audit:
    """Plan an audit of `case` by `auditor`. The case's worker and team are copied onto the
    audit, so feedback goes to whoever held the case when it was audited."""
    if audit_type not in AuditType.values:
        raise Refused("Choose a type of audit.", field="audit_type")
    _require_auditor_for(auditor=auditor, case=case)
    if not tool_version.is_published:
        raise Refused(
            "That version of the audit tool is not published yet. Choose a published version.",
            field="tool_version",
        )
    _require_revisit_fits(audit_type=audit_type, revisit_of=revisit_of, case=case)
    audit = Audit.objects.create(
        case=case,
        tool_version=tool_version,
        audit_type=audit_type,
        theme=theme.strip(),
        auditor=auditor,
        practitioner=case.allocated_worker,
        team=case.allocated_team,
        revisit_of=revisit_of,
        due_date=due_date,
        created_by=actor_login(by),
    )
    event_record(
        actor=actor_login(by),
        verb="audit.created",
        target=audit,
        summary=f"{audit.get_audit_type_display()} audit planned",
        after=snapshot(
            audit, ["audit_type", "tool_version", "auditor", "practitioner", "team", "due_date"]
        ),
    )
    return audit


def _require_auditor_for(*, auditor: StaffMember, case: ChildCase) -> None:
    """Refuse an auditor who cannot audit, has left, or holds or manages the case."""
    if not auditor.can_audit:
        raise Refused(
            f"{auditor.name} cannot be given audits: their role is "
            f"{str(auditor.get_role_display()).lower()}.",
            field="auditor",
        )
    if not auditor.is_active:
        raise Refused(f"{auditor.name} is no longer an active member of staff.", field="auditor")
    if not auditor_is_independent(auditor=auditor, case=case):
        raise Refused(
            f"{auditor.name} holds or manages this case, so cannot audit it. "
            "Choose an auditor from outside the case's line.",
            field="auditor",
        )


def _require_revisit_fits(*, audit_type: str, revisit_of: Audit | None, case: ChildCase) -> None:
    """A revisit, and only a revisit, follows up an earlier audit of the same case."""
    if audit_type == AuditType.REVISIT and revisit_of is None:
        raise Refused("A revisit needs the earlier audit it follows up.", field="revisit_of")
    if audit_type != AuditType.REVISIT and revisit_of is not None:
        raise Refused(
            "Only a revisit follows up an earlier audit. Choose the type 'Revisit', "
            "or leave the earlier audit empty.",
            field="revisit_of",
        )
    if revisit_of is not None and revisit_of.case_id != case.pk:
        raise Refused(
            "A revisit must follow up an earlier audit of the same case.", field="revisit_of"
        )
