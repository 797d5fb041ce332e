"""Which completed audits a member of staff is still to be asked about (their home page)."""

from __future__ import annotations

import datetime

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.experience import audits_to_ask
from auditloop.audits.models import Audit


def experience_asks_for(staff: StaffMember, *, now: datetime.datetime) -> list[Audit]:
    """The completed audits `staff` is still asked about (`audits_to_ask`), the most recently
    completed first. One query."""
    return list(audits_to_ask(staff, now=now).order_by("-completed_at", "-pk"))
