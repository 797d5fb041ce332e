"""Setting and removing the targets the council sets for its overall grades."""

from __future__ import annotations

from django.db import transaction

from auditloop.accounts.models import Service, StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.reports.access.targets import NOT_YOURS, may_set_target
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.rules.targets import target_words

PERCENT_RANGE = "Enter a whole number from 0 to 100"


def _where(service: Service | None) -> str:
    return f"for {service.name}" if service is not None else "council-wide"


@transaction.atomic
def target_set(*, measure: str, percent: int, service: Service | None, by: StaffMember) -> Target:
    """Set the target for `measure` council-wide (`service` None) or for one service: a new
    one, or a change to the one already set there (one target per measure and place). One
    event, with the share before and after."""
    if measure not in TargetMeasure.values:
        raise Refused("Choose what the target measures", field="measure")
    if not 0 <= percent <= 100:
        raise Refused(PERCENT_RANGE, field="percent")
    if not may_set_target(by, service):
        raise Refused(NOT_YOURS, field="service")
    target = Target.objects.select_for_update().filter(measure=measure, service=service).first()
    before = {"percent": target.percent} if target is not None else {}
    if target is None:
        target = Target(measure=measure, service=service)
    target.percent = percent
    target.set_by = by
    target.save()
    event_record(
        actor=actor_login(by),
        verb="target.set",
        target=target,
        summary=f"Target {_where(service)} set: {target_words(measure, percent)}.",
        before=before,
        after={
            "measure": measure,
            "percent": percent,
            "service": str(service.public_id) if service is not None else None,
        },
    )
    return target


@transaction.atomic
def target_remove(*, target: Target, by: StaffMember) -> None:
    """Remove a target; one event naming what it was."""
    if not may_set_target(by, target.service):
        raise Refused(NOT_YOURS)
    summary = (
        f"Target {_where(target.service)} removed: {target_words(target.measure, target.percent)}."
    )
    facts = {
        "measure": target.measure,
        "percent": target.percent,
        "service": str(target.service.public_id) if target.service is not None else None,
    }
    event_record(
        actor=actor_login(by), verb="target.removed", target=target, summary=summary, before=facts
    )
    target.delete()
