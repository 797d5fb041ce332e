"""Builds the whole demo council in one transaction, deterministically from a seed."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from faker import Faker

from auditloop.accounts.models import AccessRequest, Service, StaffMember, Team, User
from auditloop.assurance import models as assurance
from auditloop.assurance.models import (
    Moderation,
    ModerationRequest,
    ModerationSample,
    ModeratorGrade,
)
from auditloop.audits.defaults import default_tools_install
from auditloop.audits.models import (
    Action,
    Answer,
    Audit,
    Escalation,
    FamilyAnswer,
    FamilyContact,
    FamilyLink,
    FamilyLinkUse,
    FeedbackReply,
    Participant,
    PartnerShare,
)
from auditloop.cases.models import ChildCase
from auditloop.core.events import event_record
from auditloop.core.models import FailedSignIn, Notification, RefusedRequest
from auditloop.core.planner import planner_statistics_refresh
from auditloop.demo.council import CouncilBuilder, CouncilShape
from auditloop.demo.history import HistoryBuilder
from auditloop.demo.history.calibration import calibration_history
from auditloop.demo.history.cycle_reviews import cycle_reviews_history
from auditloop.demo.history.key_messages import key_messages_history
from auditloop.demo.history.learning_points import learning_points_history
from auditloop.demo.history.moderation import ModerationHistory
from auditloop.demo.history.targets import targets_history
from auditloop.demo.history.training import training_history
from auditloop.demo.history.voices import voices_history
from auditloop.demo.national import SQLITE_REFUSED, national_rows_add
from auditloop.demo.partner import demo_partner_build
from auditloop.demo.trail import TrailBuilder
from auditloop.learning import models as learning
from auditloop.sampling.models import Cycle, CycleAudit, Quota


@dataclass(frozen=True)
class DemoSize:
    shape: CouncilShape
    cycles: int
    audits_per_cycle: int

    def scaled(self, scale: float) -> DemoSize:
        """A smaller (or larger) council of the same make-up, e.g. for fast tests."""
        if scale == 1:
            return self

        def s(n: int, least: int) -> int:
            return max(least, round(n * scale))

        shape = dataclasses.replace(
            self.shape,
            practitioners_per_team=s(self.shape.practitioners_per_team, 2),
            cases=s(self.shape.cases, 60),
            auditors=s(self.shape.auditors, 2),
            board_members=s(self.shape.board_members, 1),
            administrators=s(self.shape.administrators, 1),
        )
        return DemoSize(shape, self.cycles, s(self.audits_per_cycle, 20))


SIZES: dict[str, DemoSize] = {
    # About 150 staff and 3,000 open cases; two past six-month cycles.
    "small": DemoSize(
        CouncilShape(
            services=3,
            teams_per_service=4,
            practitioners_per_team=10,
            cases=3000,
            auditors=6,
            moderators=3,
            board_members=4,
            administrators=2,
        ),
        cycles=2,
        audits_per_cycle=150,
    ),
    # About 600 staff and 15,000 open cases; five years of audits (~1,500 a year).
    "large": DemoSize(
        CouncilShape(
            services=6,
            teams_per_service=8,
            practitioners_per_team=10,
            cases=15000,
            auditors=30,
            moderators=8,
            board_members=10,
            administrators=4,
        ),
        cycles=10,
        audits_per_cycle=700,
    ),
}
# DESIGN.md's national scale (400,000 cases, 200,000 audits), on PostgreSQL only: the large
# council's people and history, grown inside the database server (`auditloop.demo.national`).
SIZES["national"] = SIZES["large"]

# The rows a build writes (with past timestamps), as the summary names them; the digest
# compares these.
SEEDED: dict[str, type[models.Model]] = {
    "services": Service,
    "teams": Team,
    "logins": User,
    "staff members": StaffMember,
    "services overseen": StaffMember.services.through,
    "open cases": ChildCase,
    "audits": Audit,
    "answers": Answer,
    "deep-dive participants": Participant,
    "actions": Action,
    "unsafe-child flags": Escalation,
    "feedback replies": FeedbackReply,
    "notifications": Notification,
    "audit cycles": Cycle,
    "cycle services": Cycle.services.through,
    "cycle tools": Cycle.tools.through,
    "cycle auditors": Cycle.auditors.through,
    "cycle quotas": Quota,
    "audits planned in a cycle": CycleAudit,
    "moderation samples": ModerationSample,
    "requests for moderation": ModerationRequest,
    "moderations": Moderation,
    "moderators' grades": ModeratorGrade,
    "role changes": AccessRequest,
    "refused requests": RefusedRequest,
    "failed sign-ins": FailedSignIn,
    "calibration exercises": assurance.CalibrationExercise,
    "calibration entries": assurance.CalibrationEntry,
    "moderation meetings": assurance.ModerationMeeting,
    "meeting attendees": assurance.ModerationMeeting.attendees.through,
    "audits discussed at meetings": assurance.MeetingItem,
    "themes": learning.Theme,
    "learning points": learning.LearningPoint,
    "learning points' themes": learning.LearningPoint.themes.through,
    "training rules": learning.TrainingRule,
    "training needs": learning.TrainingNeed,
    "training needs answered by events": learning.TrainingNeed.events.through,
    "training events": learning.TrainingEvent,
    "training attendance": learning.TrainingAttendance,
    "partner agency shares": PartnerShare,
    "contacts with children and families": FamilyContact,
    "family answers": FamilyAnswer,
    "family form links": FamilyLink,
    "family form uses": FamilyLinkUse,
    "answers about being audited": assurance.ExperienceResponse,
    "asked about being audited": assurance.ExperienceAsked,
}
SEEDED_MODELS = list(SEEDED.values())
# JSON fields that list the ids of another seeded model's rows: compared by rank too.
ID_LISTS: dict[tuple[type[models.Model], str], type[models.Model]] = {
    (ModerationSample, "population_ids"): Audit,
}


@dataclass(frozen=True)
class DemoSummary:
    size: str
    seed: int
    seconds: float
    counts: dict[str, int]


def council_exists() -> bool:
    """Whether this database already holds a council (any service or member of staff)."""
    return Service.objects.exists() or StaffMember.objects.exists()


def council_counts() -> dict[str, int]:
    return {name: model._default_manager.count() for name, model in SEEDED.items()}


def council_delete() -> None:
    """Delete every row of the product's own tables (and the admin log, sessions and second
    factors that point at its logins), so a new demo council can be built in their place. Ids
    start again at 1."""
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed
            and not model._meta.proxy
            and (
                model._meta.app_config.name.startswith("auditloop.")
                or model._meta.label in {"admin.LogEntry", "sessions.Session"}
                # Second factors (django-otp's devices) point at the logins.
                or model._meta.app_label in {"otp_totp", "otp_static"}
            )
        }
    )
    existing = set(connection.introspection.table_names())
    sql = connection.ops.sql_flush(
        no_style(), [t for t in tables if t in existing], reset_sequences=True
    )
    postgres = connection.vendor == "postgresql"
    if postgres:
        # PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks still
        # pending from this transaction (rows written earlier in it): run those checks now.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    connection.ops.execute_sql_flush(sql)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextlib.contextmanager
def _timestamps_as_given() -> Iterator[None]:
    """Let the seed write past times into auto_now/auto_now_add fields.

    bulk_create would otherwise stamp every seeded audit, answer and action with the time of
    the build, and the demo's history would all have happened today.
    """
    switched: list[tuple[models.DateField[Any, Any], bool, bool]] = []
    for model in SEEDED_MODELS:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField) and (f.auto_now or f.auto_now_add):
                switched.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in switched:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextlib.contextmanager
def seeding_sends_no_email() -> Iterator[None]:
    """The demo council's people are invented: what the seed publishes (key messages, flags)
    tells them in the product, and emails nobody. On a laptop the console backend would print
    hundreds of emails above the logins `auditloop demo` prints after a first build."""
    mailers = settings.MAILERS
    settings.MAILERS = {
        alias: {"BACKEND": "django.core.mail.backends.dummy.EmailBackend"} for alias in mailers
    }
    try:
        yield
    finally:
        settings.MAILERS = mailers


def demo_council_build(
    *,
    size: str = "small",
    seed: int = 1,
    scale: float = 1.0,
    replace: bool = False,
    today: dt.date | None = None,
) -> DemoSummary:
    """Build the demo council: the same size, seed, scale and day give the same rows.

    Refuses (ValueError) when the database already holds a council, unless `replace`, which
    deletes it first. Seeding writes with bulk_create rather than the services, for speed, and
    records one `demo.seeded` event for the whole build.
    """
    if size not in SIZES:
        raise ValueError(f"Unknown demo size {size!r}: choose one of {', '.join(SIZES)}.")
    if scale <= 0:
        raise ValueError("The scale must be more than 0.")
    if size == "national" and connection.vendor != "postgresql":
        raise ValueError(SQLITE_REFUSED)
    spec = SIZES[size].scaled(scale)
    today = today or timezone.localdate()
    started = time.perf_counter()
    # Emails are sent when the transaction commits: both inside the context.
    with seeding_sends_no_email(), transaction.atomic():
        if council_exists():
            if not replace:
                raise ValueError(
                    "This database already holds a council "
                    f"({Service.objects.count()} services, {StaffMember.objects.count()} staff). "
                    "Run again with --replace to delete it and build the demo council in its "
                    "place."
                )
            council_delete()
        default_tools_install()
        # Seeded on purpose: the demo must repeat exactly; nothing here is a secret.
        rng = random.Random(seed)  # noqa: S311
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        with _timestamps_as_given():
            council = CouncilBuilder(shape=spec.shape, rng=rng, fake=fake, today=today).build()
            HistoryBuilder(
                council=council,
                rng=rng,
                today=today,
                cycles=spec.cycles,
                audits_per_cycle=spec.audits_per_cycle,
            ).build()
            # The builders below read what these wrote (each team's figures, the audits to
            # moderate). Planned against statistics taken while the tables were last empty of
            # live rows (a build rolled back, or deleted, and autovacuum's ANALYZE before its
            # VACUUM: pages with no rows), every join over the answers is a nested loop: the
            # large council's build ran over 20 minutes on PostgreSQL instead of 2.
            planner_statistics_refresh()
            TrailBuilder(council=council, rng=rng, today=today).build()
            ModerationHistory(council=council, seed=seed, today=today).build()
            calibration_history(council=council, rng=rng, today=today)
            learning_points_history(council=council, rng=rng, today=today)
            training_history(council=council, rng=rng, today=today)
        if size == "national":
            national_rows_add(seed=seed, scale=scale)
        planner_statistics_refresh()
        # Through the product's services, which stamp their own times.
        key_messages_history(council=council, rng=rng, today=today)
        targets_history(council=council)
        # From a generator of its own, before the cycle review that reports it.
        voices_history(council=council, today=today)
        cycle_reviews_history(council=council, rng=rng, today=today)
        # Last, from a generator of its own: the rest of the demo is as it was without them.
        with _timestamps_as_given():
            demo_partner_build(today=today)
        counts = council_counts()
        event_record(
            actor=None,
            verb="demo.seeded",
            target=council.services[0],
            summary=f"Demo council built: size {size}, seed {seed}, scale {scale:g}.",
            after={"size": size, "seed": seed, "scale": scale, "day": str(today), **counts},
        )
    if size == "national":
        # Statistics for the whole council as committed (ANALYZE inside the transaction
        # above saw the rows too, but autovacuum would otherwise start on them at once).
        planner_statistics_refresh()
    return DemoSummary(size=size, seed=seed, seconds=time.perf_counter() - started, counts=counts)


def demo_digest() -> str:
    """A SHA-256 of every seeded row (all fields but password hashes): equal digests mean equal
    data. Ids are replaced by their rank, so that two builds compare equal even where the
    database handed out different ids (PostgreSQL's sequences do not roll back)."""
    ranks: dict[type[models.Model], dict[Any, int]] = {}

    def rank(model: type[models.Model]) -> dict[Any, int]:
        if model not in ranks:
            pks = model._default_manager.order_by("pk").values_list("pk", flat=True)
            ranks[model] = {pk: i for i, pk in enumerate(pks.iterator(chunk_size=5000))}
        return ranks[model]

    digest = hashlib.sha256()
    for model in SEEDED_MODELS:
        fields = [f for f in model._meta.concrete_fields if f.attname != "password"]
        digest.update(model._meta.label.encode())
        # A many-to-many link is a pair, not a row in its own right: Django inserts the pairs
        # of `.set()` in the order of a Python set of ids, which depends on where the id
        # sequences stood (PostgreSQL's do not roll back). Compare the pairs, sorted.
        link_table = model._meta.auto_created
        if link_table:
            fields = [f for f in fields if not f.primary_key]
        rows = model._default_manager.order_by("pk").values_list(*[f.attname for f in fields])
        outs: list[list[Any]] = []
        for row in rows.iterator(chunk_size=2000):
            out: list[Any] = []
            for f, value in zip(fields, row, strict=True):
                if f.primary_key:
                    value = rank(model)[value]
                elif f.is_relation and value is not None and f.related_model is not None:
                    value = rank(f.related_model)[value]
                elif (model, f.attname) in ID_LISTS:
                    ranked = rank(ID_LISTS[model, f.attname])
                    value = [ranked[i] for i in value]
                out.append(value)
            if link_table:
                outs.append(out)
            else:
                digest.update(repr(out).encode())
        for out in sorted(outs):
            digest.update(repr(out).encode())
    return digest.hexdigest()
