"""The demo council's targets for its overall grades, set by the demo audit lead (who looks
across every service) through the product's own service: no more than 10% Inadequate and at
least 40% Good or better, council-wide."""

from __future__ import annotations

from auditloop.accounts.models import StaffMember
from auditloop.demo.council import Council
from auditloop.reports.models import TargetMeasure
from auditloop.reports.services.targets import target_set

COUNCIL_TARGETS = (
    (TargetMeasure.INADEQUATE_AT_MOST, 10),
    (TargetMeasure.GOOD_AT_LEAST, 40),
)


def targets_history(*, council: Council) -> None:
    """The council-wide targets (the builder's one call for this part)."""
    lead = StaffMember.objects.get(pk=council.demo["moderator"])
    for measure, percent in COUNCIL_TARGETS:
        target_set(measure=measure, percent=percent, service=None, by=lead)
