"""Who may read a moderation and who may take each step of the blind regrade, and who decides
when the moderator and the auditor cannot agree. Reading a moderation is reading its audit:
logged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from auditloop.accounts.access import staff_for
from auditloop.accounts.models import Role, StaffMember
from auditloop.accounts.selectors import services_overseen
from auditloop.assurance.models import Moderation, ModerationStatus
from auditloop.audits.access.audits import (
    audit_visibility_filter,
    get_audit_for_user,
    with_grades_hidden,
)
from auditloop.audits.models import Audit
from auditloop.audits.rules import independent_of_audit
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.rules import readable_key


def moderation_visibility_filter(staff: StaffMember) -> Q:
    """Who may read which moderation, as one Q: its moderator (who may be from outside the
    audit's line, and so not otherwise read the audit), the head of service deciding it, and
    whoever may read the audit itself (its auditor, the audit leads over its service, and,
    once it is submitted, its practitioner, their managers and the senior leaders)."""
    readable = Exists(Audit.objects.filter(audit_visibility_filter(staff), pk=OuterRef("audit_id")))
    deciding = Q(
        audit__team__service__head_of_service=staff,
        status__in=[ModerationStatus.ESCALATED, ModerationStatus.DECIDED],
    )
    return Q(moderator=staff) | Q(decided_by=staff) | deciding | Q(readable)


def get_moderation_for_user(user: Any, public_id: UUID | str) -> Moderation:
    """The moderation, if `user` may read it; the read of its audit is logged."""
    staff = staff_for(user)
    try:
        key = readable_key(
            Moderation.objects.filter(moderation_visibility_filter(staff), public_id=public_id)
        )
        # The moderation and its audit in two statements of a dozen tables each: as one of
        # twenty, PostgreSQL planned it for about 50 ms on the national council.
        audit = Audit.objects.select_related(
            "case__allocated_team",
            "case__allocated_worker",
            "auditor",
            "practitioner",
            "team__service__head_of_service",
            "overall_grade",
            "agreed_overall_grade",
            "tool_version__tool",
            "tool_version__grading_scale",
        )
        moderation = (
            Moderation.objects.filter(pk=key)
            .select_related(
                "moderator",
                "moderator_overall_grade",
                "proposed_overall_grade",
                "escalated_by",
                "decided_by",
            )
            .prefetch_related(Prefetch("audit", queryset=audit))
            .get()
        )
    except (Moderation.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No moderation found.") from exc
    access_shown(user=user, targets=[moderation.audit], purpose=Purpose.MODERATION)
    return moderation


def get_audit_for_grade_history(user: Any, public_id: UUID | str) -> tuple[Audit, bool]:
    """The audit whose grade history `user` may read, the read logged: whoever may read the
    audit (blind or not: its page says so), and, once their blind no longer applies, whoever
    the moderation page admits for being part of its moderation (a moderator from outside the
    audit's line, the head of service or senior leader deciding it) though they may not
    otherwise read the audit. With whether they may read the audit itself, for the page's
    links."""
    try:
        audit = get_audit_for_user(user, public_id, purpose=Purpose.GRADE_HISTORY)
    except Http404:
        pass
    else:
        return audit, True
    staff = staff_for(user)
    moderated = Moderation.objects.filter(
        moderation_visibility_filter(staff), audit__public_id=public_id
    ).values("audit_id")
    try:
        audit = (
            with_grades_hidden(Audit.objects.filter(pk__in=moderated), staff)
            .select_related(
                "case",
                "auditor",
                "practitioner",
                "team__service",
                "overall_grade",
                "agreed_overall_grade",
                "tool_version__tool",
                "tool_version__grading_scale",
            )
            .get()
        )
    except (Audit.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("No audit found.") from exc
    if audit.grades_hidden:
        # Their moderation is still blind: nothing of the audit's grades is theirs yet.
        raise Http404("No audit found.")
    access_shown(user=user, targets=[audit], purpose=Purpose.GRADE_HISTORY)
    return audit, False


def is_moderator(staff: StaffMember, moderation: Moderation) -> bool:
    return moderation.moderator_id is not None and moderation.moderator_id == staff.pk


def is_auditor(staff: StaffMember, moderation: Moderation) -> bool:
    return moderation.audit.auditor_id == staff.pk


def moderator_not_independent(staff: StaffMember, moderation: Moderation) -> str | None:
    """Why `staff` may not moderate this audit, or None: nobody moderates an audit they did, a
    case they hold or manage, or the work of someone they managed when it was audited (the
    independence rule, `independent_of_audit`). Asked again when they regrade: the case may
    have moved to them since they were given it."""
    if is_auditor(staff, moderation):
        return "you did the audit"
    if not independent_of_audit(staff=staff, audit=moderation.audit):
        return "you hold or manage the case, or did when it was audited"
    return None


def part_of_moderation(staff: StaffMember, moderation: Moderation) -> str | None:
    """Why `staff` is part of this moderation's disagreement, or None when they are not: they
    did the audit, they moderate it, or they hold or manage the case now or held or managed it
    when it was audited (the independence rule, `independent_of_audit`). Nobody decides a
    disagreement they are part of."""
    if is_auditor(staff, moderation):
        return "the auditor who did the audit"
    if is_moderator(staff, moderation):
        return "its moderator"
    if not independent_of_audit(staff=staff, audit=moderation.audit):
        return "the case's worker or one of its managers, now or when it was audited"
    return None


@dataclass(frozen=True)
class Deciders:
    """Who decides the disagreement, and the rule that chose them, naming them once, in words
    for the page."""

    staff: list[StaffMember]
    rule: str


def senior_leaders_over(service_id: int) -> QuerySet[StaffMember]:
    """The active senior leaders over a service (by the services they look across, or their
    own team's): those who may decide instead of its head of service."""
    return (
        StaffMember.objects.filter(is_active=True, role=Role.SENIOR_LEADER)
        .filter(Q(services=service_id) | Q(team__service=service_id))
        .select_related("team")
        .distinct()
        .order_by("name", "pk")
    )


def moderation_deciders(
    moderation: Moderation, *, leaders: Iterable[StaffMember] | None = None
) -> Deciders:
    """Who decides when moderator and auditor cannot agree: the head of service of the audit's
    team's service; if they are part of the disagreement, or hold or manage the case, or
    there is none, every senior leader over that service who is not part of it (any one of
    them may decide). One query, only when the head of service cannot decide (and one for the
    audit's practitioner if the moderation was not fetched with it).

    `leaders`, when given, are the senior leaders over the service already fetched (from
    `senior_leaders_over`, or the one reader a list asks about), so that a list of many
    moderations asks no query per row."""
    team = moderation.audit.team
    if team is None:
        return Deciders([], "The audit has no team, so no head of service can decide it.")
    service = team.service
    head = service.head_of_service
    if head is not None and head.is_active:
        why_not = part_of_moderation(head, moderation)
        if why_not is None:
            return Deciders(
                [head], f"The head of service for {service.name}, {head.name}, decides."
            )
        because = (
            f"The head of service for {service.name}, {head.name}, is {why_not}, so cannot decide."
        )
    else:
        because = f"{service.name} has no head of service."
    if leaders is None:
        leaders = senior_leaders_over(service.pk)
    eligible = [
        s
        for s in leaders
        if (head is None or s.pk != head.pk) and part_of_moderation(s, moderation) is None
    ]
    if not eligible:
        return Deciders(
            [],
            f"{because} No senior leader over {service.name} can decide it either: ask an "
            "administrator to name a head of service who is not part of it.",
        )
    if len(eligible) == 1:
        who = f"{eligible[0].name}, a senior leader over {service.name} who is not part of it,"
        return Deciders(eligible, f"{because} {who} decides instead.")
    names = ", ".join(s.name for s in eligible[:-1]) + f" or {eligible[-1].name}"
    return Deciders(
        eligible,
        f"{because} A senior leader over {service.name} who is not part of the disagreement "
        f"decides instead: any one of {names}.",
    )


DECIDER_RULE = (
    "If the moderator and the auditor cannot agree, the head of service decides each grade in "
    "dispute and the overall grade. If the head of service did the audit, moderates it, holds "
    "or manages the case (or did when it was audited), or there is none, a senior leader over "
    "the service who is not part of the disagreement decides instead. Nobody decides a "
    "disagreement they are part of."
)


def sees_moderation_workings(staff: StaffMember, moderation: Moderation) -> bool:
    """Whether `staff` reads the moderation's workings: the moderator's private notes (what they
    will raise with the auditor) and why the audit was chosen for moderation. Its moderator;
    its auditor once the moderator has regraded (the notes are for their meeting); whoever
    decides or decided a disagreement; and the audit leads over the audit's service. Not the
    case's worker, their managers or anyone else who may read the audit: to them the notes are
    a conversation they were not part of, and "Chosen because Graded Inadequate" reads as a
    judgement of their work rather than the sampling rule it is."""
    if is_moderator(staff, moderation):
        return True
    if is_auditor(staff, moderation):
        return moderation.regraded_at is not None
    if moderation.decided_by_id is not None and moderation.decided_by_id == staff.pk:
        return True
    if can_decide(staff, moderation):
        return True
    team = moderation.audit.team
    return staff.is_audit_lead and team is not None and team.service_id in services_overseen(staff)


def can_regrade(staff: StaffMember, moderation: Moderation) -> bool:
    return is_moderator(staff, moderation) and moderation.status == ModerationStatus.REGRADING


def can_record_agreement(staff: StaffMember, moderation: Moderation) -> bool:
    return is_moderator(staff, moderation) and moderation.status == ModerationStatus.AGREEING


def can_confirm_agreement(staff: StaffMember, moderation: Moderation) -> bool:
    return (
        is_auditor(staff, moderation)
        and moderation.status == ModerationStatus.AGREEING
        and moderation.proposed_at is not None
    )


def can_say_cannot_agree(staff: StaffMember, moderation: Moderation) -> bool:
    return moderation.status == ModerationStatus.AGREEING and (
        is_moderator(staff, moderation) or is_auditor(staff, moderation)
    )


def can_decide(staff: StaffMember, moderation: Moderation) -> bool:
    """Whether `staff` may decide this escalated disagreement (see `moderation_deciders`)."""
    if moderation.status != ModerationStatus.ESCALATED:
        return False
    return staff.pk in {s.pk for s in moderation_deciders(moderation).staff}
