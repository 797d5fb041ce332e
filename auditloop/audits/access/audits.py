"""Get-for-user helpers: 404 when the user may not see the object (as for a missing one),
403 when they may see it but not change it. Every read of an audit is logged here."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.audits.models import (
    SHARED_STATUSES,
    Audit,
    AuditStatus,
    AuditType,
    Participant,
)
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.rules import any_of_parts, any_of_parts_for_one_row
from auditloop.core.statements import Slot, kept_statement

# The related rows an audit's own page shows, loaded with it.
AUDIT_PAGE_RELATIONS = (
    "case",
    # The service too: whether the reader may acknowledge a flag asks its head.
    "case__allocated_team__service",
    "auditor",
    "practitioner",
    "team__service",
    "overall_grade",
    "agreed_overall_grade",
    "tool_version__tool",
    "tool_version__grading_scale",
    # Its moderation, if it has one (the assurance app's; named, not imported).
    "moderation",
)

# Stand-ins for the values each look-up of `get_audit_for_user` is sent with (see
# `auditloop.core.statements`): values no query of the look-ups could hold otherwise.
_PUBLIC_ID = Slot(Audit._meta.get_field("public_id"), UUID("5e7f1a4c-2b6d-4e8a-9c3f-0d1e2f3a4b5c"))
_AUDIT_KEY = Slot(Audit._meta.get_field("id"), -8_675_309_001)
_READER_KEY = Slot(StaffMember._meta.get_field("id"), -8_675_309_002)


def get_audit_for_user(
    user: Any, public_id: UUID | str, *, write: bool = False, purpose: Purpose | None = None
) -> Audit:
    """The audit, if `user` may see it (logged as a read, for `purpose` if given), with
    `grades_hidden` set for them (see `grades_hidden_filter`). With write=True, only its auditor
    while it is planned or in progress; anyone else who may see it gets 403.

    Two look-ups: the read rule asked of the audit alone (`readable_audit_key`), then the
    audit loaded by its key with its related rows. Each is written once per connection and
    sent with this request's values (`auditloop.core.statements`): building and compiling
    them was two thirds of the page's CPU."""
    staff = staff_for(user)
    try:
        key = readable_audit_key(staff, public_id)
        found = kept_statement(
            "audit page load",
            None,
            lambda: audit_page_load(_AUDIT_KEY.stand_in, _READER_KEY.stand_in),
            [_AUDIT_KEY, _READER_KEY],
        ).instances([key, staff.pk])
        if not found:
            raise Audit.DoesNotExist
        audit: Audit = found[0]
    except (Audit.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No audit found.") from exc
    if write and not (
        audit.auditor_id == staff.pk
        and audit.status in {AuditStatus.PLANNED, AuditStatus.IN_PROGRESS}
    ):
        raise PermissionDenied("Only the auditor can change this audit while it is in progress.")
    purpose = purpose or (Purpose.WRITE if write else Purpose.VIEW)
    access_shown(user=user, targets=[audit], purpose=purpose)
    return audit


def readable_audit_key(staff: StaffMember, public_id: UUID | str) -> int:
    """The key of the audit with `public_id` if `staff` may read it, else Audit.DoesNotExist
    (ValidationError for a public id that is not one): `readable_key` of the rule for one
    audit, the statement written once for the rule's facts (`audit_rule_facts`)."""
    rows = kept_statement(
        "audit readable by public id",
        audit_rule_facts(staff),
        lambda: readable_audit_keys(staff, _PUBLIC_ID.stand_in),
        [_PUBLIC_ID],
    ).rows([public_id])
    if not rows:
        raise Audit.DoesNotExist
    return int(rows[0][0])


def readable_audit_keys(staff: StaffMember, public_id: UUID | str) -> QuerySet[Audit, int]:
    """The ORM's query behind `readable_audit_key` (as `readable_key` asks it)."""
    return (
        Audit.objects.filter(audit_visibility_filter_for_one(staff), public_id=public_id)
        .order_by("pk")
        .values_list("pk", flat=True)[:1]
    )


def audit_page_load(audit_key: int, reader_key: int) -> QuerySet[Audit]:
    """The ORM's query behind `get_audit_for_user`'s load: the audit by its key with its
    page's related rows, and `grades_hidden` for the reader whose staff key is given."""
    reader = StaffMember(pk=reader_key)
    return with_grades_hidden(Audit.objects.filter(pk=audit_key), reader).select_related(
        *AUDIT_PAGE_RELATIONS
    )


def grades_hidden_filter(staff: StaffMember) -> Q:
    """The moderation blind, as one Q: the audits whose grades `staff` may not see yet. The
    moderator of an audit regrades it blind: until they have given their own grade for every
    graded question and overall (`moderation_regrade` sets `regraded_at`), nothing shows them
    the auditor's grades, per question or overall, nor an agreed one. Everything that shows
    grades asks this rule: the scoped reads set it on each audit as `grades_hidden`
    (`with_grades_hidden`), `Audit.grade_shown` answers None while it is set, and the pages,
    the API and the moderation page leave out each question's grade too.

    The moderation is the assurance app's, above this one; it is reached by its relation's
    name (`Audit.moderation`), so that this app imports nothing of it."""
    return Q(moderation__moderator=staff, moderation__regraded_at__isnull=True)


def with_grades_hidden(audits: QuerySet[Audit], staff: StaffMember) -> QuerySet[Audit]:
    """`audits`, each with `grades_hidden`: whether `staff` is blind to its grades. A join on
    the audit's one moderation: no more queries, however many audits."""
    # The stubs take an annotation named like a class attribute for a redefinition; it is meant:
    # the annotation sets, for this reader, what `Audit.grades_hidden` says by default.
    return audits.annotate(  # type: ignore[no-redef]
        grades_hidden=Case(
            When(grades_hidden_filter(staff), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def grades_hidden_from(staff: StaffMember, audit: Audit) -> bool:
    """Whether `staff` is blind to this audit's grades (`grades_hidden_filter`), for a page that
    did not read the audit through the scoped reads. One query."""
    return Audit.objects.filter(grades_hidden_filter(staff), pk=audit.pk).exists()


def can_lead_audit(staff: StaffMember, audit: Audit) -> bool:
    """Audit leads (moderators) for the audit's service may return or complete it, unless
    they did the audit themselves: nobody signs off their own work. A calibration audit is an
    exercise compared with the others of its exercise, never returned or completed."""
    return (
        staff.role == Role.MODERATOR
        and audit.audit_type != AuditType.CALIBRATION
        and audit.auditor_id != staff.pk
        and audit.team is not None
        and audit.team.service_id in services_overseen(staff)
    )


# The roles that read any individual's audit.
_READERS = frozenset(
    {Role.PRACTITIONER, Role.TEAM_MANAGER, Role.AUDITOR, Role.MODERATOR, Role.SENIOR_LEADER}
)


def audit_visibility_filter(staff: StaffMember) -> Q:
    """The rule, as one Q: who may read which audit. Used by lists and by the access helper.

    Its auditor and the audit leads over its service read an audit at every status. Everyone
    else who may read it (its practitioner, those who took part in a deep dive, the team's
    manager, senior leaders) reads it only once it is submitted: a draft, its draft grades and
    a lead's reasons for returning it are between the auditor and the leads.

    The auditor of a revisit reads the audit it revisits once that audit is submitted: the
    revisit compares each answer with the earlier one, whoever did the earlier audit.

    A calibration audit is an exercise, not a judgement on the practitioner's work: it is
    never shared with the practitioner, their managers or senior leaders (see
    `_calibration_in_exercise_part` and `_calibration_leads_part`).

    The rule is the union of its parts (`auditloop.core.rules.any_of_parts`), each starting
    from what an index finds (the auditor, the practitioner, the team, one person's
    participations), so that no read of it scans every audit for those who read a few; the
    parts that admit whole services (audit leads, senior leaders) stay plain conditions."""
    parts, wide = audit_visibility_parts(staff)
    return any_of_parts(Audit, parts, wide=wide)


def audit_visibility_filter_for_one(staff: StaffMember) -> Q:
    """The same rule, for a look-up of one audit by its key (its own page, or each row's audit
    in `audit_readable`): the parts ORed (`any_of_parts_for_one_row`), which the database tests
    on that one row, and the reader's participations, revisits and calibration exercises asked
    of that audit alone (`audit_visibility_parts`' `one_row`). Never to filter a list."""
    parts, wide = audit_visibility_parts(staff, one_row=True)
    return any_of_parts_for_one_row(parts, wide=wide)


def audit_readable(staff: StaffMember, audit_path: str) -> Coalesce:
    """Whether `staff` may read the audit whose key is at `audit_path` of each row of a list
    (a moderation's `audit_id`, say): the rule's parts ORed on that one audit, found by its key
    (`audit_visibility_filter_for_one`), as a boolean for a row's annotation or condition.

    A scalar subquery, not EXISTS: PostgreSQL may turn an EXISTS keyed on the row into one
    hash of every audit the rule admits, built before the first row, and does when it expects
    the list's every row to be asked, not just a page's (an audit lead's list of moderations:
    the rule tested on all 200,000 audits of the national council for a page of fifty, seconds).
    A scalar subquery is asked of each row shown, by the audit's primary key."""
    readable = (
        Audit.objects.filter(audit_visibility_filter_for_one(staff), pk=OuterRef(audit_path))
        .order_by()
        .values(readable=Value(True, output_field=BooleanField()))[:1]
    )
    return Coalesce(Subquery(readable), Value(False), output_field=BooleanField())


def audit_visibility_parts(staff: StaffMember, *, one_row: bool = False) -> tuple[list[Q], list[Q]]:
    """The parts of `audit_visibility_filter`: an audit is readable when any part admits it.
    The second list holds the parts that admit whole services (`any_of_parts`' `wide`).

    With `one_row`, the parts that ask about the reader's own rows elsewhere (the deep dives
    they took part in, the audits their revisits follow up, the calibration exercises they are
    in) ask it of the one audit tested, as an EXISTS on its key, rather than as the audit's key
    among all of those rows (`pk IN (subquery)`, which a list's union needs: each part starts
    from what an index finds). PostgreSQL hashes such a subquery's rows once, but prices the
    hash again on every row a list asks `audit_readable` of: a cycle's 185 moderations, each
    asked twice, were priced at 276,000 on the national council (7,100 so), past
    `jit_above_cost`, and compiling the statement took 650 ms of JIT for 10 ms of work."""
    if staff.role not in _READERS:
        # Board members read anonymised aggregates; administrators see no case content.
        return [], []
    overseen = _overseen(staff)
    calibration = Q(audit_type=AuditType.CALIBRATION)
    wide = []
    if staff.role == Role.MODERATOR and overseen:
        wide.append(~calibration & Q(team__service_id__in=overseen))
        wide.append(calibration & _calibration_leads_part(overseen, staff, one_row=one_row))
    if staff.role == Role.SENIOR_LEADER and overseen:
        shared = Q(status__in=SHARED_STATUSES)
        wide.append(~calibration & shared & Q(team__service_id__in=overseen))
    parts = [
        Q(auditor=staff),
        *(~calibration & part for part in _others_parts(staff, one_row=one_row)),
        calibration & _calibration_in_exercise_part(staff, one_row=one_row),
    ]
    return parts, wide


def audit_rule_facts(staff: StaffMember) -> tuple[Any, ...]:
    """Everything the read rule (`audit_visibility_parts`) is written from: the reader's key,
    role and team, and the services they look across. The rule's SQL for one audit is kept
    under these (`readable_audit_key`), so a rule that reads anything more of the reader
    must add it here; a test watches which of the reader's fields the rule reads."""
    overseen = _overseen(staff) if staff.role in _READERS else []
    return (staff.pk, str(staff.role), staff.team_id, tuple(overseen))


def _overseen(staff: StaffMember) -> list[int]:
    """The services whose audits the reader reads whole (audit leads and senior leaders)."""
    if staff.role in {Role.MODERATOR, Role.SENIOR_LEADER}:
        return services_overseen(staff)
    return []


def _others_parts(staff: StaffMember, *, one_row: bool = False) -> list[Q]:
    """Who besides its auditor reads an audit that is not a calibration exercise's, in parts,
    besides the audit leads over its service (at every status) and the senior leaders over it
    (once submitted), who read whole services (`audit_visibility_parts`)."""
    shared = Q(status__in=SHARED_STATUSES)
    # Those who took part in a deep dive, and the auditor of a revisit of it, who compares
    # their answers with its own: subqueries of their own rows, not joins (a join would repeat
    # an audit per participant).
    participations = Participant.objects.filter(staff=staff)
    revisits = Audit.objects.filter(auditor=staff, revisit_of__isnull=False)
    if one_row:
        took_part = Q(Exists(participations.filter(audit=OuterRef("pk"))))
        revisits_it = Q(Exists(revisits.filter(revisit_of=OuterRef("pk"))))
    else:
        took_part = Q(pk__in=participations.values("audit_id"))
        revisits_it = Q(pk__in=revisits.values("revisit_of_id"))
    parts = [shared & took_part, shared & revisits_it]
    if staff.role in {Role.PRACTITIONER, Role.TEAM_MANAGER}:
        parts.append(shared & Q(practitioner=staff))
    if staff.role == Role.TEAM_MANAGER and staff.team_id is not None:
        parts.append(shared & Q(team_id=staff.team_id))
    return parts


def _calibration_waiting() -> Exists:
    """Whether some entry of the audit's calibration exercise is not submitted yet.

    The exercise lives in the assurance app, above this one: it is reached through its
    related names (`calibration_entry`, `entries`), never imported (subqueries, not joins, so
    that no list repeats a row)."""
    entries = Audit.objects.filter(calibration_entry__exercise__entries__audit=OuterRef("pk"))
    return Exists(entries.exclude(status__in=SHARED_STATUSES))


def _calibration_exercises_of(staff: StaffMember, *, one_row: bool = False) -> Q:
    """The entries of the calibration exercises `staff` has an entry in (`one_row`: asked of
    the one audit tested, see `audit_visibility_parts`)."""
    entries = Audit.objects.filter(calibration_entry__exercise__entries__audit__auditor=staff)
    if one_row:
        return Q(Exists(entries.filter(pk=OuterRef("pk"))))
    return Q(pk__in=entries.values("pk").order_by())


# Who besides its auditor reads a calibration audit. Until every entry of the exercise is
# submitted, nobody in the exercise sees another's answers: only the audit leads over the case's
# service who are not themselves in it. Once all are in, every auditor in the exercise and those
# leads read them all, to compare.


def _calibration_in_exercise_part(staff: StaffMember, *, one_row: bool = False) -> Q:
    """Every auditor in the exercise, once all its entries are in."""
    return _calibration_exercises_of(staff, one_row=one_row) & ~Q(_calibration_waiting())


def _calibration_leads_part(overseen: list[int], staff: StaffMember, *, one_row: bool = False) -> Q:
    """The audit leads over the case's service: while the exercise runs only those not in it,
    and once all are in, all of them."""
    return Q(team__service_id__in=overseen) & (
        ~_calibration_exercises_of(staff, one_row=one_row) | ~Q(_calibration_waiting())
    )
