"""Answering, or declining, the questions about being audited.

The answers are written apart from the person: `ExperienceAsked` says that they answered (so
they are not asked again), `ExperienceResponse` holds what they said with no person, audit or
time on it. The event records that they answered, never what.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.experience import experience_role
from auditloop.assurance.models import Agreement, ExperienceAsked, ExperienceResponse
from auditloop.assurance.rules.experience import STATEMENTS
from auditloop.audits.models import Audit
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.sampling.models import CycleAudit

NOT_ASKED = (
    "You are not asked about this audit: it is not of your case, not yet completed, or you "
    "have already answered."
)


def _role(audit: Audit, by: StaffMember, now: datetime.datetime | None) -> str:
    role = experience_role(by, audit, now=now or timezone.now())
    if role is None:
        raise Refused(NOT_ASKED)
    return role


def _asked(audit: Audit, by: StaffMember, *, answered: bool, today: datetime.date | None) -> None:
    """Record that `by` is done with the question; a second form sent at the same moment
    (a double click) is refused, not an error."""
    try:
        with transaction.atomic():
            ExperienceAsked.objects.create(
                audit=audit, staff=by, answered=answered, on=today or timezone.localdate()
            )
    except IntegrityError as exc:
        raise Refused(NOT_ASKED) from exc


@transaction.atomic
def experience_answer(
    *,
    audit: Audit,
    by: StaffMember,
    answers: dict[str, str],
    do_differently: str = "",
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """Record `by`'s answers (a choice of `Agreement` for each of `STATEMENTS`) about `audit`,
    unattributed. Refused unless `by` is asked about it (as of `now`, default the present:
    the demo's history answers as of the past) and has not answered or declined."""
    role = _role(audit, by, now)
    for field, statement in STATEMENTS:
        if answers.get(field) not in Agreement.values:
            raise Refused(f"Say how far you agree: {statement}", field=field)
    link = CycleAudit.objects.filter(audit=audit).select_related("cycle").first()
    _asked(audit, by, answered=True, today=today)
    ExperienceResponse.objects.create(
        cycle=link.cycle if link is not None else None,
        service_id=audit.team.service_id if audit.team is not None else None,
        audit_type=audit.audit_type,
        role=role,
        do_differently=do_differently.strip(),
        **{field: answers[field] for field, _ in STATEMENTS},
    )
    event_record(
        actor=by.user,
        verb="audit.experience_answered",
        target=audit,
        summary="The questions about being audited were answered (the answers are kept apart)",
    )


@transaction.atomic
def experience_decline(
    *,
    audit: Audit,
    by: StaffMember,
    today: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> None:
    """`by` would rather not answer about `audit`: they are not asked about it again."""
    _role(audit, by, now)
    _asked(audit, by, answered=False, today=today)
    event_record(
        actor=by.user,
        verb="audit.experience_declined",
        target=audit,
        summary="Chose not to answer the questions about being audited",
    )
