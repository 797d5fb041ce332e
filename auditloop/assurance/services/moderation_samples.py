"""Writes for what is moderated and by whom: drawing a cycle's moderation sample, asking for an
audit to be moderated (and withdrawing the request), an audit lead adding an audit directly,
and giving a moderation its moderator. Each runs in one transaction, writes one event row, and
refuses with a plain-English `Refused` what the rules do not allow."""

from __future__ import annotations

from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from auditloop.accounts.models import StaffMember
from auditloop.assurance.access.moderation_samples import (
    moderation_add_refusal,
    moderation_request_refusal,
    moderation_withdraw_refusal,
    moderator_assign_refusal,
)
from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationRequestStatus,
    ModerationSample,
    ModerationStatus,
    ModeratorGrade,
)
from auditloop.assurance.rules.moderation_samples import (
    moderation_sample_choose,
    moderator_refusal,
)
from auditloop.assurance.selectors.moderation_samples import (
    moderation_population,
    moderation_requests_waiting,
    waiting_requests_of,
)
from auditloop.audits.models import Audit
from auditloop.core.events import event_record
from auditloop.core.refusals import Refused
from auditloop.core.services import notification_send
from auditloop.sampling.access import require_can_plan
from auditloop.sampling.models import Cycle, CycleAudit
from auditloop.sampling.services.draws import lock_cycle

# Seeds are stored as a signed 64-bit integer; a lead types one of up to sixteen digits.
SEED_MAX = 2**53
NOTHING_TO_MODERATE = (
    "There is nothing to moderate yet: no audit in this cycle has been submitted since the last "
    "moderation sample, and nobody has asked for one to be moderated."
)


def moderation_url(moderation: Moderation) -> str:
    """Where the moderator works on it: its own page where the blind regrade is routed, else
    the list of audits for them to moderate."""
    try:
        return reverse("assurance:moderation_detail", kwargs={"public_id": moderation.public_id})
    except NoReverseMatch:
        return reverse("assurance:moderation_mine")


@transaction.atomic
def moderation_sample_draw(*, cycle: Cycle, by: StaffMember, seed: int) -> ModerationSample:
    """Draw and store the cycle's moderation sample (see `rules.moderation_samples`): its seed,
    share and population, and one moderation, waiting for a moderator, per audit chosen, with
    the reason it was chosen. Requests it takes are marked taken. Drawing again later considers
    only the audits no earlier sample considered."""
    require_can_plan(by, cycle)
    if not 0 <= seed <= SEED_MAX:
        raise Refused(f"The seed must be a whole number from 0 to {SEED_MAX}.", field="seed")
    lock_cycle(cycle)
    population = moderation_population(cycle)
    requests = waiting_requests_of(moderation_requests_waiting(cycle))
    if not population and not requests:
        raise Refused(NOTHING_TO_MODERATE)
    choice = moderation_sample_choose(
        population=population, requests=requests, percent=cycle.moderation_percent, seed=seed
    )
    sample = ModerationSample.objects.create(
        cycle=cycle,
        seed=seed,
        percent=cycle.moderation_percent,
        population_size=len(choice.population),
        population_ids=list(choice.population),
        created_by=by.user,
    )
    Moderation.objects.bulk_create(
        Moderation(sample=sample, audit_id=c.audit_id, reason=c.reason, request_id=c.request_id)
        for c in choice.chosen
    )
    ModerationRequest.objects.filter(
        pk__in=choice.requests_taken, status=ModerationRequestStatus.WAITING
    ).update(status=ModerationRequestStatus.TAKEN)
    event_record(
        actor=by.user,
        verb="moderation_sample.drawn",
        target=sample,
        summary=(
            f"Moderation sample of {len(choice.chosen)} audits drawn from "
            f"{len(choice.population)} in cycle {cycle.name}"
        ),
        after={
            "cycle": str(cycle.public_id),
            "seed": seed,
            "percent": cycle.moderation_percent,
            "population": len(choice.population),
            "chosen": len(choice.chosen),
            "random_from": choice.rest_size,
            "reasons": choice.reason_counts(),
            "requests_taken": len(choice.requests_taken),
        },
    )
    return sample


@transaction.atomic
def moderation_request_create(*, audit: Audit, by: StaffMember, reason: str) -> ModerationRequest:
    """The audit's auditor or a team manager of its team asks for it to be moderated, saying
    why. The request waits for the cycle's next moderation sample."""
    if refusal := moderation_request_refusal(by, audit):
        raise Refused(refusal)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why you want this audit moderated.", field="reason")
    request = ModerationRequest.objects.create(audit=audit, requested_by=by, reason=reason)
    event_record(
        actor=by.user,
        verb="moderation.asked_for",
        target=request,
        summary=f"{by.name} asked for an audit to be moderated",
        after={"audit": str(audit.public_id), "status": request.status},
        content_changed=["reason"],
    )
    return request


@transaction.atomic
def moderation_request_withdraw(*, request: ModerationRequest, by: StaffMember) -> None:
    """Whoever asked withdraws their request while it waits for a sample."""
    current = ModerationRequest.objects.select_for_update().get(pk=request.pk)
    if refusal := moderation_withdraw_refusal(by, current):
        raise Refused(refusal)
    current.status = ModerationRequestStatus.WITHDRAWN
    current.save(update_fields=["status"])
    request.status = current.status
    event_record(
        actor=by.user,
        verb="moderation.request_withdrawn",
        target=current,
        summary=f"{by.name} withdrew a request for moderation",
        before={"status": ModerationRequestStatus.WAITING},
        after={"status": current.status},
    )


@transaction.atomic
def moderation_add(*, audit: Audit, by: StaffMember, reason: str) -> Moderation:
    """An audit lead over the audit's service adds it to moderation at once, saying why (kept
    as a request of theirs, taken). Anyone's request still waiting for it is taken with it."""
    # A sample being drawn for the audit's cycle at the same moment could choose it too.
    cycle_link = CycleAudit.objects.filter(audit=audit).select_related("cycle").first()
    if cycle_link is not None:
        lock_cycle(cycle_link.cycle)
    if refusal := moderation_add_refusal(by, audit):
        raise Refused(refusal)
    reason = reason.strip()
    if not reason:
        raise Refused("Enter why this audit should be moderated.", field="reason")
    request = ModerationRequest.objects.create(
        audit=audit, requested_by=by, reason=reason, status=ModerationRequestStatus.TAKEN
    )
    taken = (
        ModerationRequest.objects.filter(audit=audit, status=ModerationRequestStatus.WAITING)
        .exclude(pk=request.pk)
        .update(status=ModerationRequestStatus.TAKEN)
    )
    moderation = Moderation.objects.create(
        audit=audit, reason=ModerationReason.REQUESTED, request=request
    )
    event_record(
        actor=by.user,
        verb="moderation.added",
        target=moderation,
        summary=f"{by.name} added an audit to moderation",
        after={
            "audit": str(audit.public_id),
            "status": moderation.status,
            "chosen_for": moderation.reason,
            "other_requests_taken": taken,
        },
        content_changed=["reason"],
    )
    return moderation


@transaction.atomic
def moderation_moderator_assign(
    *, moderation: Moderation, moderator: StaffMember, by: StaffMember
) -> Moderation:
    """An audit lead gives the moderation its moderator, who is told at once (in auditloop and
    by email, without the child's ID), and the blind regrade begins. While the moderator is
    still regrading, a lead may give it to someone else: the first moderator's unfinished
    grades are discarded, since the new one regrades blind from the start."""
    current = Moderation.objects.select_for_update().get(pk=moderation.pk)
    current.audit = moderation.audit
    if refusal := moderator_assign_refusal(by, current):
        raise Refused(refusal)
    if current.moderator_id == moderator.pk:
        raise Refused(f"{moderator.name} is already the moderator.", field="moderator")
    if refusal := moderator_refusal(moderator, moderation.audit):
        raise Refused(refusal, field="moderator")
    previous = current.moderator
    before = {
        "status": current.status,
        "moderator": previous.name if previous else None,
    }
    discarded, _ = ModeratorGrade.objects.filter(moderation=current).delete()
    moderation.moderator = moderator
    moderation.assigned_at = timezone.now()
    moderation.status = ModerationStatus.REGRADING
    moderation.moderator_overall_grade = None
    moderation.moderator_notes = ""
    moderation.save(
        update_fields=[
            "moderator",
            "assigned_at",
            "status",
            "moderator_overall_grade",
            "moderator_notes",
        ]
    )
    event_record(
        actor=by.user,
        verb="moderation.moderator_changed" if previous else "moderation.moderator_given",
        target=moderation,
        summary=f"{moderator.name} given an audit to moderate by {by.name}",
        before=before,
        after={
            "status": moderation.status,
            "moderator": moderator.name,
            "unfinished_grades_discarded": discarded,
        },
    )
    _moderator_notify(moderation, moderator=moderator, previous=previous, by=by)
    return moderation


def _where(audit: Audit) -> str:
    return f"a case in {audit.team.name}" if audit.team is not None else "a case"


def _moderator_notify(
    moderation: Moderation, *, moderator: StaffMember, previous: StaffMember | None, by: StaffMember
) -> None:
    """Tell the new moderator (and any they replace). Never the child's ID: emails leave the
    council's systems."""
    audit = moderation.audit
    kind = audit.get_audit_type_display().lower()
    url = moderation_url(moderation)
    notification_send(
        recipients=[moderator],
        message=(
            f"{by.name} asked you to moderate a {kind} audit of {_where(audit)}. Give your own "
            "grades first: you will see the auditor's once you have given yours."
        ),
        url=url,
        email_subject="An audit for you to moderate",
    )
    if previous is not None:
        notification_send(
            recipients=[previous],
            message=(
                f"{by.name} gave the {kind} audit of {_where(audit)} you were moderating to "
                "someone else: you no longer moderate it."
            ),
            url=reverse("assurance:moderation_mine"),
        )
