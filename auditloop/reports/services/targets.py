"""Setting and removing the targets the council sets for its overall grades."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from auditloop.accounts.models import Service, StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.reports.access.targets import NOT_YOURS, may_set_target
from auditloop.reports.models import Target, TargetMeasure
from auditloop.reports.rules.targets import target_words

PERCENT_RANGE = "Enter a whole number from 0 to 100"


def _where(service: Service | None) -> str:
    return f"for {service.name}" if service is not None else "council-wide"


def _locked(measure: str, service: Service | None) -> Target | None:
    """The target set for `measure` there, locked until the transaction ends."""
    # Ordered by pk, not by the model's service__name: PostgreSQL refuses FOR UPDATE on the
    # nullable side of the outer join that ordering adds.
    return (
        Target.objects.select_for_update()
        .filter(measure=measure, service=service)
        .order_by("pk")
        .first()
    )


def _created(measure: str, service: Service | None, percent: int, by: StaffMember) -> Target | None:
    """A new target, or None when one was set there since `_locked` found none (a lock cannot
    hold a row that does not exist yet): created in a savepoint, so that the unique
    constraint's refusal leaves the transaction usable."""
    try:
        with transaction.atomic():
            return Target.objects.create(
                measure=measure, service=service, percent=percent, set_by=by
            )
    except IntegrityError:
        return None


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
    target = _locked(measure, service)
    created = _created(measure, service, percent, by) if target is None else None
    if target is None:
        # Someone else set the same new target at the same moment: theirs is changed.
        target = created or _locked(measure, service)
        if target is None:
            raise RuntimeError("The target could be neither created nor found.")
    before = {"percent": target.percent} if created is None else {}
    if created is None:
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
