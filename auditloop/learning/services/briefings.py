"""Recording that a key message's briefing left the product, so that an audit lead can see what
was exported, in which format and by whom."""

from __future__ import annotations

from django.db import transaction

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.learning.models import KeyMessage

BRIEFING_FORMATS = ("html", "pdf", "docx")


@transaction.atomic
def key_message_briefing_export(
    *, key_message: KeyMessage, by: StaffMember, export_format: str
) -> None:
    """One event row for one briefing opened (HTML) or downloaded (PDF, Word): the format and
    the message's status at the time, never its text. Reading anonymised learning is not a
    read of a child's data, so it is an event, not an access-log row."""
    if export_format not in BRIEFING_FORMATS:
        raise ValueError(f"Unknown briefing format {export_format!r}")
    event_record(
        actor=actor_login(by),
        verb="key_message.briefing_exported",
        target=key_message,
        summary=f"Briefing exported as {export_format.upper()}",
        after={"format": export_format, "status": key_message.status},
    )
