"""The administrator's trail in the demo council: a handful of refused requests, failed
sign-ins and role changes from the last few weeks, so the pages that show them have something
to show. Drawn from the build's seeded generator after the audit history, so the same seed
gives the same rows and the history does not move.

Like the rest of the seed it writes rows directly, with past timestamps; the role change still
waiting is told to those who may approve it, as the staff pages would tell them.
"""

from __future__ import annotations

import datetime as dt
import random

from django.urls import reverse

from auditloop.accounts.models import (
    ACCESS_APPROVER_ROLES,
    AccessRequest,
    AccessRequestStatus,
    Role,
    StaffMember,
)
from auditloop.audits.models import Audit
from auditloop.core.models import FailedSignIn, Notification, RefusedRequest
from auditloop.demo.council import Council, at, new_uuid

# Pages a role's access decision refuses, asked for by someone in that role (403).
REFUSED_PAGES: list[tuple[Role, str]] = [
    (Role.PRACTITIONER, "audits:escalations"),
    (Role.TEAM_MANAGER, "accounts:staff_list"),
    (Role.BOARD_MEMBER, "cases:list"),
    (Role.AUDITOR, "imports:index"),
    (Role.PRACTITIONER, "accounts:event_list"),
]
# Records asked for that the person may not see, answered "not found" (404).
NOT_FOUND = 3
# Mistyped passwords of real logins, from the council's own network.
MISTYPED = 3
# Someone outside trying common administrator names until the lockout refuses them.
GUESSED_USERNAMES = ["administrator", "admin1", "administrator", "sysadmin", "administrator"]
LOCKED_OUT_AFTER = 3
OUTSIDE_ADDRESS = "203.0.113.77"


class TrailBuilder:
    def __init__(self, *, council: Council, rng: random.Random, today: dt.date) -> None:
        self.c = council
        self.rng = rng
        self.today = today

    def build(self) -> None:
        RefusedRequest.objects.bulk_create(self._refused())
        FailedSignIn.objects.bulk_create(self._failed_sign_ins())
        self._role_changes()

    def _of_role(self, role: Role) -> list[int]:
        """Staff ids of `role`, the demo logins left out so their own pages stay as they are
        (unless a scaled-down council has nobody else in the role)."""
        demo = set(self.c.demo.values())
        everyone = sorted(sid for sid, r in self.c.role_of.items() if r == role)
        return [sid for sid in everyone if sid not in demo] or everyone

    def _day(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def _refused(self) -> list[RefusedRequest]:
        rng, c = self.rng, self.c
        rows = [
            RefusedRequest(
                user_id=c.user_of[rng.choice(self._of_role(role))],
                method="GET",
                path=reverse(name),
                status=403,
                at=at(self._day(1, 30), rng),
            )
            for role, name in REFUSED_PAGES
        ]
        # A practitioner following an old link to another team's audit.
        practitioners = self._of_role(Role.PRACTITIONER)
        for _ in range(NOT_FOUND):
            who = rng.choice(practitioners)
            others = Audit.objects.exclude(practitioner_id=who)
            team = c.team_of[who]
            if team is not None:
                others = others.exclude(team_id=team)
            others = others.order_by("id")
            audit_id = rng.choice(list(others.values_list("public_id", flat=True)[:200]))
            rows.append(
                RefusedRequest(
                    user_id=c.user_of[who],
                    method="GET",
                    path=reverse("audits:detail", args=[audit_id]),
                    status=404,
                    at=at(self._day(1, 30), rng),
                )
            )
        return rows

    def _failed_sign_ins(self) -> list[FailedSignIn]:
        rng, c = self.rng, self.c
        staff = sorted(sid for sid in c.user_of if sid not in set(c.demo.values()))
        users = dict(StaffMember.objects.filter(pk__in=staff).values_list("pk", "user__username"))
        rows = []
        for _ in range(MISTYPED):
            who = rng.choice(staff)
            rows.append(
                FailedSignIn(
                    username=users[who],
                    user_id=c.user_of[who],
                    ip_address=f"10.20.{rng.randint(1, 40)}.{rng.randint(2, 250)}",
                    at=at(self._day(1, 20), rng),
                )
            )
        first = dt.datetime.combine(self._day(2, 10), dt.time(2, rng.randint(0, 50)), dt.UTC)
        for i, username in enumerate(GUESSED_USERNAMES):
            rows.append(
                FailedSignIn(
                    username=username,
                    ip_address=OUTSIDE_ADDRESS,
                    locked_out=i >= LOCKED_OUT_AFTER,
                    at=first + dt.timedelta(seconds=20 * i),
                )
            )
        return rows

    def _role_changes(self) -> None:
        """An auditor's role approved by a head of service a few weeks ago, a practitioner's
        promotion to team manager turned down, and a practitioner's move to the QA team as an
        auditor still waiting, asked by an administrator other than the demo one so that the
        demo administrator and leader may both decide it."""
        rng, c = self.rng, self.c
        administrators = self._of_role(Role.ADMINISTRATOR)
        asker = c.user_of[administrators[0]]
        heads = sorted(set(c.head_of_service.values()))
        auditor = rng.choice(self._of_role(Role.AUDITOR))
        practitioners = self._of_role(Role.PRACTITIONER)
        turned_down, waiting = rng.sample(practitioners, 2)
        asked = at(self._day(30, 50), rng)
        decided = asked + dt.timedelta(days=rng.randint(1, 3))
        AccessRequest.objects.bulk_create(
            [
                AccessRequest(
                    public_id=new_uuid(rng),
                    staff_id=auditor,
                    role=Role.AUDITOR,
                    team_id=c.team_of[auditor],
                    status=AccessRequestStatus.APPROVED,
                    requested_by_id=asker,
                    requested_at=asked,
                    decided_by_id=c.user_of[rng.choice(heads)],
                    decided_at=decided,
                ),
                AccessRequest(
                    public_id=new_uuid(rng),
                    staff_id=turned_down,
                    role=Role.TEAM_MANAGER,
                    team_id=c.team_of[turned_down],
                    status=AccessRequestStatus.REJECTED,
                    requested_by_id=asker,
                    requested_at=decided + dt.timedelta(days=2),
                    decided_by_id=c.user_of[c.demo["admin"]],
                    decided_at=decided + dt.timedelta(days=3),
                    decision_note="The team already has a manager: ask again if the post "
                    "falls vacant.",
                ),
            ]
        )
        asked_now = at(self._day(1, 4), rng)
        request = AccessRequest.objects.create(
            public_id=new_uuid(rng),
            staff_id=waiting,
            role=Role.AUDITOR,
            team_id=c.team_of[auditor],
            requested_by_id=asker,
            requested_at=asked_now,
        )
        names = dict(
            StaffMember.objects.filter(pk__in=[waiting, administrators[0]]).values_list(
                "pk", "name"
            )
        )
        message = (
            f"{names[administrators[0]]} asks for {names[waiting]} to be made "
            f"{Role.AUDITOR.label.lower()}. It needs your approval."
        )
        url = reverse("accounts:access_request", args=[request.public_id])
        approvers = sorted(
            sid
            for sid, role in c.role_of.items()
            if role in ACCESS_APPROVER_ROLES and c.user_of[sid] != asker
        )
        Notification.objects.bulk_create(
            Notification(
                public_id=new_uuid(rng),
                recipient_id=c.user_of[sid],
                message=message,
                url=url,
                created_at=asked_now,
            )
            for sid in approvers
        )
