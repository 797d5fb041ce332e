"""Pages for what is moderated and by whom: a cycle's moderation sample (drawn here) and each
sample's workings, the audit leads' list of moderations, the audits given to someone to
moderate, giving a moderation its moderator, and asking for (or adding) an audit to moderation.

A child's ID is shown on these pages only to those who may read the audit itself, and every
one shown is logged as a read."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from auditloop.accounts.access import (
    StaffRequest,
    any_staff,
    auditing_roles_required,
    roles_required,
)
from auditloop.accounts.models import Role
from auditloop.accounts.selectors import auditors_in_services_of
from auditloop.assurance.access.moderation_samples import (
    ASKERS_ONLY,
    LEADS_ONLY,
    can_draw_moderation_sample,
    get_moderation_for_lead,
    get_moderation_request_for_user,
    get_moderation_sample_for_user,
    is_asker_for,
    moderation_add_refusal,
    moderation_request_refusal,
    moderator_assign_refusal,
)
from auditloop.assurance.forms.moderation_samples import (
    ModerationAddForm,
    ModerationAskForm,
    ModerationFilterForm,
    ModerationSampleDrawForm,
    ModeratorForm,
)
from auditloop.assurance.models import (
    Moderation,
    ModerationReason,
    ModerationRequest,
    ModerationStatus,
)
from auditloop.assurance.rules.moderation_samples import (
    ROUNDING_RULE,
    random_share_draw,
    random_share_size,
)
from auditloop.assurance.selectors.moderation_samples import (
    cycle_moderations,
    cycle_samples,
    moderation_population_count,
    moderation_requests_waiting,
    moderations_given_to,
    moderations_led_by,
    moderators_available,
    requests_waiting_for_cycle,
    sample_moderations,
    sample_population_rows,
)
from auditloop.assurance.services.moderation_samples import (
    moderation_add,
    moderation_moderator_assign,
    moderation_request_create,
    moderation_request_withdraw,
    moderation_sample_draw,
)
from auditloop.audits.access.audits import get_audit_for_user
from auditloop.audits.models import Audit
from auditloop.audits.services.feedback import audit_url
from auditloop.core.accesslog import Purpose, access_shown
from auditloop.core.pagination import page_of
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message
from auditloop.sampling.access import get_cycle_for_user
from auditloop.sampling.selectors.cycles import cycles_visible_to

PAGE_SIZE = 50


def _log_readable(request: StaffRequest, audits: Iterable[Audit], purpose: Purpose) -> None:
    """Log the reads of the audits whose child the page names (those the reader may read)."""
    access_shown(
        user=request.user,
        targets=[a for a in audits if getattr(a, "may_read", False)],
        purpose=purpose,
    )


def _moderation_audits(moderations: Iterable[Moderation]) -> list[Audit]:
    out = []
    for m in moderations:
        m.audit.may_read = m.may_read  # type: ignore[attr-defined]
        out.append(m.audit)
    return out


# The audit leads' pages -------------------------------------------------------------------------


@roles_required(Role.MODERATOR)
def moderation_list(request: StaffRequest) -> HttpResponse:
    """Every moderation of an audit in the lead's services, open ones first, by status and
    cycle."""
    staff = request.staff
    form = ModerationFilterForm(request.GET or None, cycles=cycles_visible_to(staff))
    page = page_of(request, form.filter(moderations_led_by(staff)), per_page=PAGE_SIZE)
    _log_readable(request, _moderation_audits(page), Purpose.MODERATION_LISTED)
    return render(
        request,
        "assurance/moderation_samples/list.html",
        {"form": form, "page": page, "staff": staff},
    )


@roles_required(Role.MODERATOR)
def moderation_cycle(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """A cycle's moderation: its samples, every moderation of its audits with the reason it
    was chosen, its status and moderator, the requests waiting, and (for whoever plans the
    cycle) drawing the next sample."""
    staff = request.staff
    cycle = get_cycle_for_user(staff, public_id)
    can_draw = can_draw_moderation_sample(staff, cycle)
    form = ModerationSampleDrawForm(request.POST or None) if can_draw else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Only an audit lead for every service in this cycle can draw.")
        if form.is_valid():
            try:
                sample = moderation_sample_draw(
                    cycle=cycle, by=staff, seed=form.cleaned_data["seed"]
                )
            except Refused as refused:
                refusal_to_form(form, refused)
            else:
                chosen = sample.moderations.count()
                messages.success(
                    request,
                    f"Moderation sample drawn: {chosen} audit{'s' if chosen != 1 else ''} chosen "
                    f"from {sample.population_size}.",
                )
                return redirect("assurance:moderation_sample", public_id=sample.public_id)
    moderations = list(cycle_moderations(cycle, staff))
    waiting = list(requests_waiting_for_cycle(cycle, staff))
    _log_readable(
        request,
        [*_moderation_audits(moderations), *_request_audits(waiting)],
        Purpose.MODERATION_SAMPLE,
    )
    return render(
        request,
        "assurance/moderation_samples/cycle.html",
        {
            "cycle": cycle,
            "staff": staff,
            "form": form,
            "samples": cycle_samples(cycle),
            "moderations": moderations,
            "waiting": waiting,
            "to_consider": moderation_population_count(cycle) if can_draw else None,
            "requests_ready": moderation_requests_waiting(cycle).count() if can_draw else None,
            "rounding_rule": ROUNDING_RULE,
        },
    )


def _request_audits(requests: Iterable[ModerationRequest]) -> list[Audit]:
    out = []
    for r in requests:
        r.audit.may_read = r.may_read  # type: ignore[attr-defined]
        out.append(r.audit)
    return out


@roles_required(Role.MODERATOR)
def moderation_sample_detail(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """How a moderation sample was drawn: its seed, share and population, the audits it chose
    and why, and whether drawing the random share again from what is stored gives the same."""
    staff = request.staff
    sample = get_moderation_sample_for_user(staff, public_id)
    moderations = sample_moderations(sample, staff)
    population = sample_population_rows(sample, staff, moderations)
    _log_readable(
        request,
        [*_moderation_audits(moderations), *(row.audit for row in population)],
        Purpose.MODERATION_SAMPLE,
    )
    by_reason: dict[str, list[int]] = {reason: [] for reason in ModerationReason.values}
    for m in moderations:
        by_reason[m.reason].append(m.audit_id)
    graded = set(by_reason[ModerationReason.INADEQUATE]) | set(
        by_reason[ModerationReason.OUTSTANDING]
    )
    rest = [a for a in sample.population_ids if a not in graded]
    drawn_again = random_share_draw(rest=rest, percent=sample.percent, seed=sample.seed)
    return render(
        request,
        "assurance/moderation_samples/sample.html",
        {
            "sample": sample,
            "cycle": sample.cycle,
            "staff": staff,
            "moderations": moderations,
            "population": population,
            "counts": {reason: len(ids) for reason, ids in by_reason.items()},
            "rest_size": len(rest),
            "random_size": random_share_size(rest=len(rest), percent=sample.percent),
            # The share before rounding, as a person would write it: 14.4, 1.5, 3.
            "exact_share": f"{len(rest) * sample.percent / 100:.2f}".rstrip("0").rstrip("."),
            "rerun_matches": set(drawn_again) == set(by_reason[ModerationReason.RANDOM]),
            "rounding_rule": ROUNDING_RULE,
            # The counts by reason would tell a moderator regrading one of these audits blind
            # the auditor's grade, as each row's reason would.
            "blind": any(getattr(m, "blind", False) for m in moderations),
        },
    )


@roles_required(Role.MODERATOR)
def moderation_assign_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Give a moderation its moderator, or change it while they are still regrading. Only
    those who may moderate the audit are offered."""
    staff = request.staff
    moderation = get_moderation_for_lead(request.user, public_id)
    audit = moderation.audit
    refusal = moderator_assign_refusal(staff, moderation)
    if refusal == LEADS_ONLY:
        raise PermissionDenied(refusal)
    form = None
    if refusal is None:
        form = ModeratorForm(
            request.POST or None,
            candidates=auditors_in_services_of(staff),
            offered=moderators_available(staff, audit),
        )
        if request.method == "POST" and form.is_valid():
            try:
                moderation_moderator_assign(
                    moderation=moderation, moderator=form.cleaned_data["moderator"], by=staff
                )
            except Refused as refused:
                refusal_to_form(form, refused)
            else:
                messages.success(
                    request,
                    f"{moderation.moderator.name if moderation.moderator else 'The moderator'} "
                    "has been given the audit to moderate, and told.",
                )
                return redirect(_back_to(moderation)[0])
    elif request.method == "POST":
        raise PermissionDenied(refusal)
    # A lead may change the moderator of an audit they regrade themselves: not told why it was
    # chosen until they have given their grades, as on every other page.
    blind = moderation.moderator_id == staff.pk and moderation.status == ModerationStatus.REGRADING
    return render(
        request,
        "assurance/moderation_samples/assign.html",
        {
            "moderation": moderation,
            "audit": audit,
            "case": audit.case,
            "form": form,
            "refusal": refusal,
            "back": _back_to(moderation),
            "blind": blind,
            # A lead over the audit's service reads what the asker wrote, as on the audit's page.
            "request_reason": moderation.request.reason
            if moderation.request is not None and not blind
            else "",
        },
    )


def _back_to(moderation: Moderation) -> tuple[str, str]:
    """Where the lead came from, and its words: the cycle's moderation page for an audit in a
    cycle, else the list of moderations."""
    cycle_link = getattr(moderation.audit, "cycle_link", None)
    if cycle_link is not None:
        cycle_id = cycle_link.cycle.public_id
        url = reverse("assurance:moderation_cycle", kwargs={"public_id": cycle_id})
        return url, f"Back to the moderation of {cycle_link.cycle.name}"
    return reverse("assurance:moderation_list"), "Back to moderation"


# Asking for moderation ------------------------------------------------------------------------


@any_staff
def moderation_ask_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """The audit's auditor, or a team manager of its team, asks for it to be moderated."""
    staff = request.staff
    audit = get_audit_for_user(request.user, public_id)
    if not is_asker_for(staff, audit):
        raise PermissionDenied(ASKERS_ONLY)
    refusal = moderation_request_refusal(staff, audit)
    form = ModerationAskForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            moderation_request_create(audit=audit, by=staff, reason=form.cleaned_data["reason"])
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(
                request,
                "You have asked for this audit to be moderated. It will be taken into the "
                "cycle's next moderation sample.",
            )
            return redirect(audit_url(audit))
    return render(
        request,
        "assurance/moderation_samples/ask.html",
        {"audit": audit, "case": audit.case, "form": form, "refusal": refusal},
    )


@require_POST
@any_staff
def moderation_withdraw_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """Whoever asked withdraws their request, while it waits for a sample."""
    moderation_request = get_moderation_request_for_user(request.staff, public_id)
    try:
        moderation_request_withdraw(request=moderation_request, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(request, "Your request for moderation has been withdrawn.")
    return redirect(audit_url(moderation_request.audit))


@roles_required(Role.MODERATOR)
def moderation_add_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    """An audit lead over the audit's service adds it to moderation at once, with a reason."""
    staff = request.staff
    audit = get_audit_for_user(request.user, public_id)
    refusal = moderation_add_refusal(staff, audit)
    if refusal == LEADS_ONLY:
        raise PermissionDenied(refusal)
    form = ModerationAddForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            moderation = moderation_add(audit=audit, by=staff, reason=form.cleaned_data["reason"])
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Audit added to moderation. Now give it a moderator.")
            return redirect("assurance:moderation_assign", public_id=moderation.public_id)
    return render(
        request,
        "assurance/moderation_samples/add.html",
        {"audit": audit, "case": audit.case, "form": form, "refusal": refusal},
    )


# The moderator's list ---------------------------------------------------------------------------


@auditing_roles_required
def moderation_mine(request: StaffRequest) -> HttpResponse:
    """The audits given to the signed-in person to moderate, those waiting for them first."""
    page = page_of(request, moderations_given_to(request.staff), per_page=PAGE_SIZE)
    # Each row names its child: its moderator reads it on the moderation's page.
    access_shown(
        user=request.user, targets=[m.audit for m in page], purpose=Purpose.MODERATION_LISTED
    )
    return render(request, "assurance/moderation_samples/mine.html", {"page": page})


urlpatterns = [
    path("moderation/", moderation_list, name="moderation_list"),
    path("moderation/mine/", moderation_mine, name="moderation_mine"),
    path("moderation/cycles/<uuid:public_id>/", moderation_cycle, name="moderation_cycle"),
    path(
        "moderation/samples/<uuid:public_id>/",
        moderation_sample_detail,
        name="moderation_sample",
    ),
    path(
        "moderation/<uuid:public_id>/moderator/",
        moderation_assign_view,
        name="moderation_assign",
    ),
    path("moderation/ask/<uuid:public_id>/", moderation_ask_view, name="moderation_ask"),
    path(
        "moderation/requests/<uuid:public_id>/withdraw/",
        moderation_withdraw_view,
        name="moderation_request_withdraw",
    ),
    path("moderation/add/<uuid:public_id>/", moderation_add_view, name="moderation_add"),
]
