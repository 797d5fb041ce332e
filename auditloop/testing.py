"""Personas for tests, built once per test: one of each role, plus an outsider from another team.

Service "North" has teams "North A" (the practitioner's) and "North B"; service "South" has
team "South A" (the outsider's). The practitioner holds `case`; the team manager manages them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user

from auditloop.accounts.models import Role, Service, StaffMember, Team, User
from auditloop.audits.defaults import default_tools_install
from auditloop.audits.models import AuditTool, ToolVersion
from auditloop.cases.models import ChildCase, Cohort

PASSWORD = "correct horse battery staple 42"

# Every test runs with these (auditloop/conftest.py), and fixtures that build outside a test
# use them too: fast password hashing, no lock-out after failed sign-ins, and no role needs a
# second factor unless a test asks (the twofactor tests turn it on).
TEST_SETTINGS: dict[str, Any] = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "AXES_ENABLED": False,
    "AUDITLOOP_SECOND_FACTOR_ROLES": [],
}


@dataclass
class Personas:
    north: Service
    south: Service
    north_a: Team
    north_b: Team
    south_a: Team
    practitioner: StaffMember
    team_manager: StaffMember
    auditor: StaffMember
    moderator: StaffMember
    senior_leader: StaffMember
    board_member: StaffMember
    administrator: StaffMember
    data_protection: StaffMember
    partner: StaffMember
    outsider: StaffMember
    outsider_manager: StaffMember
    case: ChildCase
    outsider_case: ChildCase
    compliance_tool: ToolVersion
    quality_tool: ToolVersion

    def all_roles(self) -> dict[str, StaffMember]:
        return {
            "practitioner": self.practitioner,
            "team_manager": self.team_manager,
            "auditor": self.auditor,
            "moderator": self.moderator,
            "senior_leader": self.senior_leader,
            "board_member": self.board_member,
            "administrator": self.administrator,
            "data_protection": self.data_protection,
            "partner": self.partner,
            "outsider": self.outsider,
        }

    def client_for(self, staff: StaffMember) -> Client:
        client = Client()
        assert staff.user is not None
        client.force_login(staff.user)
        return client


def make_staff(
    username: str,
    name: str,
    role: Role,
    team: Team | None = None,
    *,
    manager: StaffMember | None = None,
    services: list[Service] | None = None,
) -> StaffMember:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@northshire.example"
    )
    staff = StaffMember.objects.create(
        user=user,
        name=name,
        email=user.email,
        role=role,
        team=team,
        manager=manager,
        start_date=datetime.date(2020, 1, 6),
    )
    if services:
        staff.services.set(services)
    return staff


def _version(slug: str) -> ToolVersion:
    version = AuditTool.objects.get(slug=slug).current_version
    assert version is not None
    return version


def build_personas() -> Personas:
    default_tools_install()
    north = Service.objects.create(name="North")
    south = Service.objects.create(name="South")
    north_a = Team.objects.create(service=north, name="North A")
    north_b = Team.objects.create(service=north, name="North B")
    south_a = Team.objects.create(service=south, name="South A")
    team_manager = make_staff("manager", "Mary Manager", Role.TEAM_MANAGER, north_a)
    practitioner = make_staff(
        "practitioner", "Pat Practitioner", Role.PRACTITIONER, north_a, manager=team_manager
    )
    auditor = make_staff("auditor", "Alex Auditor", Role.AUDITOR, north_b)
    moderator = make_staff("moderator", "Morgan Moderator", Role.MODERATOR, services=[north])
    senior_leader = make_staff("leader", "Lee Leader", Role.SENIOR_LEADER, services=[north])
    north.head_of_service = senior_leader
    north.save()
    board_member = make_staff("board", "Bo Board", Role.BOARD_MEMBER, services=[north])
    administrator = make_staff("admin", "Ada Admin", Role.ADMINISTRATOR)
    data_protection = make_staff("dpo", "Dee Protection", Role.DATA_PROTECTION)
    # A partner agency auditor from the police, with no audit of their own yet.
    partner = make_staff("partner", "Pam Partner", Role.PARTNER)
    assert partner.user is not None
    partner.user.organisation = "Northshire Police"
    partner.user.save(update_fields=["organisation"])
    outsider_manager = make_staff("southmanager", "Sam South", Role.TEAM_MANAGER, south_a)
    outsider = make_staff(
        "outsider", "Olly Outsider", Role.PRACTITIONER, south_a, manager=outsider_manager
    )
    case = ChildCase.objects.create(
        la_child_id="00123",
        cohort=Cohort.CP,
        allocated_team=north_a,
        allocated_worker=practitioner,
        cp_plan_start=datetime.date(2026, 3, 2),
    )
    outsider_case = ChildCase.objects.create(
        la_child_id="S-0999",
        cohort=Cohort.CIN,
        allocated_team=south_a,
        allocated_worker=outsider,
    )
    return Personas(
        north=north,
        south=south,
        north_a=north_a,
        north_b=north_b,
        south_a=south_a,
        practitioner=practitioner,
        team_manager=team_manager,
        auditor=auditor,
        moderator=moderator,
        senior_leader=senior_leader,
        board_member=board_member,
        administrator=administrator,
        data_protection=data_protection,
        partner=partner,
        outsider=outsider,
        outsider_manager=outsider_manager,
        case=case,
        outsider_case=outsider_case,
        compliance_tool=_version("compliance-dip-sample"),
        quality_tool=_version("quality-deep-dive"),
    )


def second_factor_passed(client: Client, user: User) -> None:
    """Count a `force_login` session as having passed its second factor with the login's own
    device (the demo's privileged logins have one), as the page that asks for a code would:
    benchmarks measure the pages themselves, not a redirect to that page. A login without one
    needs the requirement off (`AUDITLOOP_SECOND_FACTOR_ROLES = []`)."""
    device = next(iter(devices_for_user(user, confirmed=True)), None)
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
