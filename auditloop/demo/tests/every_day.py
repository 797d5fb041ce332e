"""What each demo login looks for first, checked on the pages as they render on a given day.

A person signing in to the demo wants something to do and something to see: the practitioner
feedback to reply to and actions due, the manager a flag and their team's audits this month,
the auditor audits to do (a deep dive among them), the audit lead audits to complete and to
moderate, the leader their services by team, the board an issued cycle review, and the
dashboards a cycle in progress with the family's and practitioners' voices in it. Used by
`test_demo_every_day.py` and `scripts/demo_days.py`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

from django.test import Client
from django.urls import reverse

from auditloop.accounts.models import StaffMember
from auditloop.assurance.models import ExperienceResponse
from auditloop.audits.models import Audit, AuditStatus, AuditType, FamilyContact
from auditloop.learning.models import TrainingNeed, TrainingNeedStatus
from auditloop.sampling.models import Cycle

# Days on which a history anchored to the day could come out thin: month starts and ends,
# a Monday and a Sunday, the year's turn, 1 April, 29 February of a leap year, and each
# day of one month.
SPREAD = sorted(
    {
        dt.date(2026, 12, 1),
        dt.date(2026, 11, 30),
        dt.date(2026, 11, 29),  # a Sunday
        dt.date(2026, 11, 23),  # a Monday
        dt.date(2027, 1, 1),
        dt.date(2026, 12, 31),
        dt.date(2027, 4, 1),
        dt.date(2028, 2, 29),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 1),
        dt.date(2027, 7, 1),
        dt.date(2027, 6, 30),
        *(dt.date(2026, 10, d) for d in range(1, 32)),
    }
)


@dataclass(frozen=True)
class Look:
    """One thing a login looks for: `marker` on the page named `url` (or, with `absent`, a
    sentence that says there is nothing)."""

    login: str
    url: str
    marker: str
    absent: bool = False

    def words(self) -> str:
        verb = "says" if self.absent else "lacks"
        return f"{self.login}: {self.url} {verb} {self.marker!r}"


def _looks() -> list[Look]:
    home = reverse("home")
    dashboard = reverse("reports:dashboard")
    return [
        Look("practitioner", home, "Feedback waiting for your reply"),
        Look("practitioner", home, "Your open actions"),
        Look("practitioner", home, "of your actions"),  # "1 of your actions is overdue"
        Look("practitioner", home, "Key messages to read"),
        Look("practitioner", home, "Tell the audit team how your audits felt"),
        Look("practitioner", dashboard, "so far"),
        Look("practitioner", dashboard, "No child or family has answered", absent=True),
        Look("manager", home, "Unsafe-child flags not yet acknowledged"),
        Look("manager", home, "Audits assigned to you"),
        Look("manager", home, "Your team's audits submitted this month"),
        Look("manager", home, "Your team's overdue actions"),
        Look("manager", home, "Key messages to read"),
        Look("manager", dashboard, "so far"),
        Look("auditor", home, "Audits assigned to you"),
        Look("auditor", home, "Audits returned to you"),
        Look("moderator", home, "Submitted audits awaiting completion"),
        Look("moderator", home, "Unsafe-child flags not yet acknowledged"),
        Look("moderator", home, "Audits waiting for you to moderate"),
        Look("moderator", home, "Audits assigned to you"),
        Look("moderator", dashboard, "so far"),
        Look("moderator", dashboard, "No child or family has answered", absent=True),
        Look("moderator", dashboard, "No one whose practice was audited", absent=True),
        Look("leader", home, "Unsafe-child flags not yet acknowledged"),
        Look("leader", home, "Your services, by team"),
        Look("leader", dashboard, "so far"),
        Look("leader", dashboard, "No child or family has answered", absent=True),
        Look("leader", dashboard, "No one whose practice was audited", absent=True),
        Look("leader", reverse("reports:cycle-reviews"), "Issued"),
        Look("board", reverse("reports:cycle-reviews"), "Issued"),
        Look("board", reverse("learning:key_message_list"), "Published"),
    ]


def _client(login: str) -> Client:
    client = Client()
    user = StaffMember.objects.get(user__username=login).user
    assert user is not None
    client.force_login(user)
    return client


def _rows(day: dt.date) -> list[tuple[str, Callable[[], bool]]]:
    """What the pages above do not show at a glance, read from the rows."""

    def staff(login: str) -> StaffMember:
        return StaffMember.objects.get(user__username=login)

    def deep_dive_to_prepare(login: str) -> bool:
        person = staff(login)
        who = {"auditor": person} if login == "auditor" else {"practitioner": person}
        return Audit.objects.filter(
            **who,
            audit_type=AuditType.DEEP_DIVE,
            status__in=[AuditStatus.PLANNED, AuditStatus.IN_PROGRESS],
        ).exists()

    def team_training_need(login: str) -> bool:
        team_id = staff(login).team_id
        return (
            team_id is not None
            and TrainingNeed.objects.filter(
                team_id=team_id, status__in=[TrainingNeedStatus.OPEN, TrainingNeedStatus.PLANNED]
            ).exists()
        )

    def open_needs_for_lead() -> bool:
        return TrainingNeed.objects.filter(status=TrainingNeedStatus.OPEN).exists()

    def cycle_in_progress() -> bool:
        return Cycle.objects.filter(starts_on__lte=day, ends_on__gte=day).exists()

    return [
        (
            "practitioner: a deep dive of their case to prepare",
            lambda: deep_dive_to_prepare("practitioner"),
        ),
        ("auditor: a deep dive to prepare", lambda: deep_dive_to_prepare("auditor")),
        ("manager: a training need for their team", lambda: team_training_need("manager")),
        ("moderator: an open training need to decide", open_needs_for_lead),
        ("a cycle in progress", cycle_in_progress),
        ("family feedback recorded", lambda: FamilyContact.objects.filter(made=True).exists()),
        ("practitioners' experience answered", ExperienceResponse.objects.exists),
    ]


def missing_on(day: dt.date, *, training: bool = True) -> list[str]:
    """What a demo login would look for on `day` and not find, in words; empty when every
    role has its work. The clock reads 10:00 on `day` while the pages render. `training`
    False leaves out the training needs, which a scaled-down council's small teams never
    raise."""
    now = dt.datetime.combine(day, dt.time(10, 0), dt.UTC)
    missing: list[str] = []
    with mock.patch("django.utils.timezone.now", return_value=now):
        pages: dict[tuple[str, str], str] = {}
        for look in _looks():
            key = (look.login, look.url)
            if key not in pages:
                response = _client(look.login).get(look.url)
                pages[key] = (
                    response.content.decode()
                    if response.status_code == 200
                    else f"status {response.status_code}"
                )
            found = look.marker in pages[key]
            if found == look.absent:
                missing.append(look.words())
        missing += [
            words
            for words, holds in _rows(day)
            if (training or "training" not in words) and not holds()
        ]
    return missing
