"""The demo council's structure: services, teams, staff with logins, and children's case files.

Rows are written with `bulk_create` rather than through the services: seeding is the one place
that bypasses them, because the large council (15,000 cases, 600 staff) must build in minutes,
and one summary event stands for the whole build.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from faker import Faker

from auditloop.accounts.models import Role, Service, StaffMember, Team, User
from auditloop.audits.rules import holds_or_manages
from auditloop.cases.models import ChildCase
from auditloop.demo.phrases import LOCALITIES, QA_SERVICE, QA_TEAM, SERVICE_TEAMS

BATCH = 1000
EMAIL_DOMAIN = "northshire.example"
# A password hash no password matches: the demo command gives the demo logins theirs.
UNUSABLE_PASSWORD = "!demo-login-without-password"  # noqa: S105

# The demo logins, in the order the demo command prints them.
DEMO_LOGINS: list[tuple[str, Role]] = [
    ("practitioner", Role.PRACTITIONER),
    ("manager", Role.TEAM_MANAGER),
    ("auditor", Role.AUDITOR),
    ("moderator", Role.MODERATOR),
    ("leader", Role.SENIOR_LEADER),
    ("board", Role.BOARD_MEMBER),
    ("admin", Role.ADMINISTRATOR),
    ("dpo", Role.DATA_PROTECTION),
    ("partner", Role.PARTNER),
]

COHORT_WEIGHTS = [("CIN", 45), ("CP", 15), ("CLA", 30), ("CL", 10)]
ETHNICITY_WEIGHTS = [
    ("WBRI", 62),
    ("WOTH", 6),
    ("MWBC", 5),
    ("MOTH", 4),
    ("AIND", 3),
    ("APKN", 4),
    ("BAFR", 5),
    ("BCRB", 3),
    ("CHNE", 1),
    ("OOTH", 3),
    ("WROM", 1),
    ("NOBT", 3),
]
ETHNICITIES = [code for code, _ in ETHNICITY_WEIGHTS]
ETHNICITY_SHARES = [weight for _, weight in ETHNICITY_WEIGHTS]


# username (for the demo logins), role, team, manager's id, services overseen.
type StaffSpec = tuple[str | None, Role, Team | None, int | None, list[Service]]


@dataclass(frozen=True)
class CaseRef:
    """What the audit history needs to know of a case, without holding the row."""

    pk: int
    cohort: str
    team_id: int
    worker_id: int


@dataclass
class Council:
    """The in-memory directory of the seeded council that the audit history is built from."""

    services: list[Service] = field(default_factory=list)
    practice_teams: list[Team] = field(default_factory=list)
    service_of_team: dict[int, int] = field(default_factory=dict)
    practitioners_by_team: dict[int, list[int]] = field(default_factory=dict)
    team_manager_of_team: dict[int, int] = field(default_factory=dict)
    head_of_service: dict[int, int] = field(default_factory=dict)
    role_of: dict[int, str] = field(default_factory=dict)
    team_of: dict[int, int | None] = field(default_factory=dict)
    manager_of: dict[int, int | None] = field(default_factory=dict)
    user_of: dict[int, int] = field(default_factory=dict)
    demo: dict[str, int] = field(default_factory=dict)
    cases: list[CaseRef] = field(default_factory=list)
    cases_by_worker: dict[int, list[CaseRef]] = field(default_factory=dict)

    def may_audit(self, auditor_id: int, case: CaseRef) -> bool:
        """Independence, by the product's one rule (`holds_or_manages`): nobody audits a case
        they hold, nor one held by someone they line-manage, nor a team manager their own
        team's cases."""
        return not holds_or_manages(
            auditor_id=auditor_id,
            auditor_role=self.role_of[auditor_id],
            auditor_team_id=self.team_of[auditor_id],
            worker_id=case.worker_id,
            worker_manager_id=self.manager_of.get(case.worker_id),
            case_team_id=case.team_id,
        )


@dataclass(frozen=True)
class CouncilShape:
    services: int
    teams_per_service: int
    practitioners_per_team: int
    cases: int
    auditors: int
    moderators: int
    board_members: int
    administrators: int


def new_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 UUID drawn from the seeded generator, so public ids repeat with the seed."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def at(day: dt.date, rng: random.Random) -> dt.datetime:
    """A time in working hours on `day`."""
    return dt.datetime.combine(day, dt.time(rng.randint(8, 17), rng.randint(0, 59)), dt.UTC)


class CouncilBuilder:
    def __init__(
        self, *, shape: CouncilShape, rng: random.Random, fake: Faker, today: dt.date
    ) -> None:
        self.shape = shape
        self.rng = rng
        self.fake = fake
        self.today = today
        self.council = Council()
        self._usernames: set[str] = set()

    def build(self) -> Council:
        self._services_and_teams()
        self._staff()
        self._cases()
        self._data_protection_officer()
        return self.council

    # --- services and teams -------------------------------------------------------------

    def _services_and_teams(self) -> None:
        kinds = list(SERVICE_TEAMS)
        names: list[str] = []
        for i in range(self.shape.services):
            kind = kinds[i % len(kinds)]
            if self.shape.services > len(kinds):
                kind = f"{kind} ({LOCALITIES[i // len(kinds) % len(LOCALITIES)]})"
            names.append(kind)
        services = [Service(public_id=new_uuid(self.rng), name=name) for name in names]
        services.append(Service(public_id=new_uuid(self.rng), name=QA_SERVICE))
        Service.objects.bulk_create(services)
        self.council.services = services[:-1]
        qa_service = services[-1]

        teams: list[Team] = []
        cohorts: list[tuple[str, ...]] = []
        for i, service in enumerate(self.council.services):
            templates = SERVICE_TEAMS[kinds[i % len(kinds)]][: self.shape.teams_per_service]
            counts: dict[str, int] = {}
            repeats = {name: sum(1 for n, _ in templates if n == name) for name, _ in templates}
            for name, team_cohorts in templates:
                counts[name] = counts.get(name, 0) + 1
                label = f"{name} {counts[name]}" if repeats[name] > 1 else name
                teams.append(Team(public_id=new_uuid(self.rng), service=service, name=label))
                cohorts.append(team_cohorts)
        qa_team = Team(public_id=new_uuid(self.rng), service=qa_service, name=QA_TEAM)
        Team.objects.bulk_create([*teams, qa_team])
        self.council.practice_teams = teams
        self.team_cohorts = {t.pk: c for t, c in zip(teams, cohorts, strict=True)}
        self.qa_team = qa_team
        self.council.service_of_team = {t.pk: t.service_id for t in teams}

    # --- staff --------------------------------------------------------------------------

    def _person(self, username: str | None = None) -> tuple[str, str, str]:
        first, last = self.fake.first_name(), self.fake.last_name()
        if username is None:
            base = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
            username, n = base, 1
            while username in self._usernames:
                n += 1
                username = f"{base}{n}"
        self._usernames.add(username)
        return username, first, last

    def _data_protection_officer(self) -> None:
        """The council's Data Protection Officer, made last and from a random generator of
        their own, so that adding them changed nothing else the seed draws."""
        rng = random.Random("data-protection-officer")  # noqa: S311
        start = self.today - dt.timedelta(days=3 * 365)
        user = User.objects.create(
            username="dpo",
            first_name="Nadia",
            last_name="Okafor",
            email=f"dpo@{EMAIL_DOMAIN}",
            password=UNUSABLE_PASSWORD,
            date_joined=at(start, rng),
        )
        StaffMember.objects.create(
            public_id=new_uuid(rng),
            user=user,
            name="Nadia Okafor",
            email=user.email,
            role=Role.DATA_PROTECTION,
            start_date=start,
        )
        self._usernames.add("dpo")

    def _tier(self, specs: Sequence[StaffSpec]) -> list[int]:
        """Create one tier of staff (their managers exist already) with their logins."""
        users: list[User] = []
        staff: list[StaffMember] = []
        for username, role, team, manager_id, _ in specs:
            username, first, last = self._person(username)
            start = self.today - dt.timedelta(days=self.rng.randint(60, 15 * 365))
            email = f"{username}@{EMAIL_DOMAIN}"
            users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=email,
                    password=UNUSABLE_PASSWORD,
                    date_joined=at(start, self.rng),
                )
            )
            is_social_worker = role in {Role.PRACTITIONER, Role.TEAM_MANAGER}
            staff.append(
                StaffMember(
                    public_id=new_uuid(self.rng),
                    name=f"{first} {last}",
                    email=email,
                    swe_number=f"SW{self.rng.randint(10000, 129999)}" if is_social_worker else "",
                    role=role,
                    team=team,
                    manager_id=manager_id,
                    start_date=start,
                )
            )
        self._save_tier(users, staff, specs)
        return [m.pk for m in staff]

    def _save_tier(
        self, users: list[User], staff: list[StaffMember], specs: Sequence[StaffSpec]
    ) -> None:
        """Write a tier's logins, staff and services overseen, and note them in the
        directory."""
        User.objects.bulk_create(users, batch_size=BATCH)
        for user, member in zip(users, staff, strict=True):
            member.user = user
        StaffMember.objects.bulk_create(staff, batch_size=BATCH)
        links = [
            StaffMember.services.through(staffmember_id=member.pk, service_id=service.pk)
            for member, spec in zip(staff, specs, strict=True)
            for service in spec[4]
        ]
        StaffMember.services.through.objects.bulk_create(links, batch_size=BATCH)
        c = self.council
        for member, user, spec in zip(staff, users, specs, strict=True):
            c.role_of[member.pk] = member.role
            c.team_of[member.pk] = member.team_id
            c.manager_of[member.pk] = member.manager_id
            c.user_of[member.pk] = user.pk
            if spec[0] is not None:
                c.demo[spec[0]] = member.pk

    def _staff(self) -> None:
        """Every member of staff, tier by tier from the director down, so that each one's
        manager exists before them."""
        services = self.council.services
        # The demo practitioner, manager and leader sit in the safeguarding service's first
        # team, where child protection cases give the deep dives and flags something to show.
        demo_service = services[1] if len(services) > 1 else services[0]
        demo_team = next(t for t in self.council.practice_teams if t.service_id == demo_service.pk)
        director = self._leaders(demo_service)
        lead = self._audit_leads(director)
        self._board_admins_and_auditors(lead)
        self._practice_staff(demo_team)

    def _leaders(self, demo_service: Service) -> int:
        """The director, and a head for each service (the demo leader heads the demo
        service's); returns the director."""
        c, services = self.council, self.council.services
        (director,) = self._tier([(None, Role.SENIOR_LEADER, None, None, services)])
        heads = self._tier(
            [
                ("leader" if s is demo_service else None, Role.SENIOR_LEADER, None, director, [s])
                for s in services
            ]
        )
        for service, head in zip(services, heads, strict=True):
            service.head_of_service_id = head
            c.head_of_service[service.pk] = head
        Service.objects.bulk_update(services, ["head_of_service"])
        return director

    def _audit_leads(self, director: int) -> int:
        """Audit leads: the demo moderator looks across every service, the others one each;
        returns the demo moderator, who manages the QA officers."""
        services = self.council.services
        moderators = self._tier(
            [
                (
                    "moderator" if i == 0 else None,
                    Role.MODERATOR,
                    self.qa_team,
                    director,
                    services if i == 0 else [services[i % len(services)]],
                )
                for i in range(self.shape.moderators)
            ]
        )
        return moderators[0]

    def _board_admins_and_auditors(self, lead: int) -> None:
        shape, services = self.shape, self.council.services
        self._tier(
            [
                ("board" if i == 0 else None, Role.BOARD_MEMBER, None, None, services)
                for i in range(shape.board_members)
            ]
            + [
                ("admin" if i == 0 else None, Role.ADMINISTRATOR, None, None, [])
                for i in range(shape.administrators)
            ]
        )
        self._tier(
            [
                ("auditor" if i == 0 else None, Role.AUDITOR, self.qa_team, lead, [])
                for i in range(shape.auditors)
            ]
        )

    def _practice_staff(self, demo_team: Team) -> None:
        """A team manager for each practice team, then its practitioners."""
        c = self.council
        managers = self._tier(
            [
                (
                    "manager" if team is demo_team else None,
                    Role.TEAM_MANAGER,
                    team,
                    c.head_of_service[team.service_id],
                    [],
                )
                for team in c.practice_teams
            ]
        )
        c.team_manager_of_team = {t.pk: m for t, m in zip(c.practice_teams, managers, strict=True)}
        specs: list[StaffSpec] = []
        for team in c.practice_teams:
            for i in range(self.shape.practitioners_per_team):
                username = "practitioner" if team is demo_team and i == 0 else None
                manager = c.team_manager_of_team[team.pk]
                specs.append((username, Role.PRACTITIONER, team, manager, []))
        ids = self._tier(specs)
        for team in c.practice_teams:
            c.practitioners_by_team[team.pk] = []
        for staff_id, spec in zip(ids, specs, strict=True):
            if spec[2] is not None:
                c.practitioners_by_team[spec[2].pk].append(staff_id)

    # --- cases --------------------------------------------------------------------------

    def _cases(self) -> None:
        c, rng = self.council, self.rng
        teams_for: dict[str, list[int]] = {}
        for cohort, _ in COHORT_WEIGHTS:
            holding = [t for t, cs in self.team_cohorts.items() if cohort in cs]
            teams_for[cohort] = sorted(holding) or sorted(self.team_cohorts)
        cohorts = [name for name, _ in COHORT_WEIGHTS]
        weights = [w for _, w in COHORT_WEIGHTS]
        numbers = rng.sample(range(1, 1_000_000), self.shape.cases)
        batch: list[tuple[ChildCase, str, int, int]] = []
        for number in numbers:
            cohort = rng.choices(cohorts, weights)[0]
            team_id = rng.choice(teams_for[cohort])
            worker_id = rng.choice(c.practitioners_by_team[team_id])
            batch.append(
                (self._case(number, cohort, team_id, worker_id), cohort, team_id, worker_id)
            )
            if len(batch) == BATCH:
                self._save_cases(batch)
                batch = []
        self._save_cases(batch)

    def _save_cases(self, batch: list[tuple[ChildCase, str, int, int]]) -> None:
        ChildCase.objects.bulk_create([row[0] for row in batch])
        for case, cohort, team_id, worker_id in batch:
            ref = CaseRef(case.pk, cohort, team_id, worker_id)
            self.council.cases.append(ref)
            self.council.cases_by_worker.setdefault(worker_id, []).append(ref)

    def _la_child_id(self, number: int) -> str:
        # Councils' IDs: mostly zero-padded digits (kept as text), some with letters.
        style = self.rng.random()
        if style < 0.85:
            return f"{number:06d}"
        if style < 0.95:
            return f"NS{number:06d}"
        return f"{number:06d}A"

    def _ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    def _case(self, number: int, cohort: str, team_id: int, worker_id: int) -> ChildCase:
        rng, today = self.rng, self.today
        if cohort == "CL":
            born = self._ago(18 * 365 + 1, 24 * 365)
        else:
            born = self._ago(30, 17 * 365 + 300)
        referral = max(born, self._ago(10, {"CIN": 700, "CP": 1000}.get(cohort, 3000)))
        assessed = referral + dt.timedelta(days=rng.randint(5, 70))
        visit = self._ago(0, {"CP": 25, "CIN": 45, "CLA": 100, "CL": 120}[cohort])
        alone: dt.date | None = None
        if cohort in {"CP", "CLA", "CIN"}:
            share = 0.85 if cohort != "CIN" else 0.6
            alone = visit if rng.random() < share else visit - dt.timedelta(rng.randint(10, 60))
        cla_start: dt.date | None = None
        if cohort == "CLA":
            cla_start = max(born, self._ago(14, 3000))
        elif cohort == "CL":
            cla_start = born + dt.timedelta(days=rng.randint(14 * 365, 17 * 365))
        opened = cla_start if cohort == "CL" and cla_start else referral
        created = at(opened, rng)
        return ChildCase(
            public_id=new_uuid(rng),
            la_child_id=self._la_child_id(number),
            cohort=cohort,
            allocated_team_id=team_id,
            allocated_worker_id=worker_id,
            gender=rng.choices(["Male", "Female", "Unknown"], [49, 49, 2])[0],
            date_of_birth=born,
            ethnicity=rng.choices(ETHNICITIES, ETHNICITY_SHARES)[0],
            disability="Yes" if rng.random() < 0.1 else "No",
            referral_date=referral if cohort != "CL" else None,
            assessment_completed=assessed if cohort in {"CIN", "CP"} and assessed < today else None,
            cp_plan_start=max(referral, self._ago(14, 700)) if cohort == "CP" else None,
            cla_start=cla_start,
            last_statutory_visit=visit,
            last_seen_alone=alone,
            latest_review=self._ago(0, 200) if cohort in {"CP", "CLA"} else None,
            last_health_assessment=self._ago(0, 420) if cohort == "CLA" else None,
            latest_pathway_plan_review=self._ago(0, 220) if cohort == "CL" else None,
            opened_on=opened,
            is_open=True,
            created_at=created,
            updated_at=created,
        )


def batched[T](items: list[T], size: int = BATCH) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
