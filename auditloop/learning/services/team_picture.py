"""The team picture's one write: its export, recorded in the event log."""

from __future__ import annotations

from django.db import transaction

from auditloop.accounts.models import StaffMember, actor_login
from auditloop.core.events import event_record
from auditloop.learning.selectors.team_picture import TeamPicture, team_picture_csv


@transaction.atomic
def team_picture_export(*, picture: TeamPicture, by: StaffMember) -> str:
    """The team's picture for the cycle as CSV, suppressed exactly as the page is, with one
    event naming who took it, which team and which cycle (no figure: the file holds them)."""
    text = team_picture_csv(picture)
    event_record(
        actor=actor_login(by),
        verb="team_picture.exported",
        target=picture.team,
        summary=f"Team picture exported as CSV for the cycle {picture.cycle.name}.",
        after={
            "cycle": str(picture.cycle.public_id),
            "withheld": picture.withheld,
            "suppressed": picture.suppressed,
        },
    )
    return text
