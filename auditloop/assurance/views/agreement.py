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
    context: dict[str, object] = {
        "form": form,
        "chosen": chosen,
        "cycle": cycle,
        "cycle_dates": cycle_dates(cycle) if cycle else "",
        "by_auditor_shown": can_see_agreement_by_auditor(staff),
        "min_auditors": min_auditors,
    }
    if chosen:
        context["pooled_rows"] = [
            agreement_pooled(service_ids=service_ids, cycle=cycle, min_auditors=min_auditors)
        ]
        context["by_question"] = agreement_by_question(
            service_ids=service_ids, cycle=cycle, min_auditors=min_auditors
        )
        if can_see_agreement_by_auditor(staff):
            context["by_auditor"] = agreement_by_auditor(service_ids=service_ids, cycle=cycle)
    page = Paginator(cycles, CYCLES_PER_PAGE).get_page(request.GET.get("page"))
    context["page"] = page
    context["by_cycle"] = agreement_by_cycle(
        service_ids=service_ids, cycles=list(page.object_list), min_auditors=min_auditors
    )
    return render(request, "assurance/agreement/page.html", context)


urlpatterns = [path("agreement/", agreement_page, name="agreement")]
