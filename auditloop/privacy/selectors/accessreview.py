"""Reads for the access review (who has read one child's records) and the unusual reading
report (who read many children outside their own in a day).

Every read of a child's records is an `AccessLog` row naming its target by type and public
id: the case file (`cases.childcase`), any of its audits (`audits.audit`; an action, an
unsafe-child flag, a moderation or a learning point is logged as a read of its audit), and
the event log's rows about the case or its audits (`core.event`, by the event's id)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    UUIDField,
    When,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from auditloop.accounts.log_words import purpose_label, target_label
from auditloop.accounts.models import Role, StaffMember, Team
from auditloop.accounts.selectors import (
    OWN_SERVICE_OVERSEERS,
    service_ids_overseen_with,
    services_overseen,
)
from auditloop.assurance.models import Moderation
from auditloop.audits.models import Audit, Participant
from auditloop.cases.models import ChildCase
from auditloop.core.accesslog import Purpose
from auditloop.core.models import AccessLog, Event
from auditloop.privacy.models import ReadingThresholds
from auditloop.privacy.rules.accessreview import (
    ChildPlace,
    ReaderScope,
    Thresholds,
    UnusualDay,
    is_outside_own,
)

CASE = "cases.childcase"
AUDIT = "audits.audit"
EVENT = "core.event"

# Purposes that name a child among many (a list, a sample, a pack, an API page) rather than
# open their records one at a time: counted by the unusual reading rule only if the council
# says so (`ReadingThresholds.count_lists`).
LIST_PURPOSES = frozenset(
    {
        Purpose.LISTED,
        Purpose.ACTION_LISTED,
        Purpose.ESCALATION_LISTED,
        Purpose.MODERATION_LISTED,
        Purpose.MODERATION_SAMPLE,
        Purpose.PICK_LIST,
        Purpose.MONTH_PLAN,
        Purpose.SAMPLE_DRAW,
        Purpose.INSPECTION_PACK,
        Purpose.KEY_MESSAGE,
        Purpose.THEME_SUGGESTION,
        Purpose.API,
        Purpose.EVENT_LOG,
        Purpose.UNUSUAL_READING,
    }
)


class TargetUuid(Func):
    """An access log row's target id (text, "1b4e28ba-2fa1-...") as the database keeps a
    UUID column, so that it can be matched against a public id by the column's index.
    SQLite (and any database without a UUID type) keeps 32 hex digits, no hyphens."""

    template = "REPLACE(%(expressions)s, '-', '')"
    output_field = UUIDField()

    def as_postgresql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        return self.as_sql(
            compiler, connection, template="CAST(%(expressions)s AS uuid)", **extra_context
        )


# Who may review which child ---------------------------------------------------------------


def review_scope_filter(staff: StaffMember) -> Q:
    """The case files whose reads `staff` may review: any, for the DPO; for an audit lead, a
    case allocated to a team of a service they oversee, or with an audit done in one."""
    if staff.role == Role.DATA_PROTECTION:
        return Q()
    if staff.role == Role.MODERATOR:
        overseen = services_overseen(staff)
        audited_here = Exists(
            Audit.objects.filter(case=OuterRef("pk"), team__service_id__in=overseen)
        )
        return Q(allocated_team__service_id__in=overseen) | Q(audited_here)
    return Q(pk__in=[])


def child_for_review(staff: StaffMember, la_child_id: str) -> ChildCase | None:
    """The case file with exactly this LA child ID (ignoring capitals and spaces around it),
    if `staff` may review its reads; None otherwise, whether or not it exists."""
    typed = la_child_id.strip()
    if not typed:
        return None
    return (
        ChildCase.objects.filter(review_scope_filter(staff), la_child_id__iexact=typed)
        .select_related("allocated_team__service")
        .first()
    )


def case_reviewable(staff: StaffMember, case: ChildCase) -> bool:
    return ChildCase.objects.filter(review_scope_filter(staff), pk=case.pk).exists()


# Who has read one child's records ------------------------------------------------------------


def reads_of_child(case: ChildCase) -> QuerySet[AccessLog]:
    """Every read of the child's case file, audits, and the event log's rows about them,
    newest first, with the reader's staff record and team joined."""
    audit_ids = [str(public_id) for public_id in case.audits.values_list("public_id", flat=True)]
    about = Q(target_type=CASE, target_id=str(case.public_id)) | Q(
        target_type=AUDIT, target_id__in=audit_ids
    )
    event_ids = (
        Event.objects.filter(about)
        .annotate(id_text=Cast("pk", output_field=CharField()))
        .values("id_text")
    )
    return (
        AccessLog.objects.filter(about | Q(target_type=EVENT, target_id__in=Subquery(event_ids)))
        .select_related("user__staff__team")
        .order_by("-at", "-id")
    )


@dataclass(frozen=True)
class ReadRow:
    """One read, as the review shows it."""

    at: datetime.datetime
    who: str
    role: str
    team: str
    what: str
    purpose: str


def _who(entry: AccessLog) -> tuple[str, str, str]:
    staff: StaffMember | None = getattr(entry.user, "staff", None)
    if staff is None:
        return entry.user.get_username(), "No staff record", ""
    return staff.name, staff.get_role_display(), staff.team.name if staff.team else ""


def read_rows(case: ChildCase, entries: Iterable[AccessLog]) -> list[ReadRow]:
    """The rows of a page of `reads_of_child`: who, when, what and why. One query for the
    audits' names, whatever the page holds."""
    entries = list(entries)
    audit_ids = {e.target_id for e in entries if e.target_type == AUDIT}
    audits = {
        str(a.public_id): a
        for a in Audit.objects.filter(case=case).only("public_id", "audit_type")
        if str(a.public_id) in audit_ids
    }
    rows = []
    for entry in entries:
        name, role, team = _who(entry)
        if entry.target_type == AUDIT and entry.target_id in audits:
            audit = audits[entry.target_id]
            what = f"{audit.get_audit_type_display()} audit {audit.reference}"
        elif entry.target_type == EVENT:
            what = "Event log entry about the case or an audit"
        else:
            what = target_label(entry.target_type)
        rows.append(ReadRow(entry.at, name, role, team, what, purpose_label(entry.purpose)))
    return rows


# Unusual reading ---------------------------------------------------------------------------


def reading_thresholds() -> ReadingThresholds:
    """The council's thresholds: the saved row, or the defaults until someone saves them."""
    return ReadingThresholds.objects.filter(pk=1).first() or ReadingThresholds(pk=1)


def thresholds_of(row: ReadingThresholds) -> Thresholds:
    return Thresholds(cases_per_day=row.cases_per_day, exempt_roles=frozenset(row.exempt_roles))


def readers_in_scope_filter(staff: StaffMember, *, prefix: str = "") -> Q:
    """The members of staff whose reading `staff` may look into: anyone, for the DPO; for an
    audit lead, people in a team of their services or overseeing one of them."""
    if staff.role == Role.DATA_PROTECTION:
        return Q()
    if staff.role == Role.MODERATOR:
        overseen = services_overseen(staff)
        overseeing = StaffMember.services.through.objects.filter(
            staffmember_id=OuterRef(f"{prefix}pk"), service_id__in=overseen
        )
        return Q(**{f"{prefix}team__service_id__in": overseen}) | Q(Exists(overseeing))
    return Q(pk__in=[])


def _day_bounds(date_from: datetime.date, date_to: datetime.date) -> tuple[Any, Any]:
    """The council's local midnight starting `date_from` and ending `date_to`."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min)
    return start, end.replace(tzinfo=zone)


def _child_target_reads(*, count_lists: bool) -> QuerySet[AccessLog]:
    """Reads of a case file or an audit (listed ones too if `count_lists`)."""
    reads = AccessLog.objects.filter(target_type__in=[CASE, AUDIT])
    if not count_lists:
        reads = reads.exclude(purpose__in=[str(p) for p in LIST_PURPOSES])
    return reads


def _child_reads(*, count_lists: bool) -> QuerySet[AccessLog]:
    """Reads of a case file or an audit, each with the id of the child's case."""
    case_of_case = ChildCase.objects.filter(public_id=TargetUuid(OuterRef("target_id"))).values(
        "pk"
    )[:1]
    case_of_audit = Audit.objects.filter(public_id=TargetUuid(OuterRef("target_id"))).values(
        "case_id"
    )[:1]
    return _child_target_reads(count_lists=count_lists).annotate(
        case_pk=Case(
            When(target_type=CASE, then=Subquery(case_of_case)),
            When(target_type=AUDIT, then=Subquery(case_of_audit)),
            output_field=IntegerField(),
        )
    )


def _reader_scopes(staff_ids: set[int]) -> dict[int, ReaderScope]:
    """Each reader's own business, in four queries for all of them."""
    members = list(
        StaffMember.objects.filter(pk__in=staff_ids)
        .select_related("team")
        .only("pk", "role", "team_id", "team__service_id")
    )
    named: dict[int, set[int]] = defaultdict(set)
    for staff_id, service_id in StaffMember.services.through.objects.filter(
        staffmember_id__in=staff_ids
    ).values_list("staffmember_id", "service_id"):
        named[staff_id].add(service_id)
    cases: dict[int, set[int]] = defaultdict(set)
    for staff_id, case_id in Audit.objects.filter(auditor_id__in=staff_ids).values_list(
        "auditor_id", "case_id"
    ):
        cases[staff_id].add(case_id)
    for staff_id, case_id in Moderation.objects.filter(moderator_id__in=staff_ids).values_list(
        "moderator_id", "audit__case_id"
    ):
        cases[staff_id].add(case_id)
    for staff_id, case_id in Participant.objects.filter(staff_id__in=staff_ids).values_list(
        "staff_id", "audit__case_id"
    ):
        cases[staff_id].add(case_id)
    return {
        m.pk: ReaderScope(
            staff_id=m.pk,
            role=m.role,
            team_id=m.team_id,
            service_ids=frozenset(service_ids_overseen_with(m.role, m.team, named[m.pk])),
            case_ids=frozenset(cases[m.pk]),
        )
        for m in members
    }


def _places(case_ids: Any) -> dict[int, ChildPlace]:
    """Where each of these cases sits (`case_ids`: ids, or a subquery of them)."""
    return {
        pk: ChildPlace(case_id=pk, team_id=team_id, service_id=service_id, worker_id=worker_id)
        for pk, team_id, service_id, worker_id in ChildCase.objects.filter(pk__in=case_ids)
        .order_by()
        .values_list("pk", "allocated_team_id", "allocated_team__service_id", "allocated_worker_id")
    }


@dataclass(frozen=True)
class UnusualRow:
    """A flagged day, with the reader named."""

    reader: StaffMember
    day: UnusualDay


def _unusual_days_sql(reads: QuerySet[AccessLog, Any], rule: Thresholds) -> tuple[str, Any]:
    """`unusual_days` as one statement over `reads` (reader, day, target type, target's public
    id): each reader's day with how many children they read and how many of them were outside
    their own, kept when that reaches the threshold. The rule's "own": the child's allocated
    worker or team, a service the reader oversees (named, or an audit lead's or senior leader's
    own team's), or an audit the reader did, moderated or took part in.

    Each read finds its child by a join on the case's public id (a read of a case file) or on
    the audit's and then the case's key (a read of an audit), as two halves of one UNION ALL, so
    each read meets the case table once. Each (reader, day, child) is judged, on the row, by
    everything but the audits done, moderated or taken part in, whose test needs them all:
    a read of an audit the reader did is their own already. Only the days that reach the
    threshold on that judgement can reach it on the whole rule (an audit only makes a child
    more their own), and only their children still outside are looked up among the audits,
    moderations and participants, by the children's keys: the (child, member of staff) of every
    audit of the council was made distinct on every request (300,000 rows on the national
    council, sorted on disk), to judge reads nearly all of which were the reader's own by then.

    Each step is a CTE kept whole on PostgreSQL (MATERIALIZED): each is read two or three
    times, and the judgement would otherwise be copied into each reading and run again."""
    inner, params = reads.query.sql_with_params()
    case, team = ChildCase._meta.db_table, Team._meta.db_table
    staff, overseen = StaffMember._meta.db_table, StaffMember.services.through._meta.db_table
    audit, moderation = Audit._meta.db_table, Moderation._meta.db_table
    participant = Participant._meta.db_table
    leads = ", ".join("%s" for _ in OWN_SERVICE_OVERSEERS)
    own = (
        "(r.did OR r.worker_id = r.staff_id OR r.team_id = s.team_id"
        " OR o.service_id IS NOT NULL"
        f" OR (s.role IN ({leads}) AND ct.service_id = st.service_id))"
    )
    # Each read's child, where its case is allocated, and whether the read was of an audit
    # the reader did.
    children = (
        "SELECT l.staff_id, l.day, c.id AS case_pk, c.allocated_worker_id AS worker_id,"  # noqa: S608
        " c.allocated_team_id AS team_id, FALSE AS did"
        f" FROM ({inner}) l JOIN {case} c ON c.public_id = l.target_uuid WHERE l.target_type = %s"
        " UNION ALL SELECT l.staff_id, l.day, c.id, c.allocated_worker_id, c.allocated_team_id,"
        " la.auditor_id = l.staff_id"
        f" FROM ({inner}) l JOIN {audit} la ON la.public_id = l.target_uuid"
        f" JOIN {case} c ON c.id = la.case_id WHERE l.target_type = %s"
    )
    # The (child, member of staff) of every audit of the doubtful children done, moderated or
    # taken part in.
    audited = (
        f"SELECT a.case_id, a.auditor_id AS staff_id FROM {audit} a"  # noqa: S608
        " WHERE a.case_id IN (SELECT case_pk FROM doubtful)"
        f" UNION SELECT ma.case_id, m.moderator_id FROM {moderation} m"
        f" JOIN {audit} ma ON ma.id = m.audit_id WHERE ma.case_id IN (SELECT case_pk FROM doubtful)"
        f" UNION SELECT pa.case_id, p.staff_id FROM {participant} p"
        f" JOIN {audit} pa ON pa.id = p.audit_id WHERE pa.case_id IN (SELECT case_pk FROM doubtful)"
    )
    kept = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    sql = (
        f"WITH judged AS {kept}("  # noqa: S608
        f"SELECT r.staff_id, r.day, r.case_pk, MIN(CASE WHEN {own} THEN 0 ELSE 1 END) AS outside"
        f" FROM ({children}) r"
        f" JOIN {staff} s ON s.id = r.staff_id LEFT JOIN {team} st ON st.id = s.team_id"
        f" LEFT JOIN {team} ct ON ct.id = r.team_id"
        f" LEFT JOIN {overseen} o ON o.staffmember_id = r.staff_id AND o.service_id = ct.service_id"
        " GROUP BY r.staff_id, r.day, r.case_pk),"
        f" days AS {kept}(SELECT staff_id, day, COUNT(*) AS children, SUM(outside) AS outside"
        " FROM judged GROUP BY staff_id, day HAVING SUM(outside) >= %s),"
        f" doubtful AS {kept}(SELECT j.staff_id, j.day, j.case_pk FROM judged j"
        " JOIN days d ON d.staff_id = j.staff_id AND d.day = j.day WHERE j.outside = 1)"
        " SELECT d.staff_id, d.day, d.children, d.outside - COUNT(k.case_id) FROM days d"
        " LEFT JOIN doubtful j ON j.staff_id = d.staff_id AND j.day = d.day"
        f" LEFT JOIN ({audited}) k ON k.case_id = j.case_pk AND k.staff_id = j.staff_id"
        " GROUP BY d.staff_id, d.day, d.children, d.outside"
        " HAVING d.outside - COUNT(k.case_id) >= %s"
    )
    roles = [str(role) for role in OWN_SERVICE_OVERSEERS]
    # The placeholders in the statement's order: the judgement's, the two halves' (each with
    # its reads' and its target type), then the days' and the HAVING's thresholds.
    return sql, (*roles, *params, CASE, *params, AUDIT, rule.cases_per_day, rule.cases_per_day)


def unusual_reading(
    staff: StaffMember,
    *,
    date_from: datetime.date,
    date_to: datetime.date,
    thresholds: ReadingThresholds,
) -> list[UnusualRow]:
    """The flagged days of the readers `staff` may look into, between the two days (the
    council's local days), busiest first. Two queries, however many reads: the days are
    counted and judged in the database (a national council's week of reads is 200,000 of
    them), by the same rule as `unusual_days` (a test holds the two together)."""
    start, end = _day_bounds(date_from, date_to)
    rule = thresholds_of(thresholds)
    reads = (
        _child_target_reads(count_lists=thresholds.count_lists)
        .filter(at__gte=start, at__lt=end, user__staff__isnull=False)
        .exclude(user__staff__role__in=sorted(rule.exempt_roles))
        .filter(readers_in_scope_filter(staff, prefix="user__staff__"))
        .annotate(
            day=TruncDate("at"), staff_id=F("user__staff__id"), target_uuid=TargetUuid("target_id")
        )
        .order_by()
        .values_list("staff_id", "day", "target_type", "target_uuid")
    )
    sql, params = _unusual_days_sql(reads, rule)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counted = cursor.fetchall()
    flagged = sorted(
        (
            UnusualDay(staff_id=s, day=_as_date(d), outside=int(o), children=int(n))
            for s, d, n, o in counted
        ),
        key=lambda d: (-d.day.toordinal(), -d.outside, d.staff_id),
    )
    members = StaffMember.objects.select_related("team").in_bulk({d.staff_id for d in flagged})
    return [UnusualRow(reader=members[d.staff_id], day=d) for d in flagged]


def _as_date(value: datetime.date | str) -> datetime.date:
    """A day as the database returns it from raw SQL (SQLite: as text)."""
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


@dataclass(frozen=True)
class DayRead:
    """One read on a reader's day, as the day's page shows it."""

    at: datetime.datetime
    what: str
    purpose: str
    case: ChildCase | None  # None when the viewer may not know which child it was
    outside: bool


def reads_of_reader_on(reader: StaffMember, day: datetime.date) -> QuerySet[AccessLog]:
    """The reader's reads of a case file or an audit that day, newest first, listed or not."""
    start, end = _day_bounds(day, day)
    return (
        _child_reads(count_lists=True)
        .filter(user__staff=reader, at__gte=start, at__lt=end)
        .order_by("-at", "-id")
    )


def day_rows(
    viewer: StaffMember, reader: StaffMember, entries: Iterable[AccessLog]
) -> list[DayRead]:
    """A page of `reads_of_reader_on`, each read with its child (if the viewer may review
    that child) and whether it was outside the reader's own. A fixed number of queries."""
    entries = list(entries)
    case_ids = {getattr(e, "case_pk", None) for e in entries} - {None}
    cases = ChildCase.objects.filter(review_scope_filter(viewer)).in_bulk(case_ids)
    places = _places(case_ids)
    scope = _reader_scopes({reader.pk}).get(reader.pk, ReaderScope(reader.pk, reader.role))
    # Audits are named only for the children the viewer may review.
    audits = {
        str(a.public_id): a
        for a in Audit.objects.filter(case_id__in=list(cases)).only("public_id", "audit_type")
    }
    rows = []
    for entry in entries:
        case_pk = getattr(entry, "case_pk", None)
        place = places.get(case_pk) if case_pk is not None else None
        if entry.target_type == AUDIT and entry.target_id in audits:
            audit = audits[entry.target_id]
            what = f"{audit.get_audit_type_display()} audit {audit.reference}"
        else:
            what = target_label(entry.target_type)
        rows.append(
            DayRead(
                at=entry.at,
                what=what,
                purpose=purpose_label(entry.purpose),
                case=cases.get(case_pk) if case_pk is not None else None,
                outside=place is not None and is_outside_own(scope, place),
            )
        )
    return rows
