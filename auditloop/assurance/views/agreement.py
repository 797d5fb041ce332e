"""The agreement page: how far auditors' grades match moderators' blind regrades, by question,
by auditor and by cycle, each figure with its N, 95% interval and reading."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from auditloop.accounts.access import StaffRequest, roles_required
from auditloop.assurance.access.agreement import (
    AGREEMENT_READERS,
    agreement_min_auditors,
    agreement_service_ids,
    can_see_agreement_by_auditor,
)
from auditloop.assurance.forms.agreement import AgreementCycleForm
from auditloop.assurance.selectors.agreement import (
    agreement_by_auditor,
    agreement_by_cycle,
    agreement_by_question,
    agreement_cycles,
    agreement_pooled,
    cycle_dates,
)
from auditloop.core.dataversion import figures_cached

CYCLES_PER_PAGE = 50


@roles_required(*AGREEMENT_READERS)
def agreement_page(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    service_ids = agreement_service_ids(staff)
    min_auditors = agreement_min_auditors(staff)
    # Cycles are few (two a year): one query serves the choice and the table's pages.
    cycles = list(agreement_cycles(service_ids=service_ids))
    form = AgreementCycleForm(request.GET if "cycle" in request.GET else None, cycles=cycles)
    chosen, cycle = form.chosen()
    by_auditor_shown = can_see_agreement_by_auditor(staff)
    context: dict[str, object] = {
        "form": form,
        "chosen": chosen,
        "cycle": cycle,
        "cycle_dates": cycle_dates(cycle) if cycle else "",
        "by_auditor_shown": by_auditor_shown,
        "min_auditors": min_auditors,
    }
    page = Paginator(cycles, CYCLES_PER_PAGE).get_page(request.GET.get("page"))
    context["page"] = page

    def figures() -> dict[str, object]:
        """The page's figures: each a bootstrap interval over every regrade in scope, seconds
        on a national council's audit lead's services, so they are kept as the dashboards'
        are (`figures_cached`: for this reader, until a change is committed)."""
        found: dict[str, object] = {}
        if chosen:
            found["pooled_rows"] = [
                agreement_pooled(service_ids=service_ids, cycle=cycle, min_auditors=min_auditors)
            ]
            found["by_question"] = agreement_by_question(
                service_ids=service_ids, cycle=cycle, min_auditors=min_auditors
            )
            if by_auditor_shown:
                found["by_auditor"] = agreement_by_auditor(service_ids=service_ids, cycle=cycle)
        found["by_cycle"] = agreement_by_cycle(
            service_ids=service_ids, cycles=list(page.object_list), min_auditors=min_auditors
        )
        return found

    context |= figures_cached(
        "agreement",
        reader_id=staff.pk,
        params=(
            tuple(service_ids or ()),
            service_ids is None,
            chosen,
            cycle.pk if cycle else None,
            min_auditors,
            page.number,
            by_auditor_shown,
        ),
        compute=figures,
    )
    return render(request, "assurance/agreement/page.html", context)


urlpatterns = [path("agreement/", agreement_page, name="agreement")]
