"""The questions about being audited, for the practitioner (and a deep dive's manager) once
the audit is completed. Only the person asked reaches the page."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from auditloop.accounts.access import StaffRequest, any_staff
from auditloop.assurance.access.experience import get_experience_audit_for_user
from auditloop.assurance.forms.experience import ExperienceForm
from auditloop.assurance.models import ExperienceRole
from auditloop.assurance.services.experience import experience_answer, experience_decline
from auditloop.core.refusals import Refused, refusal_to_form, refusal_to_message


@any_staff
def experience_form(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit, role = get_experience_audit_for_user(request.staff, public_id, now=timezone.now())
    form = ExperienceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            experience_answer(
                audit=audit,
                by=request.staff,
                answers={k: data[k] for k in ("supportive", "feedback_useful", "alongside")},
                do_differently=data["do_differently"],
            )
        except Refused as refused:
            refusal_to_form(form, refused)
        else:
            messages.success(request, "Thank you. Your answers are kept with no name on them.")
            return redirect("home")
    return render(
        request,
        "assurance/experience/form.html",
        {
            "form": form,
            "audit": audit,
            "as_manager": role == ExperienceRole.MANAGER,
            "small_group_min": settings.AUDITLOOP_SMALL_GROUP_MIN,
        },
    )


@any_staff
@require_POST
def experience_decline_view(request: StaffRequest, public_id: UUID) -> HttpResponse:
    audit, _ = get_experience_audit_for_user(request.staff, public_id, now=timezone.now())
    try:
        experience_decline(audit=audit, by=request.staff)
    except Refused as refused:
        refusal_to_message(request, refused)
    else:
        messages.success(request, "You will not be asked about this audit again.")
    return redirect("home")


urlpatterns = [
    path("experience/<uuid:public_id>/", experience_form, name="experience"),
    path(
        "experience/<uuid:public_id>/decline/", experience_decline_view, name="experience_decline"
    ),
]
