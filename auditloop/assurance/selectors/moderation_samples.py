"""Reads for what is moderated and by whom: a cycle's moderation population, its samples and
moderations, the audit leads' list, the moderator's own list, and who may be given an audit to
moderate. Every list is scoped to the person asking and costs the same queries however long it
is; whether each row's child may be named to the reader rides on the row (`may_read`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import auditors_in_services_of, services_overseen
from auditloop.assurance.models import (
    Moderation,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationSample,
    ModerationStatus,
)
from auditloop.assurance.rules.moderation_samples import (
    ASSIGNABLE_STATUSES,
    OPEN_STATUSES,
    WAITING_FOR_MODERATOR,
    PopulationAudit,
    WaitingRequest,
    moderator_refusal,
)
from auditloop.audits.access.audits import audit_readable
from auditloop.audits.models import SHARED_STATUSES, Audit, AuditType, Grade, PartnerShare
from auditloop.sampling.models import Cycle

_MODERATION_ROWS = (
    "audit__case",
    "audit__team__service",
    "audit__auditor",
    "audit__tool_version__tool",
    "audit__cycle_link__cycle",
    "moderator",
    "sample",
    "request__requested_by",
)


def _readable(staff: StaffMember, audit_path: str) -> Coalesce:
    """Whether `staff` may read the audit at `audit_path` (its own page): only then is its
    child named to them on a list, as the flags pages do. Asked of each row shown, by the
    audit's key (`audit_readable`)."""
    return audit_readable(staff, audit_path)


def _blind(staff: StaffMember) -> Case:
    """Whether `staff` is regrading the row's audit blind: then no list tells them why it was
    chosen (that would tell them the auditor's grade)."""
    return Case(
        When(Q(moderator=staff, status=ModerationStatus.REGRADING), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def _leads(staff: StaffMember, audit_path: str) -> Q:
    """Whether `staff` is an audit lead over the service of the audit at `audit_path`, as the
    audit's own page asks it (`audit_moderation`)."""
    if staff.role != Role.MODERATOR:
        return Q(pk__in=[])
    return Q(**{f"{audit_path}__team__service_id__in": services_overseen(staff)})


def _asker_words(staff: StaffMember, *, audit: str, asker: str, reason: str) -> Case:
    """What someone wrote when asking for the audit to be moderated, for the readers its own
    page shows it to: an audit lead over its service, or whoever asked, and only if they may
    read the audit. Anyone else's row carries "" and the words are never read from the
    database for them (the queries defer the reason itself)."""
    shown = Q(_readable(staff, audit)) & (_leads(staff, audit) | Q(**{asker: staff}))
    return Case(When(shown, then=F(reason)), default=Value(""), output_field=TextField())


def _moderation_rows(moderations: QuerySet[Moderation], staff: StaffMember) -> QuerySet[Moderation]:
    """Moderations as a list shows them to `staff`: whether they may read each audit
    (`may_read`: only then is its child named, or why it was chosen said), whether they regrade
    it blind (`blind`), the asker's words where they may read them (`request_reason`), and
    whether they may give it a moderator (`may_assign`: an audit lead over its service, not for
    their own audit, until the moderator has given their grades)."""
    request_reason = Case(
        When(Q(moderator=staff, status=ModerationStatus.REGRADING), then=Value("")),
        default=_asker_words(
            staff, audit="audit", asker="request__requested_by", reason="request__reason"
        ),
        output_field=TextField(),
    )
    may_assign = Case(
        When(
            _leads(staff, "audit") & Q(status__in=ASSIGNABLE_STATUSES) & ~Q(audit__auditor=staff),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    return (
        moderations.select_related(*_MODERATION_ROWS)
        .defer("request__reason")
        .annotate(
            may_read=_readable(staff, "audit_id"),
            blind=_blind(staff),
            request_reason=request_reason,
            may_assign=may_assign,
        )
    )


def _open_first() -> Case:
    return Case(
        When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
    )


# The population ---------------------------------------------------------------------------


def moderation_eligible(audits: QuerySet[Audit]) -> QuerySet[Audit]:
    """The audits that can be moderated: submitted or completed, not a calibration audit (those
    are compared with each other instead), not a partner agency auditor's (moderated at the
    audit group's multi-agency meeting instead), and not moderated already.

    "Not moderated" and "not shared" are NOT EXISTS, which PostgreSQL plans as anti-joins: as
    the reverse relations' `isnull` they were outer joins filtered on the joined row's key
    being null, which it expects almost no row to pass, so it read every submitted audit of the
    council and looked each up in the cycle (a cycle of the national council: 200,000 audits
    for its 20,000)."""
    moderated = Moderation.objects.filter(audit=OuterRef("pk"))
    shared = PartnerShare.objects.filter(audit=OuterRef("pk"))
    return (
        audits.filter(status__in=SHARED_STATUSES)
        .exclude(Exists(moderated))
        .exclude(audit_type=AuditType.CALIBRATION)
        .exclude(Exists(shared))
        .order_by()
    )


def audits_considered(cycle: Cycle) -> set[int]:
    """The audits an earlier sample of the cycle already considered (chosen or not)."""
    ids = cycle.moderation_samples.values_list("population_ids", flat=True)
    return {int(i) for i in chain.from_iterable(ids)}


def moderation_population(cycle: Cycle) -> list[PopulationAudit]:
    """What a sample drawn now considers: the cycle's audits that can be moderated and that no
    earlier sample considered (so drawing again later takes only audits submitted since), with
    whether the auditor graded each Inadequate or the top of its scale. Three queries."""
    tops = dict(
        Grade.objects.values("scale_id").annotate(top=Max("value")).values_list("scale_id", "top")
    )
    considered = audits_considered(cycle)
    rows = moderation_eligible(Audit.objects.filter(cycle_link__cycle=cycle)).values_list(
        "pk", "overall_grade__is_inadequate", "overall_grade__value", "overall_grade__scale_id"
    )
    return [
        PopulationAudit(
            audit_id=pk,
            inadequate=bool(inadequate),
            top_grade=value is not None and value == tops.get(scale_id),
        )
        for pk, inadequate, value, scale_id in rows
        if pk not in considered
    ]


def moderation_population_count(cycle: Cycle) -> int:
    """How many audits a sample drawn now would consider (`moderation_population`'s length),
    counted from their keys alone: the cycle's page shows only the number, and building each
    audit's row with its grade was most of that page's time on the national council (a cycle
    of 19,000 audits to consider: medians of 256 and 328 ms against 147 and 140 ms). Two
    queries."""
    considered = audits_considered(cycle)
    keys = moderation_eligible(Audit.objects.filter(cycle_link__cycle=cycle)).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in keys if pk not in considered)


def moderation_requests_waiting(cycle: Cycle) -> QuerySet[ModerationRequest]:
    """Requests the next sample of `cycle` takes: waiting, for an audit of the cycle that can
    be moderated now (a request for an audit returned to its auditor waits until it is
    submitted again)."""
    audits = moderation_eligible(Audit.objects.filter(cycle_link__cycle=cycle))
    return ModerationRequest.objects.filter(
        status=ModerationRequestStatus.WAITING, audit__in=audits.values("pk")
    ).order_by("created_at", "id")


def waiting_requests_of(requests: QuerySet[ModerationRequest]) -> list[WaitingRequest]:
    return [WaitingRequest(pk, audit_id) for pk, audit_id in requests.values_list("pk", "audit_id")]


# A cycle's samples and moderations ----------------------------------------------------------


def cycle_samples(cycle: Cycle) -> QuerySet[ModerationSample]:
    """The cycle's samples, newest first, each with how many audits it chose."""
    return (
        cycle.moderation_samples.select_related("created_by__staff")
        .annotate(chosen=Count("moderations"))
        .order_by("-created_at", "-id")
    )


def cycle_moderations(cycle: Cycle, staff: StaffMember) -> QuerySet[Moderation]:
    """Every moderation of the cycle's audits, from its samples or added by an audit lead, the
    first drawn first; each row says whether `staff` may read the audit."""
    return _moderation_rows(
        Moderation.objects.filter(audit__cycle_link__cycle=cycle), staff
    ).order_by("created_at", "id")


def requests_waiting_for_cycle(cycle: Cycle, staff: StaffMember) -> QuerySet[ModerationRequest]:
    """Every waiting request for an audit of the cycle (whether or not a sample could take it
    now), oldest first; each row says whether `staff` may read the audit (`may_read`), and
    carries the asker's words only where they may read them (`reason_shown`, see
    `_asker_words`)."""
    return (
        ModerationRequest.objects.filter(
            status=ModerationRequestStatus.WAITING, audit__cycle_link__cycle=cycle
        )
        .select_related("requested_by", "audit__case", "audit__team", "audit__auditor")
        .defer("reason")
        .annotate(
            may_read=_readable(staff, "audit_id"),
            reason_shown=_asker_words(staff, audit="audit", asker="requested_by", reason="reason"),
        )
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class PopulationRow:
    audit: Audit
    moderation: Moderation | None


def sample_moderations(sample: ModerationSample, staff: StaffMember) -> list[Moderation]:
    return list(_moderation_rows(sample.moderations.all(), staff).order_by("audit_id"))


def sample_population_rows(
    sample: ModerationSample, staff: StaffMember, moderations: Iterable[Moderation]
) -> list[PopulationRow]:
    """Every audit the sample considered, in the order of their ids, with its moderation from
    this sample if it was chosen. One query."""
    chosen = {m.audit_id: m for m in moderations}
    audits = (
        Audit.objects.filter(pk__in=sample.population_ids)
        .select_related("case", "team", "auditor")
        .annotate(may_read=_readable(staff, "pk"))
        .order_by("pk")
    )
    return [PopulationRow(audit, chosen.get(audit.pk)) for audit in audits]


# Lists of moderations -------------------------------------------------------------------------


def moderations_led_by(staff: StaffMember) -> QuerySet[Moderation]:
    """The moderations an audit lead oversees: of every audit in their services. Open ones
    first, then the newest."""
    return (
        _moderation_rows(
            Moderation.objects.filter(audit__team__service_id__in=services_overseen(staff)), staff
        )
        .annotate(open_first=_open_first())
        .order_by("open_first", "-created_at", "-id")
    )


def moderations_given_to(staff: StaffMember) -> QuerySet[Moderation]:
    """The audits `staff` has been given to moderate: those waiting for them first."""
    waiting_first = Case(
        When(status__in=WAITING_FOR_MODERATOR, then=Value(0)),
        When(status__in=OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        _moderation_rows(Moderation.objects.filter(moderator=staff), staff)
        .annotate(open_first=waiting_first)
        .order_by("open_first", "-assigned_at", "-id")
    )


def moderations_waiting_for(staff: StaffMember) -> QuerySet[Moderation]:
    """The moderations waiting for `staff` to act as their moderator, the longest waiting
    first."""
    return (
        moderations_given_to(staff)
        .filter(status__in=WAITING_FOR_MODERATOR)
        .order_by("assigned_at", "id")
    )


def moderations_unassigned_count(staff: StaffMember) -> int:
    return Moderation.objects.filter(
        audit__team__service_id__in=services_overseen(staff),
        status=ModerationStatus.UNASSIGNED,
    ).count()


# Who may moderate -----------------------------------------------------------------------------


def moderators_available(lead: StaffMember, audit: Audit) -> list[StaffMember]:
    """Whom an audit lead may give `audit` to moderate: the auditing staff of their services
    (as for planning an audit) who may moderate it (`moderator_refusal`). One query, and one each
    for the case's worker and the audit's practitioner if `audit` was not fetched with them."""
    return [
        person
        for person in auditors_in_services_of(lead)
        if moderator_refusal(person, audit) is None
    ]
