"""Which completed audits a member of staff is still to be asked about (their home page)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.experience import asked_since, audits_asked_since
from auditloop.audits.models import Audit
from auditloop.core.statements import Slot, kept_statement

# Stand-ins for the values the home page's statement is sent with (`auditloop.core.statements`).
_ASKED = Slot(StaffMember._meta.get_field("id"), -8_675_309_201)
_SINCE = Slot(
    Audit._meta.get_field("completed_at"),
    datetime.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC),
)


def experience_asks_for(staff: StaffMember, *, now: datetime.datetime) -> list[Audit]:
    """The completed audits `staff` is still asked about (`audits_to_ask`), the most recently
    completed first. One query, on every home page, so written once per connection and sent
    with the reader's key and the time (building and compiling it was two thirds of a home
    page's CPU)."""
    return kept_statement(
        "completed audits to ask about",
        None,
        lambda: experience_asks_query(_ASKED.stand_in, _SINCE.stand_in),
        [_ASKED, _SINCE],
    ).instances([staff.pk, asked_since(now)])


def experience_asks_query(staff_key: int, since: datetime.datetime) -> QuerySet[Audit]:
    """The ORM's query behind `experience_asks_for`."""
    return audits_asked_since(staff_key, since).order_by("-completed_at", "-pk")
